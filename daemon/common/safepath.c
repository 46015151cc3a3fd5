// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * StrictModes checks of files and directories. See safepath.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "safepath.h"

static int say(char *why, size_t whylen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int say(char *why, size_t whylen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/*
 * One file or directory @at (found while checking @path; @leaf: it is
 * @path itself): owned by root or @uid, writable by nobody else.
 */
static int check_one(const char *path, const char *at, const struct stat *st, int leaf, uid_t uid,
		     unsigned flags, char *why, size_t whylen)
{
	const char *what = S_ISDIR(st->st_mode) ? "directory" : "file";
	char owner[64] = "root";

	if (uid != 0)
		snprintf(owner, sizeof(owner), "root or uid %u", (unsigned)uid);
	if (st->st_uid != 0 && st->st_uid != uid)
		return say(why, whylen, -EPERM,
			   "%s: unsafe: %s %s is owned by uid %u, not by %s, so that user "
			   "could change it (fix: chown root %s, or use another %s)",
			   path, what, at, (unsigned)st->st_uid, owner, at, what);
	if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	/* a sticky directory above the path: others cannot replace our entries */
	if (!leaf && (flags & TSMH_SAFE_STICKY_PARENTS) && S_ISDIR(st->st_mode) &&
	    (st->st_mode & S_ISVTX))
		return 0;
	return say(why, whylen, -EPERM,
		   "%s: unsafe: %s %s is writable by %s (mode %04o), so anyone there could "
		   "change it (fix: %s%s)",
		   path, what, at,
		   (st->st_mode & S_IWGRP) && (st->st_mode & S_IWOTH) ? "group and others"
		   : (st->st_mode & S_IWGRP)			      ? "its group"
								      : "others",
		   (unsigned)(st->st_mode & 07777),
		   S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX)
			   ? "keep it out of a shared directory such as "
			   : "chmod go-w ",
		   at);
}

int tsmh_path_secure(const char *path, uid_t uid, unsigned flags, char *why, size_t whylen)
{
	char *real = realpath(path, NULL), *slash;
	struct stat st;
	int ret = 0, leaf = 1;

	if (!real)
		return say(why, whylen, -errno, "%s: %s", path, strerror(errno));
	for (;;) {
		if (lstat(real, &st) < 0) {
			ret = say(why, whylen, -errno, "%s: %s: %s", path, real, strerror(errno));
			break;
		}
		ret = check_one(path, real, &st, leaf, uid, flags, why, whylen);
		if (ret || !strcmp(real, "/"))
			break;
		slash = strrchr(real, '/');
		if (slash == real)
			slash[1] = 0; /* up to "/" */
		else
			*slash = 0;
		leaf = 0;
	}
	free(real);
	return ret;
}

static int anchor_file(const char *name)
{
	size_t l = strlen(name);

	return l >= 5 && (!strcmp(name + l - 4, ".pem") || !strcmp(name + l - 4, ".crt"));
}

int tsmh_trust_secure(const char *path, uid_t uid, unsigned flags, char *why, size_t whylen)
{
	struct dirent *e;
	struct stat st;
	char p[PATH_MAX];
	DIR *d;
	int ret = tsmh_path_secure(path, uid, flags, why, whylen);

	if (ret || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return ret;
	d = opendir(path);
	if (!d)
		return say(why, whylen, -errno, "%s: %s", path, strerror(errno));
	while (!ret && (e = readdir(d))) {
		if (!anchor_file(e->d_name))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		ret = tsmh_path_secure(p, uid, flags, why, whylen);
	}
	closedir(d);
	return ret;
}

int tsmh_outdir_open(const char *dir, int create, char *why, size_t whylen)
{
	uid_t uid = geteuid();
	struct stat st;
	int fd, ret;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return say(why, whylen, -errno, "%s: cannot create the directory: %s", dir,
			   strerror(errno));
	ret = tsmh_path_secure(dir, uid, TSMH_SAFE_STICKY_PARENTS, why, whylen);
	if (ret)
		return ret;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return say(why, whylen, -errno, "%s: %s", dir, strerror(errno));
	/* what was opened is what was checked (not swapped in since) */
	if (fstat(fd, &st) < 0)
		ret = say(why, whylen, -errno, "%s: %s", dir, strerror(errno));
	else
		ret = check_one(dir, dir, &st, 1, uid, 0, why, whylen);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}
