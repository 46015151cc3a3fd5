// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl connect, disconnect and ide refresh: the flow of
 * daemon/attest/connect.c through the kernel's DOE proxy (the mailbox
 * claimed for the whole run), each step printed as it ends.
 *
 * tsmctl keeps no session after it exits: connect ends its session once
 * the stream is SECURE (the kernel keeps the stream and the keys at both
 * ends), and refresh and disconnect open a new one. tsmd keeps its own
 * sessions with HEARTBEAT.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attest_store.h"
#include "bus.h"
#include "connect.h"
#include "idekm.h"
#include "target.h"
#include "tsmctl.h"

const char usage_connect[] =
	"Usage: tsmctl connect DEV --trust PEM-FILE-OR-DIR [--slot N]\n"
	"       [--ide selective|link|none] [--tc N] [--timeout SEC]\n"
	"  authenticate DEV (as attest; the evidence is committed), open an SPDM\n"
	"  session, then (unless --ide none) an IDE stream to its root port: QUERY,\n"
	"  stream allocated, six fresh keys at both ends, K_SET_GO, enabled, SECURE.\n"
	"  Any failure undoes what was done. tsmctl keeps no session after it exits:\n"
	"  the session is ended, the stream stays (tsmd keeps sessions with HEARTBEAT)\n";

const char usage_disconnect[] =
	"Usage: tsmctl disconnect DEV [--trust PEM-FILE-OR-DIR] [--slot N] [--timeout SEC]\n"
	"  a new SPDM session, K_SET_STOP at the endpoint (best effort: it may have been\n"
	"  reset), the stream disabled and freed at both ends, END_SESSION. When tsmd\n"
	"  keeps DEV's session, tsmd's session keeper does it (over D-Bus, no --trust)\n";

/* the step printer of connect, disconnect, ide refresh and ide km (tsmctl.h) */
void conn_step_out(const struct tsmh_conn_step *st, void *arg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "step", st->name);
	cJSON_AddBoolToObject(o, "ok", !st->ret);
	if (st->ret)
		cJSON_AddStringToObject(o, "error", st->why);
	if (st->stream_id >= 0)
		cJSON_AddNumberToObject(o, "stream_id", st->stream_id);
	if (st->kss >= 0) {
		uint8_t kss = (uint8_t)st->kss;

		cJSON_AddNumberToObject(o, "key_set", kss & TSMH_IDEKM_KSS_SET);
		cJSON_AddStringToObject(o, "direction", kss & TSMH_IDEKM_KSS_TX ? "TX" : "RX");
		cJSON_AddStringToObject(o, "sub_stream",
					tsmh_idekm_sub_name(tsmh_idekm_kss_sub(kss)));
	}
	if (st->kp_status >= 0) {
		cJSON_AddNumberToObject(o, "kp_ack_status", st->kp_status);
		cJSON_AddStringToObject(o, "kp_ack_status_name",
					tsmh_idekm_status_name((uint8_t)st->kp_status));
	}
	if (st->root_port)
		cJSON_AddBoolToObject(o, "root_port", 1);
	cJSON_AddItemToArray(arg, o);
	if (opt_json)
		return;
	if (st->ret)
		printf("  %-36s FAILED: %s\n", st->name, st->why);
	else
		printf("  %-36s ok\n", st->name);
	fflush(stdout);
}

cJSON *conn_stream_json(const struct tsmh_idenl_stream *s)
{
	cJSON *j = cJSON_CreateObject(), *a, *o;
	unsigned int i;

	cJSON_AddNumberToObject(j, "id", s->id);
	cJSON_AddStringToObject(j, "type", tsmh_idenl_type_name(s->type));
	cJSON_AddNumberToObject(j, "tc", s->tc);
	cJSON_AddStringToObject(j, "root_port", s->rp);
	cJSON_AddNumberToObject(j, "root_port_block", s->rp_block);
	cJSON_AddStringToObject(j, "endpoint", s->ep);
	cJSON_AddNumberToObject(j, "endpoint_block", s->ep_block);
	if (s->has & TSMH_IDENL_S_RID) {
		char b[16];

		/* the RID association: bus, device, function, and the segment's low byte */
		cJSON_AddNumberToObject(j, "rid_segment", s->rid_base >> 16);
		snprintf(b, sizeof(b), "%02x:%02x.%u", (s->rid_base >> 8) & 0xff,
			 (s->rid_base >> 3) & 0x1f, s->rid_base & 7);
		cJSON_AddStringToObject(j, "rid_base", b);
		snprintf(b, sizeof(b), "%02x:%02x.%u", (s->rid_limit >> 8) & 0xff,
			 (s->rid_limit >> 3) & 0x1f, s->rid_limit & 7);
		cJSON_AddStringToObject(j, "rid_limit", b);
	}
	a = cJSON_AddArrayToObject(j, "addresses");
	for (i = 0; i < s->nr_addr; i++) {
		char b[24];

		o = cJSON_CreateObject();
		snprintf(b, sizeof(b), "%#llx", (unsigned long long)s->addr[i].base);
		cJSON_AddStringToObject(o, "base", b);
		snprintf(b, sizeof(b), "%#llx", (unsigned long long)s->addr[i].limit);
		cJSON_AddStringToObject(o, "limit", b);
		cJSON_AddItemToArray(a, o);
	}
	if (s->has & TSMH_IDENL_S_KEY_SET)
		cJSON_AddNumberToObject(j, "key_set", s->key_set);
	else
		cJSON_AddNullToObject(j, "key_set");
	cJSON_AddNumberToObject(j, "keys_programmed", __builtin_popcount(s->keys));
	cJSON_AddStringToObject(j, "state", tsmh_idenl_secure(s) ? "secure" : "insecure");
	if (s->has & TSMH_IDENL_S_RP_STATE)
		cJSON_AddNumberToObject(j, "root_port_state", s->rp_state);
	if (s->has & TSMH_IDENL_S_EP_STATE)
		cJSON_AddNumberToObject(j, "endpoint_state", s->ep_state);
	cJSON_AddBoolToObject(j, "root_port_ide_fail", !!s->rp_fail);
	cJSON_AddBoolToObject(j, "endpoint_ide_fail", !!s->ep_fail);
	cJSON_AddBoolToObject(j, "enabled", !!(s->flags & TSMH_IDE_S_F_ENABLED));
	cJSON_AddBoolToObject(j, "reset", !!(s->flags & TSMH_IDE_S_F_RESET));
	cJSON_AddBoolToObject(j, "control_written", !!(s->flags & TSMH_IDE_S_F_CFG_WRITE));
	cJSON_AddBoolToObject(j, "claimed", !!(s->flags & TSMH_IDE_S_F_CLAIMED));
	return j;
}

/* "stream 3 (selective, TC 0), root port 0000:00:01.0 block 0, endpoint block 1" */
static void stream_line(const struct tsmh_idenl_stream *s)
{
	printf("  stream %u (%s, TC %u): root port %s block %u, endpoint %s block %u", s->id,
	       tsmh_idenl_type_name(s->type), s->tc, s->rp, s->rp_block, s->ep, s->ep_block);
	if (s->has & TSMH_IDENL_S_KEY_SET)
		printf(", key set %u", s->key_set);
	printf(", %s\n", tsmh_idenl_secure(s) ? "SECURE" : "not SECURE");
}

enum verb { V_CONNECT, V_DISCONNECT, V_REFRESH };

/* refresh or disconnect of a device whose session tsmd keeps: tsmd does it */
static int through_tsmd(enum verb v, const char *dev)
{
	const char *op = v == V_DISCONNECT ? "disconnect" : "ide refresh";
	char out[640];
	cJSON *j;
	int ret;

	if (!opt_json)
		printf("%s: %s through tsmd (its session keeper holds the device's SPDM session)\n",
		       dev, op);
	fflush(stdout); /* before an error on stderr */
	ret = tsmd_conn_call(v == V_DISCONNECT ? "Disconnect" : "Refresh", dev, out, sizeof(out));
	if (opt_json) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "device", dev);
		cJSON_AddStringToObject(j, "operation", op);
		cJSON_AddStringToObject(j, "through", "tsmd");
		cJSON_AddBoolToObject(j, "ok", !ret);
		cJSON_AddStringToObject(j, ret ? "error" : "result", out);
		json_print(j);
	} else if (!ret) {
		printf("  %s\n", out);
	}
	if (ret) {
		fprintf(stderr, "tsmctl: %s %s: %s\n", op, dev, out);
		return EXIT_OPERR;
	}
	return 0;
}

static int run(enum verb v, int argc, char **argv)
{
	static const char *const names[] = { "connect", "disconnect", "ide refresh" };
	static const struct option lo[] = {
		{ "ide", required_argument, 0, 'i' },
		{ "tc", required_argument, 0, 'c' },
		{ "json", no_argument, 0, 'j' },
		{ "trust", required_argument, 0, 't' },
		{ "slot", required_argument, 0, 'S' },
		{ "timeout", required_argument, 0, 'T' },
		{ 0, 0, 0, 0 },
	};
	const char *usage = v == V_CONNECT	? usage_connect
			    : v == V_DISCONNECT ? usage_disconnect
						: usage_ide;
	struct tsmh_connect_opts co = { .ide = TSMH_CONN_IDE_SELECTIVE };
	struct kernel_cache kc = { 0 };
	struct tsmh_conn_result *r;
	struct tsmctl_target s;
	struct tsmh_conn conn;
	int c, ret, timeout_ms = 0, have_kc = 0, left;
	char why[512];
	cJSON *j;
	long n;

	while ((c = getopt_long(argc, argv, "t:S:i:c:T:j", lo, NULL)) != -1) {
		switch (c) {
		case 'j': opt_json = 1; break;
		case 't': co.attest.trust = optarg; break;
		case 'S':
			if (num_opt(names[v], "slot", optarg, 0, SPDM_MAX_SLOTS - 1, &n))
				return EXIT_USAGE;
			co.attest.slot = (uint8_t)n;
			break;
		case 'i':
			if (v != V_CONNECT)
				goto usage;
			if (!strcmp(optarg, "selective"))
				co.ide = TSMH_CONN_IDE_SELECTIVE;
			else if (!strcmp(optarg, "link"))
				co.ide = TSMH_CONN_IDE_LINK;
			else if (!strcmp(optarg, "none"))
				co.ide = TSMH_CONN_IDE_NONE;
			else {
				fprintf(stderr,
					"tsmctl: connect: --ide wants selective, link or none, "
					"not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (v != V_CONNECT)
				goto usage;
			if (num_opt(names[v], "tc", optarg, 0, 7, &n))
				return EXIT_USAGE;
			co.tc = (uint8_t)n;
			break;
		case 'T':
			if (target_timeout_opt(optarg, &timeout_ms))
				return EXIT_USAGE;
			break;
		default: goto usage;
		}
	}
	/*
	 * tsmd's session keeper holds the device's session (and mailbox):
	 * its keeper does refresh and disconnect, asked over D-Bus; a
	 * session of our own would find the mailbox claimed (EBUSY).
	 */
	if (optind + 1 == argc && v != V_CONNECT && tsmd_holds_session(argv[optind]))
		return through_tsmd(v, argv[optind]);
	if (optind + 1 != argc || !co.attest.trust) {
		if (optind + 1 == argc)
			fprintf(stderr,
				"tsmctl: %s: --trust is needed (the session is opened "
				"with the attested key)\n",
				names[v]);
		goto usage;
	}
	co.dev = argv[optind];
	ret = trust_check(names[v], co.attest.trust);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	ret = r ? target_open(&s, NULL, co.dev, timeout_ms) : EXIT_OPERR;
	if (ret) {
		free(r);
		return ret;
	}
	/* the chains the kernel holds are the cache, as attest uses them */
	if (v == V_CONNECT || v == V_REFRESH) {
		if (kernel_cache_load(&kc, &s.nl, co.dev, 0, why, sizeof(why)))
			fprintf(stderr, "tsmctl: %s %s: not using the kernel's chains: %s\n",
				names[v], co.dev, why);
		else {
			co.attest.cache = &kc.cache;
			have_kc = 1;
		}
	}
	tsmh_conn_init(&conn, &s.t, &s.nl, &co);
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "device", co.dev);
	cJSON_AddStringToObject(j, "operation", names[v]);
	if (v == V_CONNECT) {
		cJSON_AddStringToObject(j, "ide",
					co.ide == TSMH_CONN_IDE_NONE   ? "none"
					: co.ide == TSMH_CONN_IDE_LINK ? "link"
								       : "selective");
		cJSON_AddNumberToObject(j, "tc", co.tc);
	}
	r->on_step = conn_step_out;
	r->arg = cJSON_AddArrayToObject(j, "steps");
	if (!opt_json) {
		if (v == V_CONNECT && co.ide != TSMH_CONN_IDE_NONE)
			printf("%s: connect (%s IDE, TC %u)\n", co.dev,
			       co.ide == TSMH_CONN_IDE_LINK ? "link" : "selective", co.tc);
		else if (v == V_CONNECT)
			printf("%s: connect (authentication and session, no IDE)\n", co.dev);
		else
			printf("%s: %s\n", co.dev, names[v]);
	}
	switch (v) {
	case V_CONNECT: ret = tsmh_connect(&conn, r); break;
	case V_DISCONNECT: ret = tsmh_disconnect(&conn, r); break;
	default: ret = tsmh_ide_refresh(&conn, r); break;
	}
	/* tsmctl keeps no session: end it, the stream stays */
	tsmh_conn_end_session(&conn, r);
	ret = r->ret;
	left = conn.have_stream;
	tsmh_conn_free(&conn);
	if (have_kc)
		kernel_cache_free(&kc);
	target_close(&s);

	cJSON_AddBoolToObject(j, "ok", !ret);
	if (ret) {
		cJSON_AddStringToObject(j, "error", r->err);
		if (r->failed_step)
			cJSON_AddStringToObject(j, "failed_step", r->failed_step);
	}
	if (r->unwind_err[0])
		cJSON_AddStringToObject(j, ret ? "unwind_error" : "warning", r->unwind_err);
	if (r->generation)
		cJSON_AddNumberToObject(j, "evidence_generation", (double)r->generation);
	if (r->have_stream && !(ret && r->unwound) && v != V_DISCONNECT)
		cJSON_AddItemToObject(j, "stream", conn_stream_json(&r->stream));
	cJSON_AddStringToObject(j, "session", "ended: tsmctl keeps no session after it exits");
	if (opt_json) {
		json_print(j);
	} else {
		cJSON_Delete(j);
		if (!ret && v != V_DISCONNECT && r->have_stream)
			stream_line(&r->stream);
		if (!ret && v == V_DISCONNECT)
			printf("  stream %u disconnected: disabled and freed at both ends\n",
			       r->stream.id);
		if (r->unwind_err[0] && !ret)
			printf("  warning: %s\n", r->unwind_err);
		if (!ret)
			printf("  session ended: tsmctl keeps no session after it exits "
			       "(tsmd keeps its own with HEARTBEAT)\n");
	}
	if (ret) {
		fprintf(stderr, "tsmctl: %s %s: %s\n", names[v], co.dev, r->err);
		if (r->unwound && !left)
			fprintf(stderr,
				"tsmctl: %s %s: undone: no stream is left allocated%s%s%s\n",
				names[v], co.dev, r->unwind_err[0] ? " (while undoing: " : "",
				r->unwind_err, r->unwind_err[0] ? ")" : "");
		else if (r->unwound)
			fprintf(stderr,
				"tsmctl: %s %s: undoing failed, stream %u is still "
				"allocated: %s\n",
				names[v], co.dev, conn.stream_id, r->unwind_err);
		else if (r->unwind_err[0])
			fprintf(stderr, "tsmctl: %s %s: %s\n", names[v], co.dev, r->unwind_err);
	}
	free(r);
	return ret ? EXIT_OPERR : 0;
usage:
	fputs(usage, stderr);
	return EXIT_USAGE;
}

int cmd_connect(int argc, char **argv)
{
	return run(V_CONNECT, argc, argv);
}

int cmd_disconnect(int argc, char **argv)
{
	return run(V_DISCONNECT, argc, argv);
}

int cmd_ide_refresh(int argc, char **argv)
{
	return run(V_REFRESH, argc, argv);
}
