/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * SPDM (DMTF DSP0274) message codecs used by the requester (tsmctl, tsmd)
 * and the device emulator's responder. Userspace only: the kernel never
 * parses SPDM.
 */
#ifndef TSMH_SPDM_H
#define TSMH_SPDM_H

#include <stddef.h>
#include <stdint.h>

#define SPDM_VERSION_10 0x10

/* Request / response codes */
#define SPDM_GET_VERSION 0x84
#define SPDM_VERSION	 0x04
#define SPDM_ERROR	 0x7f

/* ERROR codes */
#define SPDM_ERR_INVALID_REQUEST     0x01
#define SPDM_ERR_BUSY		     0x03
#define SPDM_ERR_UNEXPECTED_REQUEST  0x04
#define SPDM_ERR_UNSPECIFIED	     0x05
#define SPDM_ERR_UNSUPPORTED_REQUEST 0x07
#define SPDM_ERR_VERSION_MISMATCH    0x41
#define SPDM_ERR_RESPONSE_NOT_READY  0x42

#define SPDM_MAX_VERSIONS 16

/* A version number entry: major.minor.update.alpha, 4 bits each. */
struct spdm_ver {
	uint8_t major, minor, update, alpha;
};

static inline uint16_t spdm_ver_encode(const struct spdm_ver *v)
{
	return (uint16_t)((v->major & 15) << 12 | (v->minor & 15) << 8 | (v->update & 15) << 4 |
			  (v->alpha & 15));
}

static inline void spdm_ver_decode(uint16_t e, struct spdm_ver *v)
{
	v->major = e >> 12;
	v->minor = (e >> 8) & 15;
	v->update = (e >> 4) & 15;
	v->alpha = e & 15;
}

/* Encode GET_VERSION into @out (>= 4 bytes); returns its length. */
size_t spdm_enc_get_version(uint8_t *out);

/*
 * Parse a VERSION response of @len bytes (trailing DOE padding allowed).
 * Returns the number of entries stored in @v (up to @max), or a negative
 * errno: -EPROTO (not VERSION/bad header), -EBADMSG (truncated: entry
 * count runs past the message), -EREMOTEIO (an SPDM ERROR: *@err_code).
 */
int spdm_dec_version(const uint8_t *msg, size_t len, struct spdm_ver *v, int max,
		     uint8_t *err_code);

/* Encode VERSION with @n entries; returns length or 0 if @cap too small. */
size_t spdm_enc_version(const struct spdm_ver *v, int n, uint8_t *out, size_t cap);
/* Encode ERROR(code, data) at SPDM version @ver into @out (>= 4 bytes). */
size_t spdm_enc_error(uint8_t ver, uint8_t code, uint8_t data, uint8_t *out);

/* "1.2" style; returns 0 or -1. */
int spdm_ver_parse(const char *s, struct spdm_ver *v);
const char *spdm_error_name(uint8_t code);

#endif
