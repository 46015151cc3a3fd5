// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu's command line. See emu_main.h.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "emu_main.h"
#include "session_msg.h"
#include "tdisp_req.h"

#define OPT_DHE		   0x100
#define OPT_AEAD	   0x101
#define OPT_SM		   0x102
#define OPT_TDISP_LAYOUT   0x103
#define OPT_TDISP_NEED_IDE 0x104
#define OPT_TDISP_FILE	   0x105

static void usage(FILE *f)
{
	fputs("Usage: tsmh-emu [OPTIONS]\n"
	      "Emulate TEE-IO endpoints: answer DOE discovery and SPDM for the sim\n"
	      "module's devices and/or over the DMTF spdm-emu socket protocol.\n\n"
	      "  -s, --sim[=PATH]        serve /dev/tsmh_sim (or PATH)\n"
	      "  -p, --plug=all|none|N,..  endpoint slots to plug after attaching (default all)\n"
	      "  -l, --listen=[ADDR:]PORT  serve the spdm-emu socket protocol (PCI_DOE\n"
	      "                          transport); ADDR defaults to 127.0.0.1; PORT 0\n"
	      "                          picks a free one (named on stderr)\n"
	      "  -V, --versions=LIST     SPDM versions offered, e.g. 1.2,1.3 (default 1.2,1.3)\n"
	      "  -f, --fault=LIST        silent,doe-error,bad-length,wrong-protocol,unplug,\n"
	      "                          bad-san,unknown-root,wrong-signature,truncated,\n"
	      "                          not-ready,busy,meas-change,no-cma,no-heartbeat,\n"
	      "                          no-key-update,heartbeat-error,opaque-fmt0,\n"
	      "                          kp-ack-error,idekm-silent,idekm-wrong-port,never-secure,\n"
	      "                          tdisp-report-long,tdisp-overlap,tdisp-beyond-bar,\n"
	      "                          tdisp-state-lie,tdisp-any-nonce,tdisp-error\n"
	      "  -F, --fault-slot=N      apply faults to slot N only\n"
	      "  -d, --delay-ms=N        hold every response N ms (of slot N with -F)\n"
	      "  -r, --ready-file=PATH   create PATH once serving\n"
	      "  -R, --export-root=PATH  write the device's root CA certificate (PEM) to PATH\n"
	      "  -N, --no-certs          no certificate chain (no CERT, CHAL or MEAS capability)\n"
	      "  -a, --asym=LIST         signing keys: ecdsa-p256,ecdsa-p384,rsassa-3072,\n"
	      "                          rsapss-3072 (default ecdsa-p256,ecdsa-p384)\n"
	      "  -S, --slots=N           provisioned certificate slots, 1-8 (default 1)\n"
	      "      --dhe=LIST          session DHE groups: secp256r1,secp384r1 (default both)\n"
	      "      --aead=LIST         session AEADs: aes-256-gcm,chacha20-poly1305 (default both)\n"
	      "      --sm-versions=LIST  secured-message versions it selects from: 1.0,1.1,1.2\n"
	      "                          (default all; the highest the requester offers wins)\n"
	      "      --tdisp-layout=NAME TDISP MMIO layout of every TDI: simple, sparse, offset\n"
	      "                          (default simple)\n"
	      "      --tdisp-layout-file=FILE  each TDI's layout and real BARs from FILE,\n"
	      "                          read at every LOCK_INTERFACE: lines\n"
	      "                          'DOMAIN:BUS:DEV.FN|BUS:DEV.FN|FN LAYOUT BARSPEC'\n"
	      "                          (tests/vm/lib.sh tdi_layout_file writes it)\n"
	      "      --tdisp-need-ide    LOCK_INTERFACE only once IDE_KM started a key set on\n"
	      "                          the default stream in the session\n"
	      "  -w, --fw-version=STR    firmware version measured in blocks 2 and 5 (default 1.0.0)\n"
	      "  -v, --verbose           log every exchange\n"
	      "  -h, --help\n",
	      f);
}

/* "a,b" of @names into a bit mask (@bits); 0 or -1 with a message. */
static int parse_list(const char *opt_name, const char *s, const char *const *names,
		      const uint16_t *bits, int n, uint16_t *mask)
{
	char buf[128], *tok, *save = NULL;
	int i;

	*mask = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n && strcmp(tok, names[i]); i++)
			;
		if (i == n) {
			fprintf(stderr, "tsmh-emu: --%s: unknown algorithm '%s'\n", opt_name, tok);
			return -1;
		}
		*mask |= bits[i];
	}
	return *mask ? 0 : -1;
}

static int parse_versions(struct emu_opts *o, const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;

	o->cfg.nr_vers = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->cfg.nr_vers >= SPDM_MAX_VERSIONS ||
		    spdm_ver_parse(tok, &o->cfg.vers[o->cfg.nr_vers])) {
			fprintf(stderr, "tsmh-emu: bad SPDM version '%s' (want MAJOR.MINOR)\n",
				tok);
			free(copy);
			return -1;
		}
		o->cfg.nr_vers++;
	}
	free(copy);
	return o->cfg.nr_vers ? 0 : -1;
}

static int parse_asym(struct emu_opts *o, const char *s)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{ "ecdsa-p256", SPDM_ASYM_ECDSA_P256 },
		{ "ecdsa-p384", SPDM_ASYM_ECDSA_P384 },
		{ "rsassa-3072", SPDM_ASYM_RSASSA_3072 },
		{ "rsapss-3072", SPDM_ASYM_RSAPSS_3072 },
	};
	char *copy = strdup(s), *tok, *save = NULL;
	size_t i;

	o->asym = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "tsmh-emu: --asym: unknown algorithm '%s'\n", tok);
			free(copy);
			return -1;
		}
		o->asym |= names[i].bit;
	}
	free(copy);
	return o->asym ? 0 : -1;
}

/* --listen=[ADDR:]PORT; @arg is cut at the colon. */
static int parse_listen(struct emu_opts *o, char *arg)
{
	char *colon = strrchr(arg, ':'), *end;

	if (colon) {
		*colon = 0;
		o->listen_addr = arg;
	}
	o->listen_port = (int)strtol(colon ? colon + 1 : arg, &end, 10);
	if (*end || o->listen_port < 0 || o->listen_port > 65535) {
		fprintf(stderr, "tsmh-emu: --listen: bad port\n");
		return -1;
	}
	return 0;
}

static int parse_dhe(struct emu_opts *o, const char *arg)
{
	static const char *const n[] = { "secp256r1", "secp384r1" };
	static const uint16_t b[] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1 };

	return parse_list("dhe", arg, n, b, 2, &o->cfg.dhe);
}

static int parse_aead(struct emu_opts *o, const char *arg)
{
	static const char *const n[] = { "aes-256-gcm", "chacha20-poly1305" };
	static const uint16_t b[] = { SPDM_AEAD_AES_256_GCM, SPDM_AEAD_CHACHA20_POLY };

	return parse_list("aead", arg, n, b, 2, &o->cfg.aead);
}

/* The options with a number: 0 or -1 with a message. */
static int parse_number(struct emu_opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case 'F':
		o->fault_slot = (int)strtol(arg, &end, 0);
		if (*end || o->fault_slot < 0) {
			fprintf(stderr, "tsmh-emu: --fault-slot: bad slot '%s'\n", arg);
			return -1;
		}
		return 0;
	case 'd':
		o->delay_ms = (unsigned int)strtoul(arg, &end, 10);
		if (*end) {
			fprintf(stderr, "tsmh-emu: --delay-ms: bad number '%s'\n", arg);
			return -1;
		}
		return 0;
	default: /* 'S' */
		o->slots = (int)strtol(arg, &end, 10);
		if (*end || o->slots < 1 || o->slots > EMU_MAX_SLOTS) {
			fprintf(stderr, "tsmh-emu: --slots: want 1-%d, not '%s'\n", EMU_MAX_SLOTS,
				arg);
			return -1;
		}
		return 0;
	}
}

/* One option with its argument: 0, or -1 after a message. */
static int parse_one(struct emu_opts *o, int c, char *arg)
{
	const char *bad;

	switch (c) {
	case 's': o->sim_path = arg ? arg : "/dev/" TSMH_SIM_DEVNAME; return 0;
	case 'p': o->plug = arg; return 0;
	case 'l': return parse_listen(o, arg);
	case 'V': return parse_versions(o, arg);
	case 'f':
		if (emu_faults_parse(arg, &o->cfg.faults, &bad)) {
			fprintf(stderr, "tsmh-emu: --fault: unknown fault '%s'\n", bad);
			return -1;
		}
		return 0;
	case 'F':
	case 'd':
	case 'S': return parse_number(o, c, arg);
	case 'r': o->ready_file = arg; return 0;
	case 'R': o->export_root = arg; return 0;
	case 'N': o->no_certs = 1; return 0;
	case 'a': return parse_asym(o, arg);
	case 'w':
		if (!*arg || strlen(arg) > 64) {
			fprintf(stderr, "tsmh-emu: --fw-version: 1-64 characters\n");
			return -1;
		}
		o->cfg.fw_version = arg;
		return 0;
	case OPT_DHE: return parse_dhe(o, arg);
	case OPT_AEAD: return parse_aead(o, arg);
	case OPT_TDISP_LAYOUT: {
		struct tsmh_tdisp_named l;

		if (tsmh_tdisp_layout_get(arg, 0, &l)) {
			fprintf(stderr, "tsmh-emu: --tdisp-layout: want one of %s, not '%s'\n",
				tsmh_tdisp_layout_names(), arg);
			return -1;
		}
		o->cfg.tdisp_layout = arg;
		return 0;
	}
	case OPT_TDISP_NEED_IDE: o->cfg.tdisp_need_ide = 1; return 0;
	case OPT_TDISP_FILE:
		if (!*arg) {
			fprintf(stderr, "tsmh-emu: --tdisp-layout-file: want a file name\n");
			return -1;
		}
		o->cfg.tdisp_layout_file = arg;
		return 0;
	case OPT_SM:
		if (spdm_sm_parse_list(arg, &o->cfg.sm_mask)) {
			fprintf(stderr,
				"tsmh-emu: --sm-versions: want 1.0, 1.1, 1.2 separated by commas, "
				"not '%s'\n",
				arg);
			return -1;
		}
		return 0;
	case 'v':
		o->verbose = 1;
		emu_verbose = 1;
		return 0;
	default: usage(stderr); return -1;
	}
}

int emu_opts_parse(int argc, char **argv, struct emu_opts *o)
{
	static const struct option lo[] = {
		{ "sim", optional_argument, 0, 's' },
		{ "plug", required_argument, 0, 'p' },
		{ "listen", required_argument, 0, 'l' },
		{ "versions", required_argument, 0, 'V' },
		{ "fault", required_argument, 0, 'f' },
		{ "fault-slot", required_argument, 0, 'F' },
		{ "delay-ms", required_argument, 0, 'd' },
		{ "ready-file", required_argument, 0, 'r' },
		{ "export-root", required_argument, 0, 'R' },
		{ "no-certs", no_argument, 0, 'N' },
		{ "asym", required_argument, 0, 'a' },
		{ "slots", required_argument, 0, 'S' },
		{ "fw-version", required_argument, 0, 'w' },
		{ "dhe", required_argument, 0, OPT_DHE },
		{ "aead", required_argument, 0, OPT_AEAD },
		{ "sm-versions", required_argument, 0, OPT_SM },
		{ "tdisp-layout", required_argument, 0, OPT_TDISP_LAYOUT },
		{ "tdisp-need-ide", no_argument, 0, OPT_TDISP_NEED_IDE },
		{ "tdisp-layout-file", required_argument, 0, OPT_TDISP_FILE },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;

	*o = (struct emu_opts){ .listen_port = -1,
				.fault_slot = -1,
				.listen_addr = "127.0.0.1",
				.plug = "all",
				.asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384,
				.slots = 1 };
	emu_cfg_defaults(&o->cfg);
	while ((c = getopt_long(argc, argv, "s::p:l:V:f:F:d:r:R:Na:S:w:vh", lo, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (parse_one(o, c, optarg))
			return 2;
	}
	if (optind < argc || (!o->sim_path && o->listen_port < 0)) {
		usage(stderr);
		return 2;
	}
	if (o->cfg.tdisp_layout && o->cfg.tdisp_layout_file) {
		fprintf(stderr, "tsmh-emu: --tdisp-layout or --tdisp-layout-file, not both\n");
		return 2;
	}
	return -1;
}

const struct emu_dev_cfg *emu_cfg_for(const struct emu_opts *o, int slot)
{
	static struct emu_dev_cfg clean;

	if (o->fault_slot < 0 || o->fault_slot == slot)
		return &o->cfg;
	clean = o->cfg;
	clean.faults = 0;
	return &clean;
}

unsigned int emu_delay_for(const struct emu_opts *o, int slot)
{
	return o->fault_slot < 0 || o->fault_slot == slot ? o->delay_ms : 0;
}

void emu_logv(const struct emu_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->verbose)
		return;
	va_start(ap, fmt);
	fputs("tsmh-emu: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

uint64_t emu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
