// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl tdi report DEV: the interface report the kernel checked against
 * the TDI's BARs and holds as evidence object report (provenance
 * tdisp-report), decoded; --raw FILE: its bytes. No session: a new one
 * would end the session the TDI is locked in (TDISP moves the TDI to
 * ERROR then), and the holder (tsmctl tdi lock) keeps the mailbox.
 * Reading evidence needs CAP_NET_ADMIN or CAP_SYS_ADMIN, as evidence does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "evidence.h"
#include "fileio.h"
#include "idekm.h"
#include "tdi_nl.h"
#include "tdisp.h"
#include "tsmctl.h"

/* --raw FILE: a new file or one truncated, never through a symlink */
static int write_raw(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644), ret;

	if (fd < 0)
		return -errno;
	ret = tsmh_write_all(fd, buf, len);
	if (close(fd) && !ret)
		ret = -errno;
	return ret ? -EIO : 0;
}

int tdi_report(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "raw", required_argument, 0, 'r' },
		{ "json", no_argument, 0, 'j' },
		{ 0, 0, 0, 0 },
	};
	struct tsmh_evidence_get_opts go = { .type_mask = 1U << TSMH_EV_REPORT };
	struct tsmh_tdinl_list l = { 0 };
	const struct tsmh_tdinl_tdi *t;
	struct tsmh_tdisp_report rep;
	struct tsmh_idekm_why w = { 0 };
	struct tsmh_evidence ev = { 0 };
	const char *raw = NULL, *dev;
	struct tsmh_nl nl;
	char why[320], s[192];
	int current;
	int c, ret, have_ev = 0;
	cJSON *j;

	while ((c = getopt_long(argc, argv, "j", lo, NULL)) != -1) {
		switch (c) {
		case 'r': raw = optarg; break;
		case 'j': opt_json = 1; break;
		default: fputs(usage_tdi, stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage_tdi, stderr);
		return EXIT_USAGE;
	}
	dev = argv[optind];
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = tsmh_tdi_get(&nl, dev, &l);
	t = ret ? NULL : tsmh_tdinl_find(&l, dev);
	if (!t) {
		if (!ret) {
			ret = -ENOENT;
			snprintf(nl.err, sizeof(nl.err), "%s is not a TDI the kernel tracks", dev);
		}
		ret = report_nl_error(&nl, "tdi report", dev, ret);
		goto out;
	}
	ret = tsmh_evidence_get(&nl, dev, &go, &ev, why, sizeof(why));
	have_ev = !ret;
	if (ret == -ENOENT || (!ret && !ev.obj[TSMH_EV_REPORT].data)) {
		fprintf(stderr,
			"tsmctl: tdi report %s: the kernel holds no interface report for it (%s); "
			"'tsmctl tdi lock %s' reads one and has the kernel check it\n",
			dev, tsmh_tdinl_state_name(t->state), dev);
		ret = EXIT_OPERR;
		goto out;
	}
	if (ret) {
		fprintf(stderr, "tsmctl: tdi report %s: %s%s\n", dev, why,
			ret == -EPERM && !strstr(why, "CAP_")
				? " [needs CAP_NET_ADMIN or CAP_SYS_ADMIN]"
				: "");
		ret = EXIT_OPERR;
		goto out;
	}
	ret = tsmh_tdisp_report_parse(ev.obj[TSMH_EV_REPORT].data, ev.obj[TSMH_EV_REPORT].len, &rep,
				      &w);
	if (ret) {
		tsmh_idekm_why_format(&w, why, sizeof(why));
		fprintf(stderr, "tsmctl: tdi report %s: the kernel's copy does not parse: %s\n",
			dev, why);
		ret = EXIT_OPERR;
		goto out;
	}
	if (raw) {
		ret = write_raw(raw, ev.obj[TSMH_EV_REPORT].data, ev.obj[TSMH_EV_REPORT].len);
		if (ret) {
			fprintf(stderr, "tsmctl: tdi report %s: --raw %s: %s\n", dev, raw,
				strerror(-ret));
			ret = EXIT_OPERR;
			goto out;
		}
	}
	/*
	 * The kernel's checked report is the one of the generation it names;
	 * a report object in another set (a later commit kept or replaced
	 * it) is not what it checked.
	 */
	current = (t->flags & TSMH_TDI_F_REPORT_CHECKED) && (t->has & TSMH_TDINL_H_REPORT_GEN) &&
		  t->report_gen == ev.generation;
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "tdi", dev);
	cJSON_AddItemToObject(j, "kernel", tdi_json(t));
	cJSON_AddNumberToObject(j, "evidence_generation", (double)ev.generation);
	cJSON_AddBoolToObject(j, "current", current);
	cJSON_AddItemToObject(j, "report",
			      tdisp_report_json(&rep, (uint32_t)ev.obj[TSMH_EV_REPORT].len, 0));
	if (opt_json) {
		json_print(j);
	} else {
		cJSON_Delete(j);
		printf("%s: %s; the interface report in the kernel's evidence (generation "
		       "%llu)\n",
		       dev, tdi_state_summary(t, s, sizeof(s)), (unsigned long long)ev.generation);
		if (!(t->flags & TSMH_TDI_F_REPORT_CHECKED))
			printf("  not current: the TDI was stopped, reset or failed since it was "
			       "recorded\n");
		else if (!current)
			printf("  not current: the kernel checked the report of evidence generation "
			       "%llu, this set is another\n",
			       (unsigned long long)t->report_gen);
		else
			printf("  checked by the kernel against the TDI's BARs when it was recorded\n");
		tdisp_report_print(&rep, (uint32_t)ev.obj[TSMH_EV_REPORT].len, 0);
	}
	ret = 0;
out:
	if (have_ev)
		tsmh_evidence_free(&ev);
	tsmh_tdinl_list_free(&l);
	tsmh_nl_close(&nl);
	return ret;
}
