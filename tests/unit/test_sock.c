// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The spdm-emu socket framing's bounds (issue 11 item 11): a frame taken
 * piecemeal without blocking (the emulator's clients side by side), and
 * a receive or send with a deadline for the whole frame.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include "emu_sock.h"

static int sv[2];
static uint8_t buf[EMU_SOCK_MAX_PAYLOAD];

static void pair(void)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void unpair(void)
{
	close(sv[0]);
	close(sv[1]);
}

/* A frame (NORMAL, PCI_DOE, 4-byte payload) in pieces: whole only at the end. */
static void test_rx_feed_pieces(void **s)
{
	static const uint8_t f[16] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4, 'a', 'b', 'c', 'd' };
	static const size_t cut[] = { 5, 12, 14, 16 };
	struct emu_sock_rx rx = { 0 };
	size_t i, at = 0;

	(void)s;
	pair();
	/* nothing there: no frame, and no waiting */
	assert_int_equal(emu_sock_rx_feed(sv[0], &rx, buf, sizeof(buf)), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(write(sv[1], f + at, cut[i] - at), (ssize_t)(cut[i] - at));
		at = cut[i];
		assert_int_equal(emu_sock_rx_feed(sv[0], &rx, buf, sizeof(buf)), i == 3);
	}
	assert_int_equal(rx.f.cmd, EMU_SOCK_CMD_NORMAL);
	assert_int_equal(rx.f.transport, EMU_SOCK_TRANS_PCI_DOE);
	assert_int_equal(rx.f.len, 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(rx.got, 0);
	/* half a header, then the peer goes: a close inside a frame */
	assert_int_equal(write(sv[1], f, 6), 6);
	assert_int_equal(emu_sock_rx_feed(sv[0], &rx, buf, sizeof(buf)), 0);
	close(sv[1]);
	assert_int_equal(emu_sock_rx_feed(sv[0], &rx, buf, sizeof(buf)), -EPIPE);
	close(sv[0]);
	/* between frames it is an orderly end */
	pair();
	rx = (struct emu_sock_rx){ 0 };
	close(sv[1]);
	assert_int_equal(emu_sock_rx_feed(sv[0], &rx, buf, sizeof(buf)), -ECONNRESET);
	close(sv[0]);
	/* a frame announcing more than fits */
	pair();
	assert_int_equal(write(sv[1], "\0\0\0\1\0\0\0\2\0\1\0\0", 12), 12);
	assert_int_equal(emu_sock_rx_feed(sv[0], &rx, buf, 1024), -EMSGSIZE);
	unpair();
}

/* A peer that sends part of a frame and stops: the receive ends at the deadline. */
static void test_recv_deadline(void **s)
{
	struct emu_frame f;
	int64_t t0;
	size_t got;

	(void)s;
	pair();
	assert_int_equal(write(sv[1], "\0\0\0\1\0\0\0\2\0\0\0\4ab", 14), 14);
	t0 = emu_sock_now_ms();
	assert_int_equal(
		emu_sock_recv_by(sv[0], &f, buf, sizeof(buf), emu_sock_deadline(200), &got),
		-ETIMEDOUT);
	assert_in_range(emu_sock_now_ms() - t0, 150, 2000);
	assert_int_equal(got, 14);
	/* the rest arrives in time: the frame is whole */
	unpair();
	pair();
	assert_int_equal(write(sv[1], "\0\0\0\1\0\0\0\2\0\0\0\4abcd", 16), 16);
	assert_int_equal(
		emu_sock_recv_by(sv[0], &f, buf, sizeof(buf), emu_sock_deadline(200), &got), 0);
	assert_int_equal(got, 16);
	assert_int_equal(f.len, 4);
	unpair();
}

/* A peer that does not read: the send ends at the deadline instead of blocking. */
static void test_send_deadline(void **s)
{
	int i, ret = 0;

	(void)s;
	pair();
	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < 64 && !ret; i++)
		ret = emu_sock_send_by(sv[0], EMU_SOCK_CMD_NORMAL, EMU_SOCK_TRANS_PCI_DOE, buf,
				       EMU_SOCK_MAX_PAYLOAD, emu_sock_deadline(100));
	assert_int_equal(ret, -ETIMEDOUT);
	unpair();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_feed_pieces),
		cmocka_unit_test(test_recv_deadline),
		cmocka_unit_test(test_send_deadline),
	};

	return cmocka_run_group_tests_name("sock", tests, NULL, NULL);
}
