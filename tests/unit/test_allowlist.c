// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Allow-list: strict parsing, duplicates refused, lookups (deny entries
 * win), upserts with several measurement sets, and the atomic save, also
 * when it fails half-way (the old file stays, no tmp is left).
 */
#include <errno.h>
#include <fcntl.h>
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

static char why[512];
static char dir[48];

#define SPKI_A \
	"aa0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"

#define SPKI_B \
	"bb0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002"

static const char sample[] =
	"{ \"version\": 1, \"devices\": [\n"
	" { \"label\": \"nic\", \"decision\": \"allow\",\n"
	"   \"identity\": { \"spki_sha384\": \"" SPKI_A
	"\", \"san\": \"Vendor=1b36:Device=1e10\", \"vendor\": \"1b36\", \"device\": \"1e10\", \"serial\": \"0011223344556677\" },\n"
	"   \"measurements\": [\n"
	"     { \"added\": \"2026-11-23T10:00:00Z\", \"blocks\": [ { \"index\": 2, \"type\": \"firmware\", \"value\": \"1a2b3c4d5e\" }, { \"index\": 1, \"type\": \"raw:rom\", \"value\": \"00\" } ] },\n"
	"     { \"blocks\": [ { \"index\": 1, \"type\": \"raw:rom\", \"value\": \"00\" }, { \"index\": 2, \"type\": \"firmware\", \"value\": \"9f8e7d6c\" } ] }\n"
	"   ], \"added\": \"2026-11-23T10:00:00Z\", \"comment\": \"lab\" },\n"
	" { \"label\": \"bad batch\", \"decision\": \"deny\", \"identity\": { \"vendor\": \"1b36\", \"serial\": \"00000000deadbeef\" } }\n"
	"] }\n";

static int parse(const char *text, struct tsmd_allowlist *al)
{
	return tsmd_allowlist_parse(text, strlen(text), "al.json", al, why, sizeof(why));
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
	assert_int_equal(parse(sample, &al), 0);
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

static const struct {
	const char *text, *want;
} bad[] = {
	{ "{\"devices\": []}", "al.json: version: required key missing" },
	{ "{\"version\": 2, \"devices\": []}", "al.json: version: unsupported version 2" },
	{ "{\"version\": 1}", "al.json: devices: required key missing" },
	{ "{\"version\": 1, \"devices\": [], \"x\": 0}", "al.json: unknown key \"x\"" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"allow\", \"identity\": {\"vendor\": \"1b36\"}}]}",
	  "al.json: devices[0].identity: an allow entry needs spki_sha384" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"maybe\", \"identity\": {\"vendor\": \"1b36\"}}]}",
	  "al.json: devices[0].decision: \"maybe\" is not one of: allow, deny" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"deny\", \"identity\": {}}]}",
	  "al.json: devices[0].identity: empty identity" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"deny\"}]}",
	  "al.json: devices[0].identity: required key missing" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"deny\", \"identity\": {\"spki_sha384\": \"abcd\"}}]}",
	  "al.json: devices[0].identity.spki_sha384: expected 96 hex digits" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"deny\", \"identity\": {\"serial\": \"123\"}}]}",
	  "al.json: devices[0].identity.serial: expected exactly 16 hex digits" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"allow\", \"identity\": {\"spki_sha384\": \"" SPKI_A
	  "\"}, \"measurements\": [{\"blocks\": [{\"index\": 1, \"type\": \"firmware\", \"value\": \"zz\"}]}]}]}",
	  "al.json: devices[0].measurements[0].blocks[0].value: not a hex digit" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"allow\", \"identity\": {\"spki_sha384\": \"" SPKI_A
	  "\"}, \"measurements\": [{\"blocks\": [{\"index\": 1, \"type\": \"bios\", \"value\": \"00\"}]}]}]}",
	  "al.json: devices[0].measurements[0].blocks[0].type: \"bios\" is not a measurement type" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"allow\", \"identity\": {\"spki_sha384\": \"" SPKI_A
	  "\"}, \"measurements\": [{\"blocks\": [{\"index\": 255, \"type\": \"rom\", \"value\": \"00\"}]}]}]}",
	  "al.json: devices[0].measurements[0].blocks[0].index: out of range (1..254)" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"allow\", \"identity\": {\"spki_sha384\": \"" SPKI_A
	  "\"}, \"measurements\": [{\"blocks\": [{\"index\": 3, \"type\": \"rom\", \"value\": \"00\"}, {\"index\": 3, \"type\": \"rom\", \"value\": \"01\"}]}]}]}",
	  "al.json: devices[0].measurements[0].blocks[1]: index 3 appears twice" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"allow\", \"identity\": {\"spki_sha384\": \"" SPKI_A
	  "\"}, \"measurements\": [{\"blocks\": [{\"index\": 3, \"type\": \"rom\", \"value\": \"00\"}]}, {\"blocks\": [{\"index\": 3, \"type\": \"rom\", \"value\": \"00\"}]}]}]}",
	  "al.json: devices[0].measurements[1]: same measurement set as measurements[0]" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"allow\", \"identity\": {\"spki_sha384\": \"" SPKI_A
	  "\"}, \"measurements\": [{\"blocks\": [{\"index\": 3, \"type\": \"rom\"}]}]}]}",
	  "al.json: devices[0].measurements[0].blocks[0].value: required key missing" },
	/* USBGuard #588: two entries for one key */
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"allow\", \"identity\": {\"spki_sha384\": \"" SPKI_A
	  "\"}}, {\"decision\": \"deny\", \"identity\": {\"spki_sha384\": \"" SPKI_A
	  "\", \"vendor\": \"1b36\"}}]}",
	  "al.json: devices[1].identity: duplicate of devices[0]'s identity" },
	{ "{\"version\": 1, \"devices\": [{\"decision\": \"deny\", \"identity\": {\"vendor\": \"1b36\"}}, {\"decision\": \"deny\", \"identity\": {\"vendor\": \"1b36\"}}]}",
	  "al.json: devices[1].identity: duplicate of devices[0]'s identity" },
	{ "{\"version\": 1, \"devices\": [", "al.json: JSON syntax error at line 1" },
	{ "\x7f"
	  "ELF",
	  "al.json: JSON syntax error" },
};

static void corrupt_and_invalid_refused(void **s)
{
	struct tsmd_allowlist al;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		if (parse(bad[i].text, &al) >= 0 || !strstr(why, bad[i].want)) {
			print_error("case %zu: got \"%s\", want \"%s\"\n", i, why, bad[i].want);
			fail();
		}
		assert_int_equal(al.nr, 0); /* nothing half-loaded to release from */
		assert_null(al.e);
	}
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
	char path[128];

	(void)s;
	snprintf(path, sizeof(path), "%s/none.json", dir);
	assert_int_equal(tsmd_allowlist_load(path, &al, why, sizeof(why)), 0);
	assert_int_equal(al.nr, 0);
	assert_non_null(strstr(al.note, "not found, starting with an empty allow-list"));
	snprintf(path, sizeof(path), "%s/corrupt.json", dir);
	write_file(path, "{\"version\": 1, \"devices\": [ {\"decision\"");
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
	assert_int_equal(parse(sample, &al), 0);
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

static int sets_parse(const char *text, struct tsmd_al_entry *e)
{
	return tsmd_al_sets_parse(text, strlen(text), "new-fw.json", e, why, sizeof(why));
}

/* Pre-approving a firmware update: the three input shapes, and what is refused. */
static void sets_for_preapproval(void **s)
{
	static const char one[] =
		"{ \"blocks\": [ { \"index\": 2, \"type\": \"firmware\", \"value\": \"9f8e\" } ] }";
	static const char two[] =
		"[ { \"blocks\": [ { \"index\": 2, \"type\": \"firmware\", \"value\": \"01\" } ] },"
		"  { \"added\": \"x\", \"blocks\": [ { \"index\": 2, \"type\": \"firmware\", \"value\": \"02\" } ] } ]";
	static const char dup[] =
		"[ { \"blocks\": [ { \"index\": 2, \"type\": \"firmware\", \"value\": \"01\" } ] },"
		"  { \"blocks\": [ { \"index\": 2, \"type\": \"firmware\", \"value\": \"01\" } ] } ]";
	static const char one_entry[] =
		"{ \"version\": 1, \"devices\": [ { \"decision\": \"allow\", \"identity\": {"
		" \"spki_sha384\": \"" SPKI_A "\", \"vendor\": \"1b36\", \"device\": \"1e11\" },"
		" \"measurements\": [ { \"blocks\": [ { \"index\": 5, \"type\": \"raw:version\", \"value\": \"322e31\" } ] } ] },"
		" { \"decision\": \"deny\", \"identity\": { \"vendor\": \"1b36\", \"serial\": \"00000000deadbeef\" } } ] }";
	struct tsmd_al_entry e;

	(void)s;
	assert_int_equal(sets_parse(one, &e), 1);
	assert_int_equal(e.nr_sets, 1);
	assert_int_equal(e.sets[0].nr, 1);
	assert_int_equal(e.sets[0].blocks[0].index, 2);
	assert_int_equal(e.sets[0].blocks[0].len, 2);
	assert_int_equal(e.id.has, 0);
	tsmd_al_entry_free(&e);

	assert_int_equal(sets_parse(two, &e), 2);
	assert_string_equal(e.sets[1].added, "x");
	tsmd_al_entry_free(&e);

	/* an allow-list: the one allow entry with sets, and its IDs to check */
	assert_int_equal(sets_parse(one_entry, &e), 1);
	assert_true(e.id.has & TSMD_ID_DEVICE);
	assert_int_equal(e.id.device, 0x1e11);
	assert_int_equal(e.sets[0].blocks[0].type, 0x80 | 6); /* version */
	tsmd_al_entry_free(&e);

	assert_int_equal(sets_parse(dup, &e), -EINVAL);
	assert_non_null(strstr(why, "new-fw.json: [1]: same measurement set as [0]"));
	/* the sample has one allow entry with sets: accepted */
	assert_int_equal(sets_parse(sample, &e), 2);
	tsmd_al_entry_free(&e);
	/* two allow entries: which one? */
	{
		char *two_entries = malloc(strlen(one_entry) + 400);

		assert_non_null(two_entries);
		strcpy(two_entries, one_entry);
		strcpy(strstr(two_entries, " { \"decision\": \"deny\""),
		       " { \"decision\": \"allow\", \"identity\": { \"spki_sha384\": \"" SPKI_B
		       "\", \"serial\": \"0000000000000001\" }, \"measurements\": [ { \"blocks\": [] } ] } ] }");
		assert_int_equal(sets_parse(two_entries, &e), -EINVAL);
		assert_non_null(strstr(why, "2 allow entries with measurements"));
		free(two_entries);
	}
	assert_int_equal(sets_parse("[]", &e), -EINVAL);
	assert_non_null(strstr(why, "no measurement sets"));
	assert_int_equal(sets_parse("\"x\"", &e), -EINVAL);
	assert_non_null(strstr(why, "expected an allow-list"));
	assert_int_equal(sets_parse("{ \"blocks\": [ { \"index\": 0, \"type\": \"rom\", "
				    "\"value\": \"\" } ] }",
				    &e),
			 -EINVAL);
	assert_non_null(strstr(why, "new-fw.json: .blocks[0]"));
	assert_int_equal(sets_parse("{ \"blocks\": [], \"extra\": 1 }", &e), -EINVAL);
	assert_non_null(strstr(why, "unknown key \"extra\""));
	assert_int_equal(sets_parse("{ \"version\": 1, \"devices\": [] }", &e), -EINVAL);
	assert_non_null(strstr(why, "no allow entry with measurement sets"));
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
	assert_int_equal(parse(sample, &al), 0);
	assert_int_equal(tsmd_allowlist_foreach(&al, count, &n), 42);
	assert_int_equal(n, 2);
	tsmd_allowlist_free(&al);
}

static int tmp_left(const char *path)
{
	char tmp[160];

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	return access(tmp, F_OK) == 0;
}

static void atomic_save(void **s)
{
	struct tsmd_allowlist al, back;
	char path[128], *text;
	struct stat st;

	(void)s;
	snprintf(path, sizeof(path), "%s/allow-list.json", dir);
	assert_int_equal(parse(sample, &al), 0);
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
	/* a stale tmp from a crash is replaced, not trusted */
	{
		char tmp[160];

		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		write_file(tmp, "junk");
		chmod(tmp, 0644);
		assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), 0);
		assert_false(tmp_left(path));
	}
	tsmd_allowlist_free(&al);
}

/* The write fails half-way (file size limit): old file intact, no tmp. */
static void save_failure_keeps_old_file(void **s)
{
	struct tsmd_allowlist al;
	struct rlimit old, lim;
	char path[128], before[65536];

	(void)s;
	snprintf(path, sizeof(path), "%s/keep.json", dir);
	write_file(path, "{\"version\": 1, \"devices\": []}\n");
	strcpy(before, read_all(path));
	assert_int_equal(parse(sample, &al), 0);
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
		write_file(path, "{\"version\": 1, \"devices\": []}\n");
		chmod(ro, 0500);
		assert_int_equal(tsmd_allowlist_save(&al, path, why, sizeof(why)), -EACCES);
		assert_string_equal(read_all(path), "{\"version\": 1, \"devices\": []}\n");
		assert_false(tmp_left(path));
		chmod(ro, 0700);
		unlink(path);
		rmdir(ro);
	}
	tsmd_allowlist_free(&al);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sample_parses_and_round_trips),
		cmocka_unit_test(corrupt_and_invalid_refused),
		cmocka_unit_test(load_missing_empty_corrupt),
		cmocka_unit_test(find_deny_wins),
		cmocka_unit_test(upsert_sets_deny_remove),
		cmocka_unit_test(sets_for_preapproval),
		cmocka_unit_test(shared_key_two_devices),
		cmocka_unit_test(foreach_stops),
		cmocka_unit_test(atomic_save),
		cmocka_unit_test(save_failure_keeps_old_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
