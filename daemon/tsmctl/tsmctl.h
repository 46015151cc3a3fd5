/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef TSMCTL_H
#define TSMCTL_H

#include <cjson/cJSON.h>
#include "devinfo.h"
#include "nl.h"

extern int opt_json;

/* exit codes */
#define EXIT_OPERR 1
#define EXIT_USAGE 2

/*
 * One command: cmd_X and usage_X in X.c, its line in main.c's table.
 * usage_X starts with the synopsis ("Usage: tsmctl X ...", then a line
 * "       tsmctl X ..." per other form, continuation lines indented 7 or more
 * spaces); any lines after it (indented 2) explain. tsmctl --help lists
 * each synopsis with the summary; tsmctl X --help prints usage_X.
 */
struct tsmctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary; /* one line */
	const char *usage;
};

int cmd_info(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_doe(int argc, char **argv);
int cmd_spdm_info(int argc, char **argv);
int cmd_certs(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_claim(int argc, char **argv);
int cmd_allow(int argc, char **argv);
int cmd_deny(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_caps(int argc, char **argv);
int cmd_ide(int argc, char **argv);
int cmd_tdisp(int argc, char **argv);
/* ide.c dispatches to cmd_ide_VERB (one file each) */
int cmd_ide_km(int argc, char **argv);
int cmd_ide_list(int argc, char **argv);
int cmd_ide_refresh(int argc, char **argv);
/* connect.c */
int cmd_connect(int argc, char **argv);
int cmd_disconnect(int argc, char **argv);
extern const char usage_connect[], usage_disconnect[];
struct tsmh_conn_step;
struct tsmh_idenl_stream;
/* a step of connect.h's flow as it ends: printed (text) and added to the JSON array @arg */
void conn_step_out(const struct tsmh_conn_step *st, void *arg);
cJSON *conn_stream_json(const struct tsmh_idenl_stream *s);

extern const char usage_info[], usage_list[], usage_show[], usage_doe[], usage_spdm_info[],
	usage_certs[], usage_attest[], usage_evidence[], usage_claim[], usage_allow[], usage_deny[],
	usage_policy[], usage_gate[], usage_monitor[], usage_caps[], usage_ide[];
extern const char usage_tdisp[];
/* tdi.c: tsmctl tdi (list, lock, report, start, stop, state) */
int cmd_tdi(int argc, char **argv);
extern const char usage_tdi[];
/* tdi_tsmd.c: tdi lock/start/stop/state (@verb) run by tsmd in its session */
struct tsmh_tdi_opts;
int tdi_through_tsmd(const char *verb, const struct tsmh_tdi_opts *o);
/* tdi_list.c: tsmctl tdi list; a TDI as JSON, its state and report in a few words */
struct tsmh_tdinl_tdi;
int tdi_list(int argc, char **argv);
/* tdi_report.c: tsmctl tdi report (the kernel's checked copy) */
int tdi_report(int argc, char **argv);
cJSON *tdi_json(const struct tsmh_tdinl_tdi *t);
const char *tdi_state_summary(const struct tsmh_tdinl_tdi *t, char *b, size_t len);
const char *tdi_report_summary(const struct tsmh_tdinl_tdi *t, char *b, size_t len);
/* show's "TDI:" line (or "tdi" in @j): nothing for a device that is no TDI */
void tdi_show(struct tsmh_nl *nl, const char *dev, cJSON *j);
/* tdisp.c: a decoded interface report, JSON and text */
struct tsmh_tdisp_report;
cJSON *tdisp_report_json(const struct tsmh_tdisp_report *r, uint32_t len, unsigned int portions);
void tdisp_report_print(const struct tsmh_tdisp_report *r, uint32_t len, unsigned int portions);

/* secure.c: attest --session; a JSON report in *@j, 0 or -errno */
struct spdm_transport;
struct tsmh_attest;
int attest_session(struct spdm_transport *t, const struct tsmh_attest *a, uint8_t slot,
		   unsigned int sm_mask, cJSON **j);

/* render.c */
cJSON *devinfo_json(const struct tsmh_devinfo *d);
void devinfo_print(const struct tsmh_devinfo *d);
void devinfo_row(const struct tsmh_devinfo *d, const char *spdm);
void devinfo_header(int with_spdm);
void json_print(cJSON *j); /* prints and frees */
const char *gate_summary(const struct tsmh_devinfo *d, char *buf, size_t len);
const char *ide_summary(uint32_t cap, char *buf, size_t len);

/* dev.c: the device listing of list and show */
struct dev_list {
	struct tsmh_devinfo *d;
	int n, cap;
	char err[128];
};

/* every tracked device (@name NULL) or one into @l; 0 or -errno */
int get_devices(struct tsmh_nl *nl, const char *name, struct dev_list *l);
/* [--spdm] and, if @need_dev, DEV into *@dev; 0 or -1 (usage) */
int spdm_opt(int argc, char **argv, int *spdm, const char **dev, int need_dev);
/* print @l: a table (list) or in @detail (show); --spdm probes each */
int list_or_show(struct dev_list *l, struct tsmh_nl *nl, int spdm, int detail);
/*
 * show.c: the device's connection (IDE stream, state, session) printed, or
 * added to @j as "connection" when @j is not NULL; nothing for a device
 * without IDE
 */
void connection_show(struct tsmh_nl *nl, const char *dev, cJSON *j);
/* spdm probe: "1.2,1.3" into @buf, or an error text; 0 on success */
int spdm_probe(struct tsmh_nl *nl, const char *dev, char *buf, size_t len, cJSON **j);

/* util */
int nl_open_or_die(struct tsmh_nl *nl);
int report_nl_error(struct tsmh_nl *nl, const char *what, const char *dev, int err);
int parse_u16(const char *s, uint16_t *v);
/*
 * Write @len bytes to NAME in the output directory @dfd (out_dir_open()),
 * replacing it atomically, never through a symlink; 0 or -errno.
 */
int write_file(int dfd, const char *name, const void *p, size_t len);
/*
 * An output directory (--out, --export, --cache): made 0700 if missing,
 * refused when another user could write it or a directory above it (the
 * checks of common/safepath.h, tsmctl(8) FILES AND DIRECTORIES); a
 * descriptor, or -1 after an error naming @opt, @dir and the reason.
 */
int out_dir_open(const char *opt, const char *dir);
/*
 * --trust: refused (EXIT_OPERR after a message naming the file and the
 * fix) when another user could change the anchors; 0 otherwise (a path
 * that does not exist is left to the verifier to report).
 */
int trust_check(const char *cmd, const char *trust);

#endif
