// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tdinl: the kernel's TDI commands (ABI 6) from the shell, one netlink
 * socket for a whole script, so that a test can play a TDISP requester
 * (honest or lying) for tests/vm/t_tdi.sh. No device is talked to: the
 * kernel's rules are what is tested.
 *
 *   tdinl dump                    every TDI, one line each
 *   tdinl get DEV                 one TDI
 *   tdinl events                  evt-tdi lines until killed
 *   tdinl run                     commands from stdin, one a line, on one
 *                                 socket (the claim and the ticket live
 *                                 as long as it):
 *     claim DEV | release DEV     doe-claim / doe-release (the DSM)
 *     begin DEV OP [flags=N] [stream=N] [offset=N] [p2p=N] [nonce=N]
 *         [cookie=HEX]            (cookie: tsm-cookie, a guest request's)
 *                                 tdi-begin; OP lock|report|start|stop|state
 *                                 or a number; prints "ticket T" and the TDI
 *     end DEV [ticket=T] [status=N] [error=N] [state=S] [nonce=N]
 *         [report=R] [msg=TEXT]   tdi-end (ticket: the last begin's);
 *                                 S a number or a state name
 *     get DEV | dump | sleep SECONDS | exit
 *   A nonce N is a byte repeated 32 times (nonce=0xab) or 64 hex digits.
 *   A report R is "ADDR:PAGES[:ATTRS[:ID]]" ranges joined by "," (first
 *   page as a byte address), built with lib's tsmh_tdisp_report_build, or
 *   "junk" (3 bytes), or "none" (an empty range list).
 *
 * A TDI line: "tdi DEV dsm=D id=0xI state=NAME flags=0xF [op=N]
 * [lock_flags=0xL] [stream=S] [offset=0xO] [report_len=N nr_ranges=N
 * gen=G] msg=TEXT". Errors: "error ERRNO: extack message" on stdout.
 * "run" echoes each line as "> LINE", its output, then "= RET" (0 or
 * -errno), goes on after a failure and exits 1 if any line failed; it
 * reads until EOF (a test feeding it through a FIFO closes its end to
 * close the socket, e.g. in the middle of an operation).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nl.h"
#include "tdisp.h"

#define MAX_RANGES 32

static struct tsmh_nl nl;
static uint64_t last_ticket;

static const char *const op_names[] = { "lock", "report", "start", "stop", "state" };

static int fail(int ret)
{
	printf("error %d: %s\n", ret, nl.err);
	fflush(stdout);
	return ret;
}

static struct nl_msg *req(uint8_t cmd, const char *dev, int dump)
{
	struct nl_msg *m = tsmh_nl_msg(&nl, cmd, dump);

	if (!m)
		exit(2);
	if (dev)
		nla_put_string(m, TSMH_A_DEV_NAME, dev);
	return m;
}

static void print_tdi(const char *prefix, struct nlattr *n)
{
	struct nlattr *a[TSMH_TDI_A_MAX + 1];

	if (nla_parse_nested(a, TSMH_TDI_A_MAX, n, NULL))
		return;
#define U(x) (a[x] ? nla_get_u32(a[x]) : 0)
	printf("%stdi %s dsm=%s id=0x%x state=%s flags=0x%x", prefix,
	       a[TSMH_TDI_A_DEV] ? nla_get_string(a[TSMH_TDI_A_DEV]) : "?",
	       a[TSMH_TDI_A_DSM] ? nla_get_string(a[TSMH_TDI_A_DSM]) : "?",
	       U(TSMH_TDI_A_INTERFACE_ID), tsmh_tdi_state_name((uint8_t)U(TSMH_TDI_A_STATE)),
	       U(TSMH_TDI_A_FLAGS));
	if (a[TSMH_TDI_A_OP])
		printf(" op=%u", U(TSMH_TDI_A_OP));
	if (a[TSMH_TDI_A_LOCK_FLAGS])
		printf(" lock_flags=0x%x", U(TSMH_TDI_A_LOCK_FLAGS));
	if (a[TSMH_TDI_A_STREAM_ID])
		printf(" stream=%u", U(TSMH_TDI_A_STREAM_ID));
	if (a[TSMH_TDI_A_MMIO_OFFSET])
		printf(" offset=0x%llx",
		       (unsigned long long)nla_get_u64(a[TSMH_TDI_A_MMIO_OFFSET]));
	if (a[TSMH_TDI_A_TVM])
		printf(" tvm=%016llx", (unsigned long long)nla_get_u64(a[TSMH_TDI_A_TVM]));
	if (a[TSMH_TDI_A_REPORT_LEN])
		printf(" report_len=%u nr_ranges=%u gen=%llu", U(TSMH_TDI_A_REPORT_LEN),
		       U(TSMH_TDI_A_NR_RANGES),
		       a[TSMH_TDI_A_REPORT_GEN]
			       ? (unsigned long long)nla_get_u64(a[TSMH_TDI_A_REPORT_GEN])
			       : 0ULL);
	printf(" msg=%s\n", a[TSMH_TDI_A_MSG] ? nla_get_string(a[TSMH_TDI_A_MSG]) : "");
#undef U
}

static const char *const cause_names[] = {
	"lock",	    "report",	      "start",		"stop",	    "flr",    "config-write",
	"mismatch", "report-invalid", "requester-gone", "ide-lost", "failed", "removed",
};

static int print_msg(struct nl_msg *m, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	const char *prefix = "";
	char buf[64];
	struct nlattr *a;
	int rem;

	(void)arg;
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem)
	{
		if (nla_type(a) == TSMH_A_TDI_TICKET) {
			last_ticket = nla_get_u64(a);
			printf("ticket %llu\n", (unsigned long long)last_ticket);
		} else if (nla_type(a) == TSMH_A_TDI_CAUSE) {
			uint32_t c = nla_get_u32(a);

			snprintf(buf, sizeof(buf), "evt %s ",
				 c < sizeof(cause_names) / sizeof(cause_names[0]) ? cause_names[c]
										  : "?");
			prefix = buf;
		}
	}
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) if (nla_type(a) == TSMH_A_TDI) print_tdi(prefix, a);
	fflush(stdout);
	return 0;
}

static int nonce_parse(const char *s, uint8_t *out)
{
	size_t i;

	if (strlen(s) == 2 * TSMH_TDI_NONCE_LEN) {
		for (i = 0; i < TSMH_TDI_NONCE_LEN; i++)
			if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
				return -1;
		return 0;
	}
	memset(out, (int)strtoul(s, NULL, 0), TSMH_TDI_NONCE_LEN);
	return 0;
}

/* "ADDR:PAGES[:ATTRS[:ID]],..." into a report; its length, 0 on error */
static size_t report_build(const char *spec, uint8_t *out, size_t cap)
{
	struct tsmh_tdisp_range r[MAX_RANGES];
	struct tsmh_tdisp_report rep;
	char buf[1024], *tok, *save = NULL;
	unsigned long long addr;
	unsigned int pages, attrs, id;
	uint32_t n = 0;
	int k;

	if (!strcmp(spec, "junk")) {
		memset(out, 0xee, 3);
		return 3;
	}
	memset(&rep, 0, sizeof(rep));
	memset(r, 0, sizeof(r));
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ",", &save); tok && strcmp(spec, "none");
	     tok = strtok_r(NULL, ",", &save)) {
		attrs = 0;
		id = n;
		k = sscanf(tok, "%lli:%u:%i:%u", &addr, &pages, &attrs, &id);
		if (k < 2 || n == MAX_RANGES)
			return 0;
		r[n].first_page = addr;
		r[n].nr_pages = pages;
		r[n].attrs = (uint16_t)attrs;
		r[n].id = (uint16_t)id;
		n++;
	}
	return tsmh_tdisp_report_build(&rep, r, n, out, cap);
}

static int op_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (!strcmp(s, op_names[i]))
			return (int)i;
	return (int)strtoul(s, NULL, 0);
}

static uint32_t state_parse(const char *s)
{
	uint8_t i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, tsmh_tdi_state_name(i)))
			return i;
	return (uint32_t)strtoul(s, NULL, 0);
}

/* one script line; 0 or -errno (printed) */
static int run_line(char *line)
{
	static uint8_t report[65536];
	char *argv[16], *save = NULL, *t;
	uint8_t nonce[TSMH_TDI_NONCE_LEN];
	struct nl_msg *m;
	int argc = 0, i, ret;

	for (t = strtok_r(line, " \t\n", &save); t && argc < 16; t = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = t;
	if (!argc || argv[0][0] == '#')
		return 0;
	if (!strcmp(argv[0], "exit"))
		exit(0);
	if (!strcmp(argv[0], "sleep") && argc == 2) {
		usleep((useconds_t)(strtod(argv[1], NULL) * 1e6));
		return 0;
	}
	if (!strcmp(argv[0], "dump")) {
		ret = tsmh_nl_call(&nl, req(TSMH_CMD_TDI_GET, NULL, 1), print_msg, NULL);
		return ret ? fail(ret) : 0;
	}
	if (argc < 2) {
		printf("error -22: bad line\n");
		return -EINVAL;
	}
	if (!strcmp(argv[0], "get")) {
		ret = tsmh_nl_call(&nl, req(TSMH_CMD_TDI_GET, argv[1], 0), print_msg, NULL);
	} else if (!strcmp(argv[0], "claim") || !strcmp(argv[0], "release")) {
		m = req(strcmp(argv[0], "claim") ? TSMH_CMD_DOE_RELEASE : TSMH_CMD_DOE_CLAIM,
			argv[1], 0);
		ret = tsmh_nl_call(&nl, m, NULL, NULL);
		if (!ret)
			printf("%sed %s\n", argv[0], argv[1]);
	} else if (!strcmp(argv[0], "begin") && argc >= 3) {
		m = req(TSMH_CMD_TDI_BEGIN, argv[1], 0);
		nla_put_u32(m, TSMH_A_TDI_OP, (uint32_t)op_parse(argv[2]));
		for (i = 3; i < argc; i++) {
			char *v = strchr(argv[i], '=');

			if (!v)
				continue;
			*v++ = 0;
			if (!strcmp(argv[i], "flags"))
				nla_put_u32(m, TSMH_A_TDI_LOCK_FLAGS,
					    (uint32_t)strtoul(v, NULL, 0));
			else if (!strcmp(argv[i], "stream"))
				nla_put_u32(m, TSMH_A_TDI_STREAM_ID, (uint32_t)strtoul(v, NULL, 0));
			else if (!strcmp(argv[i], "offset"))
				nla_put_u64(m, TSMH_A_TDI_MMIO_OFFSET, strtoull(v, NULL, 0));
			else if (!strcmp(argv[i], "p2p"))
				nla_put_u64(m, TSMH_A_TDI_P2P_MASK, strtoull(v, NULL, 0));
			else if (!strcmp(argv[i], "cookie"))
				nla_put_u64(m, TSMH_A_TSM_COOKIE, strtoull(v, NULL, 16));
			else if (!strcmp(argv[i], "nonce") && !nonce_parse(v, nonce))
				nla_put(m, TSMH_A_TDI_NONCE, sizeof(nonce), nonce);
		}
		ret = tsmh_nl_call(&nl, m, print_msg, NULL);
	} else if (!strcmp(argv[0], "end")) {
		uint64_t ticket = last_ticket;
		int32_t status = 0;
		size_t len;

		m = req(TSMH_CMD_TDI_END, argv[1], 0);
		for (i = 2; i < argc; i++) {
			char *v = strchr(argv[i], '=');

			if (!v)
				continue;
			*v++ = 0;
			if (!strcmp(argv[i], "ticket")) {
				ticket = strtoull(v, NULL, 0);
			} else if (!strcmp(argv[i], "status")) {
				status = (int32_t)strtol(v, NULL, 0);
			} else if (!strcmp(argv[i], "error")) {
				nla_put_u32(m, TSMH_A_TDI_ERROR, (uint32_t)strtoul(v, NULL, 0));
			} else if (!strcmp(argv[i], "state")) {
				nla_put_u32(m, TSMH_A_TDI_DEV_STATE, state_parse(v));
			} else if (!strcmp(argv[i], "nonce") && !nonce_parse(v, nonce)) {
				nla_put(m, TSMH_A_TDI_NONCE, sizeof(nonce), nonce);
			} else if (!strcmp(argv[i], "report")) {
				len = report_build(v, report, sizeof(report));
				if (!len) {
					nlmsg_free(m);
					printf("error -22: bad report %s\n", v);
					return -EINVAL;
				}
				nla_put(m, TSMH_A_TDI_REPORT, (int)len, report);
			} else if (!strcmp(argv[i], "msg")) {
				nla_put_string(m, TSMH_A_TDI_MSG, v);
			}
		}
		if (strcmp(argv[argc - 1], "noticket"))
			nla_put_u64(m, TSMH_A_TDI_TICKET, ticket);
		if (strcmp(argv[argc - 1], "nostatus"))
			nla_put_s32(m, TSMH_A_TDI_STATUS, status);
		ret = tsmh_nl_call(&nl, m, print_msg, NULL);
	} else {
		printf("error -22: unknown command %s\n", argv[0]);
		return -EINVAL;
	}
	return ret ? fail(ret) : 0;
}

static int run(void)
{
	char line[4096];
	int ret, any = 0;

	while (fgets(line, sizeof(line), stdin)) {
		printf("> %s", line);
		ret = run_line(line);
		printf("= %d\n", ret);
		fflush(stdout);
		any |= ret;
	}
	return any ? 1 : 0;
}

int main(int argc, char **argv)
{
	char line[256];
	int ret;

	if (argc < 2) {
		fputs("usage: tdinl dump|get DEV|events|run\n", stderr);
		return 2;
	}
	if (tsmh_nl_open(&nl)) {
		printf("error: %s\n", nl.err);
		return 1;
	}
	if (!strcmp(argv[1], "events")) {
		ret = tsmh_nl_subscribe(&nl);
		if (ret)
			return fail(ret), 1;
		nl_socket_set_buffer_size(nl.sk, 1 << 20, 0);
		printf("listening\n");
		fflush(stdout);
		for (;;) {
			ret = tsmh_nl_recv_events(&nl, print_msg, NULL);
			if (ret == -ENOBUFS) {
				printf("overflow: events lost\n");
				fflush(stdout);
			} else if (ret && ret != -EAGAIN && ret != -EINTR) {
				return fail(ret), 1;
			}
		}
	}
	if (!strcmp(argv[1], "run"))
		return run();
	if (!strcmp(argv[1], "dump"))
		snprintf(line, sizeof(line), "dump");
	else if (!strcmp(argv[1], "get") && argc == 3)
		snprintf(line, sizeof(line), "get %s", argv[2]);
	else
		return 2;
	return run_line(line) ? 1 : 0;
}
