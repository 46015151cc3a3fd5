// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The atomic replace (daemon/common/fileio.c) when fsync fails: before the
 * rename the old file stays and the call fails; after it (the directory's
 * fsync) the new file is in place, so the call succeeds and says the change
 * may not be durable (issue 11: it used to report a failure while the new
 * file was already what everyone reads, and tsmd kept the old allow-list
 * in memory). fsync is replaced in this program to fail on demand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>
#include "allowlist.h"
#include "fileio.h"

static int fail_dir, fail_file; /* fsync of a directory / a regular file fails: EIO */

int fsync(int fd)
{
	struct stat st;

	if (!fstat(fd, &st) &&
	    ((S_ISDIR(st.st_mode) && fail_dir) || (S_ISREG(st.st_mode) && fail_file))) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

static char dir[64], path[128];

static int setup(void **s)
{
	(void)s;
	snprintf(dir, sizeof(dir), "/tmp/tsmh-fileio-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/f", dir);
	return 0;
}

static int teardown(void **s)
{
	char cmd[128];

	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void content_is(const char *want)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, want);
}

static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void dir_fsync_after_rename(void **s)
{
	struct tsmh_fileio_err err;
	int dfd;

	(void)s;
	fail_dir = fail_file = 0;
	assert_int_equal(tsmh_write_atomic(path, ".tmp", "old\n", 4, 0600, &err), 0);
	assert_int_equal(err.unsynced, 0);
	fail_dir = 1;
	assert_int_equal(tsmh_write_atomic(path, ".tmp", "new\n", 4, 0600, &err), 0);
	assert_int_equal(err.unsynced, -EIO);
	assert_string_equal(err.step, "fsync directory");
	content_is("new\n");
	/* the directory-fd variant */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(tsmh_write_atomic_at(dfd, "f", "at\n", 3, 0600, &err), 0);
	assert_int_equal(err.unsynced, -EIO);
	close(dfd);
	content_is("at\n");
	assert_int_equal(entries(), 1);
	fail_dir = 0;
}

static void file_fsync_before_rename(void **s)
{
	struct tsmh_fileio_err err;

	(void)s;
	fail_dir = 0;
	assert_int_equal(tsmh_write_atomic(path, ".tmp", "old\n", 4, 0600, &err), 0);
	fail_file = 1;
	assert_int_equal(tsmh_write_atomic(path, ".tmp", "new\n", 4, 0600, &err), -EIO);
	assert_string_equal(err.step, "fsync");
	fail_file = 0;
	content_is("old\n");
	assert_int_equal(entries(), 1); /* the temporary file went */
}

static void allowlist_save_warns(void **s)
{
	struct tsmd_allowlist al;
	char why[512];

	(void)s;
	tsmd_allowlist_init(&al);
	fail_dir = 1;
	assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), 0);
	fail_dir = 0;
	assert_non_null(strstr(why, "saved, but fsync directory"));
	assert_non_null(strstr(why, "may not survive a crash"));
	content_is("{\n");
	assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	tsmd_allowlist_free(&al);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dir_fsync_after_rename),
		cmocka_unit_test(file_fsync_before_rename),
		cmocka_unit_test(allowlist_save_warns),
	};

	return cmocka_run_group_tests_name("fileio", tests, setup, teardown);
}
