// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl tdi list and show's "TDI:" line: the kernel's TDIs (tdi-get, open
 * to every user), as a table, a line or JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "tdi_nl.h"
#include "tsmctl.h"

static const char *const flag_words[] = { "report_checked", "nonce_held", "host_started", "bound",
					  "pending" };
static const char *const lock_words[] = { "no_fw_update", "cache_line_128", "lock_msix", "bind_p2p",
					  "all_request_redirect" };

static cJSON *words(uint32_t v, const char *const *w, unsigned int nr)
{
	cJSON *a = cJSON_CreateArray();
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (v & (1U << i))
			cJSON_AddItemToArray(a, cJSON_CreateString(w[i]));
	return a;
}

cJSON *tdi_json(const struct tsmh_tdinl_tdi *t)
{
	cJSON *j = cJSON_CreateObject(), *o;
	char b[24];

	cJSON_AddStringToObject(j, "tdi", t->dev);
	cJSON_AddStringToObject(j, "dsm", t->dsm);
	snprintf(b, sizeof(b), "%#x", t->interface_id);
	cJSON_AddStringToObject(j, "interface_id", b);
	cJSON_AddStringToObject(j, "state", tsmh_tdinl_state_name(t->state));
	cJSON_AddItemToObject(j, "flags", words(t->flags, flag_words, 5));
	if (t->has & TSMH_TDINL_H_OP)
		cJSON_AddStringToObject(j, "pending_op", tsmh_tdinl_op_name(t->op));
	if (t->has & TSMH_TDINL_H_LOCK_FLAGS)
		cJSON_AddItemToObject(j, "lock_flags", words(t->lock_flags, lock_words, 5));
	if (t->has & TSMH_TDINL_H_STREAM)
		cJSON_AddNumberToObject(j, "default_stream_id", t->stream_id);
	if (t->has & TSMH_TDINL_H_MMIO) {
		snprintf(b, sizeof(b), "%#llx", (unsigned long long)t->mmio_offset);
		cJSON_AddStringToObject(j, "mmio_offset", b);
	}
	if (t->has & TSMH_TDINL_H_REPORT) {
		o = cJSON_AddObjectToObject(j, "report");
		cJSON_AddNumberToObject(o, "length", t->report_len);
		cJSON_AddNumberToObject(o, "mmio_ranges", t->nr_ranges);
		if (t->has & TSMH_TDINL_H_REPORT_GEN)
			cJSON_AddNumberToObject(o, "evidence_generation", (double)t->report_gen);
	} else {
		cJSON_AddNullToObject(j, "report");
	}
	if (t->has & TSMH_TDINL_H_TVM) {
		char tvm[20];

		/* 64 bits (a double would lose them), as the kernel logs it */
		snprintf(tvm, sizeof(tvm), "%016llx", (unsigned long long)t->tvm);
		cJSON_AddStringToObject(j, "tvm", tvm);
	} else
		cJSON_AddNullToObject(j, "tvm");
	if (t->msg[0])
		cJSON_AddStringToObject(j, "message", t->msg);
	if (t->has & TSMH_TDINL_H_SINCE)
		cJSON_AddNumberToObject(j, "since_ns", (double)t->since);
	return j;
}

/* "3 ranges, 96 bytes (evidence gen 4)" or "none" */
const char *tdi_report_summary(const struct tsmh_tdinl_tdi *t, char *b, size_t len)
{
	if (!(t->has & TSMH_TDINL_H_REPORT) || !t->report_len)
		snprintf(b, len, "none");
	else if (t->has & TSMH_TDINL_H_REPORT_GEN)
		snprintf(b, len, "%u range%s, %u bytes (evidence gen %llu)", t->nr_ranges,
			 t->nr_ranges == 1 ? "" : "s", t->report_len,
			 (unsigned long long)t->report_gen);
	else
		snprintf(b, len, "%u range%s, %u bytes", t->nr_ranges, t->nr_ranges == 1 ? "" : "s",
			 t->report_len);
	return b;
}

/* "CONFIG_LOCKED (report-checked, nonce)" */
const char *tdi_state_summary(const struct tsmh_tdinl_tdi *t, char *b, size_t len)
{
	char f[128];

	tsmh_tdinl_flags_str(t->flags, f, sizeof(f));
	if (t->has & TSMH_TDINL_H_OP)
		snprintf(b, len, "%s%s%s%s, %s pending", tsmh_tdinl_state_name(t->state),
			 f[0] ? " (" : "", f, f[0] ? ")" : "", tsmh_tdinl_op_name(t->op));
	else
		snprintf(b, len, "%s%s%s%s", tsmh_tdinl_state_name(t->state), f[0] ? " (" : "", f,
			 f[0] ? ")" : "");
	return b;
}

int tdi_list(int argc, char **argv)
{
	struct tsmh_tdinl_list l = { 0 };
	struct tsmh_nl nl;
	unsigned int i;
	char s[192], r[96], tvm[24];
	int c, ret;

	while ((c = getopt(argc, argv, "j")) != -1) {
		if (c != 'j') {
			fputs(usage_tdi, stderr);
			return EXIT_USAGE;
		}
		opt_json = 1;
	}
	if (optind != argc) {
		fputs(usage_tdi, stderr);
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = tsmh_tdi_get(&nl, NULL, &l);
	if (ret) {
		ret = report_nl_error(&nl, "tdi list", NULL, ret);
		goto out;
	}
	if (opt_json) {
		cJSON *a = cJSON_CreateArray();

		for (i = 0; i < l.n; i++)
			cJSON_AddItemToArray(a, tdi_json(&l.t[i]));
		json_print(a);
		goto out;
	}
	if (!l.n) {
		printf("no TDIs (no tracked device's DSM has TEE-IO Supported)\n");
		goto out;
	}
	printf("%-13s %-13s %-10s %-16s %-44s %s\n", "TDI", "DSM", "IFACE-ID", "TVM", "STATE",
	       "REPORT");
	for (i = 0; i < l.n; i++) {
		const struct tsmh_tdinl_tdi *t = &l.t[i];

		if (t->has & TSMH_TDINL_H_TVM)
			snprintf(tvm, sizeof(tvm), "%016llx", (unsigned long long)t->tvm);
		else
			snprintf(tvm, sizeof(tvm), "-");
		printf("%-13s %-13s %#-10x %-16s %-44s %s\n", t->dev, t->dsm, t->interface_id, tvm,
		       tdi_state_summary(t, s, sizeof(s)), tdi_report_summary(t, r, sizeof(r)));
		if (t->state == TSMH_TDI_STATE_ERROR && t->msg[0])
			printf("%13s   %s\n", "", t->msg);
	}
out:
	tsmh_tdinl_list_free(&l);
	tsmh_nl_close(&nl);
	return ret ? EXIT_OPERR : 0;
}

void tdi_show(struct tsmh_nl *nl, const char *dev, cJSON *j)
{
	struct tsmh_tdinl_list l = { 0 };
	const struct tsmh_tdinl_tdi *t;
	char s[192], r[96];
	int ret = tsmh_tdi_get(nl, dev, &l);

	t = ret ? NULL : tsmh_tdinl_find(&l, dev);
	if (t && j) {
		cJSON_AddItemToObject(j, "tdi", tdi_json(t));
	} else if (t) {
		printf("  TDI:        %s, DSM %s, interface ID %#x, report %s\n",
		       tdi_state_summary(t, s, sizeof(s)), t->dsm, t->interface_id,
		       tdi_report_summary(t, r, sizeof(r)));
		if (t->msg[0])
			printf("              %s\n", t->msg);
	} else if (ret && ret != -ENOENT && ret != -ENODEV && ret != -EOPNOTSUPP) {
		/* a TDI that could not be read is said, not left out */
		if (j)
			cJSON_AddStringToObject(j, "tdi_error",
						nl->err[0] ? nl->err : strerror(-ret));
		else
			printf("  TDI:        unknown (tdi-get: %s)\n",
			       nl->err[0] ? nl->err : strerror(-ret));
	}
	nl->err[0] = 0;
	tsmh_tdinl_list_free(&l);
}
