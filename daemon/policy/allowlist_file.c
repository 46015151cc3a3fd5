// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Loading the allow-list file (a missing one is empty) and saving it
 * atomically (common/fileio.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "allowlist.h"
#include "fileio.h"
#include "jutil.h"
#include "safepath.h"

int tsmd_allowlist_secure(const char *path, uid_t uid, char *why, size_t whylen)
{
	char *dir, *slash;
	int ret = tsmh_path_secure(path, uid, 0, why, whylen);

	if (ret != -ENOENT)
		return ret;
	/* not there yet: where it will be saved must be safe */
	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	ret = slash ? tsmh_path_secure(dir, uid, 0, why, whylen) : 0;
	free(dir);
	return ret == -ENOENT ? 0 : ret;
}

int tsmd_allowlist_load(const char *path, struct tsmd_allowlist *al, char *why, size_t whylen)
{
	char *buf;
	size_t len;
	int ret;

	tsmd_allowlist_init(al);
	ret = tsmd_read_file(path, TSMD_AL_FILE_MAX, &buf, &len);
	if (ret == -ENOENT) {
		snprintf(al->note, sizeof(al->note),
			 "%.100s: not found, starting with an empty allow-list", path);
		return 0;
	}
	if (ret)
		return tsmd_file_err(path, ret, TSMD_AL_FILE_MAX, why, whylen);
	ret = tsmd_allowlist_parse(buf, len, path, al, why, whylen);
	free(buf);
	return ret;
}

int tsmd_allowlist_save(const struct tsmd_allowlist *al, const char *path, char *why, size_t whylen)
{
	struct tsmh_fileio_err err = { .step = "format" };
	char *text;
	int ret;

	text = tsmd_allowlist_format(al);
	if (!text) {
		snprintf(err.where, sizeof(err.where), "%s", path);
		ret = -ENOMEM;
	} else {
		ret = tsmh_write_atomic(path, ".tmp", text, strlen(text), 0600, &err);
	}
	if (ret)
		snprintf(why, whylen, "%s: save failed (%s %s): %s", path, err.step, err.where,
			 strerror(-ret));
	else if (err.unsynced) /* in place: it is the allow-list now */
		snprintf(why, whylen, "%s: saved, but %s %s failed (%s): may not survive a crash",
			 path, err.step, err.where, strerror(-err.unsynced));
	else if (whylen)
		why[0] = 0;
	free(text);
	return ret;
}
