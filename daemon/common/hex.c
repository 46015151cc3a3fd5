// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <ctype.h>
#include "hex.h"

int tsmh_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long tsmh_hex_parse(const char *s, uint8_t *out, size_t cap, const char **err)
{
	size_t n = 0;
	int hi = -1;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s) || *s == ':' || *s == '-') {
			if (hi >= 0) {
				*err = "odd number of hex digits in a group";
				return -1;
			}
			continue;
		}
		v = tsmh_hex_digit((unsigned char)*s);
		if (v < 0) {
			*err = "not a hex digit";
			return -1;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap) {
			*err = "too many bytes";
			return -1;
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		*err = "odd number of hex digits";
		return -1;
	}
	return (long)n;
}

void tsmh_hex_format(const uint8_t *in, size_t len, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * len] = 0;
}
