// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * hold_ids: parse, match and format the vendor:device list of the
 * tsmh_core parameter (lib/hold_ids.h).
 */
#include "hold_ids.h"

static int hex4(const char *s, u16 *v)
{
	unsigned int i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		*v = (u16)(*v << 4 | d);
	}
	return 0;
}

int tsmh_hold_ids_parse(const char *s, struct tsmh_hold_id *ids, unsigned int max,
			const char **why)
{
	unsigned int n = 0;
	size_t len;

	*why = NULL;
	if (!s) {
		*why = "a value is required (empty for none)";
		return -EINVAL;
	}
	len = strlen(s);
	if (len && s[len - 1] == '\n')
		len--;
	if (!len)
		return 0;
	for (;;) {
		struct tsmh_hold_id id = { 0 };

		/* "VVVV:DDDD" or "VVVV:*", then ',' or the end */
		if (len < 6 || hex4(s, &id.vendor) || s[4] != ':') {
			*why = "expected VVVV:DDDD (4 hex digits each)";
			return -EINVAL;
		}
		if (s[5] == '*') {
			id.any_device = true;
			s += 6;
			len -= 6;
		} else if (len >= 9 && !hex4(s + 5, &id.device)) {
			s += 9;
			len -= 9;
		} else {
			*why = "expected VVVV:DDDD (4 hex digits each)";
			return -EINVAL;
		}
		if (n == max) {
			*why = "too many entries";
			return -E2BIG;
		}
		ids[n++] = id;
		if (!len)
			return (int)n;
		if (*s != ',' || len == 1) {
			*why = "entries are separated by a single ','";
			return -EINVAL;
		}
		s++;
		len--;
	}
}

bool tsmh_hold_ids_match(const struct tsmh_hold_id *ids, unsigned int n, u16 vendor,
			 u16 device)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ids[i].vendor == vendor && (ids[i].any_device || ids[i].device == device))
			return true;
	return false;
}

static const char hexd[] = "0123456789abcdef";

static void put_hex4(char *p, u16 v)
{
	p[0] = hexd[v >> 12];
	p[1] = hexd[(v >> 8) & 0xf];
	p[2] = hexd[(v >> 4) & 0xf];
	p[3] = hexd[v & 0xf];
}

size_t tsmh_hold_ids_format(const struct tsmh_hold_id *ids, unsigned int n, char *buf,
			    size_t len)
{
	size_t pos = 0;
	unsigned int i;

	if (!len)
		return 0;
	for (i = 0; i < n; i++) {
		size_t need = (i ? 1 : 0) + (ids[i].any_device ? 6 : 9);

		if (pos + need >= len)
			break;
		if (i)
			buf[pos++] = ',';
		put_hex4(buf + pos, ids[i].vendor);
		buf[pos + 4] = ':';
		if (ids[i].any_device) {
			buf[pos + 5] = '*';
			pos += 6;
		} else {
			put_hex4(buf + pos + 5, ids[i].device);
			pos += 9;
		}
	}
	buf[pos] = 0;
	return pos;
}
