/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef TSMH_HEX_H
#define TSMH_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of hex digit @c (either case), or -1. */
int tsmh_hex_digit(int c);
/*
 * Parse hex (whitespace, ':' and '-' separators allowed, optional 0x) into
 * @out. Returns the byte count, or -1 with *@err set to a static message.
 */
long tsmh_hex_parse(const char *s, uint8_t *out, size_t cap, const char **err);
/* Lowercase hex, no separators; @out must hold 2 * len + 1 bytes. */
void tsmh_hex_format(const uint8_t *in, size_t len, char *out);

#endif
