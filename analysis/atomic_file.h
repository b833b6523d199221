/* SPDX-License-Identifier: MIT */
/*
 * atomic_file.h - write a file via temp file + rename, so readers see
 * either the old content or the complete new content, never a partial file.
 *
 *   struct ks_atomic_file af = {0};
 *   if (ks_atomic_open(&af, "results/run.json") != 0) ... errno ...
 *   fprintf(af.f, ...);
 *   if (ks_atomic_commit(&af) != 0) ... errno ...   // af is reset either way
 *   ks_atomic_abort(&af);                           // always safe, no-op here
 */
#ifndef KS_ATOMIC_FILE_H
#define KS_ATOMIC_FILE_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ks_atomic_file {
	FILE *f;        /* write here; NULL when not open */
	char *path;     /* final destination (owned copy) */
	char *tmp_path; /* "<dir>/.<base>.tmp.XXXXXX" (owned) */
};

/*
 * Create the temp file "<dir>/.<base>.tmp.XXXXXX" (mkstemp, then mode 0644,
 * close-on-exec) next to path, so the final rename stays within one
 * filesystem.  *af is overwritten (need not be initialized).  Returns 0, or
 * -1 with errno set and *af zeroed (e.g. ENOENT if the directory does not
 * exist, EINVAL for an empty path or one ending in '/').
 */
int ks_atomic_open(struct ks_atomic_file *af, const char *path);

/*
 * fflush, fsync, fclose, rename(tmp, path), then fsync the directory.
 * Returns 0 on success.  On failure returns -1 with errno set and the temp
 * file unlinked.  In both cases *af is released and zeroed, so a following
 * ks_atomic_abort() is a harmless no-op.
 * Caveat: if only the final directory fsync fails, the rename has already
 * happened (path has the new content) but durability is not guaranteed;
 * -1 is still returned.  EINVAL from a directory fsync (filesystem does not
 * support it) is not treated as an error.
 */
int ks_atomic_commit(struct ks_atomic_file *af);

/*
 * Close and unlink the temp file, release and zero *af.  Idempotent: safe
 * on a zeroed struct, after a failed open, and after commit (success or not).
 * Preserves errno.
 */
void ks_atomic_abort(struct ks_atomic_file *af);

#ifdef __cplusplus
}
#endif

#endif /* KS_ATOMIC_FILE_H */
