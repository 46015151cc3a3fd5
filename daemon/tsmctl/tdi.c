// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl tdi: TDIs through the kernel's TDI state machine (attest/tdi.h).
 * list (tdi-get, open to every user), report (the kernel's checked copy,
 * tdi_report.c) and, through the DSM's DOE mailbox claimed for the whole
 * run and one SPDM session, lock (--start), stop and state; each step
 * printed as it ends, the kernel's view after.
 *
 * A TDI is locked in an SPDM session: TDISP moves it to ERROR when that
 * session ends (END_SESSION, or the device's next GET_VERSION, which ends
 * every session). tsmctl keeps no session after it exits, so lock holds
 * its session (and the mailbox claim) with the TDI locked or running
 * until it is interrupted (SIGINT, SIGTERM, SIGHUP) or --for SEC has
 * passed, sending HEARTBEAT if the session has one, then STOP_INTERFACE
 * (bracketed by the kernel) and END_SESSION. While it holds, other
 * tsmctl commands for that DSM are refused the mailbox (EBUSY). stop and
 * state open their own session: they are for a TDI whose holder is gone
 * (its device side then ended with the session).
 *
 * start: START_INTERFACE must carry the nonce of the LOCK response. The
 * kernel keeps its copy to check and never hands it out, and tsmctl keeps
 * nothing after it exits (no nonce on disk), so a separate "tdi start DEV"
 * cannot have it: it is refused with the way that works, "tdi lock DEV
 * --start" (LOCK, REPORT and START in one session), unless tsmd holds the
 * DSM's session: then lock, start, stop and state go through tsmd
 * (tdi_tsmd.c), which keeps the session and the nonce.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "attest_store.h"
#include "bus.h"
#include "fileio.h"
#include "target.h"
#include "tdi.h"
#include "tsmctl.h"

const char usage_tdi[] =
	"Usage: tsmctl tdi list [-j]\n"
	"       tsmctl tdi lock DEV --trust PEM-FILE-OR-DIR [--slot N] [--no-fw-update]\n"
	"              [--lock-msix] [--bind-p2p] [--all-request-redirect]\n"
	"              [--default-stream ID] [--mmio-offset OFF] [--start] [--for SEC] [-j]\n"
	"       tsmctl tdi report DEV [--raw FILE] [-j]\n"
	"       tsmctl tdi start DEV\n"
	"       tsmctl tdi stop DEV --trust PEM-FILE-OR-DIR [--slot N] [-j]\n"
	"       tsmctl tdi state DEV --trust PEM-FILE-OR-DIR [--slot N] [-j]\n"
	"  list: every TDI (function or VF of a TEE-IO device) with the kernel's\n"
	"  TDISP state, its DSM, flags, report summary and bound TVM (any user).\n"
	"  lock, stop, state (CAP_SYS_ADMIN) claim the DSM's mailbox, authenticate\n"
	"  it with --trust, open an SPDM session and bracket every TDISP request\n"
	"  with the kernel (tdi-begin: its rules, nothing sent if it refuses;\n"
	"  tdi-end: the outcome and the device's GET_DEVICE_INTERFACE_STATE).\n"
	"  lock: GET_TDISP_VERSION, GET_TDISP_CAPABILITIES, LOCK_INTERFACE, every\n"
	"  portion of the report (the kernel checks it against the TDI's BARs);\n"
	"  a failure after the LOCK sends STOP_INTERFACE. --default-stream ID: the\n"
	"  kernel requires IDE stream ID of the DSM to be SECURE. --start: then\n"
	"  START_INTERFACE with the LOCK's nonce (refused by the kernel unless\n"
	"  tsmh_core.tdisp_host_native=1). A TDI stays locked only while its SPDM\n"
	"  session lasts: lock holds the session until interrupted or --for SEC,\n"
	"  then STOP_INTERFACE and END_SESSION.\n"
	"  start: the nonce exists only in the session of the LOCK: refused (use\n"
	"  lock --start) unless tsmd holds the DSM's session. report: the report the kernel checked and holds\n"
	"  (evidence object report), decoded; --raw FILE: its bytes.\n"
	"  stop: STOP_INTERFACE (any state). state: GET_DEVICE_INTERFACE_STATE,\n"
	"  compared with the kernel's.\n"
	"  Through tsmd: when tsmd's session keeper holds the DSM's session (or\n"
	"  tsmd knows the DSM and --trust is not given), lock, start, stop and\n"
	"  state are done by tsmd in its session (root only): the lock lasts until\n"
	"  stop, tsmd keeps the LOCK nonce, so start works as a separate command;\n"
	"  lock's default stream is then the DSM's connection's IDE stream.\n";

enum verb { V_LOCK, V_START, V_STOP, V_STATE };
static const char *const verbs[] = { "lock", "start", "stop", "state" };

struct opts {
	struct tsmh_tdi_opts t;
	double hold_s; /* lock --for; 0: until a signal */
	int timeout_ms;
};

static int bad_opt(const char *verb, const char *opt, const char *want, const char *arg)
{
	fprintf(stderr, "tsmctl: tdi %s: %s wants %s, not '%s'\n", verb, opt, want, arg);
	return EXIT_USAGE;
}

static int parse(enum verb v, int argc, char **argv, struct opts *o)
{
	enum { O_NOFW = 0x100, O_MSIX, O_P2P, O_ARR, O_STREAM, O_OFF, O_START, O_FOR };
	static const struct option lo[] = {
		{ "trust", required_argument, 0, 't' },
		{ "slot", required_argument, 0, 'S' },
		{ "json", no_argument, 0, 'j' },
		{ "no-fw-update", no_argument, 0, O_NOFW },
		{ "lock-msix", no_argument, 0, O_MSIX },
		{ "bind-p2p", no_argument, 0, O_P2P },
		{ "all-request-redirect", no_argument, 0, O_ARR },
		{ "default-stream", required_argument, 0, O_STREAM },
		{ "mmio-offset", required_argument, 0, O_OFF },
		{ "start", no_argument, 0, O_START },
		{ "for", required_argument, 0, O_FOR },
		{ 0, 0, 0, 0 },
	};
	unsigned long long u;
	char *end;
	long n;
	int c;

	o->t.stream_id = -1;
	while ((c = getopt_long(argc, argv, "t:S:j", lo, NULL)) != -1) {
		/* the LOCK options are lock's */
		if (c >= O_NOFW && c <= O_FOR && v != V_LOCK)
			goto usage;
		switch (c) {
		case 'j': opt_json = 1; break;
		case 't': o->t.attest.trust = optarg; break;
		case 'S':
			if (num_opt("tdi", "slot", optarg, 0, SPDM_MAX_SLOTS - 1, &n))
				return EXIT_USAGE;
			o->t.attest.slot = (uint8_t)n;
			break;
		case O_NOFW: o->t.lock_flags |= TSMH_TDI_LOCK_F_NO_FW_UPDATE; break;
		case O_MSIX: o->t.lock_flags |= TSMH_TDI_LOCK_F_LOCK_MSIX; break;
		case O_P2P: o->t.lock_flags |= TSMH_TDI_LOCK_F_BIND_P2P; break;
		case O_ARR: o->t.lock_flags |= TSMH_TDI_LOCK_F_ALL_REQUEST_REDIRECT; break;
		case O_STREAM:
			if (num_opt("tdi lock", "default-stream", optarg, 0, 255, &n))
				return EXIT_USAGE;
			o->t.stream_id = (int)n;
			break;
		case O_OFF:
			errno = 0;
			u = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || optarg[0] == '-' || (u & 0xfff))
				return bad_opt("lock", "--mmio-offset", "a 4 KiB-aligned number",
					       optarg);
			o->t.mmio_offset = u;
			break;
		case O_START: o->t.start = 1; break;
		case O_FOR:
			o->hold_s = strtod(optarg, &end);
			if (end == optarg || *end || !(o->hold_s > 0 && o->hold_s <= 86400 * 365))
				return bad_opt("lock", "--for", "seconds (a positive number)",
					       optarg);
			break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	o->t.dev = argv[optind];
	return 0;
usage:
	fputs(usage_tdi, stderr);
	return EXIT_USAGE;
}

/* the TDI as the kernel sees it now: tdi-get DEV into *@t */
static int kernel_tdi(struct tsmh_nl *nl, const char *verb, const char *dev,
		      struct tsmh_tdinl_tdi *t)
{
	struct tsmh_tdinl_list l = { 0 };
	const struct tsmh_tdinl_tdi *f;
	int ret = tsmh_tdi_get(nl, dev, &l);

	f = ret ? NULL : tsmh_tdinl_find(&l, dev);
	if (f)
		*t = *f;
	else if (!ret)
		ret = -ENOENT;
	if (ret == -ENOENT && !nl->err[0])
		snprintf(nl->err, sizeof(nl->err), "%s is not a TDI the kernel tracks", dev);
	tsmh_tdinl_list_free(&l);
	if (ret) {
		char what[32];

		snprintf(what, sizeof(what), "tdi %s", verb);
		return report_nl_error(nl, what, dev, ret);
	}
	return 0;
}

static volatile sig_atomic_t got_sig;

static void on_sig(int sig)
{
	got_sig = sig;
}

/*
 * lock: keep the session (the TDI's lock lives in it) until SIGINT,
 * SIGTERM, SIGHUP or @secs (0: no limit), with HEARTBEAT when the session
 * has a heartbeat period; how long and why it ended into @j.
 */
static int hold(struct tsmh_tdi *td, struct tsmh_conn_result *r, double secs, cJSON *j)
{
	struct sigaction sa = { .sa_handler = on_sig };
	struct timespec t0, now, tick = { 0, 100 * 1000 * 1000 };
	double el = 0, hb = 0;
	char s[192];
	int ret = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (!opt_json) {
		if (secs > 0)
			printf("  holding the session for %g s: %s stays %s\n", secs, td->dev,
			       tdi_state_summary(&td->k, s, sizeof(s)));
		else
			printf("  holding the session until interrupted: %s stays %s\n", td->dev,
			       tdi_state_summary(&td->k, s, sizeof(s)));
		fflush(stdout);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!got_sig) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (secs > 0 && el >= secs)
			break;
		if (td->c.heartbeat_s && el - hb >= td->c.heartbeat_s / 2.0) {
			ret = tsmh_tdi_heartbeat(td, r);
			if (ret)
				break;
			hb = el;
		}
		nanosleep(&tick, NULL);
	}
	cJSON_AddNumberToObject(j, "held_s", el);
	cJSON_AddStringToObject(j, "released_by",
				ret	  ? "heartbeat failure"
				: got_sig ? strsignal(got_sig)
					  : "--for");
	if (!opt_json) {
		printf("  held %.1f s; released (%s): STOP_INTERFACE, END_SESSION\n", el,
		       ret	 ? "heartbeat failure"
		       : got_sig ? strsignal(got_sig)
				 : "--for");
		fflush(stdout);
	}
	return ret;
}

/* after the flow: the device's report and the kernel's view, text or JSON */
static void outcome(enum verb v, const struct tsmh_tdi *td, int ret, cJSON *j)
{
	char s[192], r[96];

	if (td->have_report) {
		cJSON_AddItemToObject(j, "report",
				      tdisp_report_json(&td->rep, td->report_len, td->portions));
		cJSON_AddBoolToObject(j, "report_checked_by_kernel", td->report_ok);
		if (!opt_json)
			tdisp_report_print(&td->rep, td->report_len, td->portions);
	}
	if (td->dev_state >= 0)
		cJSON_AddStringToObject(j, "device_state",
					tsmh_tdi_state_name((uint8_t)td->dev_state));
	cJSON_AddItemToObject(j, "kernel", tdi_json(&td->k));
	cJSON_AddBoolToObject(j, "started", td->started);
	if (td->stopped)
		cJSON_AddBoolToObject(j, "stopped_after_failure", td->stop_ok);
	if (opt_json)
		return;
	if (!ret && v == V_STATE)
		printf("  device: %s, kernel: %s: they agree\n",
		       tsmh_tdi_state_name((uint8_t)td->dev_state),
		       tsmh_tdinl_state_name(td->k.state));
	printf("  kernel: %s %s, report %s\n", td->dev, tdi_state_summary(&td->k, s, sizeof(s)),
	       tdi_report_summary(&td->k, r, sizeof(r)));
	if (td->k.msg[0] && (ret || td->k.state == TSMH_TDI_STATE_ERROR))
		printf("          %s\n", td->k.msg);
}

static int run(enum verb v, int argc, char **argv)
{
	struct kernel_cache kc = { 0 };
	struct tsmh_conn_result *r;
	struct tsmctl_target s;
	struct tsmh_tdinl_tdi k;
	struct tsmh_tdi *td;
	struct opts o = { 0 };
	char why[512];
	int ret, have_kc = 0;
	cJSON *j;

	ret = parse(v, argc, argv, &o);
	if (ret)
		return ret;
	/* which DSM, which interface ID: the kernel's */
	{
		struct tsmh_nl nl;

		if (nl_open_or_die(&nl))
			return EXIT_OPERR;
		ret = kernel_tdi(&nl, verbs[v], o.t.dev, &k);
		tsmh_nl_close(&nl);
		if (ret)
			return ret;
	}
	/*
	 * tsmd holds the DSM's session (a session of our own would find the
	 * mailbox claimed), or knows the DSM and no --trust was given: tsmd
	 * performs the exchanges in its session and keeps the LOCK nonce.
	 */
	if (tsmd_holds_session(k.dsm[0] ? k.dsm : o.t.dev) ||
	    (v != V_START && !o.t.attest.trust && tsmd_knows(k.dsm[0] ? k.dsm : o.t.dev))) {
		if (o.hold_s > 0) {
			fprintf(stderr,
				"tsmctl: tdi lock %s: --for is for tsmctl's own session; tsmd "
				"holds the TDI's session until 'tsmctl tdi stop %s'\n",
				o.t.dev, o.t.dev);
			return EXIT_USAGE;
		}
		return tdi_through_tsmd(verbs[v], &o.t);
	}
	if (v != V_START && !o.t.attest.trust) {
		fprintf(stderr,
			"tsmctl: tdi %s: --trust is needed (the TDISP messages travel in an SPDM "
			"session with the DSM, opened with its attested key; or through tsmd when "
			"it holds the DSM's session)\n",
			verbs[v]);
		return EXIT_USAGE;
	}
	if (v == V_START) {
		fprintf(stderr,
			"tsmctl: tdi start %s: refused: START_INTERFACE carries the nonce of the "
			"LOCK response, which only the session that locked the TDI has (the kernel "
			"keeps its copy to check it and never hands it out; tsmctl keeps nothing "
			"after it exits; tsmd holds no session with its DSM): use 'tsmctl tdi lock %s "
			"--trust PEM --start', or lock it through tsmd\n",
			o.t.dev, o.t.dev);
		return EXIT_OPERR;
	}
	ret = trust_check("tdi", o.t.attest.trust);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	td = calloc(1, sizeof(*td));
	/* the DSM's mailbox, claimed by the socket that then brackets each request */
	ret = r && td ? target_open(&s, NULL, k.dsm[0] ? k.dsm : o.t.dev, o.timeout_ms)
		      : EXIT_OPERR;
	if (ret) {
		free(r);
		free(td);
		return ret;
	}
	if (kernel_cache_load(&kc, &s.nl, k.dsm[0] ? k.dsm : o.t.dev, 0, why, sizeof(why)))
		fprintf(stderr, "tsmctl: tdi %s %s: not using the kernel's chains: %s\n", verbs[v],
			o.t.dev, why);
	else {
		o.t.attest.cache = &kc.cache;
		have_kc = 1;
	}
	tsmh_tdi_init(td, &s.t, &s.nl, &o.t, &k);
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "tdi", o.t.dev);
	cJSON_AddStringToObject(j, "dsm", k.dsm);
	cJSON_AddStringToObject(j, "operation", verbs[v]);
	r->on_step = conn_step_out;
	r->arg = cJSON_AddArrayToObject(j, "steps");
	if (!opt_json)
		printf("%s: tdi %s%s (DSM %s, interface ID %#x)\n", o.t.dev, verbs[v],
		       v == V_LOCK && o.t.start ? " --start" : "", k.dsm, k.interface_id);
	switch (v) {
	case V_LOCK:
		ret = tsmh_tdi_lock(td, r);
		if (!ret) {
			hold(td, r, o.hold_s, j);
			tsmh_tdi_stop(td, r);
		}
		break;
	case V_STOP: ret = tsmh_tdi_stop(td, r); break;
	default: ret = tsmh_tdi_state(td, r); break;
	}
	tsmh_conn_end_session(&td->c, r);
	ret = r->ret;
	/* the kernel's view now (a refused tdi-end answers no TDI) */
	{
		struct tsmh_tdinl_list l = { 0 };
		const struct tsmh_tdinl_tdi *f;

		if (!tsmh_tdi_get(&s.nl, o.t.dev, &l) && (f = tsmh_tdinl_find(&l, o.t.dev)))
			td->k = *f;
		tsmh_tdinl_list_free(&l);
	}
	outcome(v, td, ret, j);
	cJSON_AddBoolToObject(j, "ok", !ret);
	if (ret) {
		cJSON_AddStringToObject(j, "error", r->err);
		if (r->failed_step)
			cJSON_AddStringToObject(j, "failed_step", r->failed_step);
	}
	if (r->unwind_err[0])
		cJSON_AddStringToObject(j, "unwind_error", r->unwind_err);
	if (opt_json)
		json_print(j);
	else
		cJSON_Delete(j);
	if (ret) {
		fprintf(stderr, "tsmctl: tdi %s %s: %s\n", verbs[v], o.t.dev, r->err);
		if (td->start_refused)
			fprintf(stderr,
				"tsmctl: tdi lock %s: START refused by the kernel: nothing sent; "
				"the lock ends with this session, so it was stopped\n",
				o.t.dev);
		else if (td->stopped && td->stop_ok)
			fprintf(stderr, "tsmctl: tdi %s %s: STOP_INTERFACE sent: not left locked\n",
				verbs[v], o.t.dev);
		else if (td->stopped)
			fprintf(stderr, "tsmctl: tdi %s %s: undoing failed too: %s\n", verbs[v],
				o.t.dev, r->unwind_err);
	}
	tsmh_tdi_free(td);
	if (have_kc)
		kernel_cache_free(&kc);
	target_close(&s);
	free(td);
	free(r);
	return ret ? EXIT_OPERR : 0;
}

int cmd_tdi(int argc, char **argv)
{
	unsigned int i;

	if (argc < 2) {
		fputs(usage_tdi, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "list"))
		return tdi_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return tdi_report(argc - 1, argv + 1);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i]))
			return run((enum verb)i, argc - 1, argv + 1);
	fprintf(stderr,
		"tsmctl: tdi: unknown command '%s' (list, lock, report, start, stop, state)\n",
		argv[1]);
	return EXIT_USAGE;
}
