// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl info | list | show | claim
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "doe_proxy.h"
#include "nl_policy.h"
#include "tsmctl.h"

struct dev_list {
	struct tsmh_devinfo *d;
	int n, cap;
	char err[128];
};

static int collect(struct nl_msg *m, void *arg)
{
	struct dev_list *l = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(m);

	if (l->n == l->cap) {
		void *p = realloc(l->d, sizeof(*l->d) * (size_t)(l->cap ? 2 * l->cap : 8));

		if (!p)
			return -ENOMEM;
		l->d = p;
		l->cap = l->cap ? 2 * l->cap : 8;
	}
	if (tsmh_devinfo_parse(genlmsg_attrdata(nlmsg_data(nlh), 0),
			       genlmsg_attrlen(nlmsg_data(nlh), 0), &l->d[l->n], l->err))
		return -EBADMSG;
	l->n++;
	return 0;
}

static int get_devices(struct tsmh_nl *nl, const char *name, struct dev_list *l)
{
	struct nl_msg *m = tsmh_nl_msg(nl, TSMH_CMD_DEV_GET, !name);
	int ret;

	if (!m)
		return -ENOMEM;
	if (name && nla_put_string(m, TSMH_A_DEV_NAME, name)) {
		nlmsg_free(m);
		return -EINVAL;
	}
	ret = tsmh_nl_call(nl, m, collect, l);
	if (ret == -EBADMSG)
		snprintf(nl->err, sizeof(nl->err), "malformed reply from the kernel: %s", l->err);
	return ret;
}

static int spdm_opt(int argc, char **argv, int *spdm, const char **dev, int need_dev)
{
	static const struct option lo[] = { { "spdm", no_argument, 0, 's' }, { 0, 0, 0, 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "s", lo, NULL)) != -1) {
		if (c != 's')
			return -1;
		*spdm = 1;
	}
	if (need_dev) {
		if (optind + 1 != argc)
			return -1;
		*dev = argv[optind];
	} else if (optind != argc) {
		return -1;
	}
	return 0;
}

static int has_cma(const struct tsmh_devinfo *d)
{
	return !!(d->flags & TSMH_DEV_F_CMA);
}

static int list_or_show(struct dev_list *l, struct tsmh_nl *nl, int spdm, int detail)
{
	cJSON *arr = opt_json ? cJSON_CreateArray() : NULL;
	int i;

	if (!opt_json && !detail)
		devinfo_header(spdm);
	for (i = 0; i < l->n; i++) {
		char ver[128] = "-";
		cJSON *sj = NULL;

		if (spdm && has_cma(&l->d[i]))
			spdm_probe(nl, l->d[i].name, ver, sizeof(ver), &sj);
		if (opt_json) {
			cJSON *j = devinfo_json(&l->d[i]);

			if (sj)
				cJSON_AddItemToObject(j, "spdm", sj);
			cJSON_AddItemToArray(arr, j);
		} else if (detail) {
			devinfo_print(&l->d[i]);
			if (spdm)
				printf("  SPDM:       %s\n", ver);
		} else {
			devinfo_row(&l->d[i], spdm ? ver : NULL);
		}
	}
	if (opt_json) {
		if (detail && l->n == 1) {
			cJSON *one = cJSON_DetachItemFromArray(arr, 0);

			cJSON_Delete(arr);
			json_print(one);
		} else {
			json_print(arr);
		}
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct dev_list l = { 0 };
	struct tsmh_nl nl;
	int spdm = 0, ret;

	if (spdm_opt(argc, argv, &spdm, NULL, 0)) {
		fprintf(stderr, "Usage: tsmctl list [--spdm]\n");
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = get_devices(&nl, NULL, &l);
	if (ret)
		ret = report_nl_error(&nl, "list", NULL, ret);
	else
		ret = list_or_show(&l, &nl, spdm, 0);
	free(l.d);
	tsmh_nl_close(&nl);
	return ret;
}

int cmd_show(int argc, char **argv)
{
	struct dev_list l = { 0 };
	const char *dev = NULL;
	struct tsmh_nl nl;
	int spdm = 0, ret;

	if (spdm_opt(argc, argv, &spdm, &dev, 1)) {
		fprintf(stderr, "Usage: tsmctl show DEV [--spdm]\n");
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = get_devices(&nl, dev, &l);
	if (ret)
		ret = report_nl_error(&nl, "show", dev, ret);
	else
		ret = list_or_show(&l, &nl, spdm, 1);
	free(l.d);
	tsmh_nl_close(&nl);
	return ret;
}

struct caps_reply {
	uint32_t abi, backend, payload_max;
	char release[128];
	int has_gate;
	uint32_t gate_mode, reset_sources;
};

static int parse_caps(struct nl_msg *m, void *arg)
{
	struct caps_reply *r = arg;
	struct nlattr *tb[TSMH_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, TSMH_A_MAX, tsmh_nl_tsmh_policy) ||
	    !tb[TSMH_A_ABI_VERSION])
		return -EBADMSG;
	r->abi = nla_get_u32(tb[TSMH_A_ABI_VERSION]);
	if (tb[TSMH_A_DOE_BACKEND])
		r->backend = nla_get_u32(tb[TSMH_A_DOE_BACKEND]);
	if (tb[TSMH_A_DOE_PAYLOAD_MAX])
		r->payload_max = nla_get_u32(tb[TSMH_A_DOE_PAYLOAD_MAX]);
	if (tb[TSMH_A_KERNEL_RELEASE])
		nla_strlcpy(r->release, tb[TSMH_A_KERNEL_RELEASE], sizeof(r->release));
	if (tb[TSMH_A_GATE_MODE]) {
		r->has_gate = 1;
		r->gate_mode = nla_get_u32(tb[TSMH_A_GATE_MODE]);
	}
	if (tb[TSMH_A_RESET_SOURCES])
		r->reset_sources = nla_get_u32(tb[TSMH_A_RESET_SOURCES]);
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const char *backends[] = { "none", "kernel (pci_doe)", "tsmh config-space" };
	struct caps_reply r = { 0 };
	char srcs[64] = "";
	struct tsmh_nl nl;
	struct nl_msg *m;
	uint32_t k;
	int ret;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "Usage: tsmctl info\n");
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	m = tsmh_nl_msg(&nl, TSMH_CMD_GET_CAPS, 0);
	ret = m ? tsmh_nl_call(&nl, m, parse_caps, &r) : -ENOMEM;
	for (k = 0; k < __TSMH_RESET_NR; k++)
		if (r.reset_sources & (1U << k))
			snprintf(srcs + strlen(srcs), sizeof(srcs) - strlen(srcs), "%s%s",
				 srcs[0] ? "," : "", tsmh_reset_kind_name(k));
	if (ret) {
		ret = report_nl_error(&nl, "info", NULL, ret);
	} else if (opt_json) {
		cJSON *rs;

		cJSON *j = cJSON_CreateObject();

		cJSON_AddNumberToObject(j, "abi_version", r.abi);
		cJSON_AddStringToObject(j, "doe_backend",
					r.backend < 3 ? backends[r.backend] : "?");
		cJSON_AddNumberToObject(j, "doe_payload_max", r.payload_max);
		cJSON_AddStringToObject(j, "kernel", r.release);
		cJSON_AddStringToObject(j, "tsmctl", TSMH_VERSION);
		if (r.has_gate) {
			cJSON_AddStringToObject(j, "gate_mode", r.gate_mode ? "on" : "off");
			rs = cJSON_AddArrayToObject(j, "reset_sources");
			for (k = 0; k < __TSMH_RESET_NR; k++)
				if (r.reset_sources & (1U << k))
					cJSON_AddItemToArray(
						rs, cJSON_CreateString(tsmh_reset_kind_name(k)));
		}
		json_print(j);
	} else {
		printf("kernel:          %s\n", r.release);
		printf("netlink ABI:     %u (tsmctl built for %d)\n", r.abi, TSMH_ABI_VERSION);
		printf("DOE backend:     %s\n", r.backend < 3 ? backends[r.backend] : "?");
		printf("DOE payload max: %u bytes\n", r.payload_max);
		if (r.has_gate) {
			printf("driver gate:     %s\n", r.gate_mode ? "on" : "off");
			printf("reset sources:   %s\n", srcs[0] ? srcs : "none (not detected)");
		}
	}
	tsmh_nl_close(&nl);
	return ret;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int cmd_claim(int argc, char **argv)
{
	static const struct option lo[] = { { "mailbox", required_argument, 0, 'm' },
					    { 0, 0, 0, 0 } };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *mbs = NULL, *dev;
	struct tsmh_nl nl;
	uint16_t off = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, "m:", lo, NULL)) != -1) {
		if (c != 'm')
			goto usage;
		mbs = optarg;
	}
	if (optind + 1 != argc || (mbs && parse_u16(mbs, &off)))
		goto usage;
	dev = argv[optind];
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = tsmh_doe_proxy_claim(&nl, dev, mbs ? off : -1);
	if (ret) {
		ret = report_nl_error(&nl, "claim", dev, ret);
		tsmh_nl_close(&nl);
		return ret;
	}
	/* The claim lives as long as this socket: hold it until signalled. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "tsmctl: %s: DOE mailbox claimed; release with Ctrl-C or SIGTERM\n", dev);
	while (!stop)
		pause();
	tsmh_nl_close(&nl); /* closing the socket releases the claim */
	return 0;
usage:
	fprintf(stderr, "Usage: tsmctl claim DEV [--mailbox OFF]\n");
	return EXIT_USAGE;
}
