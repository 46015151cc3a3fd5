// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * common/safepath.c (issue 11 items 8 and 12): StrictModes checks of
 * files, trust anchor directories and output directories, on a tree made
 * under a fresh temporary directory with chmod (and, as root, chown to
 * nobody); and common/fileio.c's write into a checked directory.
 *
 * The temporary directory is under /tmp, which is sticky and writable by
 * everyone: the strict checks (tsmd's) refuse everything below it, which
 * is tested once; the owner and mode cases run with
 * TSMH_SAFE_STICKY_PARENTS, the checks tsmctl applies to its paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "allowlist.h"
#include "fileio.h"
#include "safepath.h"

#define NOBODY ((uid_t)65534)
#define STICKY TSMH_SAFE_STICKY_PARENTS

static char base[64], why[1024];

static char *at(const char *rel)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", base, rel);
	return p[k];
}

static void put(const char *rel, const char *text, mode_t mode)
{
	FILE *f = fopen(at(rel), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(at(rel), mode), 0);
}

static void dir(const char *rel, mode_t mode)
{
	assert_int_equal(mkdir(at(rel), 0700), 0);
	assert_int_equal(chmod(at(rel), mode), 0);
}

/* @ret, and @why names every one of the NULL-terminated strings */
static void refused(int ret, ...)
{
	const char *s;
	va_list ap;

	assert_int_equal(ret, -EPERM);
	va_start(ap, ret);
	while ((s = va_arg(ap, const char *)))
		if (!strstr(why, s))
			fail_msg("'%s' not in: %s", s, why);
	va_end(ap);
}

static int setup(void **s)
{
	(void)s;
	snprintf(base, sizeof(base), "/tmp/tsmh-safepath.XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **s)
{
	char cmd[128];

	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) ? -1 : 0;
}

static void file_and_parents_modes(void **s)
{
	uid_t me = geteuid();

	(void)s;
	dir("d", 0755);
	put("d/ok.conf", "{}", 0644);
	assert_int_equal(tsmh_path_secure(at("d/ok.conf"), me, STICKY, why, sizeof(why)), 0);
	/* the file writable by its group, by others */
	put("d/g.conf", "{}", 0664);
	refused(tsmh_path_secure(at("d/g.conf"), me, STICKY, why, sizeof(why)), at("d/g.conf"),
		"file", "writable by its group (mode 0664)", "chmod go-w", NULL);
	put("d/o.conf", "{}", 0602);
	refused(tsmh_path_secure(at("d/o.conf"), me, STICKY, why, sizeof(why)),
		"writable by others (mode 0602)", NULL);
	/* a directory above it */
	dir("w", 0775);
	put("w/f.pem", "x", 0644);
	refused(tsmh_path_secure(at("w/f.pem"), me, STICKY, why, sizeof(why)), at("w/f.pem"),
		"directory", at("w"), "writable by its group (mode 0775)", NULL);
	/* a sticky one above it: tsmctl's paths yes, tsmd's (strict) no */
	dir("t", 01777);
	dir("t/mine", 0700);
	put("t/mine/f.pem", "x", 0644);
	assert_int_equal(tsmh_path_secure(at("t/mine/f.pem"), me, STICKY, why, sizeof(why)), 0);
	refused(tsmh_path_secure(at("t/mine/f.pem"), me, 0, why, sizeof(why)), at("t"),
		"(mode 1777)", "shared directory", NULL);
	/* the sticky directory itself is never a safe place */
	refused(tsmh_path_secure(at("t"), me, STICKY, why, sizeof(why)), at("t"), NULL);
	/* /tmp is such a directory: tsmd refuses anything under it, like sshd */
	refused(tsmh_path_secure(at("d/ok.conf"), me, 0, why, sizeof(why)), "directory /tmp ",
		"(mode 1777)", NULL);
	/* symlinks are resolved and what they lead to is checked */
	assert_int_equal(symlink(at("d/g.conf"), at("link.conf")), 0);
	refused(tsmh_path_secure(at("link.conf"), me, STICKY, why, sizeof(why)), at("link.conf"),
		at("d/g.conf"), NULL);
	/* a missing file: -ENOENT, named */
	assert_int_equal(tsmh_path_secure(at("none"), me, STICKY, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, at("none")));
}

static void owners(void **s)
{
	(void)s;
	if (geteuid() != 0)
		skip();
	dir("n", 0755);
	put("n/f.pem", "x", 0644);
	assert_int_equal(chown(at("n/f.pem"), NOBODY, NOBODY), 0);
	/* root (tsmd): nobody's file is refused, naming it and the fix */
	refused(tsmh_path_secure(at("n/f.pem"), 0, STICKY, why, sizeof(why)), at("n/f.pem"),
		"owned by uid 65534, not by root", "chown root", NULL);
	/* ... but it is nobody's own when nobody is the caller */
	assert_int_equal(tsmh_path_secure(at("n/f.pem"), NOBODY, STICKY, why, sizeof(why)), 0);
	/* a directory of nobody's above root's file */
	dir("nd", 0755);
	put("nd/f.pem", "x", 0644);
	assert_int_equal(chown(at("nd"), NOBODY, NOBODY), 0);
	refused(tsmh_path_secure(at("nd/f.pem"), 0, STICKY, why, sizeof(why)), at("nd"),
		"directory", "owned by uid 65534", NULL);
}

static void trust_directory(void **s)
{
	uid_t me = geteuid();

	(void)s;
	dir("trust", 0755);
	put("trust/a.pem", "x", 0644);
	put("trust/notes.txt", "x", 0666); /* not read by the verifier: ignored */
	assert_int_equal(tsmh_trust_secure(at("trust"), me, STICKY, why, sizeof(why)), 0);
	put("trust/b.crt", "x", 0666);
	refused(tsmh_trust_secure(at("trust"), me, STICKY, why, sizeof(why)), at("trust/b.crt"),
		"writable by group and others", NULL);
	/* one file as the anchors */
	assert_int_equal(tsmh_trust_secure(at("trust/a.pem"), me, STICKY, why, sizeof(why)), 0);
}

static void allowlist_missing_checks_its_directory(void **s)
{
	(void)s;
	dir("al", 0700);
	/* tsmd_allowlist_secure is strict, and everything here is under /tmp */
	refused(tsmd_allowlist_secure(at("al/allow-list.json"), geteuid(), why, sizeof(why)),
		"/tmp", NULL);
	/* not there and neither is its directory: nothing to judge */
	assert_int_equal(tsmd_allowlist_secure("/nonexistent-tsmh/al.json", 0, why, sizeof(why)),
			 0);
}

static void outdir(void **s)
{
	struct stat st;
	int fd;

	(void)s;
	/* made 0700 when missing */
	fd = tsmh_outdir_open(at("out"), 1, why, sizeof(why));
	assert_true(fd >= 0);
	assert_int_equal(stat(at("out"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* a symlink planted in it is replaced, its target untouched */
	put("victim", "secret", 0600);
	assert_int_equal(symlink(at("victim"), at("out/x.bin")), 0);
	assert_int_equal(tsmh_write_atomic_at(fd, "x.bin", "new", 3, 0644, NULL), 0);
	close(fd);
	assert_int_equal(lstat(at("out/x.bin"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	fd = open(at("victim"), O_RDONLY);
	{
		char b[16] = "";

		assert_int_equal(read(fd, b, sizeof(b)), 6);
		assert_memory_equal(b, "secret", 6);
	}
	close(fd);
	/* names with a slash are refused */
	assert_int_equal(tsmh_write_atomic_at(AT_FDCWD, "a/b", "x", 1, 0644, NULL), -EINVAL);
	/* not created when not asked to */
	assert_true(tsmh_outdir_open(at("absent"), 0, why, sizeof(why)) < 0);
	/* a world-writable one is refused, named with the reason */
	dir("open", 0777);
	refused(tsmh_outdir_open(at("open"), 1, why, sizeof(why)), at("open"),
		"writable by group and others (mode 0777)", NULL);
	if (geteuid() == 0) {
		dir("theirs", 0755);
		assert_int_equal(chown(at("theirs"), NOBODY, NOBODY), 0);
		refused(tsmh_outdir_open(at("theirs"), 1, why, sizeof(why)), at("theirs"),
			"owned by uid 65534", NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_and_parents_modes),
		cmocka_unit_test(owners),
		cmocka_unit_test(trust_directory),
		cmocka_unit_test(allowlist_missing_checks_its_directory),
		cmocka_unit_test(outdir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
