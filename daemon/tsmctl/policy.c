// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl policy show | policy generate
 *
 * policy show reads the files (and tsmd's status if it runs); policy
 * generate attests every CMA device present now itself and prints an
 * allow-list for them, like `usbguard generate-policy`: review it, then
 * install it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include "allowlist.h"
#include "attest.h"
#include "doe_proxy.h"
#include "bus.h"
#include "generate.h"
#include "hex.h"
#include "jutil.h"
#include "policy.h"
#include "safepath.h"
#include "summary.h"
#include "tsmctl.h"
#include "verdict.h"

const char usage_policy[] =
	"Usage: tsmctl policy show [-c CONFIG]\n"
	"       tsmctl policy generate [-c CONFIG | --trust PEM-OR-DIR] [-o FILE] [DEV...]\n";

/* ---- policy show ---- */

static int show_entry(const struct tsmd_al_entry *e, void *ctx)
{
	cJSON *arr = ctx;
	char id[160];
	size_t i;

	tsmd_identity_str(&e->id, id, sizeof(id));
	if (arr) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "decision",
					e->decision == TSMD_AL_DENY ? "deny" : "allow");
		cJSON_AddStringToObject(o, "identity", id);
		if (e->label)
			cJSON_AddStringToObject(o, "label", e->label);
		cJSON_AddNumberToObject(o, "measurement_sets", (double)e->nr_sets);
		cJSON_AddItemToArray(arr, o);
		return 0;
	}
	printf("  %-5s %s%s%s%s\n", e->decision == TSMD_AL_DENY ? "deny" : "allow", id,
	       e->label ? " (" : "", e->label ? e->label : "", e->label ? ")" : "");
	for (i = 0; i < e->nr_sets; i++)
		printf("        measurement set %zu: %zu block(s)%s%s\n", i + 1, e->sets[i].nr,
		       e->sets[i].added ? ", added " : "",
		       e->sets[i].added ? e->sets[i].added : "");
	return 0;
}

static void show_status(cJSON *j)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	sd_bus *bus = NULL;
	cJSON *st = NULL;
	const char *s;

	/* tsmd's view, if it runs */
	if (sd_bus_open_system(&bus) >= 0 &&
	    sd_bus_call_method(bus, BUS_NAME, BUS_PATH, BUS_IFACE, "Status", &err, &r, "") >= 0 &&
	    sd_bus_message_read(r, "s", &s) >= 0)
		st = cJSON_Parse(s);
	if (j) {
		if (st)
			cJSON_AddItemToObject(j, "tsmd", st);
		else
			cJSON_AddStringToObject(j, "tsmd", "not running");
	} else if (st) {
		cJSON *h = cJSON_GetObjectItem(st, "held"),
		      *rl = cJSON_GetObjectItem(st, "released"),
		      *ok = cJSON_GetObjectItem(st, "allow_list_ok"),
		      *ae = cJSON_GetObjectItem(st, "allow_list_error");

		printf("tsmd:         running, %d held, %d released; its allow-list %s%s\n",
		       cJSON_IsNumber(h) ? h->valueint : -1, cJSON_IsNumber(rl) ? rl->valueint : -1,
		       cJSON_IsTrue(ok) ? "is loaded" : "is UNREADABLE: ",
		       cJSON_IsTrue(ok)	    ? ""
		       : cJSON_IsString(ae) ? ae->valuestring
					    : "?");
		cJSON_Delete(st);
	} else {
		printf("tsmd:         not running\n");
	}
	sd_bus_error_free(&err);
	sd_bus_message_unref(r);
	sd_bus_flush_close_unref(bus);
}

/*
 * tsmd's files as tsmd (root) judges them (common/safepath.h): for each
 * that another user could change, why and the fix in @u[0..2] (config,
 * trust anchors, allow-list; "" when safe). 1 if any is unsafe.
 */
static int unsafe_files(const char *conf, const struct tsmd_policy *p, char u[3][512])
{
	int any = 0;

	if (tsmh_path_secure(conf, 0, 0, u[0], sizeof(u[0])) != -EPERM)
		u[0][0] = 0;
	if (tsmh_trust_secure(p->trust_anchors, 0, 0, u[1], sizeof(u[1])) != -EPERM)
		u[1][0] = 0;
	if (tsmd_allowlist_secure(p->allow_list, 0, u[2], sizeof(u[2])) != -EPERM)
		u[2][0] = 0;
	for (int i = 0; i < 3; i++)
		any |= !!u[i][0];
	return any;
}

static void print_unsafe(const char *u, const char *effect)
{
	if (u[0])
		printf("  UNSAFE, %s: %s\n", effect, u);
}

static int policy_show(const char *conf)
{
	static const char *const unsafe_key[] = { "config", "trust_anchors", "allow_list" };
	struct tsmd_policy p = { 0 };
	struct tsmd_allowlist al;
	char why[512], rn[32], u[3][512];
	size_t i;
	int ret, unsafe;

	if (tsmd_policy_load(conf, &p, why, sizeof(why))) {
		fprintf(stderr, "tsmctl: policy show: %s\n", why);
		return EXIT_OPERR;
	}
	unsafe = unsafe_files(conf, &p, u);
	tsmd_allowlist_init(&al);
	ret = tsmd_allowlist_load(p.allow_list, &al, why, sizeof(why));
	if (opt_json) {
		cJSON *j = cJSON_CreateObject(), *rules, *ents, *uj;

		cJSON_AddStringToObject(j, "config", conf);
		uj = cJSON_AddObjectToObject(j, "unsafe");
		for (i = 0; i < 3; i++)
			if (u[i][0])
				cJSON_AddStringToObject(uj, unsafe_key[i], u[i]);
		cJSON_AddStringToObject(j, "trust_anchors", p.trust_anchors);
		cJSON_AddStringToObject(j, "allow_list", p.allow_list);
		cJSON_AddStringToObject(j, "default", tsmd_req_name(p.def.req));
		cJSON_AddStringToObject(j, "present_devices", tsmd_present_name(p.present));
		rules = cJSON_AddArrayToObject(j, "rules");
		for (i = 0; i < p.nr_rules; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "rule",
						tsmd_rule_name(&p.rules[i], rn, sizeof(rn)));
			cJSON_AddStringToObject(o, "require", tsmd_req_name(p.rules[i].req));
			if (p.rules[i].comment)
				cJSON_AddStringToObject(o, "comment", p.rules[i].comment);
			cJSON_AddItemToArray(rules, o);
		}
		if (ret)
			cJSON_AddStringToObject(j, "allow_list_error", why);
		ents = cJSON_AddArrayToObject(j, "entries");
		if (!ret)
			tsmd_allowlist_foreach(&al, show_entry, ents);
		show_status(j);
		json_print(j);
	} else {
		printf("policy:       %s\n", conf);
		print_unsafe(u[0], "tsmd will not load it");
		printf("trust:        %s\n", p.trust_anchors);
		print_unsafe(u[1], "tsmd's attestations fail");
		printf("default:      %s\n", tsmd_req_name(p.def.req));
		printf("present:      %s\n", tsmd_present_name(p.present));
		for (i = 0; i < p.nr_rules; i++)
			printf("%-13s require %s%s%s\n",
			       tsmd_rule_name(&p.rules[i], rn, sizeof(rn)),
			       tsmd_req_name(p.rules[i].req), p.rules[i].comment ? "  # " : "",
			       p.rules[i].comment ? p.rules[i].comment : "");
		printf("allow-list:   %s\n", p.allow_list);
		print_unsafe(u[2], "tsmd releases nothing");
		if (ret == -EACCES)
			printf("  not readable as this user (%s); tsmd's view is on its line below\n",
			       why);
		else if (ret)
			printf("  UNREADABLE, tsmd releases nothing: %s\n", why);
		else if (al.note[0])
			printf("  %s\n", al.note);
		else
			tsmd_allowlist_foreach(&al, show_entry, NULL);
		show_status(NULL);
	}
	tsmd_allowlist_free(&al);
	tsmd_policy_free(&p);
	return ret || unsafe ? EXIT_OPERR : 0;
}

/* ---- policy generate ---- */

struct gen_ctx {
	struct tsmh_devinfo *d;
	int n, cap;
	char err[128];
};

static int gen_collect(struct nl_msg *m, void *arg)
{
	struct gen_ctx *g = arg;
	struct genlmsghdr *h = nlmsg_data(nlmsg_hdr(m));

	if (g->n == g->cap) {
		void *p = realloc(g->d, sizeof(*g->d) * (size_t)(g->cap ? 2 * g->cap : 8));

		if (!p)
			return -ENOMEM;
		g->d = p;
		g->cap = g->cap ? 2 * g->cap : 8;
	}
	if (tsmh_devinfo_parse(genlmsg_attrdata(h, 0), genlmsg_attrlen(h, 0), &g->d[g->n], g->err))
		return -EBADMSG;
	g->n++;
	return 0;
}

/* Attest @di (no evidence stored) and add it to @al. 0, or -errno (reported). */
static int gen_one(const struct tsmh_devinfo *di, const char *trust, struct tsmd_allowlist *al)
{
	struct tsmh_nl own, *nl = &own; /* the claim ends when it closes */
	struct tsmh_attest_opts o = { .trust = trust };
	static struct tsmd_summary sum; /* large; one device at a time */
	struct tsmd_meas_block blocks[TSMD_MAX_BLOCKS];
	struct tsmd_attest_summary as;
	struct tsmd_dev_facts f;
	size_t skipped = 0;
	char now[32];
	struct proxy_ctx pc = { .nl = &own, .dev = di->name };
	struct spdm_transport t;
	struct tsmh_attest a;
	char why[512];
	int ret;

	if (nl_open_or_die(nl))
		return -EIO;
	ret = tsmh_doe_proxy_claim(nl, di->name, -1);
	if (ret) {
		fprintf(stderr, "tsmctl: policy generate: %s: cannot claim the mailbox: %s\n",
			di->name, nl->err[0] ? nl->err : strerror(-ret));
		tsmh_nl_close(nl);
		return ret;
	}
	spdm_transport_proxy(&t, &pc);
	ret = tsmh_attest_run(&t, &o, &a, why, sizeof(why));
	tsmh_nl_close(nl);
	if (ret) {
		fprintf(stderr,
			"tsmctl: policy generate: %s: attestation failed at %s: %s (left out)\n",
			di->name, a.step ? a.step : "?", why);
		tsmh_attest_free(&a);
		return ret;
	}
	/* exactly what tsmd decides on (long raw blocks hashed alike) */
	tsmd_summary_from_attest(&sum, &a, o.slot, 0, NULL, NULL, 0);
	tsmh_attest_free(&a);
	tsmd_summary_view(&sum, blocks, &as);
	tsmd_facts_of(di, &f);
	tsmd_now_rfc3339(now, sizeof(now));
	ret = tsmd_allowlist_generate(al, &(struct tsmd_gen_device){ .facts = &f, .sum = &as }, 1,
				      now, &skipped, why, sizeof(why));
	if (ret < 0 || skipped) {
		fprintf(stderr, "tsmctl: policy generate: %s: %s (left out)\n", di->name, why);
		return ret < 0 ? ret : -EINVAL;
	}
	fprintf(stderr, "tsmctl: policy generate: %s: added (%zu measurement block(s))\n", di->name,
		as.nr_blocks);
	return 0;
}

/* Is @name among the @nr devices the caller named (all if none)? */
static int named(const char *name, char **devs, int nr, int *seen)
{
	int i;

	if (!nr)
		return 1;
	for (i = 0; i < nr; i++) {
		if (!strcmp(devs[i], name)) {
			seen[i] = 1;
			return 1;
		}
	}
	return 0;
}

static int policy_generate(const char *conf, const char *trust, const char *out, char **devs,
			   int nr_devs)
{
	int *seen = calloc((size_t)nr_devs + 1, sizeof(*seen));
	struct tsmd_policy p = { 0 };
	struct tsmd_allowlist al;
	struct gen_ctx g = { 0 };
	struct tsmh_nl nl;
	struct nl_msg *m;
	char why[512], *text;
	int i, ret, failed = 0, added = 0;

	if (!seen)
		return EXIT_OPERR;
	if (!trust) {
		if (tsmd_policy_load(conf, &p, why, sizeof(why))) {
			fprintf(stderr, "tsmctl: policy generate: %s (or give --trust)\n", why);
			free(seen);
			return EXIT_OPERR;
		}
		trust = p.trust_anchors;
	}
	if (trust_check("policy generate", trust) || nl_open_or_die(&nl)) {
		tsmd_policy_free(&p);
		free(seen);
		return EXIT_OPERR;
	}
	m = tsmh_nl_msg(&nl, TSMH_CMD_DEV_GET, 1);
	ret = m ? tsmh_nl_call(&nl, m, gen_collect, &g) : -ENOMEM;
	if (ret) {
		report_nl_error(&nl, "list devices", NULL, ret);
		goto out;
	}
	tsmd_allowlist_init(&al);
	for (i = 0; i < g.n; i++) {
		if (!named(g.d[i].name, devs, nr_devs, seen))
			continue;
		if (!(g.d[i].flags & TSMH_DEV_F_CMA)) {
			if (nr_devs) {
				fprintf(stderr,
					"tsmctl: policy generate: %s: no CMA (SPDM) mailbox: nothing to attest\n",
					g.d[i].name);
				failed++;
			}
			continue;
		}
		if (gen_one(&g.d[i], trust, &al))
			failed++;
		else
			added++;
	}
	for (i = 0; i < nr_devs; i++) {
		if (!seen[i]) {
			fprintf(stderr,
				"tsmctl: policy generate: %s: no such device known to tsmh\n",
				devs[i]);
			failed++;
		}
	}
	if (out) {
		ret = tsmd_allowlist_save(&al, out, why, sizeof(why));
		if (ret || why[0])
			fprintf(stderr, "tsmctl: policy generate: %s%s\n",
				ret ? "" : "warning: ", why);
	} else {
		text = tsmd_allowlist_format(&al);
		ret = text ? 0 : -ENOMEM;
		if (text)
			fputs(text, stdout);
		free(text);
	}
	fprintf(stderr, "tsmctl: policy generate: %d device(s) added, %d left out%s%s\n", added,
		failed, out ? "; written to " : "", out ? out : "");
	tsmd_allowlist_free(&al);
out:
	free(g.d);
	free(seen);
	tsmh_nl_close(&nl);
	tsmd_policy_free(&p);
	return ret || failed ? EXIT_OPERR : 0;
}

int cmd_policy(int argc, char **argv)
{
	static const struct option lo[] = { { "config", required_argument, 0, 'c' },
					    { "trust", required_argument, 0, 't' },
					    { "output", required_argument, 0, 'o' },
					    { 0, 0, 0, 0 } };
	const char *conf = TSMD_POLICY_PATH, *trust = NULL, *out = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "c:t:o:", lo, NULL)) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 't': trust = optarg; break;
		case 'o': out = optarg; break;
		default: goto usage;
		}
	}
	if (optind >= argc)
		goto usage;
	if (!strcmp(argv[optind], "show") && !trust && !out && optind + 1 == argc)
		return policy_show(conf);
	if (!strcmp(argv[optind], "generate"))
		return policy_generate(conf, trust, out, argv + optind + 1, argc - optind - 1);
usage:
	fputs(usage_policy, stderr);
	return EXIT_USAGE;
}
