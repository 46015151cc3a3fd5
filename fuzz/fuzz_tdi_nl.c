// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the TDI commands' reply side (common/tdi_nl.c) on whatever a
 * (hostile or broken) kernel could answer: tdi-get dumps and replies, the
 * tdi-begin reply with its ticket, the tdi-end reply, and an evt-tdi
 * decoded on its own. No socket: tsmh_nl_replay() hands the bytes to
 * libnl's receive loop.
 *
 * Input: a mode byte, then the bytes of one read (messages whose
 * nlmsg_seq is 0 get the number the call expects). Modes: 0 tdi-get dump,
 * 1 tdi-get of one TDI, 2 tdi-begin (START, with a nonce), 3 tdi-end (a
 * report), 4 the first message parsed as an evt-tdi.
 *
 * Invariants: 0 or -errno; on success every decoded name and message is a
 * string within its buffer, the state, op and cause within their enums,
 * the stream ID 0-255, a report's ranges within its length, a begin's
 * ticket non-zero.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include "nl_replay.h"
#include "tdi_nl.h"

static void check_str(const char *s, size_t cap)
{
	if (strnlen(s, cap) == cap)
		__builtin_trap();
}

static void check_tdi(const struct tsmh_tdinl_tdi *t)
{
	check_str(t->dev, sizeof(t->dev));
	check_str(t->dsm, sizeof(t->dsm));
	check_str(t->msg, sizeof(t->msg));
	if (t->state >= __TSMH_TDI_STATE_NR ||
	    ((t->has & TSMH_TDINL_H_OP) && t->op >= __TSMH_TDI_OP_NR) ||
	    ((t->has & TSMH_TDINL_H_STREAM) && t->stream_id > 255) ||
	    ((t->has & TSMH_TDINL_H_REPORT) && t->report_len &&
	     (uint64_t)t->nr_ranges * 16 + 16 > t->report_len))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nonce[TSMH_TDI_NONCE_LEN], report[64];
	struct tsmh_tdinl_begin b = { .op = TSMH_TDI_OP_START, .stream_id = -1, .nonce = nonce };
	struct tsmh_tdinl_end e = { .ticket = 1,
				    .error_code = -1,
				    .dev_state = 1,
				    .report = report,
				    .report_len = sizeof(report),
				    .msg = "fuzz" };
	struct tsmh_tdinl_list l = { 0 };
	struct tsmh_tdinl_tdi t;
	struct tsmh_nl nl;
	uint64_t ticket = 0;
	unsigned int i;
	char why[200];
	int mode, ret, cause;

	if (size < 1 || size > 1 << 16)
		return 0;
	mode = data[0] % 5;
	if (mode == 4) {
		struct nlmsghdr *h;
		struct nl_msg *m;

		if (size - 1 < NLMSG_HDRLEN + GENL_HDRLEN)
			return 0;
		h = malloc(size - 1);
		if (!h)
			abort();
		memcpy(h, data + 1, size - 1);
		if (h->nlmsg_len > size - 1 || h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
			free(h);
			return 0;
		}
		m = nlmsg_convert(h);
		free(h);
		if (!m)
			return 0;
		ret = tsmh_tdinl_parse_msg(m, &t, &ticket, &cause, why, sizeof(why));
		nlmsg_free(m);
		if (ret != 0 && ret != -EPROTO)
			__builtin_trap();
		check_str(why, sizeof(why));
		if (!ret) {
			check_tdi(&t);
			if (cause >= __TSMH_TDI_CAUSE_NR)
				__builtin_trap();
		}
		return 0;
	}
	fuzz_nl_replay(&nl, data + 1, size - 1);
	switch (mode) {
	case 0:
	case 1: ret = tsmh_tdi_get(&nl, mode ? "0000:03:00.1" : NULL, &l); break;
	case 2: ret = tsmh_tdi_begin(&nl, "0000:03:00.1", &b, &ticket, &t); break;
	default: ret = tsmh_tdi_end(&nl, "0000:03:00.1", &e, &t); break;
	}
	if (ret > 0 || ret < -4095)
		__builtin_trap(); /* 0 or -errno */
	for (i = 0; !ret && i < l.n; i++)
		check_tdi(&l.t[i]);
	if (!ret && mode >= 2)
		check_tdi(&t);
	if (!ret && mode == 2 && !ticket)
		__builtin_trap();
	tsmh_tdinl_list_free(&l);
	check_str(nl.err, sizeof(nl.err));
	nl_socket_free(nl.sk);
	return 0;
}
