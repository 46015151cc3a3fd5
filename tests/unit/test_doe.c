// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * DOE framing and the mailbox protocol: the host-side requester
 * (lib/doe_req.c) driven against the device-side register model
 * (lib/doe_mbox.c), with a scripted responder and a virtual clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "doe_mbox.h"
#include "doe_req.h"

#define CAP    0x100
#define CAP_DW 64

enum mode { ECHO, NEVER, DEV_ERROR, WRONG_PROT, BAD_LEN, BIG, HUGE, GONE };

static struct env {
	struct tsmh_doe_mbox mb;
	u32 wbuf[CAP_DW], rbuf[CAP_DW];
	u64 now_us;
	enum mode mode;
	int delay_waits; /* answer after this many waits */
	int waits;
	int cancel; /* wait() returns -ENODEV */
	u32 last_seq;
	u32 nr_data_reads; /* of the Read Data Mailbox */
} e;

static void reset_env(enum mode m)
{
	memset(&e, 0, sizeof(e));
	tsmh_doe_mbox_init(&e.mb, e.wbuf, e.rbuf, CAP_DW);
	e.mode = m;
}

static void respond(void)
{
	u8 obj[4 * CAP_DW + 16];
	u32 n = e.mb.wlen, i;

	if (!e.mb.pending)
		return;
	e.last_seq = e.mb.seq;
	switch (e.mode) {
	case NEVER: return;
	case DEV_ERROR: tsmh_doe_mbox_fail(&e.mb, e.mb.seq); return;
	case BIG:
	case HUGE:
		n = 10; /* header + 8 payload dwords */
		break;
	default: break;
	}
	for (i = 0; i < n; i++)
		tsmh_put_le32(obj + 4 * i, i < e.mb.wlen ? e.mb.wbuf[i] : 0xa0 + i);
	tsmh_put_le32(obj + 4, tsmh_doe_hdr1(n));
	if (e.mode == WRONG_PROT)
		tsmh_put_le32(obj, tsmh_doe_hdr0(1, 7));
	if (e.mode == BAD_LEN)
		tsmh_put_le32(obj + 4, tsmh_doe_hdr1(n + 1));
	/* echo with each payload byte inverted, so we see it was answered */
	for (i = 8; i < 4 * n && e.mode != BIG && e.mode != HUGE; i++)
		obj[i] ^= 0xff;
	tsmh_doe_mbox_complete(&e.mb, e.mb.seq, obj, 4 * n);
	/* a device whose header says Length 0: 2^18 dwords, the largest object */
	if (e.mode == HUGE)
		e.mb.rbuf[1] = 0;
}

static int rd32(void *ctx, u16 off, u32 *v)
{
	(void)ctx;
	if (e.mode == GONE) {
		*v = 0xffffffff;
		return 0;
	}
	if (off - CAP == TSMH_DOE_READ)
		e.nr_data_reads++;
	*v = tsmh_doe_mbox_read(&e.mb, off - CAP);
	return 0;
}

static int wr32(void *ctx, u16 off, u32 v)
{
	(void)ctx;
	tsmh_doe_mbox_write(&e.mb, off - CAP, v);
	return 0;
}

static int wait_us(void *ctx, u32 us)
{
	(void)ctx;
	if (e.cancel)
		return -ENODEV;
	e.now_us += us;
	if (++e.waits > e.delay_waits)
		respond();
	return 0;
}

static u64 now(void *ctx)
{
	(void)ctx;
	return e.now_us;
}

static const struct tsmh_doe_io io = {
	.read32 = rd32,
	.write32 = wr32,
	.wait = wait_us,
	.now_us = now,
	.cap = CAP,
};

static const u8 req[8] = { 0x10, 0x84, 0, 0, 1, 2, 3, 4 };
static u8 rsp[256];
static u32 rsp_len;

static int xchg(void)
{
	return tsmh_doe_req_exchange(&io, 1, 1, req, sizeof(req), rsp, sizeof(rsp), &rsp_len);
}

static void assert_idle(void)
{
	assert_int_equal(e.mb.status, 0);
	assert_false(e.mb.pending);
}

static void test_round_trip(void **s)
{
	int i;

	(void)s;
	reset_env(ECHO);
	assert_int_equal(xchg(), 0);
	assert_int_equal(rsp_len, sizeof(req));
	for (i = 0; i < 8; i++)
		assert_int_equal(rsp[i], req[i] ^ 0xff);
	assert_idle();
	assert_int_equal(e.mb.nr_submit, 1);
	/* and again, on the same mailbox */
	assert_int_equal(xchg(), 0);
	assert_int_equal(e.mb.nr_submit, 2);
}

static void test_slow_answer(void **s)
{
	(void)s;
	reset_env(ECHO);
	e.delay_waits = 20; /* back-off grows; still well inside 1 s */
	assert_int_equal(xchg(), 0);
	assert_true(e.now_us < TSMH_DOE_TIMEOUT_US);
}

static void test_request_not_dwords(void **s)
{
	(void)s;
	reset_env(ECHO);
	assert_int_equal(tsmh_doe_req_exchange(&io, 1, 1, req, 7, rsp, sizeof(rsp), &rsp_len),
			 -EINVAL);
	assert_int_equal(e.mb.nr_submit, 0);
}

static void test_timeout_aborts(void **s)
{
	(void)s;
	reset_env(NEVER);
	assert_int_equal(xchg(), -ETIMEDOUT);
	assert_true(e.now_us >= TSMH_DOE_TIMEOUT_US);
	assert_true(e.now_us < 3 * TSMH_DOE_TIMEOUT_US);
	assert_true(e.mb.nr_abort >= 1);
	assert_idle();
	/* a late answer to the aborted request is recognised and dropped */
	assert_int_equal(
		tsmh_doe_mbox_complete(&e.mb, e.last_seq, (const u8 *)"\1\0\1\0\2\0\0\0", 8),
		-ESTALE);
	assert_false(e.mb.status & TSMH_DOE_STATUS_DOR);
}

static void test_device_error(void **s)
{
	(void)s;
	reset_env(DEV_ERROR);
	assert_int_equal(xchg(), -EIO);
	assert_idle();
	assert_true(e.now_us < TSMH_DOE_TIMEOUT_US); /* no waiting out the timeout */
}

static void test_wrong_protocol(void **s)
{
	(void)s;
	reset_env(WRONG_PROT);
	assert_int_equal(xchg(), -EIO);
	assert_idle();
}

static void test_bad_length_from_device(void **s)
{
	(void)s;
	reset_env(BAD_LEN);
	assert_int_equal(xchg(), -EIO);
	assert_true(e.mb.nr_error >= 1); /* the model flagged Error */
	assert_idle();
}

static void test_response_too_big(void **s)
{
	u8 small[8];

	(void)s;
	reset_env(BIG);
	assert_int_equal(
		tsmh_doe_req_exchange(&io, 1, 1, req, sizeof(req), small, sizeof(small), &rsp_len),
		-EMSGSIZE);
	assert_int_equal(rsp_len, 32);
	assert_idle(); /* aborted, not left half-read */
	assert_int_equal(e.nr_data_reads, 2); /* the header only */
}

/*
 * A response announcing 2^18 dwords we would discard is aborted after its
 * header, not drained dword by dword (1 MiB of config cycles).
 */
static void test_response_huge_aborted(void **s)
{
	(void)s;
	reset_env(HUGE);
	assert_int_equal(xchg(), -EMSGSIZE);
	assert_int_equal(rsp_len, 4 * ((1u << 18) - 2));
	assert_int_equal(e.nr_data_reads, 2);
	assert_true(e.mb.nr_abort >= 1);
	assert_idle();
}

static void test_busy_mailbox(void **s)
{
	(void)s;
	reset_env(NEVER);
	/* someone else's request is in flight */
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, tsmh_doe_hdr0(1, 1));
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, tsmh_doe_hdr1(2));
	assert_int_equal(tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_GO),
			 TSMH_MBOX_SUBMIT);
	assert_int_equal(xchg(), -EBUSY);
	assert_int_equal(e.mb.nr_submit, 1); /* ours never went out */
}

static void test_foreign_response_left_alone(void **s)
{
	(void)s;
	reset_env(ECHO);
	/* another requester's response, not collected yet */
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, tsmh_doe_hdr0(1, 1));
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, tsmh_doe_hdr1(2));
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_GO);
	respond();
	assert_true(e.mb.status & TSMH_DOE_STATUS_DOR);
	assert_int_equal(xchg(), -EBUSY);
	assert_true(e.mb.status & TSMH_DOE_STATUS_DOR); /* still theirs */
	assert_int_equal(e.mb.nr_abort, 0);
}

static void test_error_left_over_cleared(void **s)
{
	(void)s;
	reset_env(ECHO);
	/* a previous exchange ended in Error: cleared by abort, then served */
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_GO);
	assert_true(e.mb.status & TSMH_DOE_STATUS_ERROR);
	assert_int_equal(xchg(), 0);
	assert_int_equal(rsp_len, sizeof(req));
	assert_int_equal(e.mb.nr_abort, 1);
}

static void test_device_gone(void **s)
{
	(void)s;
	reset_env(GONE);
	assert_int_equal(xchg(), -ENODEV);
}

static void test_cancelled_wait(void **s)
{
	(void)s;
	reset_env(NEVER);
	e.cancel = 1;
	assert_int_equal(xchg(), -ENODEV);
}

static void test_mbox_rules(void **s)
{
	int i;

	(void)s;
	reset_env(ECHO);
	/* GO with fewer than two dwords */
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, tsmh_doe_hdr0(1, 1));
	assert_int_equal(tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_GO),
			 TSMH_MBOX_NONE);
	assert_true(e.mb.status & TSMH_DOE_STATUS_ERROR);
	/* writes and GO are ignored while Error is set; abort clears it */
	assert_int_equal(tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_GO),
			 TSMH_MBOX_NONE);
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_ABORT);
	assert_int_equal(e.mb.status, 0);
	/* length field disagreeing with what was written */
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, tsmh_doe_hdr0(1, 1));
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, tsmh_doe_hdr1(3));
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_GO);
	assert_true(e.mb.status & TSMH_DOE_STATUS_ERROR);
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_ABORT);
	/* overflowing the mailbox */
	for (i = 0; i < CAP_DW + 1; i++)
		tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, i);
	assert_true(e.mb.status & TSMH_DOE_STATUS_ERROR);
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_ABORT);
	/* read mailbox without a response */
	assert_int_equal(tsmh_doe_mbox_read(&e.mb, TSMH_DOE_READ), 0);
	/* completing when nothing is pending */
	assert_int_equal(tsmh_doe_mbox_complete(&e.mb, e.mb.seq, (const u8 *)"\1\0\1\0\2\0\0\0", 8),
			 -ESTALE);
	/* a response object that is too short or ragged */
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, tsmh_doe_hdr0(1, 1));
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_WRITE, tsmh_doe_hdr1(2));
	tsmh_doe_mbox_write(&e.mb, TSMH_DOE_CTRL, TSMH_DOE_CTRL_GO);
	assert_int_equal(tsmh_doe_mbox_complete(&e.mb, e.mb.seq, (const u8 *)"\1\0\1\0\2", 5),
			 -EINVAL);
	assert_true(e.mb.status & TSMH_DOE_STATUS_ERROR);
}

static void test_header_codec(void **s)
{
	u16 vid;
	u8 type;
	u8 obj[12];
	struct tsmh_doe_disc_ent d;

	(void)s;
	assert_int_equal(tsmh_doe_hdr_len(0), 1u << 18);
	assert_int_equal(tsmh_doe_hdr1(1u << 18), 0);
	assert_int_equal(tsmh_doe_hdr_len(tsmh_doe_hdr1(5)), 5);
	assert_int_equal(tsmh_doe_hdr0(0x1234, 0x56), 0x00561234);
	tsmh_put_le32(obj, tsmh_doe_hdr0(1, 2));
	tsmh_put_le32(obj + 4, tsmh_doe_hdr1(3));
	tsmh_put_le32(obj + 8, 0);
	assert_int_equal(tsmh_doe_obj_check(obj, 12, &vid, &type), 0);
	assert_int_equal(vid, 1);
	assert_int_equal(type, 2);
	assert_int_equal(tsmh_doe_obj_check(obj, 8, &vid, &type), -EINVAL);
	assert_int_equal(tsmh_doe_obj_check(obj, 11, &vid, &type), -EINVAL);
	assert_int_equal(tsmh_doe_obj_check(obj, 4, &vid, &type), -EINVAL);
	tsmh_doe_disc_parse(tsmh_doe_disc_rsp(1, 2, 3), &d);
	assert_int_equal(d.vid, 1);
	assert_int_equal(d.type, 2);
	assert_int_equal(d.next, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_slow_answer),
		cmocka_unit_test(test_request_not_dwords),
		cmocka_unit_test(test_timeout_aborts),
		cmocka_unit_test(test_device_error),
		cmocka_unit_test(test_wrong_protocol),
		cmocka_unit_test(test_bad_length_from_device),
		cmocka_unit_test(test_response_too_big),
		cmocka_unit_test(test_response_huge_aborted),
		cmocka_unit_test(test_busy_mailbox),
		cmocka_unit_test(test_foreign_response_left_alone),
		cmocka_unit_test(test_error_left_over_cleared),
		cmocka_unit_test(test_device_gone),
		cmocka_unit_test(test_cancelled_wait),
		cmocka_unit_test(test_mbox_rules),
		cmocka_unit_test(test_header_codec),
	};

	return cmocka_run_group_tests_name("doe", tests, NULL, NULL);
}
