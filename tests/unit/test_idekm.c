// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * lib/idekm.c: every IDE_KM object round-trips through encode/decode with
 * the byte layout of libspdm's pci_idekm.h; the VENDOR_DEFINED wrapping
 * carries PCI-SIG/IDE_KM in both the short and the DSP0274 1.4 large form;
 * a QUERY_RESP's capability copy must be exactly the blocks its own
 * registers announce; every refusal names the field, its value and what
 * was expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ide_cap.h"
#include "idekm.h"
#include "pcicap.h"

static char whybuf[256];

static const char *say(const struct tsmh_idekm_why *w)
{
	tsmh_idekm_why_format(w, whybuf, sizeof(whybuf));
	return whybuf;
}

/* cap: selective with @nsel streams of @assoc blocks, @nlink link TCs (0: none) */
static size_t make_cap(uint8_t *p, unsigned int nsel, unsigned int assoc, unsigned int nlink)
{
	uint32_t cap = TSMH_IDE_CAP_IDE_KM | TSMH_IDE_CAP_TEE_LIMITED;
	size_t dw = 2;
	unsigned int i, j;

	if (nsel)
		cap |= TSMH_IDE_CAP_SELECTIVE | (nsel - 1) << TSMH_IDE_CAP_SEL_NUM_SHIFT;
	if (nlink)
		cap |= TSMH_IDE_CAP_LINK | (nlink - 1) << TSMH_IDE_CAP_LINK_TC_SHIFT;
	tsmh_put_le32(p, cap);
	tsmh_put_le32(p + 4, 0);
	for (i = 0; i < nlink; i++, dw += 2) {
		tsmh_put_le32(p + 4 * dw, 0);
		tsmh_put_le32(p + 4 * dw + 4, 0);
	}
	for (i = 0; i < nsel; i++) {
		tsmh_put_le32(p + 4 * dw++, assoc);
		for (j = 0; j < 4 + 3 * assoc; j++)
			tsmh_put_le32(p + 4 * dw++, 0x11111111 * (j & 7));
	}
	return 4 * dw;
}

static void test_fixed_roundtrip(void **st)
{
	static const uint8_t ids[] = { TSMH_IDEKM_KP_ACK, TSMH_IDEKM_K_SET_GO,
				       TSMH_IDEKM_K_SET_STOP, TSMH_IDEKM_K_GOSTOP_ACK };
	struct tsmh_idekm_msg m = { 0 }, d;
	struct tsmh_idekm_why w;
	uint8_t buf[64];
	unsigned int i;

	(void)st;
	m.object_id = TSMH_IDEKM_QUERY;
	m.port_index = 5;
	assert_int_equal(tsmh_idekm_encode(&m, buf, sizeof(buf)), 3);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[2], 5);
	assert_int_equal(tsmh_idekm_decode(buf, 3, &d, &w), 0);
	assert_int_equal(d.port_index, 5);
	assert_int_equal(tsmh_idekm_decode(buf, 4, &d, &w), -EBADMSG);
	assert_string_equal(say(&w), "QUERY: length 0x4, expected 3 bytes");

	for (i = 0; i < sizeof(ids); i++) {
		memset(&m, 0, sizeof(m));
		m.object_id = ids[i];
		m.stream_id = 0x42;
		m.status = ids[i] == TSMH_IDEKM_KP_ACK ? 3 : 0;
		m.key_sub_stream = tsmh_idekm_kss(1, 1, TSMH_IDEKM_CPL);
		m.port_index = 7;
		memset(buf, 0xee, sizeof(buf));
		assert_int_equal(tsmh_idekm_encode(&m, buf, sizeof(buf)), 7);
		/* libspdm pci_ide_km_kp_ack_t: id, rsvd[2], stream, status, kss, port */
		assert_int_equal(buf[0], ids[i]);
		assert_int_equal(buf[1], 0);
		assert_int_equal(buf[2], 0);
		assert_int_equal(buf[3], 0x42);
		assert_int_equal(buf[4], m.status);
		assert_int_equal(buf[5], 0x23);
		assert_int_equal(buf[6], 7);
		assert_int_equal(tsmh_idekm_decode(buf, 7, &d, &w), 0);
		assert_int_equal(d.object_id, ids[i]);
		assert_int_equal(d.stream_id, 0x42);
		assert_int_equal(d.status, m.status);
		assert_int_equal(d.key_sub_stream, 0x23);
		assert_int_equal(d.port_index, 7);
		assert_int_equal(tsmh_idekm_decode(buf, 8, &d, &w), -EBADMSG);
		assert_non_null(strstr(say(&w), "length 0x8, expected 7 bytes"));
		assert_int_equal(tsmh_idekm_decode(buf, 6, &d, &w), -EBADMSG);
	}
	buf[0] = 7;
	assert_int_equal(tsmh_idekm_decode(buf, 7, &d, &w), -EPROTO);
	assert_string_equal(say(&w),
			    "IDE_KM: object ID 0x7, expected 0x00-0x06 (QUERY ... K_GOSTOP_ACK)");
	assert_int_equal(tsmh_idekm_decode(buf, 0, &d, &w), -EBADMSG);
}

static void test_key_prog(void **st)
{
	struct tsmh_idekm_msg m = { 0 }, d;
	struct tsmh_idekm_why w;
	uint8_t key[32], ifv[8], buf[64];
	unsigned int i;

	(void)st;
	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < 8; i++)
		ifv[i] = (uint8_t)(0x10 + i);
	m.object_id = TSMH_IDEKM_KEY_PROG;
	m.stream_id = 3;
	m.key_sub_stream = tsmh_idekm_kss(0, 1, TSMH_IDEKM_NPR);
	m.port_index = 0;
	m.key = key;
	m.ifv = ifv;
	assert_int_equal(tsmh_idekm_encode(&m, buf, 46), 0);
	assert_int_equal(tsmh_idekm_encode(&m, buf, sizeof(buf)), 47);
	assert_int_equal(buf[3], 3);
	assert_int_equal(buf[4], 0);
	assert_int_equal(buf[5], 0x12);
	/* key at +7 from the object ID, +8 from the protocol ID: DWORD aligned there */
	assert_memory_equal(buf + 7, key, 32);
	assert_memory_equal(buf + 39, ifv, 8);
	assert_int_equal(tsmh_idekm_decode(buf, 47, &d, &w), 0);
	assert_ptr_equal(d.key, buf + 7);
	assert_ptr_equal(d.ifv, buf + 39);
	assert_int_equal(d.key_sub_stream, 0x12);
	assert_int_equal(tsmh_idekm_kss_sub(d.key_sub_stream), TSMH_IDEKM_NPR);
	/* short: the header is still decoded, so a responder can answer INCORRECT_LENGTH */
	assert_int_equal(tsmh_idekm_decode(buf, 40, &d, &w), -EBADMSG);
	assert_int_equal(d.stream_id, 3);
	assert_int_equal(d.key_sub_stream, 0x12);
	assert_null(d.key);
	assert_string_equal(say(&w),
			    "KEY_PROG: length 0x28, expected 47 bytes (7 + key 32 + IFV 8)");
}

static void test_query_resp(void **st)
{
	struct tsmh_idekm_msg m = { 0 }, d;
	struct tsmh_ide_cap_copy c;
	struct tsmh_idekm_why w;
	uint8_t cap[4 * 200], buf[1024];
	size_t n, len;

	(void)st;
	/* 2 selective streams with 2 address association blocks, 1 link TC */
	n = make_cap(cap, 2, 2, 1);
	assert_int_equal(n, 4 * (2 + 2 + 2 * 11));
	assert_int_equal(tsmh_ide_cap_copy_check(cap, n, &c, &w), 0);
	assert_int_equal(c.nr_link, 1);
	assert_int_equal(c.nr_sel, 2);
	assert_int_equal(c.assoc[0], 2);
	assert_int_equal(c.assoc[1], 2);
	m.object_id = TSMH_IDEKM_QUERY_RESP;
	m.port_index = 0;
	m.dev_func = 0x08;
	m.bus = 3;
	m.segment = 1;
	m.max_port_index = 0;
	m.cap = cap;
	m.cap_len = (uint32_t)n;
	len = tsmh_idekm_encode(&m, buf, sizeof(buf));
	assert_int_equal(len, 7 + n);
	assert_int_equal(buf[3], 8);
	assert_int_equal(buf[4], 3);
	assert_int_equal(buf[5], 1);
	assert_memory_equal(buf + 7, cap, n);
	assert_int_equal(tsmh_idekm_decode(buf, len, &d, &w), 0);
	assert_int_equal(d.cap_len, n);
	assert_int_equal(tsmh_get_le32(d.cap), tsmh_get_le32(cap));
	/* one DWORD short or long, or not whole DWORDs: refused, named */
	assert_int_equal(tsmh_idekm_decode(buf, len - 4, &d, &w), -EBADMSG);
	assert_null(d.cap);
	assert_non_null(strstr(say(&w), "QUERY_RESP IDE capability copy: DWORDs 0x19"));
	assert_int_equal(tsmh_idekm_decode(buf, len + 4, &d, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "exactly the blocks"));
	assert_int_equal(tsmh_idekm_decode(buf, len - 1, &d, &w), -EBADMSG);
	assert_non_null(strstr(say(&w), "multiple of 4"));
	/* a selective block claiming more association blocks than there are */
	tsmh_put_le32(buf + 7 + 4 * 4, 3);
	assert_int_equal(tsmh_idekm_decode(buf, len, &d, &w), -EBADMSG);
	/* the encoder refuses an inconsistent copy too */
	m.cap_len -= 4;
	assert_int_equal(tsmh_idekm_encode(&m, buf, sizeof(buf)), 0);
	/* no link, no selective: just the two registers */
	n = make_cap(cap, 0, 0, 0);
	assert_int_equal(tsmh_ide_cap_copy_check(cap, n, &c, &w), 0);
	assert_int_equal(c.nr_sel, 0);
	assert_int_equal(tsmh_ide_cap_copy_check(cap, 4, &c, &w), -EBADMSG);
	/* 8 link TCs, 3 streams of 15 blocks */
	n = make_cap(cap, 3, 15, 8);
	assert_int_equal(tsmh_ide_cap_copy_check(cap, n, &c, &w), 0);
	assert_int_equal(c.nr_link, 8);
	assert_int_equal(c.assoc[2], 15);
	assert_string_equal(tsmh_ide_alg_name((u8)((tsmh_get_le32(cap) & TSMH_IDE_CAP_ALG_MASK) >>
						   TSMH_IDE_CAP_ALG_SHIFT)),
			    "aes-gcm-256-96");
}

static void test_vdm(void **st)
{
	struct tsmh_idekm_why w;
	struct tsmh_vdm v;
	uint8_t m[64];

	(void)st;
	memset(m, 0xcc, sizeof(m));
	assert_int_equal(tsmh_vdm_put_hdr(m, 0x12, 0, TSMH_PCI_PROTOCOL_IDE_KM, 3), 12);
	/* pcidoe.h pci_doe_spdm_vendor_defined_header_t */
	assert_int_equal(m[1], 0xfe);
	assert_int_equal(m[2], 0);
	assert_int_equal(tsmh_get_le16(m + 4), 3);
	assert_int_equal(m[6], 2);
	assert_int_equal(tsmh_get_le16(m + 7), 1);
	assert_int_equal(tsmh_get_le16(m + 9), 4);
	assert_int_equal(m[11], 0);
	m[12] = 0;
	m[13] = 0;
	m[14] = 0;
	assert_int_equal(tsmh_vdm_decode(m, 15, 0, &v, &w), 0);
	assert_int_equal(v.protocol, 0);
	assert_int_equal(v.len, 3);
	assert_ptr_equal(v.payload, m + 12);
	/* DOE padding allowed, more is not */
	assert_int_equal(tsmh_vdm_decode(m, 18, 0, &v, &w), 0);
	assert_int_equal(tsmh_vdm_decode(m, 19, 0, &v, &w), -EBADMSG);
	assert_int_equal(tsmh_vdm_decode(m, 14, 0, &v, &w), -EBADMSG);
	assert_string_equal(say(&w), "VENDOR_DEFINED_REQUEST: payload length 0x4, expected no "
				     "more than the bytes that arrived after the header");
	/* a request where a response is expected */
	assert_int_equal(tsmh_vdm_decode(m, 15, 1, &v, &w), -EPROTO);
	assert_non_null(strstr(say(&w), "code 0xfe, expected 0x7e"));
	m[4] = 4;
	assert_int_equal(tsmh_vdm_decode(m, 15, 0, &v, &w), -EPROTO);
	assert_string_equal(say(&w),
			    "VENDOR_DEFINED_REQUEST: StandardID 0x4, expected 3 (PCI-SIG)");
	m[4] = 3;
	m[7] = 0x98;
	m[8] = 0x1e; /* CXL */
	assert_int_equal(tsmh_vdm_decode(m, 15, 0, &v, &w), -EPROTO);
	assert_non_null(strstr(say(&w), "VendorID 0x1e98"));
	m[7] = 1;
	m[8] = 0;
	m[6] = 3;
	assert_int_equal(tsmh_vdm_decode(m, 15, 0, &v, &w), -EPROTO);
	m[6] = 2;
	/* Param1 bit 0 at 1.2/1.3 is reserved: still the short form */
	m[2] = 1;
	assert_int_equal(tsmh_vdm_decode(m, 15, 0, &v, &w), 0);
	assert_int_equal(v.large, 0);
	/* at 1.4 it is the large form: reserved u16, u32 length, protocol at 15 */
	m[0] = 0x14;
	m[9] = 0;
	m[10] = 0;
	tsmh_put_le32(m + 11, 4);
	m[15] = 0;
	m[16] = 0;
	m[17] = 0;
	m[18] = 9;
	assert_int_equal(tsmh_vdm_decode(m, 19, 0, &v, &w), 0);
	assert_int_equal(v.large, 1);
	assert_int_equal(v.len, 3);
	assert_int_equal(v.payload[2], 9);
	/* an SPDM ERROR instead of the response */
	m[1] = 0x7f;
	m[2] = 0x0b;
	assert_int_equal(tsmh_vdm_decode(m, 4, 1, &v, &w), -EREMOTEIO);
	assert_int_equal(w.got, 0x0b);
	assert_int_equal(tsmh_vdm_decode(m, 3, 1, &v, &w), -EBADMSG);
}

static void test_names(void **st)
{
	char b[32];

	(void)st;
	assert_string_equal(tsmh_idekm_status_name(2), "unsupported port index");
	assert_string_equal(tsmh_idekm_status_name(9), "unknown");
	assert_string_equal(tsmh_idekm_obj_name(6), "K_GOSTOP_ACK");
	assert_string_equal(tsmh_idekm_kss_format(tsmh_idekm_kss(0, 1, 0), b, sizeof(b)),
			    "K0 TX PR");
	assert_string_equal(tsmh_idekm_kss_format(tsmh_idekm_kss(1, 0, 2), b, sizeof(b)),
			    "K1 RX CPL");
	assert_string_equal(tsmh_idekm_kss_format(0x51, b, sizeof(b)), "K1 RX sub-stream 5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_roundtrip), cmocka_unit_test(test_key_prog),
		cmocka_unit_test(test_query_resp),	cmocka_unit_test(test_vdm),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
