/* SPDX-License-Identifier: MIT */
/*
 * Where tracefs is (the one function that looks: ks_tracefs_locate) and the
 * shared, counted reference every user of it in this process takes
 * (discovery, both backends). kvmscope uses a tracefs of its own that no
 * other process can see or use — a detached mount (fsmount), where it may
 * mount — else the one mounted already, else, where nobody has one and
 * fsmount is missing, a mount on a private directory that
 * ks_tracefs_locate() skips; it drops its own with the last release. So
 * two kvmscope processes never pull tracefs out from under each other, no
 * one else's unmount pulls it from under kvmscope, and the system's mounts
 * are left as found (a kill -9 too: a detached mount dies with its fd).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* PATH_MAX, mount(), umount2() with -std=c11 too */
#endif
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privs.h"
#include "probe_desc.h"

/* The directory name prefix of the fallback private mounts. */
#define KS_TRACEFS_PRIVATE "kvmscope-tracefs."

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
			const char *base = strrchr(mnt, '/');
			if (base && !strncmp(base + 1, KS_TRACEFS_PRIVATE, strlen(KS_TRACEFS_PRIVATE)))
				continue;   /* another kvmscope's own: it unmounts it when done */
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
static enum { TFS_FOUND, TFS_DETACHED, TFS_PRIVATE_DIR } tfs_how;
static int tfs_fd = -1;          /* TFS_DETACHED: the mount */
static char tfs_dir[PATH_MAX];   /* the tracing directory handed out */

/*
 * A tracefs of our own, invisible to everyone else: a detached mount
 * (fsopen + fsmount, Linux 5.2) reached through /proc/self/fd/N. It is in
 * no mount table, so no other process can find it, borrow it or trip over
 * it, and it vanishes with its fd: at release, or when the process dies.
 * tracefs is one tree however often it is mounted, so its events and
 * instances are the system's.
 */
static int mount_detached(char *err, size_t errlen)
{
	int fs = fsopen("tracefs", FSOPEN_CLOEXEC);
	if (fs < 0) {
		snprintf(err, errlen, "fsopen(tracefs): %s", strerror(errno));
		return -errno;
	}
	int m = -1, e = 0;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (m = fsmount(fs, FSMOUNT_CLOEXEC,
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) < 0)
		e = errno;
	close(fs);
	if (m < 0) {
		snprintf(err, errlen, "mounting tracefs (fsmount): %s", strerror(e));
		return -e;
	}
	ks_path(tfs_dir, sizeof(tfs_dir), "/proc/self/fd/%d", m);
	if (!has_events(tfs_dir)) {   /* no /proc to reach it through, or no events */
		close(m);
		snprintf(err, errlen, "a tracefs mounted with fsmount shows no events/ through "
			 "/proc/self/fd/%d (/proc not mounted?)", m);
		return -ENOENT;
	}
	tfs_fd = m;
	return 0;
}

/* Where fsopen is missing (Linux < 5.2, a seccomp filter): a private mount
 * on a directory of our own, <dir>/kvmscope-tracefs.XXXXXX, which
 * ks_tracefs_locate() never hands to anyone else. */
static int mount_private_dir(char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	const char *const bases[] = { "/run", tmp && *tmp ? tmp : "/tmp" };
	int e = ENOENT;

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (!ks_path(tfs_dir, sizeof(tfs_dir), "%s/" KS_TRACEFS_PRIVATE "XXXXXX", bases[i]) ||
		    !mkdtemp(tfs_dir)) {
			e = errno;
			continue;
		}
		if (mount("nodev", tfs_dir, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
			if (has_events(tfs_dir))
				return 0;
			umount2(tfs_dir, MNT_DETACH);
			e = ENOENT;
		} else {
			e = errno;
		}
		rmdir(tfs_dir);
		if (e == EPERM)
			break;   /* the same everywhere */
	}
	snprintf(err, errlen, "%s", strerror(e));
	return -e;
}

/* Undo what acquire did (nothing for a tracefs someone else mounted). */
static void drop_locked(void)
{
	if (tfs_how == TFS_DETACHED && tfs_fd >= 0) {
		close(tfs_fd);   /* the last reference: the mount is gone */
	} else if (tfs_how == TFS_PRIVATE_DIR) {
		/* lazy: a straggling open file must not keep it pinned */
		umount2(tfs_dir, MNT_DETACH);
		rmdir(tfs_dir);
	}
	tfs_fd = -1;
	tfs_how = TFS_FOUND;
	tfs_refs = 0;
}

int ks_tracefs_acquire(char *dir, size_t len, char *err, size_t errlen)
{
	char e1[200] = "", e2[200] = "";
	int rc = 0;

	pthread_mutex_lock(&tfs_lock);
	if (tfs_refs > 0 && has_events(tfs_dir)) {
		tfs_refs++;
		goto out;
	}
	if (tfs_refs > 0)   /* the tracefs we used went away (someone unmounted it) */
		drop_locked();
	/* Our own first, where we may mount: then nobody else's unmount can pull
	 * it away from under us (a user, a test script, another tool). */
	if (mount_detached(e1, sizeof(e1)) == 0) {
		tfs_how = TFS_DETACHED;
		goto got;
	}
	/* else someone's (a user who may not mount, but may use theirs) */
	tfs_how = TFS_FOUND;
	rc = ks_tracefs_locate(tfs_dir, sizeof(tfs_dir));
	if (rc == -EACCES) {
		char why[300];
		ks_access_why(tfs_dir, R_OK | X_OK, why, sizeof(why));
		snprintf(err, errlen, "tracefs is mounted but not accessible: %s", why);
		goto out;
	}
	if (rc < 0) {   /* nobody's: a private directory mount, which locate() skips */
		rc = mount_private_dir(e2, sizeof(e2));
		if (rc < 0) {
			snprintf(err, errlen, "tracefs is not mounted and mounting one failed: %s; "
				 "a private directory mount: %s%s", e1, e2,
				 rc == -EPERM ? " (mounting needs CAP_SYS_ADMIN: run as root, or "
						"mount it first: mount -t tracefs nodev /sys/kernel/tracing)"
					      : "");
			goto out;
		}
		tfs_how = TFS_PRIVATE_DIR;
	}
got:
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
	if (tfs_refs > 0 && --tfs_refs == 0)
		drop_locked();
	pthread_mutex_unlock(&tfs_lock);
}

bool ks_tracefs_mounted_by_us(void)
{
	pthread_mutex_lock(&tfs_lock);
	bool r = tfs_refs > 0 && tfs_how != TFS_FOUND;
	pthread_mutex_unlock(&tfs_lock);
	return r;
}
