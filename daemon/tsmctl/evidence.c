// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl evidence DEV [--digest] [--object NAME [--out FILE]]: the evidence
 * set the kernel holds for a device (written by whoever attested it).
 * Listing reads the objects and digests them here (SHA-384); --digest asks
 * the kernel for the digests it computed at commit instead, without
 * transferring the objects.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "ev_rules.h"
#include "evidence.h"
#include "hex.h"
#include "tsmctl.h"

#define SHA384_LEN 48

/* the objects by name, as tsmh_ev_type_name() has them */
_Static_assert(TSMH_EV_NR == 14, "usage_evidence names every evidence object");
const char usage_evidence[] =
	"Usage: tsmctl evidence DEV [--digest] [--object NAME [--out FILE]]\n"
	"  list the evidence the kernel holds for DEV (metadata, objects, SHA-384),\n"
	"  or export one object raw (to FILE, or to stdout if redirected).\n"
	"  --digest  the kernel's digests (computed at commit) instead of reading\n"
	"            the objects; with --object, print that object's digest\n"
	"  NAME: cert0 cert1 cert2 cert3 cert4 cert5 cert6 cert7 vca measurements report"
	" challenge meas-transcript verified\n";

static int sha384(const uint8_t *p, size_t len, uint8_t *out)
{
	unsigned int n = 0;

	return EVP_Digest(p, len, out, &n, EVP_sha384(), NULL) == 1 && n == SHA384_LEN ? 0 : -1;
}

static const char *name_or(const char *s, char *buf, size_t len, uint32_t v)
{
	if (s)
		return s;
	snprintf(buf, len, "%u", v);
	return buf;
}

static void time_str(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
}

/* The digest column: the kernel's (--digest) or ours over the data read. */
static int obj_digest(const struct tsmh_evidence *ev, uint32_t t, int kernel, char *hex)
{
	uint8_t d[SHA384_LEN];

	if (kernel) {
		if (ev->obj[t].digest_len != SHA384_LEN)
			return -1;
		tsmh_hex_format(ev->obj[t].digest, SHA384_LEN, hex);
		return 0;
	}
	if (sha384(ev->obj[t].data, ev->obj[t].len, d))
		return -1;
	tsmh_hex_format(d, SHA384_LEN, hex);
	return 0;
}

static int list(const char *dev, const struct tsmh_evidence *ev, int kernel)
{
	char hex[2 * SHA384_LEN + 1], b1[16], b2[16], when[40];
	const char *prov =
		name_or(tsmh_ev_prov_name(ev->provenance), b1, sizeof(b1), ev->provenance);
	const char *locked = name_or(tsmh_ev_locked_name(ev->locked), b2, sizeof(b2), ev->locked);
	uint32_t t;

	time_str(ev->time_ns, when, sizeof(when));
	if (opt_json) {
		cJSON *j = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *o;
		char v[16];

		cJSON_AddStringToObject(j, "device", dev);
		cJSON_AddNumberToObject(j, "generation", (double)ev->generation);
		cJSON_AddStringToObject(j, "provenance", prov);
		cJSON_AddStringToObject(j, "locked", locked);
		snprintf(v, sizeof(v), "%u.%u", (ev->spdm_version >> 4) & 0xf,
			 ev->spdm_version & 0xf);
		cJSON_AddStringToObject(j, "spdm_version", v);
		cJSON_AddNumberToObject(j, "hash_algo", ev->hash_algo);
		cJSON_AddNumberToObject(j, "asym_algo", ev->asym_algo);
		cJSON_AddNumberToObject(j, "slot_mask", ev->slot_mask);
		cJSON_AddNumberToObject(j, "time_ns", (double)ev->time_ns);
		if (ev->have_reset_count)
			cJSON_AddNumberToObject(j, "reset_count", (double)ev->reset_count);
		else
			cJSON_AddNullToObject(j, "reset_count");
		cJSON_AddStringToObject(j, "time", when);
		cJSON_AddStringToObject(j, "digest_algo", "sha384");
		cJSON_AddStringToObject(j, "digest_by", kernel ? "kernel" : "tsmctl");
		for (t = 0; t < TSMH_EV_NR; t++) {
			if (!(ev->present & (1U << t)))
				continue;
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", tsmh_ev_type_name(t));
			cJSON_AddNumberToObject(o, "size", (double)ev->obj[t].len);
			if (!obj_digest(ev, t, kernel, hex))
				cJSON_AddStringToObject(o, "sha384", hex);
			cJSON_AddItemToArray(arr, o);
		}
		cJSON_AddItemToObject(j, "objects", arr);
		json_print(j);
		return 0;
	}
	printf("device:      %s\n", dev);
	printf("generation:  %llu\n", (unsigned long long)ev->generation);
	printf("provenance:  %s\n", prov);
	printf("locked:      %s\n", locked);
	printf("SPDM:        %u.%u (hash algo %#x, asym algo %#x, slots %#04x)\n",
	       ev->spdm_version >> 4, ev->spdm_version & 0xf, ev->hash_algo, ev->asym_algo,
	       ev->slot_mask);
	printf("committed:   %s\n", when);
	if (ev->have_reset_count)
		printf("taken at:    device reset count %llu\n",
		       (unsigned long long)ev->reset_count);
	putchar('\n');
	printf("%-16s %9s  SHA-384 (%s)\n", "OBJECT", "BYTES", kernel ? "kernel" : "tsmctl");
	for (t = 0; t < TSMH_EV_NR; t++) {
		if (!(ev->present & (1U << t)))
			continue;
		if (obj_digest(ev, t, kernel, hex))
			snprintf(hex, sizeof(hex), "-");
		printf("%-16s %9zu  %s\n", tsmh_ev_type_name(t), ev->obj[t].len, hex);
	}
	return 0;
}

static int export(const char *dev, const struct tsmh_evidence *ev, uint32_t t, int kernel,
		  const char *out)
{
	char hex[2 * SHA384_LEN + 1];
	FILE *f = stdout;
	int ret = 0;

	if (!(ev->present & (1U << t))) {
		fprintf(stderr, "tsmctl: evidence %s: no %s object (generation %llu)\n", dev,
			tsmh_ev_type_name(t), (unsigned long long)ev->generation);
		return EXIT_OPERR;
	}
	if (kernel) {
		if (obj_digest(ev, t, 1, hex)) {
			fprintf(stderr, "tsmctl: evidence %s: kernel sent no SHA-384 for %s\n", dev,
				tsmh_ev_type_name(t));
			return EXIT_OPERR;
		}
		printf("%s\n", hex);
		return 0;
	}
	if (out && strcmp(out, "-")) {
		f = fopen(out, "wb");
		if (!f) {
			fprintf(stderr, "tsmctl: evidence: %s: %s\n", out, strerror(errno));
			return EXIT_OPERR;
		}
	} else if (isatty(STDOUT_FILENO)) {
		fprintf(stderr, "tsmctl: evidence: %s is binary; use --out FILE or redirect\n",
			tsmh_ev_type_name(t));
		return EXIT_USAGE;
	}
	if (fwrite(ev->obj[t].data, 1, ev->obj[t].len, f) != ev->obj[t].len)
		ret = -1;
	if ((f == stdout ? fflush(f) : fclose(f)) || ret) {
		fprintf(stderr, "tsmctl: evidence: writing %s: %s\n", out ? out : "stdout",
			strerror(errno));
		return EXIT_OPERR;
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs(usage_evidence, f);
}

int cmd_evidence(int argc, char **argv)
{
	static const struct option lo[] = { { "digest", no_argument, 0, 'd' },
					    { "object", required_argument, 0, 'o' },
					    { "out", required_argument, 0, 'O' },
					    { "help", no_argument, 0, 'h' },
					    { 0, 0, 0, 0 } };
	struct tsmh_evidence_get_opts o = { 0 };
	const char *objname = NULL, *out = NULL, *dev;
	struct tsmh_evidence ev;
	struct tsmh_nl nl;
	char why[320];
	int c, type = -1, ret;

	while ((c = getopt_long(argc, argv, "do:O:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o.flags |= TSMH_EV_GET_F_DIGEST; break;
		case 'o': objname = optarg; break;
		case 'O': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || (out && !objname)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	dev = argv[optind];
	if (objname) {
		type = tsmh_ev_type_parse(objname);
		if (type < 0) {
			fprintf(stderr, "tsmctl: evidence: unknown object '%s'\n", objname);
			usage(stderr);
			return EXIT_USAGE;
		}
		o.type_mask = 1U << type;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = tsmh_evidence_get(&nl, dev, &o, &ev, why, sizeof(why));
	tsmh_nl_close(&nl);
	if (ret) {
		fprintf(stderr, "tsmctl: %s%s\n", why,
			ret == -EPERM && !strstr(why, "CAP_")
				? " [needs CAP_NET_ADMIN or CAP_SYS_ADMIN]"
				: "");
		return EXIT_OPERR;
	}
	if (type >= 0)
		ret = export(dev, &ev, (uint32_t)type, !!(o.flags & TSMH_EV_GET_F_DIGEST), out);
	else
		ret = list(dev, &ev, !!(o.flags & TSMH_EV_GET_F_DIGEST));
	tsmh_evidence_free(&ev);
	return ret;
}
