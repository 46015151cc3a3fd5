// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl monitor: print device events from the "events" multicast group.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "ev_rules.h"
#include "tsmctl.h"

const char usage_monitor[] = "Usage: tsmctl monitor [--count N] [--exec COMMAND]\n";

struct mon {
	long left; /* < 0: forever */
	const char *exec; /* --exec: a shell command run for every event */
	char err[128];
};

static int counted(struct mon *mon)
{
	fflush(stdout);
	return mon->left > 0 && --mon->left == 0;
}

/*
 * --exec: run the hook for one event and wait for it, so hooks see events
 * in order. What the event says is in the environment (TSMH_EVENT,
 * TSMH_DEVICE, ...; see tsmctl(8)); a failing hook is reported, never fatal.
 */
static void hook(struct mon *mon, const char *event, const char *dev, const struct tsmh_devinfo *d,
		 const char *reset_kind, unsigned long long count, unsigned long long gen)
{
	char num[32];
	pid_t pid;
	int st;

	if (!mon->exec)
		return;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tsmctl: monitor: cannot run the hook: %s\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		setenv("TSMH_EVENT", event, 1);
		setenv("TSMH_DEVICE", dev, 1);
		if (d && d->has_gate) {
			setenv("TSMH_GATE_STATE", tsmh_gate_state_name(d->gate_state), 1);
			setenv("TSMH_GATE_REASON", tsmh_gate_reason_name(d->gate_reason), 1);
			setenv("TSMH_GATE_MSG", d->gate_msg, 1);
			setenv("TSMH_DRIVER", d->driver, 1);
		}
		if (d) {
			snprintf(num, sizeof(num), "%04x:%04x", d->vendor, d->device);
			setenv("TSMH_ID", num, 1);
		}
		if (reset_kind) {
			setenv("TSMH_RESET_KIND", reset_kind, 1);
			snprintf(num, sizeof(num), "%llu", count);
			setenv("TSMH_RESET_COUNT", num, 1);
		}
		if (gen) {
			snprintf(num, sizeof(num), "%llu", gen);
			setenv("TSMH_GENERATION", num, 1);
		}
		execl("/bin/sh", "sh", "-c", mon->exec, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fprintf(stderr, "tsmctl: monitor: hook for %s %s %s %d\n", event, dev,
			WIFEXITED(st) ? "exited with status" : "killed by signal",
			WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

static int on_evidence(struct genlmsghdr *g, struct mon *mon)
{
	struct nlattr *tb[TSMH_A_MAX + 1];
	struct nla_policy pol[TSMH_A_MAX + 1] = {
		[TSMH_A_DEV_NAME] = { .type = NLA_STRING, .maxlen = 32 },
		[TSMH_A_EV_GENERATION] = { .type = NLA_U64 },
		[TSMH_A_EV_PROVENANCE] = { .type = NLA_U32 },
		[TSMH_A_EV_PRESENT] = { .type = NLA_U32 },
	};
	char name[32] = "?";
	const char *prov;
	unsigned long long gen;

	if (nla_parse(tb, TSMH_A_MAX, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), pol) ||
	    !tb[TSMH_A_DEV_NAME] || !tb[TSMH_A_EV_GENERATION]) {
		fprintf(stderr, "tsmctl: monitor: malformed evidence event\n");
		return 0;
	}
	nla_strlcpy(name, tb[TSMH_A_DEV_NAME], sizeof(name));
	gen = (unsigned long long)nla_get_u64(tb[TSMH_A_EV_GENERATION]);
	prov = tb[TSMH_A_EV_PROVENANCE] ? tsmh_ev_prov_name(nla_get_u32(tb[TSMH_A_EV_PROVENANCE]))
					: NULL;
	if (opt_json) {
		cJSON *j = cJSON_CreateObject();
		char *out;

		cJSON_AddStringToObject(j, "event", "evidence");
		cJSON_AddStringToObject(j, "device", name);
		cJSON_AddNumberToObject(j, "generation", (double)gen);
		cJSON_AddStringToObject(j, "provenance", prov ? prov : "?");
		out = cJSON_PrintUnformatted(j);
		puts(out);
		cJSON_free(out);
		cJSON_Delete(j);
	} else {
		printf("evidence %s generation %llu (%s)\n", name, gen, prov ? prov : "?");
	}
	hook(mon, "evidence", name, NULL, NULL, 0, gen);
	return counted(mon);
}

static int on_reset(struct genlmsghdr *g, struct mon *mon)
{
	struct nlattr *tb[TSMH_A_MAX + 1];
	struct nla_policy pol[TSMH_A_MAX + 1] = {
		[TSMH_A_DEV_NAME] = { .type = NLA_STRING, .maxlen = 32 },
		[TSMH_A_RESET_KIND] = { .type = NLA_U32 },
		[TSMH_A_RESET_COUNT] = { .type = NLA_U64 },
	};
	char name[32] = "?";
	const char *kind;
	unsigned long long count;

	if (nla_parse(tb, TSMH_A_MAX, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), pol) ||
	    !tb[TSMH_A_DEV_NAME] || !tb[TSMH_A_RESET_KIND] || !tb[TSMH_A_RESET_COUNT]) {
		fprintf(stderr, "tsmctl: monitor: malformed reset event\n");
		return 0;
	}
	nla_strlcpy(name, tb[TSMH_A_DEV_NAME], sizeof(name));
	kind = tsmh_reset_kind_name(nla_get_u32(tb[TSMH_A_RESET_KIND]));
	count = (unsigned long long)nla_get_u64(tb[TSMH_A_RESET_COUNT]);
	if (opt_json) {
		cJSON *j = cJSON_CreateObject();
		char *out;

		cJSON_AddStringToObject(j, "event", "reset");
		cJSON_AddStringToObject(j, "device", name);
		cJSON_AddStringToObject(j, "kind", kind);
		cJSON_AddNumberToObject(j, "count", (double)count);
		out = cJSON_PrintUnformatted(j);
		puts(out);
		cJSON_free(out);
		cJSON_Delete(j);
	} else {
		printf("reset %s %s (count %llu): re-attestation needed\n", name, kind, count);
	}
	hook(mon, "reset", name, NULL, kind, count, 0);
	return counted(mon);
}

static int on_event(struct nl_msg *m, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct mon *mon = arg;
	struct tsmh_devinfo d;
	const char *what;

	switch (g->cmd) {
	case TSMH_CMD_EVT_DEV_ADD: what = "add"; break;
	case TSMH_CMD_EVT_DEV_DEL: what = "remove"; break;
	case TSMH_CMD_EVT_GATE: what = "gate"; break;
	case TSMH_CMD_EVT_EVIDENCE: return on_evidence(g, mon);
	case TSMH_CMD_EVT_RESET: return on_reset(g, mon);
	default: return 0; /* newer kernel event: skip */
	}
	if (tsmh_devinfo_parse(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), &d, mon->err)) {
		fprintf(stderr, "tsmctl: monitor: malformed event: %s\n", mon->err);
		return 0;
	}
	if (opt_json) {
		cJSON *j = cJSON_CreateObject();
		char *s;

		cJSON_AddStringToObject(j, "event", what);
		cJSON_AddItemToObject(j, "device", devinfo_json(&d));
		s = cJSON_PrintUnformatted(j);
		puts(s);
		cJSON_free(s);
		cJSON_Delete(j);
	} else if (g->cmd == TSMH_CMD_EVT_GATE) {
		char buf[64];

		printf("gate %s %s%s%s\n", d.name, gate_summary(&d, buf, sizeof(buf)),
		       d.gate_msg[0] ? ": " : "", d.gate_msg);
	} else {
		printf("%s %s %04x:%04x%s\n", what, d.name, d.vendor, d.device,
		       (d.flags & TSMH_DEV_F_TEE_IO) ? " tee-io" : "");
	}
	fflush(stdout);
	hook(mon, what, d.name, &d, NULL, 0, 0);
	if (mon->left > 0 && --mon->left == 0)
		return 1;
	return 0;
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option lo[] = { { "count", required_argument, 0, 'c' },
					    { "exec", required_argument, 0, 'e' },
					    { 0, 0, 0, 0 } };
	struct mon mon = { .left = -1 };
	struct tsmh_nl nl;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "c:e:", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			mon.left = strtol(optarg, &end, 10);
			if (*end || mon.left <= 0)
				goto usage;
			break;
		case 'e':
			if (!*optarg)
				goto usage;
			mon.exec = optarg;
			break;
		default: goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = tsmh_nl_subscribe(&nl);
	if (ret) {
		fprintf(stderr, "tsmctl: monitor: cannot join the events group: %s\n",
			strerror(-ret));
		tsmh_nl_close(&nl);
		return EXIT_OPERR;
	}
	if (!opt_json)
		fprintf(stderr, "tsmctl: monitoring tsmh events (Ctrl-C to stop)\n");
	for (;;) {
		ret = tsmh_nl_recv_events(&nl, on_event, &mon);
		if (ret == 1) {
			ret = 0;
			break;
		}
		if (ret) {
			fprintf(stderr, "tsmctl: monitor: %s\n", strerror(-ret));
			ret = EXIT_OPERR;
			break;
		}
	}
	tsmh_nl_close(&nl);
	return ret;
usage:
	fputs(usage_monitor, stderr);
	return EXIT_USAGE;
}
