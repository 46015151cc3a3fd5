// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl list and show: the device listing both print, and the SPDM
 * GET_VERSION probe of their --spdm.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "doe_proxy.h"
#include "spdm.h"
#include "tsmctl.h"

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

int get_devices(struct tsmh_nl *nl, const char *name, struct dev_list *l)
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

int spdm_opt(int argc, char **argv, int *spdm, const char **dev, int need_dev)
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

int list_or_show(struct dev_list *l, struct tsmh_nl *nl, int spdm, int detail)
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
			if (detail)
				connection_show(nl, l->d[i].name, j);
			cJSON_AddItemToArray(arr, j);
		} else if (detail) {
			devinfo_print(&l->d[i]);
			if (spdm)
				printf("  SPDM:       %s\n", ver);
			connection_show(nl, l->d[i].name, NULL);
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

int spdm_probe(struct tsmh_nl *nl, const char *dev, char *buf, size_t len, cJSON **j)
{
	struct spdm_ver v[SPDM_MAX_VERSIONS];
	uint8_t req[4], code = 0, *rsp;
	size_t rlen;
	int n, i, ret;
	size_t off = 0;

	*j = cJSON_CreateObject();
	ret = tsmh_doe_proxy_xfer(nl, dev, -1, TSMH_DOE_VID_PCISIG, TSMH_DOE_PROT_CMA, req,
				  spdm_enc_get_version(req), &rsp, &rlen, NULL);
	if (ret) {
		snprintf(buf, len, "error: %s%s%s%s", strerror(-ret), nl->err[0] ? " (" : "",
			 nl->err, nl->err[0] ? ")" : "");
		cJSON_AddStringToObject(*j, "error", buf + 7);
		return ret;
	}
	n = spdm_dec_version(rsp, rlen, v, SPDM_MAX_VERSIONS, &code);
	free(rsp);
	if (n < 0) {
		if (n == -EREMOTEIO)
			snprintf(buf, len, "error: SPDM ERROR %s (%#x)", spdm_error_name(code),
				 code);
		else
			snprintf(buf, len, "error: malformed VERSION response (%s)", strerror(-n));
		cJSON_AddStringToObject(*j, "error", buf + 7);
		return n;
	}
	cJSON *arr = cJSON_AddArrayToObject(*j, "versions");

	buf[0] = 0;
	for (i = 0; i < n; i++) {
		char one[16];

		snprintf(one, sizeof(one), "%u.%u", v[i].major, v[i].minor);
		cJSON_AddItemToArray(arr, cJSON_CreateString(one));
		off += (size_t)snprintf(buf + off, len > off ? len - off : 0, "%s%s", i ? "," : "",
					one);
	}
	return 0;
}
