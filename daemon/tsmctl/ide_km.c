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
#include <openssl/rand.h>
#include "attest.h"
#include "ide_cap.h"
#include "idekm_req.h"
#include "pcicap.h"
#include "target.h"
#include "tsmctl.h"

#define PORT	0 /* IDE_KM port index: the endpoint's own (upstream) port */
#define NR_KEYS 6

static cJSON *steps;
static FILE *key_file; /* --key-file: a test/bring-up aid, see write_key() */

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
		printf("  %-36s FAILED: %s\n", name, why);
	else
		printf("  %-36s ok\n", name);
}

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

static cJSON *key_json(uint8_t stream_id, uint8_t kss)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "stream_id", stream_id);
	cJSON_AddNumberToObject(o, "key_set", kss & TSMH_IDEKM_KSS_SET);
	cJSON_AddStringToObject(o, "direction", kss & TSMH_IDEKM_KSS_TX ? "TX" : "RX");
	cJSON_AddStringToObject(o, "sub_stream", tsmh_idekm_sub_name(tsmh_idekm_kss_sub(kss)));
	return o;
}

static unsigned int key_set; /* --key-set */

/* the six keys of the key set: RX then TX, PR, NPR, CPL each */
static uint8_t kss_of(int i)
{
	return tsmh_idekm_kss(key_set, i >= 3, (unsigned int)(i % 3));
}

/*
 * --key-file: one line per key, "STREAM SET RX|TX PR|NPR|CPL KEY IFV", the
 * key and IFV in hex, bytes in the order KEY_PROG carries them (the
 * direction is the device's). The file was created 0600 and is wiped of
 * nothing: it exists to hand the keys to the other end in tests.
 */
static int write_key(uint8_t sid, uint8_t kss, const uint8_t *key, const uint8_t *ifv)
{
	char hex[2 * TSMH_IDEKM_KEY_LEN + 1], ihex[2 * TSMH_IDEKM_IFV_LEN + 1];
	int i, ret;

	for (i = 0; i < TSMH_IDEKM_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	for (i = 0; i < TSMH_IDEKM_IFV_LEN; i++)
		snprintf(ihex + 2 * i, 3, "%02x", ifv[i]);
	ret = fprintf(key_file, "%u %u %s %s %s %s\n", sid, kss & TSMH_IDEKM_KSS_SET,
		      kss & TSMH_IDEKM_KSS_TX ? "TX" : "RX",
		      tsmh_idekm_sub_name(tsmh_idekm_kss_sub(kss)), hex, ihex);
	OPENSSL_cleanse(hex, sizeof(hex));
	OPENSSL_cleanse(ihex, sizeof(ihex));
	return ret < 0 || fflush(key_file) ? -EIO : 0;
}

/* KEY_PROG x6, K_SET_GO x6, K_SET_STOP x6: 0, or the first failure's -errno (@err says) */
static int keying(struct spdm_transport *t, struct tsmh_session *ss, uint8_t sid, int keep,
		  char *err, size_t errlen)
{
	static const char *const what[] = { "KEY_PROG", "K_SET_GO", "K_SET_STOP" };
	uint8_t key[TSMH_IDEKM_KEY_LEN], ifv[TSMH_IDEKM_IFV_LEN], status = 0;
	char name[64], k[32], why[512];
	int phase, i, ret = 0;

	for (phase = 0; phase < (keep ? 2 : 3); phase++) {
		for (i = 0; i < NR_KEYS; i++) {
			uint8_t kss = kss_of(i);
			cJSON *o = key_json(sid, kss);

			why[0] = 0;
			snprintf(name, sizeof(name), "%s stream %u %s", what[phase], sid,
				 tsmh_idekm_kss_format(kss, k, sizeof(k)));
			if (phase == 0) {
				if (RAND_bytes(key, sizeof(key)) != 1 ||
				    RAND_bytes(ifv, sizeof(ifv)) != 1)
					ret = spdm_why(why, sizeof(why), -EIO,
						       "%s: no random key (OpenSSL RAND_bytes)",
						       name);
				else if (key_file && write_key(sid, kss, key, ifv))
					ret = spdm_why(why, sizeof(why), -EIO,
						       "%s: cannot write the key file", name);
				else
					ret = tsmh_idekm_key_prog(t, ss, PORT, sid, kss, key, ifv,
								  &status, why, sizeof(why));
				OPENSSL_cleanse(key, sizeof(key));
				OPENSSL_cleanse(ifv, sizeof(ifv));
				if (status != 0xff) {
					cJSON_AddNumberToObject(o, "kp_ack_status", status);
					cJSON_AddStringToObject(o, "kp_ack_status_name",
								tsmh_idekm_status_name(status));
				}
			} else {
				ret = tsmh_idekm_k_set(t, ss, phase == 1, PORT, sid, kss, why,
						       sizeof(why));
			}
			step(name, ret, why, o);
			if (ret) {
				snprintf(err, errlen, "%s", why);
				return ret;
			}
		}
	}
	return 0;
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
	struct tsmh_idekm_port q;
	struct tsmh_session ss;
	struct tsmctl_target s;
	struct tsmh_attest a;
	const char *sock = NULL, *dev = NULL, *kpath = NULL;
	int keep = 0, fd;
	char why[512] = "", err[512] = "", v[16];
	int c, ret, timeout_ms = 0, in_session = 0, closed = 0;
	long n;
	char *end;
	uint8_t sid = 0;
	cJSON *j;

	key_set = 0;
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
			n = strtol(optarg, &end, 10);
			if (*end || end == optarg || n < 0 || n >= SPDM_MAX_SLOTS) {
				fprintf(stderr, "tsmctl: ide km: --slot wants 0-7, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			o.slot = (uint8_t)n;
			break;
		case 'i':
			n = strtol(optarg, &end, 0);
			if (*end || end == optarg || n < 0 || n > 255) {
				fprintf(stderr,
					"tsmctl: ide km: --stream-id wants 0-255, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
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
	ret = target_open(&s, sock, dev, timeout_ms);
	if (ret) {
		if (key_file)
			fclose(key_file);
		key_file = NULL;
		return ret;
	}
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "target", s.who);
	cJSON_AddNumberToObject(j, "stream_id", sid);
	cJSON_AddNumberToObject(j, "key_set", key_set);
	steps = cJSON_AddArrayToObject(j, "steps");
	if (!opt_json)
		printf("%s: IDE_KM, stream %u, key set %u\n", s.who, sid, key_set);

	/* VCA and authentication: chains, CHALLENGE, signed measurements */
	ret = tsmh_attest_run(&s.t, &o, &a, why, sizeof(why));
	step("authentication", ret, why, NULL);
	if (ret) {
		snprintf(err, sizeof(err), "%s", why);
		goto out_attest;
	}
	snprintf(v, sizeof(v), "%u.%u", a.ci.ver >> 4, a.ci.ver & 15);
	cJSON_AddStringToObject(j, "version", v);

	why[0] = 0;
	ret = tsmh_session_start(&s.t, &a.ci, a.slot[o.slot].chain, a.slot[o.slot].len, o.slot,
				 a.meas_verified ? SPDM_MEAS_SUMMARY_ALL : SPDM_MEAS_SUMMARY_NONE,
				 0 /* every secured-message version we speak */, &ss, why,
				 sizeof(why));
	step("KEY_EXCHANGE+FINISH", ret, why, NULL);
	if (ret) {
		snprintf(err, sizeof(err), "%s", why);
		goto end_session; /* not established: nothing to end, only freed */
	}
	in_session = 1;
	snprintf(v, sizeof(v), "%#010x", spdm_session_id(&ss.s));
	cJSON_AddStringToObject(j, "session_id", v);
	if (!opt_json)
		printf("  session %s established\n", v);

	why[0] = 0;
	ret = tsmh_idekm_query(&s.t, &ss, PORT, &q, why, sizeof(why));
	step("QUERY port 0", ret, why, NULL);
	if (ret) {
		snprintf(err, sizeof(err), "%s", why);
		goto end_session;
	}
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
	ret = keying(&s.t, &ss, sid, keep, err, sizeof(err));

end_session:
	/* after a failure too: the device must not keep the session and its keys */
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
	if (key_file)
		fclose(key_file);
	key_file = NULL;
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
		fprintf(stderr, "tsmctl: ide km %s: %s\n", sock ? sock : dev, err);
		return EXIT_OPERR;
	}
	if (!opt_json)
		printf("  IDE_KM done: 6 keys programmed, started%s; session closed\n",
		       keep ? " and left in use" : " and stopped");
	return 0;
}
