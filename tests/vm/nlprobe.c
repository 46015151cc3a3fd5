// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * nlprobe: sends malformed and hostile requests to the "tsmh" family and
 * checks that each one is refused with the right errno and an extended
 * ACK message, and that well-formed ones still work afterwards.
 * Usage: nlprobe DEV   (DEV: a tracked device with a CMA mailbox)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nl.h"

static int failures;
static struct tsmh_nl nl;

static void check(const char *name, int ret, int want, const char *msg)
{
	int good = ret == want && (!msg || strstr(nl.err, msg));

	printf("%s %s: got %d (%s) \"%s\"; want %d%s%s%s\n", good ? "PASS" : "FAIL", name, ret,
	       ret ? strerror(-ret) : "ok", nl.err, want, msg ? " \"" : "", msg ? msg : "",
	       msg ? "\"" : "");
	if (!good)
		failures++;
}

static struct nl_msg *req(uint8_t cmd, const char *dev)
{
	struct nl_msg *m = tsmh_nl_msg(&nl, cmd, 0);

	if (!m)
		exit(2);
	if (dev)
		nla_put_string(m, TSMH_A_DEV_NAME, dev);
	return m;
}

static void put_cma(struct nl_msg *m)
{
	static const uint8_t get_version[] = { 0x10, 0x84, 0, 0 };

	nla_put_u16(m, TSMH_A_DOE_VENDOR, 1);
	nla_put_u8(m, TSMH_A_DOE_TYPE, 1);
	nla_put(m, TSMH_A_DOE_REQUEST, sizeof(get_version), get_version);
}

static int count_cb(struct nl_msg *m, void *arg)
{
	(void)m;
	(*(int *)arg)++;
	return 0;
}

int main(int argc, char **argv)
{
	const char *dev;
	struct nl_msg *m;
	uint8_t *big;
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: nlprobe DEV\n");
		return 2;
	}
	dev = argv[1];
	if (tsmh_nl_open(&nl)) {
		fprintf(stderr, "nlprobe: %s\n", nl.err);
		return 1;
	}

	m = req(TSMH_CMD_GET_CAPS, NULL);
	check("caps", tsmh_nl_call(&nl, m, NULL, NULL), 0, NULL);

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	put_cma(m);
	check("well-formed exchange", tsmh_nl_call(&nl, m, NULL, NULL), 0, NULL);

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	nla_put_u32(m, TSMH_A_DOE_VENDOR, 1); /* u16 expected */
	nla_put_u8(m, TSMH_A_DOE_TYPE, 1);
	nla_put(m, TSMH_A_DOE_REQUEST, 4, "\x10\x84\0\0");
	check("u32 where u16 expected", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "length");

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	put_cma(m);
	nla_put_u32(m, TSMH_A_MAX + 3, 7);
	check("unknown attribute", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "nknown attribute");

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	put_cma(m);
	nla_put_u16(m, TSMH_A_DEV_VENDOR, 0x1234); /* reply-only attribute */
	check("reply-only attribute in request", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "ttribute");

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	put_cma(m);
	nla_put_u32(m, TSMH_A_FLAGS, 0x80);
	check("unknown flag bits", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "unknown flag bits");

	m = req(TSMH_CMD_DOE_EXCHANGE, NULL);
	put_cma(m);
	check("missing device name", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "device name");

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	nla_put_u16(m, TSMH_A_DOE_VENDOR, 1);
	nla_put_u8(m, TSMH_A_DOE_TYPE, 1);
	check("missing request payload", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "request payload");

	m = req(TSMH_CMD_DOE_EXCHANGE, "0000:99:00.0");
	put_cma(m);
	check("unknown device", tsmh_nl_call(&nl, m, NULL, NULL), -ENODEV, "no such device");

	m = req(TSMH_CMD_DOE_EXCHANGE, "0123456789012345678901234567890123456789");
	put_cma(m);
	check("overlong device name", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "policy");

	m = req(TSMH_CMD_DOE_EXCHANGE, NULL);
	nla_put(m, TSMH_A_DEV_NAME, 4, "abcd"); /* no NUL */
	put_cma(m);
	check("unterminated device name", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, NULL);

	big = calloc(1, TSMH_DOE_PAYLOAD_MAX + 4);
	m = nlmsg_alloc_size(TSMH_DOE_PAYLOAD_MAX + 4096);
	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, nl.family, 0, 0, TSMH_CMD_DOE_EXCHANGE,
		    TSMH_GENL_VERSION);
	nla_put_string(m, TSMH_A_DEV_NAME, dev);
	nla_put_u16(m, TSMH_A_DOE_VENDOR, 1);
	nla_put_u8(m, TSMH_A_DOE_TYPE, 1);
	if (nla_put(m, TSMH_A_DOE_REQUEST, TSMH_DOE_PAYLOAD_MAX + 1, big)) {
		printf("FAIL cannot build the oversized request\n");
		failures++;
	}
	check("oversized request payload", tsmh_nl_call(&nl, m, NULL, NULL), -ERANGE, NULL);
	free(big);

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	nla_put_u16(m, TSMH_A_DOE_VENDOR, 0x1234);
	nla_put_u8(m, TSMH_A_DOE_TYPE, 5);
	nla_put(m, TSMH_A_DOE_REQUEST, 4, "\0\0\0\0");
	check("protocol not offered", tsmh_nl_call(&nl, m, NULL, NULL), -EOPNOTSUPP, "protocol");

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	put_cma(m);
	nla_put_u16(m, TSMH_A_MB_OFFSET, 0x200);
	check("no mailbox at offset", tsmh_nl_call(&nl, m, NULL, NULL), -ENOENT, "offset");

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	put_cma(m);
	genlmsg_hdr(nlmsg_hdr(m))->reserved = 1;
	check("reserved header field set", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "reserved");

	m = tsmh_nl_msg(&nl, TSMH_CMD_DEV_GET, 1);
	genlmsg_hdr(nlmsg_hdr(m))->reserved = 1;
	check("reserved header field set in a dump", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "reserved");

	m = tsmh_nl_msg(&nl, 200, 0);
	check("unknown command", tsmh_nl_call(&nl, m, NULL, NULL), -EOPNOTSUPP, NULL);

	m = req(TSMH_CMD_DEV_GET, "0000:99:00.0");
	check("get unknown device", tsmh_nl_call(&nl, m, NULL, NULL), -ENODEV, "no such device");

	m = tsmh_nl_msg(&nl, TSMH_CMD_DEV_GET, 1);
	nla_put_u32(m, TSMH_A_FLAGS, 1);
	check("unknown flag bits in a dump", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "unknown flag bits");

	m = tsmh_nl_msg(&nl, TSMH_CMD_DEV_GET, 1);
	nla_put_string(m, TSMH_A_DEV_NAME, dev);
	check("device name in a dump", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "no device name");

	m = req(TSMH_CMD_DOE_RELEASE, dev);
	check("release unclaimed mailbox", tsmh_nl_call(&nl, m, NULL, NULL), -ENOENT,
	      "not claimed");

	/* evidence store (DEV holds no evidence in this test) */
	m = req(TSMH_CMD_EVIDENCE_PUT, dev);
	nla_put_u32(m, TSMH_A_EV_TYPE, TSMH_EV_VCA);
	nla_put_u32(m, TSMH_A_EV_OFFSET, 0);
	nla_put_u32(m, TSMH_A_EV_TOTAL, 4);
	check("evidence chunk without data", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "chunk data");

	m = req(TSMH_CMD_EVIDENCE_PUT, dev);
	nla_put_u32(m, TSMH_A_EV_TYPE, TSMH_EV_VCA);
	nla_put_u32(m, TSMH_A_EV_OFFSET, 0);
	nla_put_u32(m, TSMH_A_EV_TOTAL, 4);
	nla_put(m, TSMH_A_EV_DATA, 4, "abcd");
	nla_put(m, TSMH_A_EV_DIGEST, 4, "abcd"); /* reply-only */
	check("evidence digest in a put", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "ttribute");

	m = req(TSMH_CMD_EVIDENCE_PUT, dev);
	nla_put_u32(m, TSMH_A_EV_TYPE, TSMH_EV_VCA);
	nla_put_u32(m, TSMH_A_EV_OFFSET, 0);
	nla_put_u32(m, TSMH_A_EV_TOTAL, 4);
	nla_put(m, TSMH_A_EV_DATA, 4, "abcd");
	nla_put_u32(m, TSMH_A_FLAGS, 1);
	check("evidence put with flags", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "unknown flag bits");

	big = calloc(1, TSMH_EV_CHUNK_MAX + 4);
	m = nlmsg_alloc_size(TSMH_EV_CHUNK_MAX + 4096);
	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, nl.family, 0, 0, TSMH_CMD_EVIDENCE_PUT,
		    TSMH_GENL_VERSION);
	nla_put_string(m, TSMH_A_DEV_NAME, dev);
	nla_put_u32(m, TSMH_A_EV_TYPE, TSMH_EV_VCA);
	nla_put_u32(m, TSMH_A_EV_OFFSET, 0);
	nla_put_u32(m, TSMH_A_EV_TOTAL, TSMH_EV_CHUNK_MAX + 1);
	if (nla_put(m, TSMH_A_EV_DATA, TSMH_EV_CHUNK_MAX + 1, big)) {
		printf("FAIL cannot build the oversized chunk\n");
		failures++;
	}
	check("oversized evidence chunk", tsmh_nl_call(&nl, m, NULL, NULL), -ERANGE, NULL);
	free(big);

	m = req(TSMH_CMD_EVIDENCE_COMMIT, dev);
	check("evidence commit without provenance", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "provenance");

	m = req(TSMH_CMD_EVIDENCE_COMMIT, dev);
	nla_put_u32(m, TSMH_A_EV_PROVENANCE, TSMH_EV_PROV_SPDM);
	check("evidence commit with nothing staged", tsmh_nl_call(&nl, m, NULL, NULL), -ENODATA,
	      "nothing staged");

	m = req(TSMH_CMD_EVIDENCE_ABORT, dev);
	check("evidence abort with nothing staged", tsmh_nl_call(&nl, m, NULL, NULL), -ENOENT,
	      "no evidence staged");

	m = req(TSMH_CMD_EVIDENCE_GET, dev);
	check("evidence get without dump flag", tsmh_nl_call(&nl, m, NULL, NULL), -EOPNOTSUPP,
	      NULL);

	m = tsmh_nl_msg(&nl, TSMH_CMD_EVIDENCE_GET, 1);
	check("evidence dump without device", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "device name");

	m = tsmh_nl_msg(&nl, TSMH_CMD_EVIDENCE_GET, 1);
	nla_put_string(m, TSMH_A_DEV_NAME, dev);
	nla_put_u32(m, TSMH_A_FLAGS, 0x10);
	check("evidence dump with unknown flags", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "unknown flag bits");

	m = tsmh_nl_msg(&nl, TSMH_CMD_EVIDENCE_GET, 1);
	nla_put_string(m, TSMH_A_DEV_NAME, dev);
	nla_put_u32(m, TSMH_A_EV_TYPE_MASK, 1U << 31);
	check("evidence dump with unknown type", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "type mask");

	m = tsmh_nl_msg(&nl, TSMH_CMD_EVIDENCE_GET, 1);
	nla_put_string(m, TSMH_A_DEV_NAME, dev);
	check("evidence dump, none held", tsmh_nl_call(&nl, m, NULL, NULL), -ENOENT,
	      "no evidence held");

	m = tsmh_nl_msg(&nl, TSMH_CMD_EVIDENCE_GET, 1);
	nla_put_string(m, TSMH_A_DEV_NAME, "0000:99:00.0");
	check("evidence dump, unknown device", tsmh_nl_call(&nl, m, NULL, NULL), -ENODEV,
	      "no such device");

	/* driver gate (ABI 3): every refusal names the problem, nothing changes */
	m = req(TSMH_CMD_GATE_SET, dev);
	check("gate without action", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "gate action");

	m = req(TSMH_CMD_GATE_SET, dev);
	nla_put_u32(m, TSMH_A_GATE_ACTION, 77);
	check("gate, unknown action", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "unknown gate action");

	m = req(TSMH_CMD_GATE_SET, dev);
	nla_put_u32(m, TSMH_A_GATE_ACTION, TSMH_GATE_ACT_UNSPEC);
	check("gate, action 0", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "unknown gate action");

	m = req(TSMH_CMD_GATE_SET, dev);
	nla_put_u32(m, TSMH_A_GATE_ACTION, TSMH_GATE_ACT_HOLD);
	nla_put_u32(m, TSMH_A_GATE_REASON, TSMH_GATE_R_ATTESTED);
	check("gate, hold as attested", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "hold takes reason admin");

	m = req(TSMH_CMD_GATE_SET, dev);
	nla_put_u32(m, TSMH_A_GATE_ACTION, TSMH_GATE_ACT_RELEASE);
	nla_put_u32(m, TSMH_A_GATE_REASON, TSMH_GATE_R_BYPASS);
	check("gate, release as bypass", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "release takes reason");

	m = req(TSMH_CMD_GATE_SET, dev);
	nla_put_u32(m, TSMH_A_GATE_ACTION, TSMH_GATE_ACT_RELEASE);
	nla_put_u32(m, TSMH_A_GATE_REASON, TSMH_GATE_R_ATTESTED);
	check("gate, attested without digest", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "needs TSMH_A_ACCEPT_DIGEST");

	big = calloc(1, 512);
	memset(big, 'x', 300);
	m = req(TSMH_CMD_GATE_SET, dev);
	nla_put_u32(m, TSMH_A_GATE_ACTION, TSMH_GATE_ACT_HOLD);
	nla_put_string(m, TSMH_A_GATE_MSG, (char *)big);
	check("gate, oversized message", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "message too long");

	m = req(TSMH_CMD_GATE_SET, dev);
	nla_put_u32(m, TSMH_A_GATE_ACTION, TSMH_GATE_ACT_RELEASE);
	nla_put_u32(m, TSMH_A_GATE_REASON, TSMH_GATE_R_ATTESTED);
	nla_put(m, TSMH_A_ACCEPT_DIGEST, 65, big);
	nla_put_u64(m, TSMH_A_ACCEPT_GENERATION, 1);
	check("gate, oversized digest", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "1 to 64 bytes");

	m = req(TSMH_CMD_GATE_SET, dev);
	nla_put_u32(m, TSMH_A_GATE_ACTION, TSMH_GATE_ACT_HOLD);
	nla_put(m, TSMH_A_ACCEPT_DIGEST, 4, big);
	check("gate, digest with hold", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL,
	      "release as attested only");
	free(big);

	m = req(TSMH_CMD_GATE_SET, dev);
	nla_put_u32(m, TSMH_A_GATE_ACTION, TSMH_GATE_ACT_HOLD);
	nla_put_u32(m, TSMH_A_GATE_STATE, TSMH_GATE_HELD); /* reply-only */
	check("gate, reply-only attribute", tsmh_nl_call(&nl, m, NULL, NULL), -EINVAL, "ttribute");

	m = req(TSMH_CMD_GATE_SET, "0000:99:00.0");
	nla_put_u32(m, TSMH_A_GATE_ACTION, TSMH_GATE_ACT_HOLD);
	check("gate, unknown device", tsmh_nl_call(&nl, m, NULL, NULL), -ENODEV, "no such device");

	m = tsmh_nl_msg(&nl, TSMH_CMD_DEV_GET, 1);
	check("dump after all that", tsmh_nl_call(&nl, m, count_cb, &n), 0, NULL);
	if (n < 3) {
		printf("FAIL dump returned %d devices, want >= 3\n", n);
		failures++;
	}

	m = req(TSMH_CMD_DOE_EXCHANGE, dev);
	put_cma(m);
	check("well-formed exchange still works", tsmh_nl_call(&nl, m, NULL, NULL), 0, NULL);

	tsmh_nl_close(&nl);
	printf("nlprobe: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
