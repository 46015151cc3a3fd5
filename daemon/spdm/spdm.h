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
#define SPDM_VERSION_11 0x11
#define SPDM_VERSION_12 0x12
#define SPDM_VERSION_13 0x13

/* Request / response codes */
#define SPDM_GET_VERSION	  0x84
#define SPDM_VERSION		  0x04
#define SPDM_GET_CAPABILITIES	  0xe1
#define SPDM_CAPABILITIES	  0x61
#define SPDM_NEGOTIATE_ALGORITHMS 0xe3
#define SPDM_ALGORITHMS		  0x63
#define SPDM_ERROR		  0x7f

#define SPDM_MIN_DATA_TRANSFER_SIZE 42 /* 1.2+ */

/* CAPABILITIES flags (responder view; the requester uses a subset) */
#define SPDM_CAP_CACHE	      (1u << 0)
#define SPDM_CAP_CERT	      (1u << 1)
#define SPDM_CAP_CHAL	      (1u << 2)
#define SPDM_CAP_MEAS_NO_SIG  (1u << 3)
#define SPDM_CAP_MEAS_SIG     (1u << 4)
#define SPDM_CAP_MEAS_FRESH   (1u << 5)
#define SPDM_CAP_ENCRYPT      (1u << 6)
#define SPDM_CAP_MAC	      (1u << 7)
#define SPDM_CAP_MUT_AUTH     (1u << 8)
#define SPDM_CAP_KEY_EX	      (1u << 9)
#define SPDM_CAP_PSK	      (3u << 10)
#define SPDM_CAP_ENCAP	      (1u << 12)
#define SPDM_CAP_HBEAT	      (1u << 13)
#define SPDM_CAP_KEY_UPD      (1u << 14)
#define SPDM_CAP_HANDSHAKE_IC (1u << 15)
#define SPDM_CAP_PUB_KEY_ID   (1u << 16)
#define SPDM_CAP_CHUNK	      (1u << 17)
#define SPDM_CAP_ALIAS_CERT   (1u << 18)

/* NEGOTIATE_ALGORITHMS: BaseAsymAlgo */
#define SPDM_ASYM_RSASSA_2048 (1u << 0)
#define SPDM_ASYM_RSAPSS_2048 (1u << 1)
#define SPDM_ASYM_RSASSA_3072 (1u << 2)
#define SPDM_ASYM_RSAPSS_3072 (1u << 3)
#define SPDM_ASYM_ECDSA_P256  (1u << 4)
#define SPDM_ASYM_RSASSA_4096 (1u << 5)
#define SPDM_ASYM_RSAPSS_4096 (1u << 6)
#define SPDM_ASYM_ECDSA_P384  (1u << 7)
#define SPDM_ASYM_ECDSA_P521  (1u << 8)
/* BaseHashAlgo */
#define SPDM_HASH_SHA256 (1u << 0)
#define SPDM_HASH_SHA384 (1u << 1)
#define SPDM_HASH_SHA512 (1u << 2)
/* MeasurementHashAlgo */
#define SPDM_MEAS_HASH_RAW    (1u << 0)
#define SPDM_MEAS_HASH_SHA256 (1u << 1)
#define SPDM_MEAS_HASH_SHA384 (1u << 2)
/* MeasurementSpecification */
#define SPDM_MEAS_SPEC_DMTF (1u << 0)
/* algorithm structure tables (1.1+) */
#define SPDM_ALG_TYPE_DHE	   2
#define SPDM_ALG_TYPE_AEAD	   3
#define SPDM_ALG_TYPE_REQ_ASYM	   4
#define SPDM_ALG_TYPE_KEY_SCHEDULE 5
#define SPDM_DHE_SECP256R1	   (1u << 3)
#define SPDM_DHE_SECP384R1	   (1u << 4)
#define SPDM_AEAD_AES_128_GCM	   (1u << 0)
#define SPDM_AEAD_AES_256_GCM	   (1u << 1)
#define SPDM_AEAD_CHACHA20_POLY	   (1u << 2)
#define SPDM_KEY_SCHEDULE_SPDM	   (1u << 0)

/* ERROR codes */
#define SPDM_ERR_INVALID_REQUEST     0x01
#define SPDM_ERR_BUSY		     0x03
#define SPDM_ERR_UNEXPECTED_REQUEST  0x04
#define SPDM_ERR_UNSPECIFIED	     0x05
#define SPDM_ERR_UNSUPPORTED_REQUEST 0x07
#define SPDM_ERR_SESSION_REQUIRED    0x0b /* 1.2+ */
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
/* The 4-byte header: version, code, Param1, Param2; returns 4. */
size_t spdm_enc_hdr(uint8_t ver, uint8_t code, uint8_t param1, uint8_t param2, uint8_t *out);
/*
 * A response's header: 0 if it is @code at @ver, -EREMOTEIO for an SPDM
 * ERROR (*@err, if not NULL: its code), -EBADMSG if shorter than 4, else
 * -EPROTO.
 */
int spdm_check_hdr(uint8_t ver, uint8_t code, const uint8_t *m, size_t len, uint8_t *err);
/* Encode ERROR(code, data) at SPDM version @ver into @out (>= 4 bytes). */
size_t spdm_enc_error(uint8_t ver, uint8_t code, uint8_t data, uint8_t *out);

struct spdm_caps {
	uint8_t ct_exponent;
	uint32_t flags;
	uint32_t data_transfer_size; /* 1.2+ */
	uint32_t max_msg_size; /* 1.2+ */
};

/* An offer (requester: bit sets) or a selection (responder: one bit each). */
/* OtherParams (1.2+): the opaque data table formats */
#define SPDM_OPAQUE_FMT0 0x01 /* DSP0277 table (SpecID "DMTF") */
#define SPDM_OPAQUE_FMT1 0x02 /* DSP0274 1.2 general opaque data table */

struct spdm_algs {
	uint8_t meas_spec;
	uint8_t other_params;
	uint32_t meas_hash; /* ALGORITHMS only */
	uint32_t base_asym;
	uint32_t base_hash;
	uint16_t dhe, aead, req_asym, key_schedule;
};

/*
 * @code is SPDM_GET_CAPABILITIES or SPDM_CAPABILITIES; the layout depends
 * on @ver (1.0: header only; 1.1: + CTExponent, Flags; 1.2+: + sizes).
 */
size_t spdm_enc_capabilities(uint8_t ver, uint8_t code, const struct spdm_caps *c, uint8_t *out);
int spdm_dec_capabilities(uint8_t ver, uint8_t code, const uint8_t *m, size_t len,
			  struct spdm_caps *c, uint8_t *err);
size_t spdm_enc_negotiate_algorithms(uint8_t ver, const struct spdm_algs *offer, uint8_t *out,
				     size_t cap);
int spdm_dec_negotiate_algorithms(uint8_t ver, const uint8_t *m, size_t len, struct spdm_algs *a,
				  uint8_t *err);
size_t spdm_enc_algorithms(uint8_t ver, const struct spdm_algs *sel, uint8_t *out, size_t cap);
/* Also checks the selection is one of each of what @offer offered. */
int spdm_dec_algorithms(uint8_t ver, const uint8_t *m, size_t len, const struct spdm_algs *offer,
			struct spdm_algs *sel, uint8_t *err);

/* Format the reason for a failure into @why and return @err. */
int spdm_why(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Explain a decoder's failure at @step (-EREMOTEIO: the ERROR @code),
 * with the field, its value and what was expected when the decoder said
 * (spdm_bad()).
 */
int spdm_why_decode(char *why, size_t len, const char *step, int ret, uint8_t code);
/*
 * A decoder's failure, in words: which field had which value and what was
 * expected ("Param1 bit 7 set (reserved)"). Kept per thread until the next
 * spdm_why_decode() or spdm_bad_clear(); returns @err.
 */
int spdm_bad(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void spdm_bad_clear(void);
/* "@what: <what the last decoder said>" into @why (for rules outside DSP0274's headers); @ret. */
int spdm_why_bad(char *why, size_t len, int ret, const char *what);

/* "1.2" style; returns 0 or -1. */
int spdm_ver_parse(const char *s, struct spdm_ver *v);
const char *spdm_error_name(uint8_t code);

/* Bytes of the negotiated hash, 0 if none or unknown. */
size_t spdm_hash_len(uint32_t base_hash);
/* Names for printing */
const char *spdm_asym_name(uint32_t bit);
const char *spdm_hash_name(uint32_t bit);
const char *spdm_dhe_name(uint16_t bit);
const char *spdm_aead_name(uint16_t bit);
/* Comma-separated names of the capability flags set in @flags. */
void spdm_caps_str(uint32_t flags, char *out, size_t len);

#endif
