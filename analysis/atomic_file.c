/* SPDX-License-Identifier: MIT */
/*
 * atomic_file.c - write-then-rename files (see atomic_file.h).
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* mkstemp, fsync, fdopen, fileno */
#endif

#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char tmp_suffix[] = ".tmp.XXXXXX";

/* Release everything in *af without touching the filesystem. */
static void release(struct ks_atomic_file *af)
{
	free(af->path);
	free(af->tmp_path);
	af->f = NULL;
	af->path = NULL;
	af->tmp_path = NULL;
}

int ks_atomic_open(struct ks_atomic_file *af, const char *path)
{
	const char *slash, *base;
	size_t dirlen, plen;
	int fd, e;

	if (!af) {
		errno = EINVAL;
		return -1;
	}
	memset(af, 0, sizeof(*af));
	if (!path || !*path) {
		errno = EINVAL;
		return -1;
	}
	plen = strlen(path);
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	dirlen = (size_t)(base - path); /* includes the trailing '/' */
	if (!*base) {                   /* "dir/" names no file */
		errno = EINVAL;
		return -1;
	}

	af->path = strdup(path);
	/* dir/ + "." + base + ".tmp.XXXXXX" + NUL */
	af->tmp_path = malloc(plen + 1 + sizeof(tmp_suffix));
	if (!af->path || !af->tmp_path) {
		release(af);
		errno = ENOMEM;
		return -1;
	}
	memcpy(af->tmp_path, path, dirlen);
	af->tmp_path[dirlen] = '.';
	memcpy(af->tmp_path + dirlen + 1, base, plen - dirlen);
	memcpy(af->tmp_path + plen + 1, tmp_suffix, sizeof(tmp_suffix));

	fd = mkstemp(af->tmp_path);
	if (fd < 0)
		goto fail_nofile;
	/* mkstemp uses 0600; results should be readable like a normal file. */
	if (fchmod(fd, 0644) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
		goto fail_fd;
	af->f = fdopen(fd, "w");
	if (!af->f)
		goto fail_fd;
	return 0;

fail_fd:
	e = errno;
	close(fd);
	unlink(af->tmp_path);
	errno = e;
fail_nofile:
	e = errno;
	release(af);
	errno = e;
	return -1;
}

/* fsync the directory containing path so the rename itself is durable. */
static int sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc, e;

	if (!slash) {
		dir = strdup(".");
	} else if (slash == path) {
		dir = strdup("/");
	} else {
		size_t len = (size_t)(slash - path);

		dir = malloc(len + 1);
		if (dir) {
			memcpy(dir, path, len);
			dir[len] = '\0';
		}
	}
	if (!dir) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	free(dir);
	if (fd < 0) {
		errno = e;
		return -1;
	}
	rc = fsync(fd);
	if (rc != 0 && errno == EINVAL)
		rc = 0; /* filesystem cannot sync directories: nothing to do */
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int ks_atomic_commit(struct ks_atomic_file *af)
{
	int e = 0;
	FILE *f;

	if (!af || !af->f || !af->path || !af->tmp_path) {
		if (af)
			ks_atomic_abort(af);
		errno = EBADF;
		return -1;
	}

	f = af->f;
	af->f = NULL;
	/* Flush stdio, then push data to stable storage before the rename.
	 * errno is cleared so a sticky ferror() without a fresh errno maps to EIO. */
	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		e = errno ? errno : EIO;
	else if (fsync(fileno(f)) != 0)
		e = errno;
	/* fclose always releases the FILE, even if it reports an error. */
	errno = 0;
	if (fclose(f) != 0 && !e)
		e = errno ? errno : EIO;
	if (!e && rename(af->tmp_path, af->path) != 0)
		e = errno;
	if (e) {
		unlink(af->tmp_path);
		release(af);
		errno = e;
		return -1;
	}
	/* Renamed: the temp name no longer exists, never unlink it now. */
	if (sync_dir(af->path) != 0) {
		e = errno;
		release(af);
		errno = e;
		return -1;
	}
	release(af);
	return 0;
}

void ks_atomic_abort(struct ks_atomic_file *af)
{
	int e = errno;

	if (!af)
		return;
	if (af->f)
		fclose(af->f);
	if (af->tmp_path)
		unlink(af->tmp_path);
	release(af);
	errno = e;
}
