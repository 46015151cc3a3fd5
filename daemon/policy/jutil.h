/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Strict JSON helpers for tsmd's configuration files (policy and
 * allow-list): read a bounded file, parse it with cJSON reporting
 * line:column on a syntax error, and typed getters that refuse unknown
 * keys, duplicate keys, wrong types, bad hex and out-of-range numbers.
 * Every error is -errno with @why = "FILE: JSON.PATH: problem".
 */
#ifndef TSMD_POLICY_JUTIL_H
#define TSMD_POLICY_JUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

struct tsmd_jctx {
	const char *file; /* named in every message */
	char *why;
	size_t whylen;
};

#define TSMD_JPATH_MAX 96

/* snprintf into @buf (TSMD_JPATH_MAX bytes); a too-long path is cut. */
void tsmd_jpath(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Format "FILE: PATH: message" into c->why; returns -EINVAL. */
int tsmd_jerr(const struct tsmd_jctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Read all of @path (at most @max bytes) into a NUL-terminated malloc'd buffer. */
/* -EISDIR for a directory, -EINVAL for any other file that is not regular */
int tsmd_read_file(const char *path, size_t max, char **buf, size_t *len);
/*
 * Why a configuration file @path could not be read (@err from
 * tsmd_read_file() with limit @max): "PATH: larger than N MiB" or
 * "PATH: strerror". Returns @err.
 */
int tsmd_file_err(const char *path, int err, size_t max, char *why, size_t whylen);
/* Parse @len bytes of @text (c->why cleared first); a syntax error names line and column. */
int tsmd_jparse(const struct tsmd_jctx *c, const char *text, size_t len, cJSON **out);
/*
 * @obj (at @path) must be an object whose keys are all in the
 * NULL-terminated @allowed list, each at most once.
 */
int tsmd_jkeys(const struct tsmd_jctx *c, const char *path, const cJSON *obj,
	       const char *const *allowed);
/*
 * The string member @key of @obj: 0 and *@out (NULL when absent and not
 * @required), or -EINVAL. Empty strings and strings longer than @max
 * are refused.
 */
int tsmd_jstr(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
	      int required, size_t max, const char **out);
/* tsmd_jstr() of an optional member into a malloc'd copy (*@out untouched when absent). */
int tsmd_jstrdup(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
		 size_t max, char **out);
/* An integral number member in [@min, @max]; *@out untouched when absent. */
int tsmd_jint(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
	      long min, long max, long *out);
/* A boolean member; *@out untouched when absent. */
int tsmd_jbool(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
	       int *out);
/* Exactly @digits hex digits (no prefix, no separators) -> *@out. */
int tsmd_jhexnum(const struct tsmd_jctx *c, const char *path, const char *s, int digits,
		 uint64_t *out);
/*
 * The optional member @key of @obj holding exactly @digits hex digits:
 * 0 with *@present 0 (absent) or 1 and *@out set, or -EINVAL naming
 * PATH.KEY.
 */
int tsmd_jhexkey(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
		 int digits, uint64_t *out, int *present);
/* A 4-hex-digit ID member (vendor, device): when present, *@out and @bit in *@has. */
int tsmd_jhex16(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
		uint16_t *out, unsigned *has, unsigned bit);
/* An even number of hex digits (no prefix, no separators) -> @out; *@n = bytes. */
int tsmd_jhexbytes(const struct tsmd_jctx *c, const char *path, const char *s, uint8_t *out,
		   size_t cap, size_t *n);
/* Pick @s out of the NULL-terminated @names: 0 and *@out = its index, or -EINVAL. */
int tsmd_jenum(const struct tsmd_jctx *c, const char *path, const char *s, const char *const *names,
	       int *out);

/*
 * The common end of a failed parse: "out of memory" into c->why for
 * -ENOMEM (other errors have their message already), @j deleted.
 * Returns @ret.
 */
int tsmd_jfail(const struct tsmd_jctx *c, cJSON *j, int ret);

#endif
