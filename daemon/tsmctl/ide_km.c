// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl ide km: IDE_KM against any SPDM responder speaking the spdm-emu
 * socket protocol, or a device through the kernel's DOE proxy (DEV), no
 * IDE registers involved: VCA and
 * authentication (daemon/attest, as attest does), KEY_EXCHANGE and FINISH
 * with the attested slot's key (as attest --session), IDE_KM QUERY of port
 * 0, KEY_PROG of the six keys of key set 0 (--key-set) of one stream (RX and TX for
 * each of the PR, NPR and CPL sub-streams) with fresh random keys and IFVs,
 * K_SET_GO for each of the six, K_SET_STOP for each (not with --keep),
 * END_SESSION. Each
 * K_SET_GO/K_SET_STOP names one key set, direction and sub-stream (the
 * message has the same key_sub_stream byte as KEY_PROG), so a stream takes
 * six of each, as spdm-emu's, tf-rmm's and the TEE-IO validator's
 * requesters send them.
 *
 * After a failed step inside the session, END_SESSION is still sent (as
 * attest --session does), so the device does not keep the session and its
 * keys. Keys live in one stack buffer per KEY_PROG, wiped right after it
 * (and the request's copy by the requester, the secured message's
 * plaintext by the crypto layer); they are never printed, in either
 * output form.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "attest.h"
#include "connect.h"
#include "ide_cap.h"
#include "idekm_req.h"
#include "pcicap.h"
#include "target.h"
#include "tsmctl.h"

#define PORT	0 /* IDE_KM port index: the endpoint's own (upstream) port */
#define NR_KEYS 6

static FILE *key_file; /* --key-file: a test/bring-up aid, see write_key() */

static cJSON *query_json(const struct tsmh_idekm_port *q)
{
	const struct tsmh_ide_cap_copy *c = &q->cap;
	cJSON *j = cJSON_CreateObject(), *a;
	unsigned int i;

	cJSON_AddNumberToObject(j, "port_index", q->port_index);
	cJSON_AddNumberToObject(j, "max_port_index", q->max_port_index);
	cJSON_AddNumberToObject(j, "segment", q->segment);
	cJSON_AddNumberToObject(j, "bus", q->bus);
	cJSON_AddNumberToObject(j, "dev_func", q->dev_func);
	cJSON_AddNumberToObject(j, "capability", c->cap);
	cJSON_AddNumberToObject(j, "control", c->ctl);
	cJSON_AddBoolToObject(j, "link", !!(c->cap & TSMH_IDE_CAP_LINK));
	cJSON_AddNumberToObject(j, "link_tcs", c->nr_link);
	cJSON_AddBoolToObject(j, "selective", !!(c->cap & TSMH_IDE_CAP_SELECTIVE));
	cJSON_AddNumberToObject(j, "selective_streams", c->nr_sel);
	a = cJSON_AddArrayToObject(j, "address_association_blocks");
	for (i = 0; i < c->nr_sel; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(c->assoc[i]));
	cJSON_AddStringToObject(j, "algorithm",
				tsmh_ide_alg_name((u8)((c->cap & TSMH_IDE_CAP_ALG_MASK) >>
						       TSMH_IDE_CAP_ALG_SHIFT)));
	cJSON_AddBoolToObject(j, "ide_km", !!(c->cap & TSMH_IDE_CAP_IDE_KM));
	cJSON_AddBoolToObject(j, "tee_limited", !!(c->cap & TSMH_IDE_CAP_TEE_LIMITED));
	return j;
}

static void query_print(const struct tsmh_idekm_port *q)
{
	const struct tsmh_ide_cap_copy *c = &q->cap;
	unsigned int i;

	printf("  IDE capability (port %u of 0-%u, %04x:%02x:%02x.%u): %#010x\n", q->port_index,
	       q->max_port_index, q->segment, q->bus, q->dev_func >> 3, q->dev_func & 7, c->cap);
	printf("    link IDE: %s", c->cap & TSMH_IDE_CAP_LINK ? "yes" : "no");
	if (c->nr_link)
		printf(", %u TC%s", c->nr_link, c->nr_link == 1 ? "" : "s");
	printf("; selective IDE: %s", c->cap & TSMH_IDE_CAP_SELECTIVE ? "yes" : "no");
	if (c->nr_sel) {
		printf(", %u stream%s (address association blocks:", c->nr_sel,
		       c->nr_sel == 1 ? "" : "s");
		for (i = 0; i < c->nr_sel; i++)
			printf(" %u", c->assoc[i]);
		printf(")");
	}
	printf("\n    algorithm %s, IDE_KM %s, TEE-limited %s\n",
	       tsmh_ide_alg_name((u8)((c->cap & TSMH_IDE_CAP_ALG_MASK) >> TSMH_IDE_CAP_ALG_SHIFT)),
	       c->cap & TSMH_IDE_CAP_IDE_KM ? "yes" : "no",
	       c->cap & TSMH_IDE_CAP_TEE_LIMITED ? "yes" : "no");
}

/*
 * --key-file: one line per key, "STREAM SET RX|TX PR|NPR|CPL KEY IFV", the
 * key and IFV in hex, bytes in the order KEY_PROG carries them (the
 * direction is the device's). The file was created 0600 and is wiped of
 * nothing: it exists to hand the keys to the other end in tests.
 */
static int write_key(void *arg, uint8_t sid, uint8_t kss, const uint8_t *key, const uint8_t *ifv)
{
	char hex[2 * TSMH_IDEKM_KEY_LEN + 1], ihex[2 * TSMH_IDEKM_IFV_LEN + 1];
	int i, ret;

	for (i = 0; i < TSMH_IDEKM_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	for (i = 0; i < TSMH_IDEKM_IFV_LEN; i++)
		snprintf(ihex + 2 * i, 3, "%02x", ifv[i]);
	ret = fprintf(arg, "%u %u %s %s %s %s\n", sid, kss & TSMH_IDEKM_KSS_SET,
		      kss & TSMH_IDEKM_KSS_TX ? "TX" : "RX",
		      tsmh_idekm_sub_name(tsmh_idekm_kss_sub(kss)), hex, ihex);
	OPENSSL_cleanse(hex, sizeof(hex));
	OPENSSL_cleanse(ihex, sizeof(ihex));
	return ret < 0 || fflush(arg) ? -EIO : 0;
}

static int usage(void)
{
	fputs(usage_ide, stderr);
	return EXIT_USAGE;
}

int cmd_ide_km(int argc, char **argv)
{
	static const struct option lo[] = { { "socket", required_argument, 0, 's' },
					    { "trust", required_argument, 0, 't' },
					    { "slot", required_argument, 0, 'S' },
					    { "stream-id", required_argument, 0, 'i' },
					    { "timeout", required_argument, 0, 'T' },
					    { "keep", no_argument, 0, 'k' },
					    { "key-file", required_argument, 0, 'K' },
					    { "key-set", required_argument, 0, 'e' },
					    { 0, 0, 0, 0 } };
	struct tsmh_attest_opts o = { 0 };
	struct tsmh_connect_opts co = { 0 };
	struct tsmh_conn_result *r;
	struct tsmh_idekm_port q;
	struct tsmctl_target s;
	struct tsmh_conn conn;
	const char *sock = NULL, *dev = NULL, *kpath = NULL;
	int keep = 0, fd;
	char v[16];
	unsigned int key_set = 0;
	int c, ret, timeout_ms = 0, in_session = 0, closed = 0;
	long n;
	uint8_t sid = 0;
	cJSON *j;

	while ((c = getopt_long(argc, argv, "s:t:S:i:T:kK:e:", lo, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (strcmp(optarg, "0") && strcmp(optarg, "1")) {
				fprintf(stderr,
					"tsmctl: ide km: --key-set wants 0 or 1, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			key_set = (unsigned int)(optarg[0] - '0');
			break;
		case 'k': keep = 1; break;
		case 'K': kpath = optarg; break;
		case 's': sock = optarg; break;
		case 't': o.trust = optarg; break;
		case 'S':
			if (num_opt("ide km", "slot", optarg, 0, SPDM_MAX_SLOTS - 1, &n))
				return EXIT_USAGE;
			o.slot = (uint8_t)n;
			break;
		case 'i':
			if (num_opt("ide km", "stream-id", optarg, 0, 255, &n))
				return EXIT_USAGE;
			sid = (uint8_t)n;
			break;
		case 'T':
			if (target_timeout_opt(optarg, &timeout_ms))
				return EXIT_USAGE;
			break;
		default: return usage();
		}
	}
	if (optind < argc && !sock)
		dev = argv[optind++];
	if (optind < argc || !o.trust || !(sock || dev)) {
		if (!(sock || dev) || optind < argc)
			fprintf(stderr, "tsmctl: ide km: one target: DEV or --socket HOST:PORT\n");
		return usage();
	}
	ret = trust_check("ide km", o.trust);
	if (ret)
		return ret;
	if (kpath) {
		/* live keys: never an existing file, never through a symlink */
		fd = open(kpath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || fchmod(fd, 0600) || !(key_file = fdopen(fd, "w"))) {
			fprintf(stderr, "tsmctl: ide km: --key-file %s: %s%s\n", kpath,
				strerror(errno), errno == EEXIST ? " (remove it first)" : "");
			if (fd >= 0)
				close(fd);
			return EXIT_OPERR;
		}
	}
	r = calloc(1, sizeof(*r)); /* step records: a few tens of KiB */
	ret = r ? target_open(&s, sock, dev, timeout_ms) : EXIT_OPERR;
	if (ret) {
		free(r);
		if (key_file)
			fclose(key_file);
		key_file = NULL;
		return ret;
	}
	co.dev = dev;
	co.attest = o;
	co.ide = TSMH_CONN_IDE_NONE;
	co.no_store = 1; /* protocol only: the kernel's evidence is attest's business */
	tsmh_conn_init(&conn, &s.t, s.use_nl ? &s.nl : NULL, &co);
	if (key_file) {
		conn.on_key = write_key;
		conn.key_arg = key_file;
	}
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "target", s.who);
	cJSON_AddNumberToObject(j, "stream_id", sid);
	cJSON_AddNumberToObject(j, "key_set", key_set);
	r->on_step = conn_step_out;
	r->arg = cJSON_AddArrayToObject(j, "steps");
	if (!opt_json)
		printf("%s: IDE_KM, stream %u, key set %u\n", s.who, sid, key_set);

	/* VCA, authentication (chains, CHALLENGE, signed measurements), KEY_EXCHANGE+FINISH */
	ret = tsmh_conn_open(&conn, r);
	if (conn.have_attest && conn.a.ci.ver) {
		snprintf(v, sizeof(v), "%u.%u", conn.a.ci.ver >> 4, conn.a.ci.ver & 15);
		cJSON_AddStringToObject(j, "version", v);
	}
	if (ret)
		goto end_session;
	in_session = 1;
	snprintf(v, sizeof(v), "%#010x", spdm_session_id(&conn.ss.s));
	cJSON_AddStringToObject(j, "session_id", v);
	if (!opt_json)
		printf("  session %s established\n", v);

	ret = tsmh_conn_query(&conn, r, &q);
	if (ret)
		goto end_session;
	if (q.cap_ok) {
		cJSON_AddItemToObject(j, "query", query_json(&q));
		if (!opt_json)
			query_print(&q);
	} else {
		/* the keying does not depend on it: say so and go on */
		cJSON *qo = cJSON_AddObjectToObject(j, "query");

		cJSON_AddNumberToObject(qo, "port_index", q.port_index);
		cJSON_AddNumberToObject(qo, "max_port_index", q.max_port_index);
		cJSON_AddStringToObject(qo, "capability_error", q.cap_why);
		if (!opt_json)
			printf("  warning: the IDE capability copy is unusable (%s); keying goes on "
			       "without it\n",
			       q.cap_why);
	}
	/* KEY_PROG x6, K_SET_GO x6, K_SET_STOP x6 (not with --keep): endpoint only */
	ret = tsmh_conn_keys(&conn, r, sid, (uint8_t)key_set, 0);
	if (!ret)
		ret = tsmh_conn_kset(&conn, r, sid, (uint8_t)key_set, 1, 0);
	if (!ret && !keep)
		ret = tsmh_conn_kset(&conn, r, sid, (uint8_t)key_set, 0, 0);

end_session:
	/* after a failure too: the device must not keep the session and its keys */
	closed = in_session && !tsmh_conn_end_session(&conn, r);
	ret = r->ret;
	tsmh_conn_free(&conn);
	target_close(&s);
	if (key_file)
		fclose(key_file);
	key_file = NULL;
	cJSON_AddBoolToObject(j, "session", in_session);
	cJSON_AddBoolToObject(j, "session_closed", closed);
	cJSON_AddBoolToObject(j, "ok", !ret);
	if (ret)
		cJSON_AddStringToObject(j, "error", r->err);
	if (opt_json)
		json_print(j);
	else
		cJSON_Delete(j);
	if (ret) {
		fprintf(stderr, "tsmctl: ide km %s: %s\n", sock ? sock : dev, r->err);
		free(r);
		return EXIT_OPERR;
	}
	free(r);
	if (!opt_json)
		printf("  IDE_KM done: 6 keys programmed, started%s; session closed\n",
		       keep ? " and left in use" : " and stopped");
	return 0;
}
