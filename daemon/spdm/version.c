// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPDM GET_VERSION / VERSION / ERROR codecs (DSP0274 10.3, 10.16).
 */
#include <errno.h>
#include <stdio.h>
#include "port.h"
#include "spdm.h"

size_t spdm_enc_get_version(uint8_t *out)
{
	out[0] = SPDM_VERSION_10; /* GET_VERSION always uses 1.0 */
	out[1] = SPDM_GET_VERSION;
	out[2] = 0;
	out[3] = 0;
	return 4;
}

int spdm_dec_version(const uint8_t *m, size_t len, struct spdm_ver *v, int max, uint8_t *err_code)
{
	size_t n, i;

	if (len < 4)
		return -EBADMSG;
	if (m[1] == SPDM_ERROR) {
		*err_code = m[2];
		return -EREMOTEIO;
	}
	if (m[0] != SPDM_VERSION_10 || m[1] != SPDM_VERSION)
		return -EPROTO;
	if (len < 6)
		return -EBADMSG;
	n = m[5];
	if (n == 0)
		return -EPROTO; /* a responder supports at least one version */
	if (6 + 2 * n > len)
		return -EBADMSG;
	for (i = 0; i < n && (int)i < max; i++)
		spdm_ver_decode(tsmh_get_le16(m + 6 + 2 * i), &v[i]);
	return (int)i;
}

size_t spdm_enc_version(const struct spdm_ver *v, int n, uint8_t *out, size_t cap)
{
	size_t len = 6 + 2 * (size_t)n;
	int i;

	if (n < 0 || n > 255 || cap < len)
		return 0;
	out[0] = SPDM_VERSION_10;
	out[1] = SPDM_VERSION;
	out[2] = 0;
	out[3] = 0;
	out[4] = 0;
	out[5] = (uint8_t)n;
	for (i = 0; i < n; i++) {
		uint16_t e = spdm_ver_encode(&v[i]);

		tsmh_put_le16(out + 6 + 2 * i, e);
	}
	return len;
}

size_t spdm_enc_hdr(uint8_t ver, uint8_t code, uint8_t param1, uint8_t param2, uint8_t *out)
{
	out[0] = ver;
	out[1] = code;
	out[2] = param1;
	out[3] = param2;
	return 4;
}

size_t spdm_enc_error(uint8_t ver, uint8_t code, uint8_t data, uint8_t *out)
{
	return spdm_enc_hdr(ver, SPDM_ERROR, code, data, out);
}

int spdm_check_hdr(uint8_t ver, uint8_t code, const uint8_t *m, size_t len, uint8_t *err)
{
	spdm_bad_clear();
	if (len < 4)
		return spdm_bad(-EBADMSG, "%zu bytes, shorter than the 4-byte header", len);
	if (m[1] == SPDM_ERROR) {
		if (err)
			*err = m[2];
		return -EREMOTEIO;
	}
	if (m[1] != code)
		return spdm_bad(-EPROTO, "RequestResponseCode %#04x, expected %#04x", m[1], code);
	if (m[0] != ver)
		return spdm_bad(-EPROTO, "SPDMVersion %u.%u, expected the negotiated %u.%u",
				m[0] >> 4, m[0] & 15, ver >> 4, ver & 15);
	return 0;
}

int spdm_ver_parse(const char *s, struct spdm_ver *v)
{
	unsigned int maj, min;
	char tail;

	if (sscanf(s, "%u.%u%c", &maj, &min, &tail) != 2 || maj > 15 || min > 15)
		return -1;
	v->major = (uint8_t)maj;
	v->minor = (uint8_t)min;
	v->update = 0;
	v->alpha = 0;
	return 0;
}

const char *spdm_error_name(uint8_t code)
{
	switch (code) {
	case SPDM_ERR_INVALID_REQUEST: return "InvalidRequest";
	case 0x02: return "InvalidSession";
	case SPDM_ERR_BUSY: return "Busy";
	case SPDM_ERR_UNEXPECTED_REQUEST: return "UnexpectedRequest";
	case SPDM_ERR_UNSPECIFIED: return "Unspecified";
	case 0x06: return "DecryptError";
	case SPDM_ERR_UNSUPPORTED_REQUEST: return "UnsupportedRequest";
	case SPDM_ERR_VERSION_MISMATCH: return "VersionMismatch";
	case SPDM_ERR_RESPONSE_NOT_READY: return "ResponseNotReady";
	default: return "Unknown";
	}
}
