// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl attest: authenticate a device end to end (daemon/attest/attest.c)
 * and show the result: negotiated version and algorithms, every slot's
 * chain and leaf identity, whether the CHALLENGE_AUTH and MEASUREMENTS
 * signatures verified, and each measurement block. --export writes what a
 * third party needs to re-verify the signatures with openssl.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/pem.h>
#include "attest.h"
#include "attest_store.h"
#include "hex.h"
#include "session_msg.h"
#include "target.h"
#include "sig.h"
#include "tsmctl.h"

const char usage_attest[] =
	"Usage: tsmctl attest DEV | --socket HOST:PORT [--timeout SEC] --trust PEM-FILE-OR-DIR\n"
	"       [--slot N] [--no-measurements] [--cache DIR] [--export DIR] [--session]\n"
	"       [--no-cache] [--no-store] [--sm-versions 1.2,1.1,1.0] [--reattest]\n"
	"  authenticate: chains, CHALLENGE, signed measurements; --session: then an\n"
	"  SPDM secured session (KEY_EXCHANGE, FINISH, HEARTBEAT, KEY_UPDATE, END_SESSION);\n"
	"  --sm-versions: the secured-message versions offered (default all; implies --session)\n"
	"  --reattest: against the verifier's record of the chains (the kernel's, or\n"
	"  --cache DIR): known chains re-checked, not re-verified; signed measurements\n"
	"  under a fresh nonce instead of CHALLENGE\n";

static const char *meas_type_name(uint8_t type)
{
	static const char *const names[] = {
		"immutable ROM",
		"mutable firmware",
		"hardware configuration",
		"firmware configuration",
		"manifest",
		"device mode",
		"version",
		"security version",
	};

	type &= 0x7f;
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "other";
}

static char *hexdup(const uint8_t *p, size_t len)
{
	char *s = malloc(2 * len + 1);

	if (s)
		tsmh_hex_format(p, len, s);
	return s;
}

static cJSON *result_json(const char *who, const struct tsmh_attest *a, int ret, const char *why)
{
	cJSON *j = cJSON_CreateObject(), *arr, *o;
	char v[8], *h;
	int s, i;

	cJSON_AddStringToObject(j, "device", who);
	cJSON_AddBoolToObject(j, "attested", !ret);
	if (ret) {
		cJSON_AddStringToObject(j, "failed_step", a->step ? a->step : "");
		cJSON_AddStringToObject(j, "error", why);
	}
	snprintf(v, sizeof(v), "%u.%u", a->ci.ver >> 4, a->ci.ver & 15);
	cJSON_AddStringToObject(j, "version", v);
	cJSON_AddStringToObject(j, "base_asym", spdm_asym_name(a->ci.algs.base_asym));
	cJSON_AddStringToObject(j, "base_hash", spdm_hash_name(a->ci.algs.base_hash));
	cJSON_AddStringToObject(j, "mode", a->reattested ? "reattest" : "full");
	if (a->recheck_why[0])
		cJSON_AddStringToObject(j, "record_not_used", a->recheck_why);
	arr = cJSON_AddArrayToObject(j, "slots");
	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		const struct tsmh_attest_slot *sl = &a->slot[s];

		if ((!sl->chain && !sl->carried) || (!sl->leaf.nr_certs && !sl->carried))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "slot", s);
		cJSON_AddBoolToObject(o, "from_cache", sl->from_cache);
		/* chain: verified (signatures checked now), rechecked, or carried */
		cJSON_AddStringToObject(o, "chain",
					sl->carried	     ? "carried"
					: sl->leaf.rechecked ? "rechecked"
							     : "verified");
		/* committed again by keeping the kernel's copy, not uploaded */
		cJSON_AddBoolToObject(o, "kept", sl->kept);
		if (sl->carried) {
			h = hexdup(a->digests.digest[s], spdm_hash_len(a->ci.algs.base_hash));
			cJSON_AddStringToObject(o, "digest", h ? h : "");
			free(h);
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		cJSON_AddNumberToObject(o, "chain_bytes", (double)sl->len);
		cJSON_AddNumberToObject(o, "certificates", sl->leaf.nr_certs);
		cJSON_AddStringToObject(o, "leaf_subject", sl->leaf.subject);
		cJSON_AddStringToObject(o, "identity", sl->leaf.identity);
		cJSON_AddStringToObject(o, "leaf_key", sl->leaf.key);
		cJSON_AddStringToObject(o, "anchor", sl->leaf.anchor);
		h = hexdup(a->digests.digest[s], spdm_hash_len(a->ci.algs.base_hash));
		cJSON_AddStringToObject(o, "digest", h ? h : "");
		free(h);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddBoolToObject(j, "challenge_verified", a->chal_verified);
	cJSON_AddBoolToObject(j, "measurements_verified", a->meas_verified);
	cJSON_AddBoolToObject(j, "summary_matched", a->summary_matched);
	arr = cJSON_AddArrayToObject(j, "measurements");
	for (i = 0; i < a->meas.nr_blocks; i++) {
		const struct spdm_meas_block *b = &a->meas.blocks[i];

		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "index", b->index);
		cJSON_AddStringToObject(o, "provenance", "spdm");
		/* GET_MEASUREMENTS outside TDISP: no TDI was locked when taken */
		cJSON_AddBoolToObject(o, "locked", 0);
		cJSON_AddStringToObject(o, "type", meas_type_name(b->type));
		cJSON_AddStringToObject(o, "form", b->type & SPDM_MEAS_TYPE_RAW ? "raw" : "digest");
		h = hexdup(b->value, b->value_len);
		cJSON_AddStringToObject(o, "value", h ? h : "");
		free(h);
		cJSON_AddItemToArray(arr, o);
	}
	return j;
}

static void result_print(const char *who, const struct tsmh_attest *a, const char *trust)
{
	char hx[2 * 64 + 1];
	int s, i;

	printf("%s: %s\n", who, a->reattested ? "re-attested" : "attested");
	printf("  SPDM %u.%u, %s, %s\n", a->ci.ver >> 4, a->ci.ver & 15,
	       spdm_asym_name(a->ci.algs.base_asym), spdm_hash_name(a->ci.algs.base_hash));
	if (a->recheck_why[0])
		printf("  record not used, chain verified in full: %s\n", a->recheck_why);
	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		const struct tsmh_attest_slot *sl = &a->slot[s];

		if (sl->carried) {
			printf("  slot %d: chain from the record, digest unchanged (not used here, "
			       "not verified again%s)\n",
			       s, sl->kept ? "; kept in the kernel's evidence" : "");
			continue;
		}
		if (!sl->chain)
			continue;
		if (sl->leaf.rechecked)
			printf("  slot %d: chain from the record, digest unchanged, re-checked: "
			       "anchor still in %s, certificates valid (%zu bytes, %d "
			       "certificates)\n",
			       s, trust, sl->len, sl->leaf.nr_certs);
		else
			printf("  slot %d: chain verified against %s (%s, %zu bytes, %d "
			       "certificates)\n",
			       s, trust,
			       sl->from_cache ? "from cache, digest unchanged" : "fetched", sl->len,
			       sl->leaf.nr_certs);
		printf("    leaf:     %s (%s)\n", sl->leaf.subject, sl->leaf.key);
		printf("    identity: %s\n", sl->leaf.identity);
		printf("    anchor:   %s\n", sl->leaf.anchor);
	}
	if (a->chal_verified)
		printf("  CHALLENGE slot %u: signature verified (transcript %zu bytes)\n",
		       a->chal.slot, a->chal.transcript.len);
	else
		printf("  CHALLENGE: not sent (re-attestation: the measurement signature over a "
		       "fresh nonce proves the key)\n");
	if (!a->meas_verified) {
		printf("  measurements: not requested or not supported\n");
		return;
	}
	printf("  measurements: %d blocks, signed by slot %u, signature verified%s%s\n",
	       a->meas.nr_blocks, a->meas.slot,
	       a->summary_matched ? ", CHALLENGE_AUTH summary hash matches" : "",
	       a->meas.per_index ? " (one request per block)" : "");
	for (i = 0; i < a->meas.nr_blocks; i++) {
		const struct spdm_meas_block *b = &a->meas.blocks[i];
		size_t n = b->value_len > 64 ? 64 : b->value_len;

		tsmh_hex_format(b->value, n, hx);
		printf("    %3u %-23s %-6s %s%s\n", b->index, meas_type_name(b->type),
		       b->type & SPDM_MEAS_TYPE_RAW ? "raw" : "digest", hx,
		       n < b->value_len ? "..." : "");
	}
}

/* ---- --export: files a third party re-verifies with openssl ---- */

/* What a PEM writer put in @b, as file @name in @dfd; @b freed. */
static int put_bio(int dfd, const char *name, BIO *b, int ok)
{
	char *p;
	long n = b ? BIO_get_mem_data(b, &p) : 0;
	int ret = ok && b && n >= 0 ? write_file(dfd, name, p, (size_t)n) : -EIO;

	BIO_free(b);
	return ret;
}

static int put_chain_pem(int dfd, int slot, const struct tsmh_attest_slot *sl, size_t hash_len)
{
	struct spdm_chain ch;
	char name[32];
	BIO *b;
	int i, ok = 1;

	if (spdm_chain_parse(sl->chain, sl->len, hash_len, &ch))
		return -EBADMSG;
	b = BIO_new(BIO_s_mem());
	for (i = 0; i < ch.nr && ok && b; i++) {
		const uint8_t *p = ch.cert[i];
		X509 *x = d2i_X509(NULL, &p, (long)ch.cert_len[i]);

		ok = x && PEM_write_bio_X509(b, x);
		X509_free(x);
	}
	snprintf(name, sizeof(name), "slot%d.pem", slot);
	return put_bio(dfd, name, b, ok);
}

/* prefix.signed, prefix.sig and (ECDSA) prefix.sig.der for one signature */
static int put_sig(int dir, const char *what, const struct tsmh_attest *a, const char *context,
		   const struct spdm_tx *tx, const uint8_t *sig, size_t slen)
{
	uint8_t msg[TSMH_SIGNED_MSG_MAX], der[SPDM_MAX_SIG + 16];
	size_t mlen, dlen;
	char name[64];
	int ret;

	snprintf(name, sizeof(name), "%s.transcript", what);
	ret = write_file(dir, name, tx->buf, tx->len);
	mlen = tsmh_spdm_signed_msg(a->ci.ver, a->ci.algs.base_hash, context, tx->buf, tx->len,
				    msg);
	snprintf(name, sizeof(name), "%s.signed", what);
	if (!ret)
		ret = mlen ? write_file(dir, name, msg, mlen)
			   : write_file(dir, name, tx->buf, tx->len);
	snprintf(name, sizeof(name), "%s.sig", what);
	if (!ret)
		ret = write_file(dir, name, sig, slen);
	dlen = a->ci.algs.base_asym == SPDM_ASYM_ECDSA_P256 ||
			       a->ci.algs.base_asym == SPDM_ASYM_ECDSA_P384
		       ? tsmh_p1363_to_der(sig, slen, der, sizeof(der))
		       : 0;
	snprintf(name, sizeof(name), "%s.sig.der", what);
	if (!ret)
		ret = dlen ? write_file(dir, name, der, dlen) : write_file(dir, name, sig, slen);
	return ret;
}

static int export(int dir, const struct tsmh_attest *a, uint8_t slot)
{
	const struct tsmh_attest_slot *sl = &a->slot[slot];
	size_t hl = spdm_hash_len(a->ci.algs.base_hash);
	EVP_PKEY *key = tsmh_chain_leaf_key(sl->chain, sl->len, hl);
	cJSON *j = cJSON_CreateObject();
	char name[64], *h;
	int s, ret = 0;

	for (s = 0; s < SPDM_MAX_SLOTS && !ret; s++) {
		if (!a->slot[s].chain)
			continue;
		snprintf(name, sizeof(name), "slot%d.spdmchain", s);
		ret = write_file(dir, name, a->slot[s].chain, a->slot[s].len);
		if (!ret)
			ret = put_chain_pem(dir, s, &a->slot[s], hl);
	}
	if (!ret) {
		BIO *b = BIO_new(BIO_s_mem());

		ret = put_bio(dir, "leaf.pub.pem", b, b && key && PEM_write_bio_PUBKEY(b, key));
	}
	EVP_PKEY_free(key);
	if (!ret && a->chal_verified)
		ret = put_sig(dir, "challenge", a, SPDM_CTX_CHALLENGE_AUTH, &a->chal.transcript,
			      a->chal.sig, a->chal.sig_len);
	if (!ret && a->meas_verified) {
		ret = put_sig(dir, "measurements", a, SPDM_CTX_MEASUREMENTS, &a->meas.transcript,
			      a->meas.sig, a->meas.sig_len);
		if (!ret)
			ret = write_file(dir, "measurements.rsp", a->meas.rsp, a->meas.rsp_len);
	}
	/* what the files mean */
	snprintf(name, sizeof(name), "%u.%u", a->ci.ver >> 4, a->ci.ver & 15);
	cJSON_AddStringToObject(j, "spdm_version", name);
	cJSON_AddStringToObject(j, "base_asym", spdm_asym_name(a->ci.algs.base_asym));
	cJSON_AddStringToObject(j, "base_hash", spdm_hash_name(a->ci.algs.base_hash));
	cJSON_AddNumberToObject(j, "slot", slot);
	if (a->chal_verified) {
		h = hexdup(a->chal.req_nonce, SPDM_NONCE_LEN);
		cJSON_AddStringToObject(j, "challenge_requester_nonce", h ? h : "");
		free(h);
		h = hexdup(a->chal.rsp_nonce, SPDM_NONCE_LEN);
		cJSON_AddStringToObject(j, "challenge_responder_nonce", h ? h : "");
		free(h);
	}
	if (a->meas_verified) {
		h = hexdup(a->meas.req_nonce, SPDM_NONCE_LEN);
		cJSON_AddStringToObject(j, "measurements_requester_nonce", h ? h : "");
		free(h);
	}
	cJSON_AddStringToObject(j, "challenge_context", SPDM_CTX_CHALLENGE_AUTH);
	cJSON_AddStringToObject(j, "measurements_context", SPDM_CTX_MEASUREMENTS);
	h = cJSON_Print(j);
	cJSON_Delete(j);
	if (!ret)
		ret = h ? write_file(dir, "evidence.json", h, strlen(h)) : -ENOMEM;
	free(h);
	return ret;
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

int cmd_attest(int argc, char **argv)
{
	static const struct option lo[] = { { "socket", required_argument, 0, 's' },
					    { "trust", required_argument, 0, 't' },
					    { "slot", required_argument, 0, 'S' },
					    { "no-measurements", no_argument, 0, 'M' },
					    { "cache", required_argument, 0, 'c' },
					    { "export", required_argument, 0, 'e' },
					    { "session", no_argument, 0, 'x' },
					    { "no-store", no_argument, 0, 'n' },
					    { "no-cache", no_argument, 0, 'N' },
					    { "timeout", required_argument, 0, 'T' },
					    { "reattest", no_argument, 0, 'R' },
					    { "sm-versions", required_argument, 0, 'V' },
					    { 0, 0, 0, 0 } };
	const char *sock = NULL, *export_dir = NULL, *cache_dir = NULL, *dev;
	struct tsmh_attest_opts o = { 0 };
	struct tsmh_chain_cache cache;
	struct kernel_cache kc = { 0 };
	struct tsmh_attest a;
	uint64_t gen = 0;
	int no_store = 0, no_cache = 0, stored = 0;
	struct tsmctl_target s;
	char why[512], *end;
	cJSON *sj = NULL, *j;
	long slot;
	int c, ret, with_session = 0, sret = 0, export_fd = -1, cache_fd = -1, timeout_ms = 0;
	unsigned int sm_mask = 0;

	while ((c = getopt_long(argc, argv, "s:t:S:Mc:e:xnNT:RV:", lo, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'T':
			if (target_timeout_opt(optarg, &timeout_ms))
				return EXIT_USAGE;
			break;
		case 't': o.trust = optarg; break;
		case 'S':
			slot = strtol(optarg, &end, 10);
			if (*end || slot < 0 || slot >= SPDM_MAX_SLOTS) {
				fprintf(stderr, "tsmctl: --slot wants 0-7, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o.slot = (uint8_t)slot;
			break;
		case 'M': o.no_measurements = 1; break;
		case 'c': cache_dir = optarg; break;
		case 'e': export_dir = optarg; break;
		case 'x': with_session = 1; break;
		case 'V':
			if (spdm_sm_parse_list(optarg, &sm_mask)) {
				fprintf(stderr,
					"tsmctl: --sm-versions wants secured-message versions "
					"1.0, 1.1, 1.2 separated by commas, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			with_session = 1;
			break;
		case 'n': no_store = 1; break;
		case 'N': no_cache = 1; break;
		case 'R': o.reattest = 1; break;
		default: goto usage;
		}
	}
	if (!o.trust || target_operand(sock, argc, argv, &dev))
		goto usage;
	if (o.reattest && (no_cache || (sock && !cache_dir))) {
		fprintf(stderr, "tsmctl: attest --reattest: %s\n",
			no_cache ? "needs the record of the chains; --no-cache has none"
				 : "--socket has no kernel record: give --cache DIR");
		return EXIT_USAGE;
	}
	ret = trust_check("attest", o.trust);
	if (ret)
		return ret;
	/* output directories: refused before anything is asked of the device */
	if (export_dir) {
		export_fd = out_dir_open("--export", export_dir);
		if (export_fd < 0)
			return EXIT_OPERR;
	}
	if (cache_dir && !no_cache) {
		cache_fd = out_dir_open("--cache", cache_dir);
		if (cache_fd < 0) {
			close_fd(export_fd);
			return EXIT_OPERR;
		}
		tsmh_chain_cache_dir(&cache, cache_fd);
		o.cache = &cache;
	}
	ret = target_open(&s, sock, dev, timeout_ms);
	if (ret) {
		close_fd(export_fd);
		close_fd(cache_fd);
		return ret;
	}
	/* through the proxy: the chains the kernel holds are the cache */
	if (s.use_nl && !cache_dir && !no_cache) {
		ret = kernel_cache_load(&kc, &s.nl, s.who, o.reattest, why, sizeof(why));
		if (ret)
			fprintf(stderr, "tsmctl: attest %s: not using the kernel's chains: %s\n",
				s.who, why);
		else
			o.cache = &kc.cache;
	}
	ret = tsmh_attest_run(&s.t, &o, &a, why, sizeof(why));
	kernel_cache_free(&kc);
	close_fd(cache_fd);
	if (!ret && s.use_nl && !no_store) {
		ret = attest_store(&s.nl, s.who, &a, &gen, why, sizeof(why));
		if (ret)
			a.step = "store evidence";
		stored = !ret;
	}
	if (!ret && !opt_json) {
		result_print(s.who, &a, o.trust);
		if (stored)
			printf("  evidence: committed to the kernel, generation %llu\n",
			       (unsigned long long)gen);
	}
	/* the session uses the attested slot's verified chain and key */
	if (!ret && with_session)
		sret = attest_session(&s.t, &a, o.slot, sm_mask, &sj);
	target_close(&s);
	if (opt_json) {
		j = result_json(s.who, &a, ret, why);
		if (stored)
			cJSON_AddNumberToObject(j, "evidence_generation", (double)gen);
		if (sj)
			cJSON_AddItemToObject(j, "session", sj);
		json_print(j);
	} else {
		cJSON_Delete(sj);
	}
	if (ret || sret) {
		if (ret)
			fprintf(stderr, "tsmctl: attest %s: %s\n", s.who, why);
		else
			fprintf(stderr, "tsmctl: attest %s: session failed\n", s.who);
		close_fd(export_fd);
		tsmh_attest_free(&a);
		return EXIT_OPERR;
	}
	if (export_fd >= 0) {
		ret = export(export_fd, &a, o.slot);
		close(export_fd);
		if (ret) {
			fprintf(stderr, "tsmctl: attest %s: cannot export to %s: %s\n", s.who,
				export_dir, strerror(-ret));
			tsmh_attest_free(&a);
			return EXIT_OPERR;
		}
	}
	tsmh_attest_free(&a);
	return 0;
usage:
	fputs(usage_attest, stderr);
	return EXIT_USAGE;
}
