/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Test inputs kept as files: tests/data/SET/good/NAME.json must be
 * accepted, tests/data/SET/bad/NAME.json refused with an error that
 * contains the line in tests/data/SET/bad/NAME.expect (tests/data/README).
 *
 * tsmh_td_add_dir() turns a directory into cmocka tests: one per file,
 * named SET/KIND/NAME.json and given the file as its state, so a new file
 * is a new test; and one named SET/KIND/ *.json that fails if the
 * directory is missing or empty, a bad file has no expectation, an
 * expectation has no file, or a file is neither .json nor .expect, so a
 * wrong path or a misnamed file cannot pass silently.
 *
 * The data directory: $TSMH_TEST_DATA if set, else tests/data found from
 * where this header was compiled (tests/unit/../data): relative to the
 * source top, where tests/run.sh and debian/rules run the tests.
 *
 * Header only (static inline; include it after <cmocka.h>), so a test
 * needs no extra object to link.
 */
#ifndef TSMH_TESTDATA_H
#define TSMH_TESTDATA_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tsmh_td_file {
	char *name; /* SET/KIND/NAME.json, relative to the data directory */
	char *path; /* as opened, for messages */
	char *text; /* the bytes and a NUL; len is the file's length */
	size_t len;
	char *expect; /* bad files: NAME.expect without its newline */
	char *problem; /* set if the file cannot be tested as it is */
};

struct tsmh_td_tests {
	struct CMUnitTest *t;
	size_t nr, cap;
	void **owned; /* everything allocated, freed by tsmh_td_run */
	size_t nr_owned, cap_owned;
};

static inline const char *tsmh_td_root(void)
{
	static char root[PATH_MAX];
	const char *env = getenv("TSMH_TEST_DATA");
	char *c, *last;

	if (env && env[0])
		return env;
	if (root[0])
		return root;
	/* __FILE__ is DIR/testdata.h; DIR is .../tests/unit */
	snprintf(root, sizeof(root), "%s", __FILE__);
	c = strrchr(root, '/');
	if (!c) {
		snprintf(root, sizeof(root), "../data");
		return root;
	}
	*c = 0;
	c = strrchr(root, '/');
	last = c ? c + 1 : root;
	if (!strcmp(last, "unit"))
		memcpy(last, "data", 4);
	else if (strlen(root) + sizeof("/../data") <= sizeof(root))
		strcat(root, "/../data");
	return root;
}

/* ROOT/REL in a static buffer */
static inline const char *tsmh_td_path(const char *rel)
{
	static char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/%s", tsmh_td_root(), rel) >= (int)sizeof(p))
		fail_msg("%s/%s: path too long", tsmh_td_root(), rel);
	return p;
}

/* The whole file and a NUL (*lenp: its length), or NULL with errno set. */
static inline char *tsmh_td_slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;

	if (lenp)
		*lenp = 0;
	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 8192;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
}

/* tests/data/REL, which must be there (the test fails otherwise); free() it */
static inline char *tsmh_td_read(const char *rel, size_t *lenp)
{
	const char *path = tsmh_td_path(rel);
	char *t = tsmh_td_slurp(path, lenp);

	if (!t)
		fail_msg("%s: %s (run from the source top, or set TSMH_TEST_DATA)", path,
			 strerror(errno));
	return t;
}

static inline void *tsmh_td_own(struct tsmh_td_tests *s, void *p)
{
	if (!p) {
		fprintf(stderr, "testdata: out of memory\n");
		exit(1);
	}
	if (s->nr_owned == s->cap_owned) {
		s->cap_owned = s->cap_owned ? 2 * s->cap_owned : 64;
		s->owned = realloc(s->owned, s->cap_owned * sizeof(*s->owned));
		if (!s->owned) {
			fprintf(stderr, "testdata: out of memory\n");
			exit(1);
		}
	}
	s->owned[s->nr_owned++] = p;
	return p;
}

static inline char *tsmh_td_vfmt(struct tsmh_td_tests *s, const char *fmt, va_list ap)
{
	va_list ap2;
	char *p;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	p = tsmh_td_own(s, malloc((size_t)n + 1));
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

/* a formatted string, owned by s */
__attribute__((format(printf, 2, 3))) static inline char *tsmh_td_fmt(struct tsmh_td_tests *s,
								      const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = tsmh_td_vfmt(s, fmt, ap);
	va_end(ap);
	return p;
}

/* one more sentence in a directory's list of problems */
__attribute__((format(printf, 3, 4))) static inline void
tsmh_td_problem(struct tsmh_td_tests *s, char **problem, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = tsmh_td_vfmt(s, fmt, ap);
	va_end(ap);
	*problem = **problem ? tsmh_td_fmt(s, "%s; %s", *problem, p) : p;
}

static inline void tsmh_td_push(struct tsmh_td_tests *s, const struct CMUnitTest *t)
{
	if (s->nr == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->t = realloc(s->t, s->cap * sizeof(*s->t));
		if (!s->t) {
			fprintf(stderr, "testdata: out of memory\n");
			exit(1);
		}
	}
	s->t[s->nr++] = *t;
}

/* the fixed tests of a suite */
static inline void tsmh_td_add(struct tsmh_td_tests *s, const struct CMUnitTest *t, size_t n)
{
	while (n--)
		tsmh_td_push(s, t++);
}

static inline void tsmh_td_dir_check(void **state)
{
	char *const *problem = *state;

	if ((*problem)[0])
		fail_msg("%s", *problem);
}

static inline int tsmh_td_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

static inline int tsmh_td_visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* f->path's NAME.expect, its one line in f->expect */
static inline void tsmh_td_expect(struct tsmh_td_tests *s, struct tsmh_td_file *f)
{
	char *xp = tsmh_td_fmt(s, "%.*s.expect", (int)(strlen(f->path) - strlen(".json")), f->path);
	char *nl;

	f->expect = tsmh_td_slurp(xp, NULL);
	if (!f->expect) {
		f->problem = tsmh_td_fmt(s, "%s: %s (a bad file needs its expected error)", xp,
					 strerror(errno));
		return;
	}
	tsmh_td_own(s, f->expect);
	nl = strchr(f->expect, '\n');
	if (nl && nl[1])
		f->problem = tsmh_td_fmt(s, "%s: more than one line", xp);
	if (nl)
		*nl = 0;
	if (!f->expect[0])
		f->problem = tsmh_td_fmt(s, "%s: empty", xp);
}

/*
 * One test per SET/KIND/NAME.json (KIND "good" or "bad"; a bad file with
 * its NAME.expect), each called with a struct tsmh_td_file as *state,
 * and the directory's own test (SET/KIND/ *.json).
 */
static inline void tsmh_td_add_dir(struct tsmh_td_tests *s, const char *set, const char *kind,
				   CMUnitTestFunction fn)
{
	int bad = !strcmp(kind, "bad");
	const char *dir = tsmh_td_fmt(s, "%s/%s/%s", tsmh_td_root(), set, kind);
	char **problem = tsmh_td_own(s, malloc(sizeof(*problem)));
	struct CMUnitTest dt = { .name = tsmh_td_fmt(s, "%s/%s/*.json", set, kind),
				 .test_func = tsmh_td_dir_check,
				 .initial_state = problem };
	struct dirent **ents;
	size_t nr_json = 0;
	int n, i;

	*problem = "";
	tsmh_td_push(s, &dt); /* its state is filled in below */
	n = scandir(dir, &ents, tsmh_td_visible, alphasort);
	if (n < 0) {
		tsmh_td_problem(s, problem,
				"%s: %s (run from the source top, or set TSMH_TEST_DATA)", dir,
				strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		struct CMUnitTest ft = { .test_func = fn };
		struct tsmh_td_file *f;

		if (bad && tsmh_td_ends(e, ".expect")) {
			const char *in = tsmh_td_fmt(s, "%s/%.*s.json", dir,
						     (int)(strlen(e) - strlen(".expect")), e);

			if (access(in, F_OK))
				tsmh_td_problem(s, problem, "%s/%s: no %s", dir, e, in);
			continue;
		}
		if (!tsmh_td_ends(e, ".json")) {
			tsmh_td_problem(s, problem, "%s/%s: not NAME.json%s", dir, e,
					bad ? " or NAME.expect" : "");
			continue;
		}
		nr_json++;
		f = tsmh_td_own(s, calloc(1, sizeof(*f)));
		f->name = tsmh_td_fmt(s, "%s/%s/%s", set, kind, e);
		f->path = tsmh_td_fmt(s, "%s/%s", dir, e);
		f->text = tsmh_td_slurp(f->path, &f->len);
		if (f->text)
			tsmh_td_own(s, f->text);
		else
			f->problem = tsmh_td_fmt(s, "%s: %s", f->path, strerror(errno));
		if (bad)
			tsmh_td_expect(s, f);
		if (f->problem)
			tsmh_td_problem(s, problem, "%s", f->problem);
		ft.name = f->name;
		ft.initial_state = f;
		tsmh_td_push(s, &ft);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	if (!nr_json)
		tsmh_td_problem(s, problem, "%s: no NAME.json in it", dir);
}

/* Run every test added, release it all; returns what cmocka returns. */
static inline int tsmh_td_run(struct tsmh_td_tests *s, const char *group, CMFixtureFunction setup,
			      CMFixtureFunction teardown)
{
	int ret = _cmocka_run_group_tests(group, s->t, s->nr, setup, teardown);

	while (s->nr_owned)
		free(s->owned[--s->nr_owned]);
	free(s->owned);
	free(s->t);
	memset(s, 0, sizeof(*s));
	return ret;
}

/* The file behind a per-file test's state; fails the test if it is not usable. */
static inline const struct tsmh_td_file *tsmh_td_file(void **state)
{
	const struct tsmh_td_file *f = *state;

	if (f->problem)
		fail_msg("%s", f->problem);
	return f;
}

#endif
