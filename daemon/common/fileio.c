// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * File helpers. See fileio.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fileio.h"

int tsmh_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int fail(struct tsmh_fileio_err *err, const char *step, const char *where, int ret)
{
	if (err) {
		err->step = step;
		snprintf(err->where, sizeof(err->where), "%s", where);
	}
	return ret;
}

/* The directory @path is in: "." for a bare name, "/" for a file in the root. */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/*
 * A new temporary file @tmp ("<path><suffix>.XXXXXX", the X replaced): a
 * name nobody has used, created with O_CREAT|O_EXCL (mkostemp), which
 * neither opens a file that exists nor follows a symlink. A file someone
 * planted under a predictable name is never opened, reused or removed.
 */
static int create_tmp(char *tmp)
{
	int fd = mkostemp(tmp, O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Our group, @mode, @len bytes of @buf, fsync, close: 0 or -errno with @step. */
static int fill_fd(int fd, const void *buf, size_t len, mode_t mode, const char **step)
{
	int ret;

	/*
	 * Ours (a new file is), with our group rather than a setgid
	 * directory's, and @mode whatever the umask and the creation mode
	 */
	*step = "chown";
	ret = fchown(fd, (uid_t)-1, getegid()) < 0 ? -errno : 0;
	if (!ret) {
		*step = "chmod";
		ret = fchmod(fd, mode) < 0 ? -errno : 0;
	}
	if (!ret) {
		*step = "write";
		ret = tsmh_write_all(fd, buf, len);
	}
	if (!ret) {
		*step = "fsync";
		ret = fsync(fd) < 0 ? -errno : 0;
	}
	if (close(fd) < 0 && !ret) {
		*step = "close";
		ret = -errno;
	}
	return ret;
}

/* Write, fsync and close @tmp; on failure it is removed. */
static int fill_tmp(char *tmp, const void *buf, size_t len, mode_t mode,
		    struct tsmh_fileio_err *err)
{
	const char *step;
	int fd, ret;

	fd = create_tmp(tmp);
	if (fd < 0)
		return fail(err, "create", tmp, fd);
	ret = fill_fd(fd, buf, len, mode, &step);
	if (ret) {
		unlink(tmp);
		return fail(err, step, tmp, ret);
	}
	return 0;
}

int tsmh_write_atomic(const char *path, const char *tmp_suffix, const void *buf, size_t len,
		      mode_t mode, struct tsmh_fileio_err *err)
{
	char *tmp = NULL, *dir = NULL;
	int dfd, ret;

	if (asprintf(&tmp, "%s%s.XXXXXX", path, tmp_suffix) < 0)
		return fail(err, "allocate", path, -ENOMEM);
	dir = malloc(strlen(path) + 2);
	if (!dir) {
		ret = fail(err, "allocate", path, -ENOMEM);
		goto out;
	}
	dir_of(path, dir, strlen(path) + 2);
	ret = fill_tmp(tmp, buf, len, mode, err);
	if (ret)
		goto out;
	if (rename(tmp, path) < 0) {
		ret = fail(err, "rename", tmp, -errno);
		unlink(tmp);
		goto out;
	}
	/* the rename is durable only once the directory is */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = fail(err, "fsync directory", dir, -errno);
		goto out;
	}
	if (fsync(dfd) < 0)
		ret = fail(err, "fsync directory", dir, -errno);
	close(dfd);
out:
	free(tmp);
	free(dir);
	return ret;
}

/* "@name.tmp.XXXXXX" in @dfd, created O_EXCL|O_NOFOLLOW: fd or -errno */
static int create_tmp_at(int dfd, const char *name, char *tmp, size_t tmplen)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6];
	int i, k, fd = -EEXIST;

	for (k = 0; k < 100 && fd == -EEXIST; k++) {
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -EIO;
		snprintf(tmp, tmplen, "%s.tmp.", name);
		for (i = 0; i < 6; i++)
			snprintf(tmp + strlen(tmp), tmplen - strlen(tmp), "%c",
				 set[r[i] % (sizeof(set) - 1)]);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			fd = -errno;
	}
	return fd;
}

int tsmh_write_atomic_at(int dfd, const char *name, const void *buf, size_t len, mode_t mode,
			 struct tsmh_fileio_err *err)
{
	char tmp[NAME_MAX + 1];
	const char *step;
	int fd, ret;

	if (strchr(name, '/') || strlen(name) + 12 > NAME_MAX)
		return fail(err, "create", name, -EINVAL);
	fd = create_tmp_at(dfd, name, tmp, sizeof(tmp));
	if (fd < 0)
		return fail(err, "create", name, fd);
	ret = fill_fd(fd, buf, len, mode, &step);
	if (!ret && renameat(dfd, tmp, dfd, name) < 0) {
		step = "rename";
		ret = -errno;
	}
	if (ret) {
		unlinkat(dfd, tmp, 0);
		return fail(err, step, tmp, ret);
	}
	if (fsync(dfd) < 0)
		return fail(err, "fsync directory", name, -errno);
	return 0;
}
