// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: device emulator main loop.
 *
 * Process model: one thread, one poll() loop over the sim character device,
 * the listening socket and its clients. Responses may be held back
 * (--delay-ms) in a small queue; an ABORT or RESET from the kernel drops
 * the held answers of that slot. SIGINT/SIGTERM end the loop cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/tsmh_sim.h>
#include "doe.h"
#include "emu.h"
#include "certgen.h"
#include "emu_sock.h"

#define MAX_CLIENTS 8
#define MAX_HELD    64

struct held {
	int used;
	uint32_t slot, seq;
	uint64_t due_ms;
	long len; /* -1: report Error */
	uint8_t *obj;
};

static struct {
	const char *sim_path;
	const char *listen_addr;
	int listen_port;
	const char *plug;
	unsigned int faults;
	int fault_slot; /* -1: all */
	unsigned int delay_ms;
	const char *ready_file;
	const char *export_root;
	int no_certs;
	int verbose;
	uint32_t asym; /* signing algorithms with keys */
	int slots; /* provisioned certificate slots */
	struct emu_dev_cfg cfg;
} opt = { .listen_port = -1,
	  .fault_slot = -1,
	  .listen_addr = "127.0.0.1",
	  .asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384,
	  .slots = 1 };

static volatile sig_atomic_t stop;
static struct emu_conn slot_conn[TSMH_SIM_MAX_SLOTS]; /* SPDM state per endpoint */
static struct emu_conn client_conn[MAX_CLIENTS]; /* ... per socket client */
static struct held held[MAX_HELD];
static uint8_t *rxbuf, *txbuf;
static int nr_slots;

#define RECSZ (sizeof(struct tsmh_sim_msg) + TSMH_SIM_OBJ_MAX)

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void logv(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logv(const char *fmt, ...)
{
	va_list ap;

	if (!opt.verbose)
		return;
	va_start(ap, fmt);
	fputs("tsmh-emu: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static const struct emu_dev_cfg *cfg_for(int slot)
{
	static struct emu_dev_cfg clean;

	if (opt.fault_slot < 0 || opt.fault_slot == slot)
		return &opt.cfg;
	clean = opt.cfg;
	clean.faults = 0;
	return &clean;
}

/* --delay-ms applies to the fault slot only when one is named */
static unsigned int delay_for(int slot)
{
	return opt.fault_slot < 0 || opt.fault_slot == slot ? opt.delay_ms : 0;
}

static int sim_send(int fd, uint32_t kind, uint32_t slot, uint32_t seq, const void *p, uint32_t len)
{
	struct tsmh_sim_msg m = { .kind = kind, .slot = slot, .seq = seq, .len = len };

	memcpy(txbuf, &m, sizeof(m));
	if (len)
		memcpy(txbuf + sizeof(m), p, len);
	if (write(fd, txbuf, sizeof(m) + len) < 0) {
		/* ESTALE: the host aborted meanwhile; ENODEV: slot unplugged */
		if (errno != ESTALE && errno != ENODEV)
			fprintf(stderr, "tsmh-emu: write to sim (kind %#x slot %u): %s\n", kind,
				slot, strerror(errno));
		return -errno;
	}
	return 0;
}

static void deliver(int simfd, struct held *h)
{
	if (h->len < 0)
		sim_send(simfd, TSMH_SIM_MSG_ERROR, h->slot, h->seq, NULL, 0);
	else
		sim_send(simfd, TSMH_SIM_MSG_RESPONSE, h->slot, h->seq, h->obj, (uint32_t)h->len);
	free(h->obj);
	h->obj = NULL;
	h->used = 0;
}

static void drop_slot(uint32_t slot)
{
	for (int i = 0; i < MAX_HELD; i++)
		if (held[i].used && held[i].slot == slot) {
			free(held[i].obj);
			held[i].obj = NULL;
			held[i].used = 0;
		}
}

static void handle_request(int simfd, const struct tsmh_sim_msg *m, const uint8_t *obj)
{
	const struct emu_dev_cfg *cfg = cfg_for((int)m->slot);
	long n;

	if ((cfg->faults & EMU_FAULT_UNPLUG) && m->len > 4 &&
	    tsmh_doe_hdr_type(tsmh_get_le32(obj)) == TSMH_DOE_PROT_CMA) {
		/* surprise removal with the request in flight: never answered */
		fprintf(stderr, "tsmh-emu: slot %u drops off the bus (fault unplug)\n", m->slot);
		sim_send(simfd, TSMH_SIM_MSG_UNPLUG, m->slot, 0, NULL, 0);
		return;
	}
	if (m->slot >= TSMH_SIM_MAX_SLOTS)
		return;
	n = emu_respond(cfg, &slot_conn[m->slot], obj, m->len, txbuf + sizeof(*m),
			TSMH_SIM_OBJ_MAX);

	logv("slot %u seq %u: request %u bytes -> %ld\n", m->slot, m->seq, m->len, n);
	if (n == 0)
		return; /* silent device */
	if (!delay_for((int)m->slot)) {
		struct held h = { .slot = m->slot, .seq = m->seq, .len = n };

		if (n > 0) {
			h.obj = malloc((size_t)n);
			if (!h.obj)
				return;
			memcpy(h.obj, txbuf + sizeof(*m), (size_t)n);
		}
		deliver(simfd, &h);
		return;
	}
	for (int i = 0; i < MAX_HELD; i++) {
		if (held[i].used)
			continue;
		held[i] = (struct held){ .used = 1,
					 .slot = m->slot,
					 .seq = m->seq,
					 .len = n,
					 .due_ms = now_ms() + delay_for((int)m->slot) };
		if (n > 0) {
			held[i].obj = malloc((size_t)n);
			if (!held[i].obj) {
				held[i].used = 0;
				return;
			}
			memcpy(held[i].obj, txbuf + sizeof(*m), (size_t)n);
		}
		return;
	}
	fprintf(stderr, "tsmh-emu: too many held responses, dropping slot %u seq %u\n", m->slot,
		m->seq);
}

/* A no-cma slot is a plain endpoint: no TEE-IO bit either. */
static uint32_t plug_flags(int slot)
{
	return (cfg_for(slot)->faults & EMU_FAULT_NO_CMA) ? TSMH_SIM_PLUG_PLAIN : 0;
}

static int plug(int simfd)
{
	char *copy, *tok, *save = NULL;
	int ret = 0;

	if (!opt.plug || !strcmp(opt.plug, "none"))
		return 0;
	if (!strcmp(opt.plug, "all") &&
	    (opt.fault_slot < 0 || !(opt.cfg.faults & EMU_FAULT_NO_CMA)))
		return sim_send(simfd, TSMH_SIM_MSG_PLUG, TSMH_SIM_SLOT_ALL, plug_flags(0), NULL,
				0);
	if (!strcmp(opt.plug, "all")) {
		for (int s = 0; s < nr_slots && !ret; s++)
			ret = sim_send(simfd, TSMH_SIM_MSG_PLUG, (uint32_t)s, plug_flags(s), NULL,
				       0);
		return ret;
	}
	copy = strdup(opt.plug);
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long s = strtol(tok, &end, 0);

		if (*end || s < 0 || s >= nr_slots) {
			fprintf(stderr, "tsmh-emu: --plug: no slot '%s' (device has %d)\n", tok,
				nr_slots);
			ret = -EINVAL;
			break;
		}
		ret = sim_send(simfd, TSMH_SIM_MSG_PLUG, (uint32_t)s, plug_flags((int)s), NULL, 0);
	}
	free(copy);
	return ret;
}

static int handle_sim(int simfd)
{
	struct tsmh_sim_msg m;
	ssize_t r = read(simfd, rxbuf, RECSZ);

	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if ((size_t)r < sizeof(m))
		return -EPROTO;
	memcpy(&m, rxbuf, sizeof(m));
	if ((size_t)r != sizeof(m) + m.len)
		return -EPROTO;
	switch (m.kind) {
	case TSMH_SIM_MSG_HELLO:
		if (m.seq != TSMH_SIM_ABI_VERSION) {
			fprintf(stderr, "tsmh-emu: sim ABI %u, expected %u\n", m.seq,
				TSMH_SIM_ABI_VERSION);
			return -EPROTO;
		}
		nr_slots = (int)m.slot;
		fprintf(stderr, "tsmh-emu: attached to %s: %d endpoint slot(s)\n", opt.sim_path,
			nr_slots);
		return plug(simfd);
	case TSMH_SIM_MSG_REQUEST: handle_request(simfd, &m, rxbuf + sizeof(m)); return 0;
	case TSMH_SIM_MSG_ABORT:
		logv("slot %u: host aborted seq %u\n", m.slot, m.seq);
		drop_slot(m.slot);
		return 0;
	case TSMH_SIM_MSG_RESET:
		logv("slot %u: function level reset\n", m.slot);
		drop_slot(m.slot);
		if (m.slot < TSMH_SIM_MAX_SLOTS) /* an FLR ends the SPDM connection */
			emu_conn_reset(&slot_conn[m.slot], 1);
		return 0;
	default: fprintf(stderr, "tsmh-emu: unknown sim record kind %#x\n", m.kind); return 0;
	}
}

/* One frame from a socket client; returns 0 to keep it, <0 to close. */
static int handle_client(int fd, struct emu_conn *conn)
{
	struct emu_frame f;
	long n;
	int ret;

	ret = emu_sock_recv(fd, &f, rxbuf, RECSZ);
	if (ret)
		return ret;
	switch (f.cmd) {
	case EMU_SOCK_CMD_TEST:
		return emu_sock_send(fd, EMU_SOCK_CMD_TEST, f.transport, "Server Hello!", 14);
	case EMU_SOCK_CMD_SHUTDOWN:
		emu_sock_send(fd, EMU_SOCK_CMD_SHUTDOWN, f.transport, NULL, 0);
		return -ESHUTDOWN;
	case EMU_SOCK_CMD_CONTINUE:
		return emu_sock_send(fd, EMU_SOCK_CMD_CONTINUE, f.transport, NULL, 0);
	case EMU_SOCK_CMD_NORMAL:
		if (f.transport != EMU_SOCK_TRANS_PCI_DOE) {
			fprintf(stderr,
				"tsmh-emu: socket client uses transport %u, only PCI_DOE (2) is served\n",
				f.transport);
			return emu_sock_send(fd, EMU_SOCK_CMD_UNKNOWN, f.transport, NULL, 0);
		}
		n = emu_respond(cfg_for(0), conn, rxbuf, f.len, txbuf, TSMH_SIM_OBJ_MAX);
		logv("socket client: request %u bytes -> %ld\n", f.len, n);
		if (n == 0)
			return 0; /* silent */
		/* a mailbox Error has no socket encoding: an empty response */
		return emu_sock_send(fd, EMU_SOCK_CMD_NORMAL, f.transport, txbuf,
				     n < 0 ? 0 : (uint32_t)n);
	default: return emu_sock_send(fd, EMU_SOCK_CMD_UNKNOWN, f.transport, NULL, 0);
	}
}

static struct emu_identity identity, other; /* other: the unknown-root fault */

/*
 * The device's certificate chain: made fresh with OpenSSL at every start.
 * With the unknown-root fault the exported root belongs to another chain.
 */
static int setup_identity(void)
{
	static const char cma[] = "Vendor=1b36:Device=1e10:CC=120000:REV=01:SSVID=1b36:SSID=1e10";
	const struct emu_identity *exported = &identity;

	if (opt.no_certs)
		return 0;
	if (emu_identity_make(&identity, opt.asym, opt.slots, cma,
			      !!(opt.cfg.faults & EMU_FAULT_BAD_SAN))) {
		fprintf(stderr, "tsmh-emu: cannot create the device certificate chain (OpenSSL)\n");
		return -1;
	}
	if (opt.cfg.faults & EMU_FAULT_UNKNOWN_ROOT) {
		if (emu_identity_make(&other, SPDM_ASYM_ECDSA_P384, 1, cma, 0))
			return -1;
		exported = &other;
	}
	if (opt.export_root && emu_identity_export_root(exported, opt.export_root)) {
		fprintf(stderr, "tsmh-emu: cannot write %s: %s\n", opt.export_root,
			strerror(errno));
		return -1;
	}
	emu_cfg_use_chains(&opt.cfg, (const struct emu_chain(*)[EMU_MAX_SLOTS])identity.chain,
			   identity.asym, (uint8_t)((1u << opt.slots) - 1));
	return 0;
}

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
	      "                          not-ready,busy,meas-change,no-cma\n"
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

static int parse_versions(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;

	opt.cfg.nr_vers = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (opt.cfg.nr_vers >= SPDM_MAX_VERSIONS ||
		    spdm_ver_parse(tok, &opt.cfg.vers[opt.cfg.nr_vers])) {
			fprintf(stderr, "tsmh-emu: bad SPDM version '%s' (want MAJOR.MINOR)\n",
				tok);
			free(copy);
			return -1;
		}
		opt.cfg.nr_vers++;
	}
	free(copy);
	return opt.cfg.nr_vers ? 0 : -1;
}

static int parse_asym(const char *s)
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

	opt.asym = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "tsmh-emu: --asym: unknown algorithm '%s'\n", tok);
			free(copy);
			return -1;
		}
		opt.asym |= names[i].bit;
	}
	free(copy);
	return opt.asym ? 0 : -1;
}

int main(int argc, char **argv)
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
		{ "dhe", required_argument, 0, 0x100 },
		{ "aead", required_argument, 0, 0x101 },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct pollfd pfd[2 + MAX_CLIENTS];
	int clients[MAX_CLIENTS], simfd = -1, lfd = -1, c, i, ret = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *bad;
	char *colon, *end;

	opt.plug = "all";
	emu_cfg_defaults(&opt.cfg);
	while ((c = getopt_long(argc, argv, "s::p:l:V:f:F:d:r:R:Na:S:w:vh", lo, NULL)) != -1) {
		switch (c) {
		case 's': opt.sim_path = optarg ? optarg : "/dev/" TSMH_SIM_DEVNAME; break;
		case 'p': opt.plug = optarg; break;
		case 'l':
			colon = strrchr(optarg, ':');
			if (colon) {
				*colon = 0;
				opt.listen_addr = optarg;
			}
			opt.listen_port = (int)strtol(colon ? colon + 1 : optarg, &end, 10);
			if (*end || opt.listen_port < 0 || opt.listen_port > 65535) {
				fprintf(stderr, "tsmh-emu: --listen: bad port\n");
				return 2;
			}
			break;
		case 'V':
			if (parse_versions(optarg))
				return 2;
			break;
		case 'f':
			if (emu_faults_parse(optarg, &opt.cfg.faults, &bad)) {
				fprintf(stderr, "tsmh-emu: --fault: unknown fault '%s'\n", bad);
				return 2;
			}
			break;
		case 'F':
			opt.fault_slot = (int)strtol(optarg, &end, 0);
			if (*end || opt.fault_slot < 0) {
				fprintf(stderr, "tsmh-emu: --fault-slot: bad slot '%s'\n", optarg);
				return 2;
			}
			break;
		case 'd':
			opt.delay_ms = (unsigned int)strtoul(optarg, &end, 10);
			if (*end) {
				fprintf(stderr, "tsmh-emu: --delay-ms: bad number '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r': opt.ready_file = optarg; break;
		case 'R': opt.export_root = optarg; break;
		case 'N': opt.no_certs = 1; break;
		case 'a':
			if (parse_asym(optarg))
				return 2;
			break;
		case 'S':
			opt.slots = (int)strtol(optarg, &end, 10);
			if (*end || opt.slots < 1 || opt.slots > EMU_MAX_SLOTS) {
				fprintf(stderr, "tsmh-emu: --slots: want 1-%d, not '%s'\n",
					EMU_MAX_SLOTS, optarg);
				return 2;
			}
			break;
		case 'w':
			if (!*optarg || strlen(optarg) > 64) {
				fprintf(stderr, "tsmh-emu: --fw-version: 1-64 characters\n");
				return 2;
			}
			opt.cfg.fw_version = optarg;
			break;
		case 0x100: {
			static const char *const n[] = { "secp256r1", "secp384r1" };
			static const uint16_t b[] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1 };

			if (parse_list("dhe", optarg, n, b, 2, &opt.cfg.dhe))
				return 2;
			break;
		}
		case 0x101: {
			static const char *const n[] = { "aes-256-gcm", "chacha20-poly1305" };
			static const uint16_t b[] = { SPDM_AEAD_AES_256_GCM,
						      SPDM_AEAD_CHACHA20_POLY };

			if (parse_list("aead", optarg, n, b, 2, &opt.cfg.aead))
				return 2;
			break;
		}
		case 'v': opt.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || (!opt.sim_path && opt.listen_port < 0)) {
		usage(stderr);
		return 2;
	}
	rxbuf = malloc(RECSZ);
	txbuf = malloc(RECSZ);
	if (!rxbuf || !txbuf)
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (setup_identity())
		return 1;
	if (opt.sim_path) {
		simfd = open(opt.sim_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (simfd < 0) {
			fprintf(stderr, "tsmh-emu: cannot open %s: %s%s\n", opt.sim_path,
				strerror(errno),
				errno == EBUSY	  ? " (another emulator holds it)"
				: errno == ENOENT ? " (is tsmh_sim loaded?)"
						  : "");
			return 1;
		}
	}
	if (opt.listen_port >= 0) {
		lfd = emu_sock_listen(opt.listen_addr, (uint16_t)opt.listen_port);
		if (lfd < 0) {
			fprintf(stderr, "tsmh-emu: cannot listen on %s:%d: %s\n", opt.listen_addr,
				opt.listen_port, strerror(-lfd));
			return 1;
		}
		if (opt.listen_port == 0) {
			struct sockaddr_in sin;
			socklen_t sl = sizeof(sin);

			if (getsockname(lfd, (struct sockaddr *)&sin, &sl) == 0 &&
			    sin.sin_family == AF_INET)
				opt.listen_port = ntohs(sin.sin_port);
		}
		fprintf(stderr, "tsmh-emu: serving spdm-emu socket protocol on %s:%d\n",
			opt.listen_addr, opt.listen_port);
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i] = -1;
	if (opt.ready_file) {
		int fd = open(opt.ready_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd >= 0)
			close(fd);
	}

	while (!stop) {
		int n = 0, timeout = -1;
		uint64_t now = now_ms();

		for (i = 0; i < MAX_HELD; i++) {
			if (!held[i].used)
				continue;
			if (held[i].due_ms <= now) {
				deliver(simfd, &held[i]);
				continue;
			}
			if (timeout < 0 || (int)(held[i].due_ms - now) < timeout)
				timeout = (int)(held[i].due_ms - now);
		}
		if (simfd >= 0)
			pfd[n++] = (struct pollfd){ .fd = simfd, .events = POLLIN };
		if (lfd >= 0)
			pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < MAX_CLIENTS; i++)
			if (clients[i] >= 0)
				pfd[n++] = (struct pollfd){ .fd = clients[i], .events = POLLIN };
		if (poll(pfd, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			perror("tsmh-emu: poll");
			ret = 1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (pfd[i].fd == simfd) {
				int r = handle_sim(simfd);

				if (r) {
					fprintf(stderr, "tsmh-emu: sim channel: %s\n",
						strerror(-r));
					stop = 1;
					ret = 1;
				}
			} else if (pfd[i].fd == lfd) {
				int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), k;

				for (k = 0; cfd >= 0 && k < MAX_CLIENTS; k++)
					if (clients[k] < 0) {
						emu_conn_reset(&client_conn[k], 0);
						clients[k] = cfd;
						cfd = -1;
					}
				if (cfd >= 0) {
					fprintf(stderr, "tsmh-emu: too many socket clients\n");
					close(cfd);
				}
			} else {
				for (int k = 0; k < MAX_CLIENTS; k++) {
					if (clients[k] != pfd[i].fd)
						continue;
					if (handle_client(clients[k], &client_conn[k])) {
						close(clients[k]);
						clients[k] = -1;
					}
				}
			}
		}
	}
	for (i = 0; i < MAX_HELD; i++)
		free(held[i].obj);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] >= 0)
			close(clients[i]);
	if (simfd >= 0)
		close(simfd);
	if (lfd >= 0)
		close(lfd);
	free(rxbuf);
	free(txbuf);
	for (i = 0; i < MAX_CLIENTS; i++)
		emu_conn_free(&client_conn[i]);
	for (i = 0; i < TSMH_SIM_MAX_SLOTS; i++)
		emu_conn_free(&slot_conn[i]);
	emu_identity_free(&identity);
	emu_identity_free(&other);
	return ret;
}
