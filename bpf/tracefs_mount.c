/* SPDX-License-Identifier: MIT */
/*
 * Where tracefs is (the one function that looks: ks_tracefs_locate) and the
 * shared, counted mount every user of it takes (discovery, both backends):
 * mounted by kvmscope only where nobody had, and unmounted by the last
 * release.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* PATH_MAX, mount(), umount2() with -std=c11 too */
#endif
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privs.h"
#include "probe_desc.h"

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_events_at(const char *root, const char *dir)
{
	char p[PATH_MAX];
	return ks_path(p, sizeof(p), "%s%s/events", root, dir) && is_dir(p);
}

static bool has_events(const char *dir)
{
	return has_events_at("", dir);
}

int ks_tracefs_locate_at(const char *root, char *dir, size_t len)
{
	char line[1024], dev[256], mnt[PATH_MAX], type[64], p[PATH_MAX + 16];
	int rc = -ENOENT;

	root = root ? root : "";
	if (!ks_path(p, sizeof(p), "%s/proc/mounts", root))
		return -ENOENT;
	FILE *f = fopen(p, "re");
	if (!f)
		return -ENOENT;
	while (rc != 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %4095s %63s", dev, mnt, type) != 3)
			continue;
		if (!strcmp(type, "tracefs")) {
			if (has_events_at(root, mnt)) {
				ks_path(dir, len, "%s", mnt);
				rc = 0;
			} else if (rc == -ENOENT) {
				ks_path(dir, len, "%s", mnt);   /* where it is, for the message */
				rc = -EACCES;
			}
		} else if (!strcmp(type, "debugfs")) {
			ks_path(p, sizeof(p), "%s/tracing", mnt);
			if (has_events_at(root, p)) {   /* an automount under debugfs */
				ks_path(dir, len, "%s", p);
				rc = 0;
			}
		}
	}
	fclose(f);
	return rc;
}

int ks_tracefs_locate(char *dir, size_t len)
{
	return ks_tracefs_locate_at(NULL, dir, len);
}

static pthread_mutex_t tfs_lock = PTHREAD_MUTEX_INITIALIZER;
static int tfs_refs;
static bool tfs_mounted_by_us;
static char tfs_dir[PATH_MAX];

int ks_tracefs_acquire(char *dir, size_t len, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&tfs_lock);
	if (tfs_refs > 0 && has_events(tfs_dir)) {
		tfs_refs++;
		goto out;
	}
	tfs_refs = 0;
	tfs_mounted_by_us = false;
	rc = ks_tracefs_locate(tfs_dir, sizeof(tfs_dir));
	if (rc == -EACCES) {
		char why[300];
		ks_access_why(tfs_dir, R_OK | X_OK, why, sizeof(why));
		snprintf(err, errlen, "tracefs is mounted but not accessible: %s", why);
		goto out;
	}
	if (rc < 0) {
		rc = 0;
		ks_path(tfs_dir, sizeof(tfs_dir), "/sys/kernel/tracing");
		if (!is_dir(tfs_dir)) {
			snprintf(err, errlen, "tracefs is not mounted and %s does not exist "
				 "(kernel without CONFIG_TRACING?)", tfs_dir);
			rc = -ENOENT;
			goto out;
		}
		if (mount("nodev", tfs_dir, "tracefs", 0, NULL) < 0) {
			rc = -errno;
			snprintf(err, errlen, "tracefs is not mounted and mounting it at %s failed: %s%s",
				 tfs_dir, strerror(errno),
				 errno == EPERM ? " (mounting needs CAP_SYS_ADMIN: run as root, or "
						  "mount it first: mount -t tracefs nodev "
						  "/sys/kernel/tracing)" : "");
			goto out;
		}
		if (!has_events(tfs_dir)) {
			umount2(tfs_dir, MNT_DETACH);
			snprintf(err, errlen, "tracefs mounted at %s has no events/ (no trace events "
				 "in this kernel?)", tfs_dir);
			rc = -ENOENT;
			goto out;
		}
		tfs_mounted_by_us = true;
	}
	tfs_refs = 1;
out:
	if (rc == 0)
		ks_path(dir, len, "%s", tfs_dir);
	pthread_mutex_unlock(&tfs_lock);
	return rc;
}

void ks_tracefs_release(void)
{
	pthread_mutex_lock(&tfs_lock);
	if (tfs_refs > 0 && --tfs_refs == 0 && tfs_mounted_by_us) {
		/* a lazy unmount: a straggling open file must not keep it pinned */
		umount2(tfs_dir, MNT_DETACH);
		tfs_mounted_by_us = false;
	}
	pthread_mutex_unlock(&tfs_lock);
}

bool ks_tracefs_mounted_by_us(void)
{
	pthread_mutex_lock(&tfs_lock);
	bool r = tfs_refs > 0 && tfs_mounted_by_us;
	pthread_mutex_unlock(&tfs_lock);
	return r;
}
