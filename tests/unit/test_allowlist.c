// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Allow-list: strict parsing, duplicates refused, lookups (deny entries
 * win), upserts with several measurement sets, and the atomic save, also
 * when it fails half-way (the old file stays, no tmp is left).
 * The inputs are files (tests/data/README): tests/data/allowlist and
 * tests/data/measurement-sets (tsmctl allow --measurements), each with
 * good/NAME.json accepted and bad/NAME.json refused with the error in
 * bad/NAME.expect.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "allowlist.h"
#include "testdata.h"

static char why[512];
static char dir[48];

static int parse(const char *text, struct tsmd_allowlist *al)
{
	return tsmd_allowlist_parse(text, strlen(text), "al.json", al, why, sizeof(why));
}

/* tests/data/REL, parsed as "al.json" */
static void parse_file(const char *rel, struct tsmd_allowlist *al)
{
	size_t len;
	char *text = tsmh_td_read(rel, &len);
	int ret;

	why[0] = 0;
	ret = tsmd_allowlist_parse(text, len, "al.json", al, why, sizeof(why));
	free(text);
	if (ret)
		fail_msg("%s: %s", rel, why);
}

/* accepted, and what it formats to parses back to the same text */
static void good_file_parses(void **state)
{
	const struct tsmh_td_file *f = tsmh_td_file(state);
	struct tsmd_allowlist al, back;
	char *t1, *t2;

	why[0] = 0;
	if (tsmd_allowlist_parse(f->text, f->len, "al.json", &al, why, sizeof(why)))
		fail_msg("%s: refused: %s", f->path, why);
	t1 = tsmd_allowlist_format(&al);
	assert_non_null(t1);
	assert_int_equal(parse(t1, &back), 0);
	t2 = tsmd_allowlist_format(&back);
	assert_non_null(t2);
	assert_string_equal(t1, t2);
	assert_int_equal(back.nr, al.nr);
	free(t1);
	free(t2);
	tsmd_allowlist_free(&al);
	tsmd_allowlist_free(&back);
}

static void bad_file_refused(void **state)
{
	const struct tsmh_td_file *f = tsmh_td_file(state);
	struct tsmd_allowlist al;
	int ret;

	why[0] = 0;
	ret = tsmd_allowlist_parse(f->text, f->len, "al.json", &al, why, sizeof(why));
	if (ret >= 0)
		tsmd_allowlist_free(&al);
	if (ret >= 0 || !strstr(why, f->expect))
		fail_msg("%s: got %d \"%s\", want an error \"%s\"", f->path, ret, why, f->expect);
	assert_int_equal(al.nr, 0); /* nothing half-loaded to release from */
	assert_null(al.e);
}

static struct tsmd_allowlist al_shared;

static void ident(struct tsmd_identity *id, uint8_t spki0, uint64_t serial)
{
	memset(id, 0, sizeof(*id));
	id->has = TSMD_ID_SPKI | TSMD_ID_VENDOR | TSMD_ID_DEVICE | TSMD_ID_SERIAL;
	id->spki_sha384[0] = spki0;
	id->spki_sha384[47] = spki0 == 0xaa ? 1 : 2;
	id->vendor = 0x1b36;
	id->device = 0x1e10;
	id->serial = serial;
}

static void sample_parses_and_round_trips(void **s)
{
	struct tsmd_allowlist al, al2;
	char *t1, *t2;

	(void)s;
	parse_file("allowlist/good/sample.json", &al);
	assert_int_equal(al.nr, 2);
	assert_string_equal(al.e[0].label, "nic");
	assert_int_equal(al.e[0].decision, TSMD_AL_ALLOW);
	assert_int_equal(al.e[0].id.has, 0x1f);
	assert_int_equal(al.e[0].id.serial, 0x0011223344556677ull);
	assert_int_equal(al.e[0].nr_sets, 2);
	/* blocks are kept sorted by index */
	assert_int_equal(al.e[0].sets[0].blocks[0].index, 1);
	assert_int_equal(al.e[0].sets[0].blocks[0].type, 0x80);
	assert_int_equal(al.e[0].sets[0].blocks[1].len, 5);
	assert_int_equal(al.e[1].decision, TSMD_AL_DENY);
	t1 = tsmd_allowlist_format(&al);
	assert_non_null(t1);
	assert_int_equal(parse(t1, &al2), 0);
	t2 = tsmd_allowlist_format(&al2);
	assert_string_equal(t1, t2);
	assert_non_null(strstr(t1, "\"type\":\t\"raw:rom\""));
	free(t1);
	free(t2);
	tsmd_allowlist_free(&al);
	tsmd_allowlist_free(&al2);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *read_all(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void load_missing_empty_corrupt(void **s)
{
	struct tsmd_allowlist al;
	char path[PATH_MAX];

	(void)s;
	snprintf(path, sizeof(path), "%s/none.json", dir);
	assert_int_equal(tsmd_allowlist_load(path, &al, why, sizeof(why)), 0);
	assert_int_equal(al.nr, 0);
	assert_non_null(strstr(al.note, "not found, starting with an empty allow-list"));
	snprintf(path, sizeof(path), "%s", tsmh_td_path("allowlist/bad/truncated-entry.json"));
	assert_int_equal(tsmd_allowlist_load(path, &al, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, path));
	assert_int_equal(al.nr, 0);
	/* a directory where the file should be is an error, not "empty" */
	assert_true(tsmd_allowlist_load(dir, &al, why, sizeof(why)) < 0);
}

static void find_deny_wins(void **s)
{
	struct tsmd_allowlist al;
	struct tsmd_identity dev;
	const struct tsmd_al_entry *e;

	(void)s;
	parse_file("allowlist/good/sample.json", &al);
	ident(&dev, 0xaa, 0x0011223344556677ull);
	dev.has |= TSMD_ID_SAN;
	strcpy(dev.san, "Vendor=1b36:Device=1e10");
	e = tsmd_allowlist_find(&al, &dev);
	assert_ptr_equal(e, &al.e[0]);
	/* the SAN differs: entry 0 names it, so it no longer matches */
	strcpy(dev.san, "Vendor=1b36:Device=1e10:x");
	assert_null(tsmd_allowlist_find(&al, &dev));
	/* the same key, but the serial of the denied batch: deny wins */
	strcpy(dev.san, "Vendor=1b36:Device=1e10");
	dev.serial = 0xdeadbeef;
	al.e[0].id.has &= ~TSMD_ID_SERIAL;
	e = tsmd_allowlist_find(&al, &dev);
	assert_ptr_equal(e, &al.e[1]);
	assert_int_equal(e->decision, TSMD_AL_DENY);
	tsmd_allowlist_free(&al);
}

static const uint8_t v1[] = { 1, 2, 3, 4 }, v2[] = { 9, 9, 9, 9 }, r0[] = { 0 };

static void upsert_sets_deny_remove(void **s)
{
	struct tsmd_meas_block a[] = { { 2, 1, 4, v1 }, { 1, 0x80, 1, r0 } };
	struct tsmd_meas_block b[] = { { 1, 0x80, 1, r0 }, { 2, 1, 4, v2 } };
	struct tsmd_al_upsert o = { .label = "gpu", .added = "2026-11-23T10:00:00Z" };
	struct tsmd_allowlist al;
	struct tsmd_identity id, noid = { 0 };
	const struct tsmd_al_entry *e;

	(void)s;
	tsmd_allowlist_init(&al);
	ident(&id, 0xaa, 1);
	assert_int_equal(tsmd_allowlist_allow(&al, &noid, a, 2, &o, why, sizeof(why)), -EINVAL);
	assert_int_equal(tsmd_allowlist_allow(&al, &id, a, 2, &o, why, sizeof(why)), 1);
	assert_int_equal(tsmd_allowlist_allow(&al, &id, a, 2, &o, why, sizeof(why)), 0);
	assert_int_equal(al.nr, 1);
	assert_int_equal(al.e[0].nr_sets, 1);
	/* the firmware update: a second accepted set */
	assert_int_equal(tsmd_allowlist_allow(&al, &id, b, 2, NULL, why, sizeof(why)), 1);
	assert_int_equal(al.e[0].nr_sets, 2);
	assert_int_equal(tsmd_al_entry_find_set(&al.e[0], a, 2), 0);
	assert_int_equal(tsmd_al_entry_find_set(&al.e[0], b, 2), 1);
	/* prune the old one */
	o.replace = 1;
	assert_int_equal(tsmd_allowlist_allow(&al, &id, b, 2, &o, why, sizeof(why)), 1);
	assert_int_equal(al.e[0].nr_sets, 1);
	assert_int_equal(tsmd_al_entry_find_set(&al.e[0], a, 2), -1);
	assert_int_equal(tsmd_al_entry_find_set(&al.e[0], b, 2), 0);
	/* a repeated index is refused */
	b[1].index = 1;
	assert_int_equal(tsmd_allowlist_allow(&al, &id, b, 2, NULL, why, sizeof(why)), -EINVAL);
	b[1].index = 2;
	/* deny flips the same entry */
	assert_int_equal(tsmd_allowlist_deny(&al, &id, NULL, why, sizeof(why)), 1);
	assert_int_equal(tsmd_allowlist_deny(&al, &id, NULL, why, sizeof(why)), 0);
	assert_int_equal(al.nr, 1);
	e = tsmd_allowlist_find(&al, &id);
	assert_non_null(e);
	assert_int_equal(e->decision, TSMD_AL_DENY);
	assert_int_equal(tsmd_allowlist_deny(&al, &noid, NULL, why, sizeof(why)), -EINVAL);
	/* a second device, then remove the first */
	ident(&id, 0xbb, 2);
	assert_int_equal(tsmd_allowlist_allow(&al, &id, a, 2, NULL, why, sizeof(why)), 1);
	assert_int_equal(al.nr, 2);
	ident(&id, 0xaa, 1);
	assert_int_equal(tsmd_allowlist_remove(&al, &id), 0);
	assert_int_equal(tsmd_allowlist_remove(&al, &id), -ENOENT);
	assert_int_equal(al.nr, 1);
	assert_int_equal(al.e[0].id.spki_sha384[0], 0xbb);
	tsmd_allowlist_free(&al);
}

/* tests/data/REL as tsmctl allow --measurements reads it, as "new-fw.json" */
static int sets_parse_file(const char *rel, struct tsmd_al_entry *e)
{
	size_t len;
	char *text = tsmh_td_read(rel, &len);
	int ret;

	why[0] = 0;
	ret = tsmd_al_sets_parse(text, len, "new-fw.json", e, why, sizeof(why));
	free(text);
	return ret;
}

/* each returns how many sets it holds: at least one */
static void sets_good_file_parses(void **state)
{
	const struct tsmh_td_file *f = tsmh_td_file(state);
	struct tsmd_al_entry e;
	int n;

	why[0] = 0;
	n = tsmd_al_sets_parse(f->text, f->len, "new-fw.json", &e, why, sizeof(why));
	if (n < 1)
		fail_msg("%s: refused: %d %s", f->path, n, why);
	assert_int_equal(e.nr_sets, n);
	assert_non_null(e.sets);
	tsmd_al_entry_free(&e);
}

static void sets_bad_file_refused(void **state)
{
	const struct tsmh_td_file *f = tsmh_td_file(state);
	struct tsmd_al_entry e;
	int ret;

	why[0] = 0;
	ret = tsmd_al_sets_parse(f->text, f->len, "new-fw.json", &e, why, sizeof(why));
	if (ret >= 0)
		tsmd_al_entry_free(&e);
	if (ret != -EINVAL || !strstr(why, f->expect))
		fail_msg("%s: got %d \"%s\", want -EINVAL \"%s\"", f->path, ret, why, f->expect);
	assert_int_equal(e.nr_sets, 0); /* nothing allocated */
	assert_null(e.sets);
}

/*
 * Pre-approving a firmware update: the three input shapes (what is refused:
 * measurement-sets/bad).
 */
static void sets_for_preapproval(void **s)
{
	struct tsmd_al_entry e;

	(void)s;
	assert_int_equal(sets_parse_file("measurement-sets/good/one.json", &e), 1);
	assert_int_equal(e.nr_sets, 1);
	assert_int_equal(e.sets[0].nr, 1);
	assert_int_equal(e.sets[0].blocks[0].index, 2);
	assert_int_equal(e.sets[0].blocks[0].len, 2);
	assert_int_equal(e.id.has, 0);
	tsmd_al_entry_free(&e);

	assert_int_equal(sets_parse_file("measurement-sets/good/two.json", &e), 2);
	assert_string_equal(e.sets[1].added, "x");
	tsmd_al_entry_free(&e);

	/* an allow-list: the one allow entry with sets, and its IDs to check */
	assert_int_equal(sets_parse_file("measurement-sets/good/one-entry.json", &e), 1);
	assert_true(e.id.has & TSMD_ID_DEVICE);
	assert_int_equal(e.id.device, 0x1e11);
	assert_int_equal(e.sets[0].blocks[0].type, 0x80 | 6); /* version */
	tsmd_al_entry_free(&e);

	/* the sample has one allow entry with sets: accepted */
	assert_int_equal(sets_parse_file("allowlist/good/sample.json", &e), 2);
	tsmd_al_entry_free(&e);
}

static int count(const struct tsmd_al_entry *e, void *ctx)
{
	(void)e;
	return ++*(int *)ctx == 2 ? 42 : 0;
}

/* Two devices with one model-wide leaf key (SPDM GenericCert): two entries, told apart by DSN. */
static void shared_key_two_devices(void **s)
{
	struct tsmd_meas_block a[] = { { 2, 1, 4, v1 } };
	struct tsmd_meas_block b[] = { { 2, 1, 4, v2 } };
	struct tsmd_identity d0, d1;
	const struct tsmd_al_entry *e;

	(void)s;
	tsmd_allowlist_init(&al_shared);
	ident(&d0, 0xaa, 1);
	ident(&d1, 0xaa, 2);
	assert_int_equal(tsmd_allowlist_allow(&al_shared, &d0, a, 1, NULL, why, sizeof(why)), 1);
	assert_int_equal(tsmd_allowlist_allow(&al_shared, &d1, b, 1, NULL, why, sizeof(why)), 1);
	assert_int_equal(al_shared.nr, 2);
	e = tsmd_allowlist_find(&al_shared, &d0);
	assert_non_null(e);
	assert_int_equal(e->id.serial, 1);
	assert_int_equal(tsmd_al_entry_find_set(e, a, 1), 0);
	assert_int_equal(tsmd_al_entry_find_set(e, b, 1), -1);
	e = tsmd_allowlist_find(&al_shared, &d1);
	assert_non_null(e);
	assert_int_equal(e->id.serial, 2);
	tsmd_allowlist_free(&al_shared);
}

static void foreach_stops(void **s)
{
	struct tsmd_allowlist al;
	int n = 0;

	(void)s;
	parse_file("allowlist/good/sample.json", &al);
	assert_int_equal(tsmd_allowlist_foreach(&al, count, &n), 42);
	assert_int_equal(n, 2);
	tsmd_allowlist_free(&al);
}

/* one of our temporary files (PATH.tmp.XXXXXX) is still there */
static int tmp_left(const char *path)
{
	char pat[160];
	glob_t g;
	int n;

	snprintf(pat, sizeof(pat), "%s.tmp.*", path);
	n = glob(pat, 0, NULL, &g) == 0 ? (int)g.gl_pathc : 0;
	globfree(&g);
	return n;
}

static void atomic_save(void **s)
{
	struct tsmd_allowlist al, back;
	char path[128], *text;
	struct stat st;

	(void)s;
	snprintf(path, sizeof(path), "%s/allow-list.json", dir);
	parse_file("allowlist/good/sample.json", &al);
	assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), 0);
	assert_false(tmp_left(path));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(tsmd_allowlist_load(path, &back, why, sizeof(why)), 0);
	text = tsmd_allowlist_format(&al);
	assert_string_equal(read_all(path), text);
	free(text);
	assert_int_equal(back.nr, 2);
	tsmd_allowlist_free(&back);
	/* a file under the old fixed temporary name is neither used nor removed */
	{
		char tmp[160];

		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		write_file(tmp, "junk");
		chmod(tmp, 0644);
		assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), 0);
		assert_false(tmp_left(path));
		assert_string_equal(read_all(tmp), "junk");
		text = tsmd_allowlist_format(&al);
		assert_string_equal(read_all(path), text);
		free(text);
		unlink(tmp);
	}
	tsmd_allowlist_free(&al);
}

/*
 * Issue 11 item 9: another user (nobody) pre-creates the temporary file,
 * world-writable, and a symlink under another likely name; it also owns
 * the allow-list file itself. The save by root is ours (root, 0600, our
 * text); what was planted is untouched, the symlink's target too.
 */
static void planted_tmp_other_user(void **s)
{
	const uid_t nobody = 65534;
	struct tsmd_allowlist al;
	char path[128], tmp[160], lnk[160], victim[128], *text;
	struct stat st;
	mode_t old;

	(void)s;
	if (geteuid() != 0)
		skip(); /* needs chown */
	snprintf(path, sizeof(path), "%s/planted.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(lnk, sizeof(lnk), "%s.tmp.%d", path, (int)getpid());
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_file(victim, "victim");
	assert_int_equal(chmod(victim, 0600), 0);
	assert_int_equal(symlink(victim, lnk), 0);
	write_file(tmp, "planted");
	assert_int_equal(chown(tmp, nobody, nobody), 0);
	assert_int_equal(chmod(tmp, 0666), 0);
	write_file(path, "theirs");
	assert_int_equal(chown(path, nobody, nobody), 0);
	parse_file("allowlist/good/sample.json", &al);
	text = tsmd_allowlist_format(&al);
	old = umask(0);
	assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), 0);
	umask(old);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_gid, getegid());
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_string_equal(read_all(path), text);
	/* the planted file: still there, still theirs, same text */
	assert_int_equal(lstat(tmp, &st), 0);
	assert_int_equal(st.st_uid, nobody);
	assert_int_equal(st.st_mode & 07777, 0666);
	assert_string_equal(read_all(tmp), "planted");
	/* the symlink and its target untouched */
	assert_int_equal(lstat(lnk, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(read_all(victim), "victim");
	assert_false(tmp_left(path) > 1); /* only the planted symlink matches */
	free(text);
	tsmd_allowlist_free(&al);
	unlink(tmp);
	unlink(lnk);
	unlink(victim);
	unlink(path);
}

/* The write fails half-way (file size limit): old file intact, no tmp. */
static void save_failure_keeps_old_file(void **s)
{
	struct tsmd_allowlist al;
	struct rlimit old, lim;
	char path[128], before[65536];
	char *empty = tsmh_td_read("allowlist/good/empty.json", NULL);

	(void)s;
	snprintf(path, sizeof(path), "%s/keep.json", dir);
	write_file(path, empty);
	strcpy(before, read_all(path));
	parse_file("allowlist/good/sample.json", &al);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_non_null(strstr(why, "save failed (write"));
	assert_string_equal(read_all(path), before);
	assert_false(tmp_left(path));

	/* rename fails (a directory is in the way): tmp removed */
	snprintf(path, sizeof(path), "%s/isdir.json", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	{
		char inner[160];

		snprintf(inner, sizeof(inner), "%s/x", path);
		write_file(inner, "x");
		assert_true(tsmd_allowlist_save(&al, path, why, sizeof(why)) < 0);
		assert_non_null(strstr(why, "save failed (rename"));
		assert_false(tmp_left(path));
		assert_string_equal(read_all(inner), "x");
		unlink(inner);
		rmdir(path);
	}

	/* the directory does not exist */
	snprintf(path, sizeof(path), "%s/nodir/al.json", dir);
	assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "save failed (create"));

	/* unwritable directory (only meaningful without CAP_DAC_OVERRIDE) */
	if (geteuid() != 0) {
		char ro[96];

		snprintf(ro, sizeof(ro), "%s/ro", dir);
		assert_int_equal(mkdir(ro, 0700), 0);
		snprintf(path, sizeof(path), "%s/al.json", ro);
		write_file(path, empty);
		chmod(ro, 0500);
		assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), -EACCES);
		assert_string_equal(read_all(path), empty);
		assert_false(tmp_left(path));
		chmod(ro, 0700);
		unlink(path);
		rmdir(ro);
	}
	tsmd_allowlist_free(&al);
	free(empty);
}

static int setup(void **s)
{
	(void)s;
	strcpy(dir, "/tmp/tsmd-al-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **s)
{
	char cmd[128];

	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/*
 * The documented maximum (65,536 entries) with every way two identities
 * can share a key, checked by the indexed duplicate search: one SPKI
 * shared by devices told apart by serial (SPDM GenericCert), distinct
 * SPKIs, and SPKI-less vendor:device:serial entries. The clash reported is
 * always the first earlier entry, as the pairwise check reported it.
 */
struct big {
	char *buf;
	size_t len, cap;
};

static void big_add(struct big *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->cap - b->len < 512) {
		b->cap = b->cap ? b->cap * 2 : 1 << 20;
		b->buf = realloc(b->buf, b->cap);
		assert_non_null(b->buf);
	}
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

#define E_SHARED \
	"{\"decision\":\"allow\",\"identity\":{\"spki_sha384\":\"%096x\",\"serial\":\"%016x\"}}"
#define E_OWN "{\"decision\":\"allow\",\"identity\":{\"spki_sha384\":\"%096x\"}}"
#define E_NOKEY                                                                         \
	"{\"decision\":\"deny\",\"identity\":{\"vendor\":\"1b36\",\"device\":\"%04x\"," \
	"\"serial\":\"%016x\"}}"

/* 65,535 distinct entries (entry i of kind i % 3), then @last */
static int parse_big(const char *last, struct tsmd_allowlist *al)
{
	struct big b = { 0 };
	int i, ret;

	big_add(&b, "{\"version\": 1, \"devices\": [");
	for (i = 0; i < 65535; i++) {
		if (i % 3 == 0)
			big_add(&b, E_SHARED ",", 7, i);
		else if (i % 3 == 1)
			big_add(&b, E_OWN ",", 0x100000 + i);
		else
			big_add(&b, E_NOKEY ",", i & 0xffff, i);
	}
	big_add(&b, "%s]}", last);
	ret = tsmd_allowlist_parse(b.buf, b.len, "al.json", al, why, sizeof(why));
	free(b.buf);
	return ret;
}

static void expect_dup(const char *last, int k)
{
	struct tsmd_allowlist al;
	char want[128];

	assert_int_equal(parse_big(last, &al), -EINVAL);
	snprintf(want, sizeof(want), "devices[65535].identity: duplicate of devices[%d]'s", k);
	assert_non_null(strstr(why, want));
	tsmd_allowlist_free(&al);
}

static void max_entries_duplicates(void **state)
{
	struct tsmd_allowlist al;
	char last[256];

	(void)state;
	/* a distinct 65,536th: the whole list loads */
	snprintf(last, sizeof(last), E_SHARED, 7, 0x7fffffff);
	assert_int_equal(parse_big(last, &al), 0);
	assert_int_equal(al.nr, 65536);
	tsmd_allowlist_free(&al);
	/* the shared key with a serial already used (entry 30000) */
	snprintf(last, sizeof(last), E_SHARED, 7, 30000);
	expect_dup(last, 30000);
	/* the shared key with no serial clashes with its first user */
	snprintf(last, sizeof(last), E_OWN, 7);
	expect_dup(last, 0);
	/* an own key again (entry 40000's) */
	snprintf(last, sizeof(last), E_OWN, 0x100000 + 40000);
	expect_dup(last, 40000);
	/* an own key again, now with a serial: the serial-less entry clashes */
	snprintf(last, sizeof(last), E_SHARED, 0x100000 + 40000, 5);
	expect_dup(last, 40000);
	/* no key: exactly the same identity as entry 65534 */
	snprintf(last, sizeof(last), E_NOKEY, 65534 & 0xffff, 65534);
	expect_dup(last, 65534);
	/* no key, one field different: distinct */
	snprintf(last, sizeof(last), E_NOKEY, 65534 & 0xffff, 65533);
	assert_int_equal(parse_big(last, &al), 0);
	tsmd_allowlist_free(&al);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(sample_parses_and_round_trips),
		cmocka_unit_test(max_entries_duplicates),
		cmocka_unit_test(load_missing_empty_corrupt),
		cmocka_unit_test(find_deny_wins),
		cmocka_unit_test(upsert_sets_deny_remove),
		cmocka_unit_test(sets_for_preapproval),
		cmocka_unit_test(shared_key_two_devices),
		cmocka_unit_test(foreach_stops),
		cmocka_unit_test(atomic_save),
		cmocka_unit_test(planted_tmp_other_user),
		cmocka_unit_test(save_failure_keeps_old_file),
	};
	struct tsmh_td_tests t = { 0 };

	tsmh_td_add(&t, tests, sizeof(tests) / sizeof(tests[0]));
	tsmh_td_add_dir(&t, "allowlist", "good", good_file_parses);
	tsmh_td_add_dir(&t, "allowlist", "bad", bad_file_refused);
	tsmh_td_add_dir(&t, "measurement-sets", "good", sets_good_file_parses);
	tsmh_td_add_dir(&t, "measurement-sets", "bad", sets_bad_file_refused);
	return tsmh_td_run(&t, "allowlist", setup, teardown);
}
