// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Digests, chunked certificate retrieval and chain framing, against a
 * scripted responder (this file) that can misbehave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "requester.h"

enum misbehave { NONE, GROW, STALL, OTHER_SLOT, TOO_MUCH, HUGE };

static uint8_t chain[8000];
static size_t chain_len;
static enum misbehave mode;
static int calls;

static int long_form; /* encode lengths < 128 in long form (not DER) */

/* A chain of three fake DER certificates (SEQUENCEs of filler). */
static void make_chain(size_t hash_len, size_t cert_body)
{
	size_t off = 4 + hash_len, hdr;
	int i;

	memset(chain, 0xaa, 4 + hash_len);
	for (i = 0; i < 3; i++) {
		chain[off] = 0x30;
		if (cert_body < 128 && !long_form) {
			chain[off + 1] = (uint8_t)cert_body;
			hdr = 2;
		} else if (cert_body < 256) {
			chain[off + 1] = 0x81;
			chain[off + 2] = (uint8_t)cert_body;
			hdr = 3;
		} else {
			chain[off + 1] = 0x82;
			chain[off + 2] = (uint8_t)(cert_body >> 8);
			chain[off + 3] = (uint8_t)cert_body;
			hdr = 4;
		}
		memset(chain + off + hdr, i, cert_body);
		off += hdr + cert_body;
	}
	chain[0] = (uint8_t)off;
	chain[1] = (uint8_t)(off >> 8);
	chain[2] = chain[3] = 0;
	chain_len = off;
}

static int responder(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp,
		     size_t cap, size_t *rsp_len)
{
	uint8_t slot;
	uint16_t off, want, plen, rem;

	(void)t;
	calls++;
	if (spdm_dec_get_certificate(0x12, req, len, &slot, &off, &want))
		return -EIO;
	if (off > chain_len)
		return -EIO;
	plen = (uint16_t)(chain_len - off < want ? chain_len - off : want);
	rem = (uint16_t)(chain_len - off - plen);
	switch (mode) {
	case GROW:
		if (off)
			rem += 10;
		break;
	case STALL: plen = 0; break;
	case OTHER_SLOT: slot ^= 1; break;
	case TOO_MUCH:
		plen = (uint16_t)((size_t)want + 1 <= chain_len - off ? want + 1 : plen);
		rem = (uint16_t)(chain_len - off - plen);
		break;
	case HUGE: rem = 65000; break;
	default: break;
	}
	*rsp_len = spdm_enc_certificate(0x12, slot, chain + off, plen, rem, rsp, cap);
	return 0;
}

static struct spdm_transport t = { .exchange = responder };
static struct spdm_conn_info ci;
static uint8_t buf[65535];
static char why[256];

static void setup(size_t transfer)
{
	spdm_conn_free(&ci);
	ci.ver = 0x12;
	ci.caps.flags = SPDM_CAP_CERT;
	ci.caps.data_transfer_size = (uint32_t)transfer;
	ci.algs.base_hash = SPDM_HASH_SHA384;
	mode = NONE;
	calls = 0;
	make_chain(48, 1000);
}

static void test_chain_in_portions(void **s)
{
	struct spdm_chain ch;
	size_t len;

	(void)s;
	setup(512);
	assert_int_equal(spdm_get_chain(&t, &ci, 0, buf, sizeof(buf), &len, why, sizeof(why)), 0);
	assert_int_equal(len, chain_len);
	assert_memory_equal(buf, chain, len);
	assert_int_equal(calls, (int)((chain_len + 503) / 504)); /* 512 - 8 per portion */
	assert_int_equal(spdm_chain_parse(buf, len, 48, &ch), 0);
	assert_int_equal(ch.nr, 3);
	assert_int_equal(ch.cert_len[2], 1004);
	assert_int_equal(ch.cert[2][4], 2); /* the leaf is last */
	assert_memory_equal(ch.root_hash, chain + 4, 48);
	/*
	 * A responder with libspdm's default DataTransferSize (4608): a chain
	 * of 3 KB comes in one round trip, not capped at 1024-byte portions
	 */
	setup(4608);
	assert_true(chain_len > 3000 && chain_len <= 4600);
	assert_int_equal(spdm_get_chain(&t, &ci, 0, buf, sizeof(buf), &len, why, sizeof(why)), 0);
	assert_int_equal(len, chain_len);
	assert_int_equal(calls, 1);
}

static void test_chain_hostile(void **s)
{
	size_t len;

	(void)s;
	setup(512);
	mode = GROW;
	assert_int_equal(spdm_get_chain(&t, &ci, 0, buf, sizeof(buf), &len, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "changed"));
	setup(512);
	mode = STALL;
	assert_int_equal(spdm_get_chain(&t, &ci, 0, buf, sizeof(buf), &len, why, sizeof(why)),
			 -EPROTO);
	assert_true(calls <= 1); /* refused at once, no endless loop */
	setup(512);
	mode = OTHER_SLOT;
	assert_int_equal(spdm_get_chain(&t, &ci, 0, buf, sizeof(buf), &len, why, sizeof(why)),
			 -EPROTO);
	setup(512);
	mode = TOO_MUCH;
	assert_int_equal(spdm_get_chain(&t, &ci, 0, buf, sizeof(buf), &len, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "requested"));
	setup(512);
	mode = HUGE;
	assert_int_equal(spdm_get_chain(&t, &ci, 0, buf, 4096, &len, why, sizeof(why)), -EFBIG);
}

static void test_needs_cert_cap(void **s)
{
	size_t len;

	(void)s;
	setup(512);
	ci.caps.flags = 0;
	assert_int_equal(spdm_get_chain(&t, &ci, 0, buf, sizeof(buf), &len, why, sizeof(why)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(why, "CERT_CAP"));
	setup(512);
	ci.algs.base_hash = 0;
	assert_int_equal(spdm_get_chain(&t, &ci, 0, buf, sizeof(buf), &len, why, sizeof(why)),
			 -EPROTO);
	assert_int_equal(calls, 0);
}

static void test_chain_parse_rules(void **s)
{
	struct spdm_chain ch;

	(void)s;
	make_chain(32, 100);
	assert_int_equal(spdm_chain_parse(chain, chain_len, 32, &ch), 0);
	assert_int_equal(ch.nr, 3);
	/* Length field disagreeing with the data */
	assert_int_equal(spdm_chain_parse(chain, chain_len - 1, 32, &ch), -EBADMSG);
	/* reserved field */
	chain[2] = 1;
	assert_int_equal(spdm_chain_parse(chain, chain_len, 32, &ch), -EPROTO);
	chain[2] = 0;
	/* not a SEQUENCE */
	chain[36] = 0x31;
	assert_int_equal(spdm_chain_parse(chain, chain_len, 32, &ch), -EPROTO);
	chain[36] = 0x30;
	/* non-minimal length encoding (0x81 0x64 for 100): not DER */
	long_form = 1;
	make_chain(32, 100);
	long_form = 0;
	assert_int_equal(spdm_chain_parse(chain, chain_len, 32, &ch), -EPROTO);
	/* indefinite length */
	make_chain(32, 100);
	chain[37] = 0x80;
	assert_int_equal(spdm_chain_parse(chain, chain_len, 32, &ch), -EPROTO);
	/* the last certificate running past the end */
	make_chain(32, 100);
	chain[36 + 2 * 102 + 1] = 120;
	assert_int_equal(spdm_chain_parse(chain, chain_len, 32, &ch), -EBADMSG);
	/* only the header and root hash: no certificate */
	chain[0] = 36;
	chain[1] = 0;
	assert_int_equal(spdm_chain_parse(chain, 36, 32, &ch), -EBADMSG);
}

static void test_digests(void **s)
{
	uint8_t d[SPDM_MAX_SLOTS][SPDM_MAX_HASH] = { { 0 } }, m[600], e;
	struct spdm_digests out;
	size_t n;

	(void)s;
	memset(d[0], 1, 48);
	memset(d[3], 3, 48);
	n = spdm_enc_digests(0x13, 0x0f, 0x09, (const uint8_t(*)[SPDM_MAX_HASH])d, 48, m,
			     sizeof(m));
	assert_int_equal(n, 4 + 2 * 48);
	assert_int_equal(spdm_dec_digests(0x13, m, n, 48, &out, &e), 0);
	assert_int_equal(out.provisioned, 0x09);
	assert_int_equal(out.supported, 0x0f);
	assert_memory_equal(out.digest[3], d[3], 48);
	/* truncated */
	assert_int_equal(spdm_dec_digests(0x13, m, n - 1, 48, &out, &e), -EBADMSG);
	/* provisioned but not supported (1.3) */
	m[2] = 0x01;
	assert_int_equal(spdm_dec_digests(0x13, m, n, 48, &out, &e), -EPROTO);
	/* 1.2 has no supported mask */
	m[0] = 0x12;
	m[2] = 0;
	assert_int_equal(spdm_dec_digests(0x12, m, n, 48, &out, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_in_portions), cmocka_unit_test(test_chain_hostile),
		cmocka_unit_test(test_needs_cert_cap),	  cmocka_unit_test(test_chain_parse_rules),
		cmocka_unit_test(test_digests),
	};

	return cmocka_run_group_tests_name("cert", tests, NULL, NULL);
}
