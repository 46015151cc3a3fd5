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

/* After the rename: in place, but not known to be durable. Returns 0. */
static int unsynced(struct tsmh_fileio_err *err, const char *where, int ret)
{
	if (err)
		err->unsynced = ret;
	fail(err, "fsync directory", where, ret);
	return 0;
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
 * "@name@suffix.XXXXXX" (the X random) in @dfd, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW: a name nobody has used, so neither a file
 * that exists nor a symlink is ever opened, and one someone planted under
 * a predictable name is never reused or removed. The fd or -errno.
 */
static int create_tmp_at(int dfd, const char *name, const char *suffix, char *tmp, size_t tmplen)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6];
	int i, k, fd = -EEXIST;

	for (k = 0; k < 100 && fd == -EEXIST; k++) {
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -EIO;
		snprintf(tmp, tmplen, "%s%s.", name, suffix);
		for (i = 0; i < 6; i++)
			snprintf(tmp + strlen(tmp), tmplen - strlen(tmp), "%c",
				 set[r[i] % (sizeof(set) - 1)]);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			fd = -errno;
	}
	return fd;
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

/*
 * The part both atomic writes share: @name (no '/') in @dfd replaced by a
 * new temporary file @name@suffix.XXXXXX, written, fsynced and renamed
 * over it; on failure the temporary file is removed and @name untouched.
 * @err names the temporary file as @shown_dir/TMP (@shown_dir may be "").
 * The caller fsyncs the directory.
 */
static int replace_at(int dfd, const char *shown_dir, const char *name, const char *suffix,
		      const void *buf, size_t len, mode_t mode, struct tsmh_fileio_err *err)
{
	char tmp[NAME_MAX + 1], where[PATH_MAX];
	const char *step;
	int fd, ret;

	fd = create_tmp_at(dfd, name, suffix, tmp, sizeof(tmp));
	snprintf(where, sizeof(where), "%s%s%s", shown_dir, *shown_dir ? "/" : "",
		 fd < 0 ? name : tmp);
	if (fd < 0)
		return fail(err, "create", where, fd);
	ret = fill_fd(fd, buf, len, mode, &step);
	if (!ret && renameat(dfd, tmp, dfd, name) < 0) {
		step = "rename";
		ret = -errno;
	}
	if (ret) {
		unlinkat(dfd, tmp, 0);
		return fail(err, step, where, ret);
	}
	return 0;
}

int tsmh_write_atomic(const char *path, const char *tmp_suffix, const void *buf, size_t len,
		      mode_t mode, struct tsmh_fileio_err *err)
{
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	int dfd, ret;

	if (err)
		err->unsynced = 0;
	dir_of(path, dir, sizeof(dir));
	if (!*name || strlen(name) + strlen(tmp_suffix) + 8 > NAME_MAX ||
	    strlen(path) >= sizeof(dir))
		return fail(err, "create", path, -ENAMETOOLONG);
	/* O_PATH: enough for openat/renameat, as searching @dir was before */
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(err, "create", path, -errno);
	ret = replace_at(dfd, slash ? dir : "", name, tmp_suffix, buf, len, mode, err);
	close(dfd);
	if (ret)
		return ret;
	/* the rename is durable only once the directory is */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return unsynced(err, dir, -errno);
	if (fsync(dfd) < 0)
		ret = unsynced(err, dir, -errno);
	close(dfd);
	return ret;
}

int tsmh_write_atomic_at(int dfd, const char *name, const void *buf, size_t len, mode_t mode,
			 struct tsmh_fileio_err *err)
{
	int ret;

	if (err)
		err->unsynced = 0;
	if (strchr(name, '/') || strlen(name) + 12 > NAME_MAX)
		return fail(err, "create", name, -EINVAL);
	ret = replace_at(dfd, "", name, ".tmp", buf, len, mode, err);
	if (!ret && fsync(dfd) < 0)
		ret = unsynced(err, name, -errno);
	return ret;
}
