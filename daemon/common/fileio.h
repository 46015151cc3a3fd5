/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Small file helpers shared by tsmd, tsmctl and the attestation core:
 * a write that finishes (EINTR, short writes) and the atomic replace of
 * a file (same-directory temporary file, fsync, rename, fsync of the
 * directory) that leaves the old file intact when any step fails.
 */
#ifndef TSMH_FILEIO_H
#define TSMH_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Write all @len bytes of @buf to @fd, retrying EINTR and short writes: 0 or -errno. */
int tsmh_write_all(int fd, const void *buf, size_t len);

/* Which step of tsmh_write_atomic() failed, and on which file or directory. */
struct tsmh_fileio_err {
	/* "allocate", "create", "chown", "chmod", "write", "fsync", "close", "rename", "fsync directory" */
	const char *step;
	char where[4096]; /* the temporary file, or the directory for "fsync directory" */
	/*
	 * Set when the call returned 0: -errno of an fsync of the directory
	 * that failed after the new file was renamed into place (the new
	 * content is what everyone reads now, it may not survive a crash);
	 * @step and @where say so. 0: durable.
	 */
	int unsynced;
};

/*
 * Replace @path by @len bytes of @buf, atomically: write them to a new
 * temporary file @path@tmp_suffix.XXXXXX (e.g. ".tmp", the X made unique
 * as mkstemp does) in the same directory, created with O_CREAT|O_EXCL (an
 * existing file or symlink of that name is never opened, so one planted
 * by another user is left alone), owned by the caller with its group and
 * set to @mode whatever the umask, fsync it, rename it over @path and
 * fsync the directory. On failure before the rename the temporary file is
 * removed and @path is untouched (a crash may leave one behind: it is
 * never read). Returns 0 or -errno with @err (may be NULL) naming the step.
 * Once the rename is done the new file is in place, so a failed fsync of
 * the directory after it returns 0 with @err->unsynced set, not a failure.
 */
int tsmh_write_atomic(const char *path, const char *tmp_suffix, const void *buf, size_t len,
		      mode_t mode, struct tsmh_fileio_err *err);

/*
 * The same inside the directory open as @dfd (tsmh_outdir_open()): @name
 * (no '/') replaced by way of a new temporary file @name.tmp.XXXXXX made
 * with openat(O_CREAT|O_EXCL|O_NOFOLLOW), then renameat() and an fsync of
 * @dfd. A symlink or file planted under @name is replaced, never followed
 * or written through. Same returns as tsmh_write_atomic().
 */
int tsmh_write_atomic_at(int dfd, const char *name, const void *buf, size_t len, mode_t mode,
			 struct tsmh_fileio_err *err);

#endif
