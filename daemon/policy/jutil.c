// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Strict JSON helpers for the policy and allow-list files. See jutil.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hex.h"
#include "jutil.h"

int tsmd_jerr(const struct tsmd_jctx *c, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->why && c->whylen)
		snprintf(c->why, c->whylen, "%s: %s%s%s", c->file ? c->file : "(input)",
			 path && *path ? path : "", path && *path ? ": " : "", msg);
	return -EINVAL;
}

void tsmd_jpath(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, TSMD_JPATH_MAX, fmt, ap);
	va_end(ap);
}

int tsmd_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	size_t n = 0;
	char *b;
	int fd, ret = 0;

	*buf = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO put in a file's place must not hang us in open() */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if ((size_t)st.st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	b = malloc(max + 1 < (size_t)st.st_size + 1 ? max + 1 : (size_t)st.st_size + 1);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			free(b);
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == (size_t)st.st_size)
			break;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
out:
	close(fd);
	return ret;
}

int tsmd_file_err(const char *path, int err, size_t max, char *why, size_t whylen)
{
	if (err == -EFBIG)
		snprintf(why, whylen, "%s: larger than %zu MiB", path, max >> 20);
	else if (err == -EISDIR)
		snprintf(why, whylen, "%s: is a directory, not a file", path);
	else if (err == -EINVAL)
		snprintf(why, whylen, "%s: not a regular file (a FIFO, socket or device?)", path);
	else
		snprintf(why, whylen, "%s: %s", path, strerror(-err));
	return err;
}

int tsmd_jfail(const struct tsmd_jctx *c, cJSON *j, int ret)
{
	if (ret == -ENOMEM)
		tsmd_jerr(c, NULL, "out of memory");
	cJSON_Delete(j);
	return ret;
}

int tsmd_jparse(const struct tsmd_jctx *c, const char *text, size_t len, cJSON **out)
{
	const char *end = NULL;
	cJSON *j;

	*out = NULL;
	if (c->why && c->whylen)
		c->why[0] = 0;
	if (memchr(text, 0, len))
		return tsmd_jerr(c, NULL, "NUL byte in the file");
	j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!j) {
		size_t line = 1, col = 1, i, at = end && end >= text ? (size_t)(end - text) : 0;

		if (at > len)
			at = len;
		for (i = 0; i < at; i++) {
			if (text[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		return tsmd_jerr(c, NULL, "JSON syntax error at line %zu, column %zu", line, col);
	}
	/* trailing garbage after the value */
	if (end && (size_t)(end - text) < len) {
		const char *p;

		for (p = end; p < text + len; p++) {
			if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
				cJSON_Delete(j);
				return tsmd_jerr(c, NULL, "trailing data after the JSON value");
			}
		}
	}
	*out = j;
	return 0;
}

int tsmd_jkeys(const struct tsmd_jctx *c, const char *path, const cJSON *obj,
	       const char *const *allowed)
{
	const cJSON *k, *k2;

	if (!cJSON_IsObject(obj))
		return tsmd_jerr(c, path, "expected an object");
	cJSON_ArrayForEach(k, obj)
	{
		const char *const *a;

		for (a = allowed; *a; a++)
			if (k->string && !strcmp(*a, k->string))
				break;
		if (!*a)
			return tsmd_jerr(c, path, "unknown key \"%.64s\"",
					 k->string ? k->string : "");
		for (k2 = k->next; k2; k2 = k2->next)
			if (k2->string && !strcmp(k->string, k2->string))
				return tsmd_jerr(c, path, "duplicate key \"%.64s\"", k->string);
	}
	return 0;
}

static void subpath(char *buf, size_t len, const char *path, const char *key)
{
	if (path && *path)
		snprintf(buf, len, "%s.%s", path, key);
	else
		snprintf(buf, len, "%s", key);
}

int tsmd_jstr(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
	      int required, size_t max, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[TSMD_JPATH_MAX];

	*out = NULL;
	subpath(p, sizeof(p), path, key);
	if (!v)
		return required ? tsmd_jerr(c, p, "required key missing") : 0;
	if (!cJSON_IsString(v) || !v->valuestring)
		return tsmd_jerr(c, p, "expected a string");
	if (!v->valuestring[0])
		return tsmd_jerr(c, p, "empty string");
	if (strlen(v->valuestring) > max)
		return tsmd_jerr(c, p, "longer than %zu characters", max);
	*out = v->valuestring;
	return 0;
}

int tsmd_jint(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
	      long min, long max, long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[TSMD_JPATH_MAX];
	double d;

	subpath(p, sizeof(p), path, key);
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v))
		return tsmd_jerr(c, p, "expected a number");
	d = v->valuedouble;
	if (d != d) /* NaN */
		return tsmd_jerr(c, p, "expected an integer");
	if (d < (double)min || d > (double)max)
		return tsmd_jerr(c, p, "out of range (%ld..%ld)", min, max);
	if ((double)(long)d != d)
		return tsmd_jerr(c, p, "expected an integer");
	*out = (long)d;
	return 0;
}

int tsmd_jbool(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
	       int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[TSMD_JPATH_MAX];

	subpath(p, sizeof(p), path, key);
	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		return tsmd_jerr(c, p, "expected true or false");
	*out = cJSON_IsTrue(v);
	return 0;
}

int tsmd_jhexnum(const struct tsmd_jctx *c, const char *path, const char *s, int digits,
		 uint64_t *out)
{
	uint64_t v = 0;
	int i;

	for (i = 0; s[i]; i++) {
		int n = tsmh_hex_digit((unsigned char)s[i]);

		if (n < 0)
			return tsmd_jerr(c, path, "\"%.40s\" is not hex", s);
		if (i >= digits)
			break;
		v = v << 4 | (uint64_t)n;
	}
	if (i != digits || s[i])
		return tsmd_jerr(c, path, "expected exactly %d hex digits, got \"%.40s\"", digits,
				 s);
	*out = v;
	return 0;
}

int tsmd_jhexbytes(const struct tsmd_jctx *c, const char *path, const char *s, uint8_t *out,
		   size_t cap, size_t *n)
{
	size_t i, len = strlen(s);

	*n = 0;
	if (len % 2)
		return tsmd_jerr(c, path, "odd number of hex digits");
	if (len / 2 > cap)
		return tsmd_jerr(c, path, "longer than %zu bytes", cap);
	for (i = 0; i < len; i += 2) {
		int hi = tsmh_hex_digit((unsigned char)s[i]),
		    lo = tsmh_hex_digit((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return tsmd_jerr(c, path, "not a hex digit at offset %zu",
					 hi < 0 ? i : i + 1);
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}

int tsmd_jenum(const struct tsmd_jctx *c, const char *path, const char *s, const char *const *names,
	       int *out)
{
	char list[160] = "";
	size_t used = 0;
	int i;

	for (i = 0; names[i]; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	for (i = 0; names[i] && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 names[i]);
	return tsmd_jerr(c, path, "\"%.40s\" is not one of: %s", s, list);
}

int tsmd_jhexkey(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
		 int digits, uint64_t *out, int *present)
{
	char p[TSMD_JPATH_MAX];
	const char *s;
	int ret;

	*present = 0;
	ret = tsmd_jstr(c, path, obj, key, 0, (size_t)digits, &s);
	if (ret || !s)
		return ret;
	tsmd_jpath(p, "%s.%s", path, key);
	ret = tsmd_jhexnum(c, p, s, digits, out);
	*present = !ret;
	return ret;
}

int tsmd_jhex16(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
		uint16_t *out, unsigned *has, unsigned bit)
{
	uint64_t v = 0;
	int got, ret;

	ret = tsmd_jhexkey(c, path, obj, key, 4, &v, &got);
	if (!ret && got) {
		*out = (uint16_t)v;
		*has |= bit;
	}
	return ret;
}

int tsmd_jstrdup(const struct tsmd_jctx *c, const char *path, const cJSON *obj, const char *key,
		 size_t max, char **out)
{
	const char *s;
	int ret;

	ret = tsmd_jstr(c, path, obj, key, 0, max, &s);
	if (ret || !s)
		return ret;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}
