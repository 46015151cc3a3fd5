// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl tdisp: TDISP 1.0 against any SPDM responder speaking the
 * spdm-emu socket protocol (or a device through the kernel's DOE proxy),
 * protocol only: the kernel's TDI state machine is not involved. VCA and
 * authentication, KEY_EXCHANGE and FINISH (as ide km), optionally IDE_KM
 * keying of one stream (--ide-stream: six KEY_PROGs and K_SET_GOs, for
 * devices that lock only with IDE keys in use), then for one interface:
 * GET_TDISP_VERSION (1.0 must be offered), GET_TDISP_CAPABILITIES (the
 * LOCK flags we ask for must be supported), LOCK_INTERFACE_REQUEST,
 * GET_DEVICE_INTERFACE_REPORT (every portion, reassembled; decoded and,
 * with --layout or --bar, checked against the TDI's BARs and MSI-X
 * capability), GET_DEVICE_INTERFACE_STATE (must be CONFIG_LOCKED),
 * START_INTERFACE_REQUEST with a wrong nonce (must be refused: a device
 * that accepts it does not check the nonce; --no-nonce-probe skips it),
 * START_INTERFACE_REQUEST with the LOCK's nonce, GET_DEVICE_INTERFACE_STATE
 * (must be RUN), STOP_INTERFACE_REQUEST, END_SESSION.
 *
 * After a failure once the interface was locked, STOP_INTERFACE is still
 * sent (the TDI is not left locked with a report nobody checked), then
 * END_SESSION. The nonce and IDE keys are never printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "attest.h"
#include "fileio.h"
#include "idekm_req.h"
#include "target.h"
#include "tdisp_req.h"
#include "tsmctl.h"

const char usage_tdisp[] =
	"Usage: tsmctl tdisp {DEV | --socket HOST:PORT} --trust PEM-FILE-OR-DIR [--slot N]\n"
	"       [--interface-id ID] [--timeout SEC] [--no-fw-update] [--lock-msix]\n"
	"       [--bind-p2p] [--all-request-redirect] [--default-stream ID]\n"
	"       [--mmio-offset OFF] [--ide-stream ID] [--layout NAME]\n"
	"       [--bar N:BASE:SIZE[:64][:pf]]... [--msix BIR:OFF:ENTRIES:PBIR:POFF]\n"
	"       [--no-nonce-probe] [--raw FILE]\n"
	"  protocol only, no kernel TDI state: authenticate, open an SPDM session,\n"
	"  then GET_TDISP_VERSION, GET_TDISP_CAPABILITIES, LOCK_INTERFACE, every\n"
	"  portion of GET_DEVICE_INTERFACE_REPORT (decoded; checked against the BARs\n"
	"  of --layout (a tsmh-emu layout: simple, sparse, offset) or --bar/--msix),\n"
	"  GET_DEVICE_INTERFACE_STATE, START_INTERFACE with a wrong nonce (must be\n"
	"  refused), START_INTERFACE, GET_DEVICE_INTERFACE_STATE, STOP_INTERFACE,\n"
	"  END_SESSION; each step's result. --interface-id: the TDI's function ID\n"
	"  (a number, or BUS:DEV.FN; default 0). --ide-stream: program and start\n"
	"  IDE_KM keys for stream ID first. --raw: write the report's bytes to FILE\n";

static cJSON *steps;

static void step(const char *name, int ret, const char *why, cJSON *extra)
{
	cJSON *o = extra ? extra : cJSON_CreateObject();

	cJSON_AddStringToObject(o, "step", name);
	cJSON_AddBoolToObject(o, "ok", !ret);
	if (ret)
		cJSON_AddStringToObject(o, "error", why);
	cJSON_AddItemToArray(steps, o);
	if (opt_json)
		return;
	if (ret)
		printf("  %-40s FAILED: %s\n", name, why);
	else
		printf("  %-40s ok\n", name);
}

struct opts {
	struct tsmh_attest_opts a;
	const char *sock, *dev, *layout, *raw;
	uint32_t fid;
	int timeout_ms, no_probe, ide_stream; /* -1: none */
	uint16_t flags;
	uint8_t stream;
	uint64_t mmio_offset;
	int have_layout;
	struct tsmh_tdisp_layout l;
};

static const char *const info_bits[] = {
	"no_update_after_lock", "dma_without_pasid", "dma_with_pasid", "ats", "prs", "xt"
};
static const char *const attr_bits[] = { "msix_table", "msix_pba", "non_tee", "updatable" };

cJSON *tdisp_report_json(const struct tsmh_tdisp_report *r, uint32_t len, unsigned int portions)
{
	cJSON *j = cJSON_CreateObject(), *a, *o, *f;
	struct tsmh_tdisp_range x;
	char b[32];
	uint32_t i, k;

	cJSON_AddNumberToObject(j, "length", len);
	if (portions)
		cJSON_AddNumberToObject(j, "portions", portions);
	cJSON_AddNumberToObject(j, "interface_info", r->interface_info);
	f = cJSON_AddArrayToObject(j, "interface_info_flags");
	for (k = 0; k < 6; k++)
		if (r->interface_info & (1u << k))
			cJSON_AddItemToArray(f, cJSON_CreateString(info_bits[k]));
	cJSON_AddNumberToObject(j, "msix_message_control", r->msix_ctl);
	cJSON_AddNumberToObject(j, "lnr_control", r->lnr_ctl);
	cJSON_AddNumberToObject(j, "tph_control", r->tph_ctl);
	a = cJSON_AddArrayToObject(j, "mmio_ranges");
	for (i = 0; i < r->nr_ranges; i++) {
		tsmh_tdisp_report_range(r, i, &x);
		o = cJSON_CreateObject();
		snprintf(b, sizeof(b), "%#llx", (unsigned long long)x.first_page);
		cJSON_AddStringToObject(o, "first_page", b);
		cJSON_AddNumberToObject(o, "pages", x.nr_pages);
		cJSON_AddNumberToObject(o, "attributes", x.attrs);
		f = cJSON_AddArrayToObject(o, "flags");
		for (k = 0; k < 4; k++)
			if (x.attrs & (1u << k))
				cJSON_AddItemToArray(f, cJSON_CreateString(attr_bits[k]));
		cJSON_AddNumberToObject(o, "range_id", x.id);
		cJSON_AddItemToArray(a, o);
	}
	cJSON_AddNumberToObject(j, "device_specific_info_length", r->dsi_len);
	return j;
}

void tdisp_report_print(const struct tsmh_tdisp_report *r, uint32_t len, unsigned int portions)
{
	struct tsmh_tdisp_range x;
	uint32_t i, k;

	if (portions) /* 0: not read from the device here (the kernel's copy) */
		printf("  device interface report: %u bytes in %u portion%s\n", len, portions,
		       portions == 1 ? "" : "s");
	else
		printf("  device interface report: %u bytes\n", len);
	printf("    interface info 0x%04x:", r->interface_info);
	for (k = 0; k < 6; k++)
		if (r->interface_info & (1u << k))
			printf(" %s", info_bits[k]);
	printf("\n    MSI-X message control 0x%04x, LNR control 0x%04x, TPH control 0x%08x\n",
	       r->msix_ctl, r->lnr_ctl, r->tph_ctl);
	for (i = 0; i < r->nr_ranges; i++) {
		tsmh_tdisp_report_range(r, i, &x);
		printf("    MMIO range %u: first page %#llx, %u page%s, range ID %u,"
		       " attributes 0x%04x",
		       i, (unsigned long long)x.first_page, x.nr_pages, x.nr_pages == 1 ? "" : "s",
		       x.id, x.attrs);
		for (k = 0; k < 4; k++)
			if (x.attrs & (1u << k))
				printf(" %s", attr_bits[k]);
		printf("\n");
	}
	printf("    device-specific info: %u bytes\n", r->dsi_len);
}

/* --ide-stream: KEY_PROG and K_SET_GO of the six keys of key set 0 */
static int ide_keys(struct spdm_transport *t, struct tsmh_session *ss, uint8_t sid, char *why,
		    size_t whylen)
{
	uint8_t key[TSMH_IDEKM_KEY_LEN], ifv[TSMH_IDEKM_IFV_LEN], status;
	int i, ret = 0;

	for (i = 0; i < 6 && !ret; i++) {
		uint8_t kss = tsmh_idekm_kss(0, i >= 3, (unsigned int)(i % 3));

		if (RAND_bytes(key, sizeof(key)) != 1 || RAND_bytes(ifv, sizeof(ifv)) != 1)
			ret = spdm_why(why, whylen, -EIO, "KEY_PROG: no random key");
		else
			ret = tsmh_idekm_key_prog(t, ss, 0, sid, kss, key, ifv, &status, why,
						  whylen);
		OPENSSL_cleanse(key, sizeof(key));
		OPENSSL_cleanse(ifv, sizeof(ifv));
	}
	for (i = 0; i < 6 && !ret; i++)
		ret = tsmh_idekm_k_set(t, ss, 1, 0, sid,
				       tsmh_idekm_kss(0, i >= 3, (unsigned int)(i % 3)), why,
				       whylen);
	return ret;
}

/* GET_DEVICE_INTERFACE_STATE, expecting @want */
static int get_state(struct spdm_transport *t, struct tsmh_session *ss, uint32_t fid,
		     const char *name, uint8_t want, cJSON *j, char *why, size_t whylen)
{
	struct tsmh_tdisp_msg m = { .code = TSMH_TDISP_GET_STATE, .function_id = fid }, r;
	uint8_t rsp[256];
	cJSON *o = cJSON_CreateObject();
	int ret = tsmh_tdisp_xfer(t, ss, name, &m, &r, rsp, sizeof(rsp), why, whylen);

	if (!ret) {
		cJSON_AddStringToObject(o, "state", tsmh_tdi_state_name(r.tdi_state));
		cJSON_AddStringToObject(j, want == TSMH_TDI_RUN ? "state_running" : "state_locked",
					tsmh_tdi_state_name(r.tdi_state));
		if (r.tdi_state != want)
			ret = spdm_why(why, whylen, -EPROTO, "%s: the device says %s, expected %s",
				       name, tsmh_tdi_state_name(r.tdi_state),
				       tsmh_tdi_state_name(want));
	}
	step(name, ret, why, o);
	return ret;
}

/* --raw FILE: a new file or one truncated, never through a symlink */
static int write_raw(const char *path, const uint8_t *buf, uint32_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644), ret;

	if (fd < 0)
		return -1;
	ret = tsmh_write_all(fd, buf, len);
	if (close(fd) && !ret)
		ret = -1;
	return ret ? -1 : 0;
}

/* Everything after the session is up; *@locked says whether a STOP is owed. */
static int run(struct spdm_transport *t, struct tsmh_session *ss, const struct opts *o, cJSON *j,
	       int *locked, char *err, size_t errlen)
{
	static uint8_t rep_buf[TSMH_TDISP_REPORT_MAX];
	struct tsmh_tdisp_msg m = { .function_id = o->fid }, r;
	uint8_t rsp[512], nonce[TSMH_TDISP_NONCE_LEN], wrong[TSMH_TDISP_NONCE_LEN];
	struct tsmh_tdisp_report rep;
	unsigned int portions, i;
	char why[512] = "", name[64];
	uint32_t len, bad;
	cJSON *x;
	int ret, has10 = 0;

#define FAIL(n)                                        \
	do {                                           \
		step(n, ret, why, x);                  \
		snprintf(err, errlen, "%s", why);      \
		OPENSSL_cleanse(nonce, sizeof(nonce)); \
		return ret;                            \
	} while (0)

	memset(nonce, 0, sizeof(nonce));
	if (o->ide_stream >= 0) {
		x = NULL;
		snprintf(name, sizeof(name), "IDE_KM keys for stream %d", o->ide_stream);
		ret = ide_keys(t, ss, (uint8_t)o->ide_stream, why, sizeof(why));
		if (ret)
			FAIL(name);
		step(name, 0, why, NULL);
	}

	m.code = TSMH_TDISP_GET_VERSION;
	x = cJSON_CreateObject();
	ret = tsmh_tdisp_xfer(t, ss, "GET_TDISP_VERSION", &m, &r, rsp, sizeof(rsp), why,
			      sizeof(why));
	if (!ret) {
		cJSON *a = cJSON_AddArrayToObject(x, "versions");
		char v[8];

		for (i = 0; i < r.nr_versions; i++) {
			snprintf(v, sizeof(v), "%u.%u", r.versions[i] >> 4, r.versions[i] & 15);
			cJSON_AddItemToArray(a, cJSON_CreateString(v));
			has10 |= r.versions[i] == TSMH_TDISP_VERSION_10;
		}
		if (!has10)
			ret = spdm_why(why, sizeof(why), -EPROTO,
				       "GET_TDISP_VERSION: TDISP 1.0 not among the %u version(s) "
				       "offered",
				       r.nr_versions);
	}
	if (ret)
		FAIL("GET_TDISP_VERSION");
	step("GET_TDISP_VERSION", 0, why, x);

	m.code = TSMH_TDISP_GET_CAPABILITIES;
	x = cJSON_CreateObject();
	ret = tsmh_tdisp_xfer(t, ss, "GET_TDISP_CAPABILITIES", &m, &r, rsp, sizeof(rsp), why,
			      sizeof(why));
	if (!ret) {
		cJSON *c = cJSON_AddObjectToObject(j, "capabilities");

		cJSON_AddNumberToObject(c, "dsm_caps", r.dsm_caps);
		cJSON_AddNumberToObject(c, "lock_interface_flags_supported",
					r.lock_flags_supported);
		cJSON_AddNumberToObject(c, "dev_addr_width", r.dev_addr_width);
		cJSON_AddNumberToObject(c, "num_req_this", r.num_req_this);
		cJSON_AddNumberToObject(c, "num_req_all", r.num_req_all);
		if (o->flags & ~r.lock_flags_supported)
			ret = spdm_why(why, sizeof(why), -EOPNOTSUPP,
				       "GET_TDISP_CAPABILITIES: LOCK flags %#x asked for, the "
				       "device supports %#x",
				       o->flags, r.lock_flags_supported);
		else if (!opt_json)
			printf("  TDISP 1.0; LOCK flags supported 0x%04x, address width %u, "
			       "DSM caps %#x\n",
			       r.lock_flags_supported, r.dev_addr_width, r.dsm_caps);
	}
	if (ret)
		FAIL("GET_TDISP_CAPABILITIES");
	step("GET_TDISP_CAPABILITIES", 0, why, x);

	m.code = TSMH_TDISP_LOCK;
	m.lock_flags = o->flags;
	m.default_stream_id = o->stream;
	m.mmio_reporting_offset = o->mmio_offset;
	x = cJSON_CreateObject();
	cJSON_AddNumberToObject(x, "flags", o->flags);
	cJSON_AddNumberToObject(x, "default_stream_id", o->stream);
	ret = tsmh_tdisp_xfer(t, ss, "LOCK_INTERFACE", &m, &r, rsp, sizeof(rsp), why, sizeof(why));
	if (ret)
		FAIL("LOCK_INTERFACE");
	*locked = 1;
	memcpy(nonce, r.nonce, sizeof(nonce));
	OPENSSL_cleanse(rsp, sizeof(rsp));
	step("LOCK_INTERFACE", 0, why, x);

	x = cJSON_CreateObject();
	ret = tsmh_tdisp_get_report(t, ss, o->fid, rep_buf, sizeof(rep_buf), &len, &portions, &rep,
				    why, sizeof(why));
	if (ret)
		FAIL("GET_DEVICE_INTERFACE_REPORT");
	cJSON_AddItemToObject(j, "report", tdisp_report_json(&rep, len, portions));
	if (!opt_json)
		tdisp_report_print(&rep, len, portions);
	if (o->raw && write_raw(o->raw, rep_buf, len)) {
		ret = spdm_why(why, sizeof(why), -EIO, "GET_DEVICE_INTERFACE_REPORT: --raw %s: %s",
			       o->raw, strerror(errno));
		FAIL("GET_DEVICE_INTERFACE_REPORT");
	}
	if (o->have_layout) {
		char b[400];

		ret = tsmh_tdisp_report_check(&rep, &o->l, &bad, b, sizeof(b));
		cJSON_AddBoolToObject(j, "report_checked", 1);
		if (ret) {
			spdm_why(why, sizeof(why), ret,
				 "GET_DEVICE_INTERFACE_REPORT: the report does not match the "
				 "TDI's BARs: %s",
				 b);
			FAIL("GET_DEVICE_INTERFACE_REPORT");
		}
		if (!opt_json)
			printf("  report checked against the BARs%s: every range inside one, none "
			       "overlapping, MSI-X table and PBA where the capability puts them\n",
			       o->layout ? " of the layout" : "");
	} else {
		cJSON_AddBoolToObject(j, "report_checked", 0);
		if (!opt_json)
			printf("  report not checked against BARs (no --layout or --bar given)\n");
	}
	step("GET_DEVICE_INTERFACE_REPORT", 0, why, x);

	ret = get_state(t, ss, o->fid, "GET_DEVICE_INTERFACE_STATE (locked)",
			TSMH_TDI_CONFIG_LOCKED, j, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s", why);
		return ret;
	}

	m.code = TSMH_TDISP_START;
	if (!o->no_probe) {
		x = NULL;
		memcpy(wrong, nonce, sizeof(wrong));
		wrong[0] ^= 0x5a;
		m.nonce = wrong;
		ret = tsmh_tdisp_xfer(t, ss, "START_INTERFACE (wrong nonce)", &m, &r, rsp,
				      sizeof(rsp), why, sizeof(why));
		OPENSSL_cleanse(wrong, sizeof(wrong));
		if (!ret) {
			ret = spdm_why(why, sizeof(why), -EACCES,
				       "START_INTERFACE (wrong nonce): accepted: the device does "
				       "not check START_INTERFACE_NONCE");
			FAIL("START_INTERFACE (wrong nonce)");
		}
		if (r.code != TSMH_TDISP_ERROR || r.error_code != TSMH_TDISP_E_INVALID_NONCE) {
			if (r.code == TSMH_TDISP_ERROR)
				ret = spdm_why(why, sizeof(why), -EPROTO,
					       "START_INTERFACE (wrong nonce): TDISP_ERROR %s "
					       "(%#x), expected INVALID_NONCE",
					       tsmh_tdisp_error_name(r.error_code), r.error_code);
			FAIL("START_INTERFACE (wrong nonce)");
		}
		step("START_INTERFACE (wrong nonce): refused", 0, why, NULL);
	}
	m.nonce = nonce;
	x = NULL;
	ret = tsmh_tdisp_xfer(t, ss, "START_INTERFACE", &m, &r, rsp, sizeof(rsp), why, sizeof(why));
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (ret)
		FAIL("START_INTERFACE");
	step("START_INTERFACE", 0, why, NULL);

	ret = get_state(t, ss, o->fid, "GET_DEVICE_INTERFACE_STATE (running)", TSMH_TDI_RUN, j, why,
			sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s", why);
		return ret;
	}

	m.code = TSMH_TDISP_STOP;
	ret = tsmh_tdisp_xfer(t, ss, "STOP_INTERFACE", &m, &r, rsp, sizeof(rsp), why, sizeof(why));
	if (ret)
		FAIL("STOP_INTERFACE");
	*locked = 0;
	step("STOP_INTERFACE", 0, why, NULL);
	return 0;
#undef FAIL
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

/* --bar N:BASE:SIZE[:64][:pf] */
static int parse_bar(struct opts *o, const char *arg)
{
	char buf[128], *tok, *save = NULL;
	uint64_t n, base, size;
	struct tsmh_tdisp_bar *b;

	snprintf(buf, sizeof(buf), "%s", arg);
	tok = strtok_r(buf, ":", &save);
	if (!tok || parse_u64(tok, &n) || n >= TSMH_TDISP_NR_BARS)
		return -1;
	tok = strtok_r(NULL, ":", &save);
	if (!tok || parse_u64(tok, &base))
		return -1;
	tok = strtok_r(NULL, ":", &save);
	if (!tok || parse_u64(tok, &size) || !size || base + size < base)
		return -1;
	b = &o->l.bar[n];
	b->base = base;
	b->size = size;
	while ((tok = strtok_r(NULL, ":", &save))) {
		if (!strcmp(tok, "64"))
			b->is64 = 1;
		else if (!strcmp(tok, "pf"))
			b->prefetch = 1;
		else
			return -1;
	}
	o->have_layout = 1;
	return 0;
}

/* --msix BIR:OFF:ENTRIES:PBIR:POFF */
static int parse_msix(struct opts *o, const char *arg)
{
	uint64_t v[5];
	char buf[128], *tok, *save = NULL;
	int i;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (i = 0, tok = strtok_r(buf, ":", &save); i < 5 && tok;
	     i++, tok = strtok_r(NULL, ":", &save))
		if (parse_u64(tok, &v[i]))
			return -1;
	if (i != 5 || tok || v[0] >= TSMH_TDISP_NR_BARS || v[3] >= TSMH_TDISP_NR_BARS || !v[2] ||
	    v[2] > 2048 || v[1] > UINT32_MAX || v[4] > UINT32_MAX)
		return -1;
	o->l.msix = 1;
	o->l.table_bir = (uint8_t)v[0];
	o->l.table_off = (uint32_t)v[1];
	o->l.table_entries = (uint16_t)v[2];
	o->l.pba_bir = (uint8_t)v[3];
	o->l.pba_off = (uint32_t)v[4];
	return 0;
}

/* --interface-id: a number, or BUS:DEV.FN (the requester ID) */
static int parse_fid(const char *s, uint32_t *fid)
{
	unsigned int bus, dev, fn;
	uint64_t v;
	char c;

	if (sscanf(s, "%x:%x.%u%c", &bus, &dev, &fn, &c) == 3 && bus < 256 && dev < 32 && fn < 8) {
		*fid = bus << 8 | dev << 3 | fn;
		return 0;
	}
	if (parse_u64(s, &v) || v > UINT32_MAX)
		return -1;
	*fid = (uint32_t)v;
	return 0;
}

static int bad_opt(const char *opt, const char *want, const char *arg)
{
	fprintf(stderr, "tsmctl: tdisp: %s wants %s, not '%s'\n", opt, want, arg);
	return EXIT_USAGE;
}

static int parse(int argc, char **argv, struct opts *o)
{
	enum {
		O_NOFW = 0x100,
		O_MSIX,
		O_P2P,
		O_ARR,
		O_STREAM,
		O_OFF,
		O_IDE,
		O_LAYOUT,
		O_BAR,
		O_MSIXCAP,
		O_NOPROBE,
		O_RAW
	};
	static const struct option lo[] = {
		{ "socket", required_argument, 0, 's' },
		{ "trust", required_argument, 0, 't' },
		{ "slot", required_argument, 0, 'S' },
		{ "interface-id", required_argument, 0, 'i' },
		{ "timeout", required_argument, 0, 'T' },
		{ "no-fw-update", no_argument, 0, O_NOFW },
		{ "lock-msix", no_argument, 0, O_MSIX },
		{ "bind-p2p", no_argument, 0, O_P2P },
		{ "all-request-redirect", no_argument, 0, O_ARR },
		{ "default-stream", required_argument, 0, O_STREAM },
		{ "mmio-offset", required_argument, 0, O_OFF },
		{ "ide-stream", required_argument, 0, O_IDE },
		{ "layout", required_argument, 0, O_LAYOUT },
		{ "bar", required_argument, 0, O_BAR },
		{ "msix", required_argument, 0, O_MSIXCAP },
		{ "no-nonce-probe", no_argument, 0, O_NOPROBE },
		{ "raw", required_argument, 0, O_RAW },
		{ 0, 0, 0, 0 },
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "s:t:S:i:T:", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->sock = optarg; break;
		case 't': o->a.trust = optarg; break;
		case 'S':
			if (parse_u64(optarg, &v) || v >= SPDM_MAX_SLOTS)
				return bad_opt("--slot", "0-7", optarg);
			o->a.slot = (uint8_t)v;
			break;
		case 'i':
			if (parse_fid(optarg, &o->fid))
				return bad_opt("--interface-id", "a number or BUS:DEV.FN", optarg);
			break;
		case 'T':
			if (target_timeout_opt(optarg, &o->timeout_ms))
				return EXIT_USAGE;
			break;
		case O_NOFW: o->flags |= TSMH_TDISP_LOCK_NO_FW_UPDATE; break;
		case O_MSIX: o->flags |= TSMH_TDISP_LOCK_MSIX; break;
		case O_P2P: o->flags |= TSMH_TDISP_LOCK_BIND_P2P; break;
		case O_ARR: o->flags |= TSMH_TDISP_LOCK_ALL_REQUEST_REDIRECT; break;
		case O_STREAM:
		case O_IDE:
			if (parse_u64(optarg, &v) || v > 255)
				return bad_opt(c == O_IDE ? "--ide-stream" : "--default-stream",
					       "0-255", optarg);
			if (c == O_IDE)
				o->ide_stream = (int)v;
			else
				o->stream = (uint8_t)v;
			break;
		case O_OFF:
			if (parse_u64(optarg, &o->mmio_offset) || (o->mmio_offset & 0xfff))
				return bad_opt("--mmio-offset", "a 4 KiB-aligned number", optarg);
			break;
		case O_LAYOUT: o->layout = optarg; break;
		case O_BAR:
			if (parse_bar(o, optarg))
				return bad_opt("--bar", "N:BASE:SIZE[:64][:pf] (N 0-5)", optarg);
			break;
		case O_MSIXCAP:
			if (parse_msix(o, optarg))
				return bad_opt("--msix", "BIR:OFF:ENTRIES:PBIR:POFF", optarg);
			break;
		case O_NOPROBE: o->no_probe = 1; break;
		case O_RAW: o->raw = optarg; break;
		default: fputs(usage_tdisp, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc && !o->sock)
		o->dev = argv[optind++];
	if (optind < argc || !(o->sock || o->dev)) {
		fprintf(stderr, "tsmctl: tdisp: one target: DEV or --socket HOST:PORT\n");
		fputs(usage_tdisp, stderr);
		return EXIT_USAGE;
	}
	if (!o->a.trust) {
		fputs(usage_tdisp, stderr);
		return EXIT_USAGE;
	}
	if (o->layout) {
		struct tsmh_tdisp_named n;

		if (o->have_layout || o->l.msix) {
			fprintf(stderr, "tsmctl: tdisp: --layout or --bar/--msix, not both\n");
			return EXIT_USAGE;
		}
		if (tsmh_tdisp_layout_get(o->layout, o->fid & 7, &n))
			return bad_opt("--layout", tsmh_tdisp_layout_names(), o->layout);
		o->l = n.l;
		o->have_layout = 1;
	}
	o->l.mmio_offset = o->mmio_offset;
	return 0;
}

int cmd_tdisp(int argc, char **argv)
{
	struct opts o = { .ide_stream = -1 };
	struct tsmh_session ss;
	struct tsmctl_target s;
	struct tsmh_attest a;
	char why[512] = "", err[512] = "", v[16];
	int ret, in_session = 0, closed = 0, locked = 0;
	cJSON *j;

	ret = parse(argc, argv, &o);
	if (ret)
		return ret;
	ret = trust_check("tdisp", o.a.trust);
	if (ret)
		return ret;
	ret = target_open(&s, o.sock, o.dev, o.timeout_ms);
	if (ret)
		return ret;
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "target", s.who);
	snprintf(v, sizeof(v), "%#x", o.fid);
	cJSON_AddStringToObject(j, "interface_id", v);
	steps = cJSON_AddArrayToObject(j, "steps");
	if (!opt_json)
		printf("%s: TDISP, interface %s\n", s.who, v);

	ret = tsmh_attest_run(&s.t, &o.a, &a, why, sizeof(why));
	step("authentication", ret, why, NULL);
	if (ret) {
		snprintf(err, sizeof(err), "%s", why);
		goto out_attest;
	}
	why[0] = 0;
	ret = tsmh_session_start(&s.t, &a.ci, a.slot[o.a.slot].chain, a.slot[o.a.slot].len,
				 o.a.slot,
				 a.meas_verified ? SPDM_MEAS_SUMMARY_ALL : SPDM_MEAS_SUMMARY_NONE,
				 0, &ss, why, sizeof(why));
	step("KEY_EXCHANGE+FINISH", ret, why, NULL);
	if (ret) {
		snprintf(err, sizeof(err), "%s", why);
		goto end_session;
	}
	in_session = 1;
	snprintf(v, sizeof(v), "%#010x", spdm_session_id(&ss.s));
	cJSON_AddStringToObject(j, "session_id", v);
	if (!opt_json)
		printf("  session %s established\n", v);

	ret = run(&s.t, &ss, &o, j, &locked, err, sizeof(err));
	if (ret && locked && ss.s.state == SPDM_SESS_ESTABLISHED) {
		/* not left locked (or running) after a failure */
		struct tsmh_tdisp_msg m = { .code = TSMH_TDISP_STOP, .function_id = o.fid }, r;
		uint8_t rsp[256];
		int r2;

		why[0] = 0;
		r2 = tsmh_tdisp_xfer(&s.t, &ss, "STOP_INTERFACE (after the failure)", &m, &r, rsp,
				     sizeof(rsp), why, sizeof(why));
		step("STOP_INTERFACE (after the failure)", r2, why, NULL);
	}

end_session:
	if (ss.s.state == SPDM_SESS_ESTABLISHED) {
		int r2;

		why[0] = 0;
		r2 = tsmh_session_end(&s.t, &ss, why, sizeof(why));
		step(ret ? "END_SESSION (after the failure)" : "END_SESSION", r2, why, NULL);
		closed = !r2;
		if (!ret && r2) {
			ret = r2;
			snprintf(err, sizeof(err), "%s", why);
		}
	}
	tsmh_session_free(&ss);
out_attest:
	tsmh_attest_free(&a);
	target_close(&s);
	cJSON_AddBoolToObject(j, "session", in_session);
	cJSON_AddBoolToObject(j, "session_closed", closed);
	cJSON_AddBoolToObject(j, "ok", !ret);
	if (ret)
		cJSON_AddStringToObject(j, "error", err);
	if (opt_json)
		json_print(j);
	else
		cJSON_Delete(j);
	if (ret) {
		fprintf(stderr, "tsmctl: tdisp %s: %s\n", o.sock ? o.sock : o.dev, err);
		return EXIT_OPERR;
	}
	if (!opt_json)
		printf("  TDISP done: locked, report read, started, stopped; session closed\n");
	return 0;
}
