// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The release decision for one device. See verdict.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "verdict.h"

static const char *const vcode_names[TSMD_V_NR] = {
	[TSMD_V_RELEASE_EXEMPT] = "release-exempt",
	[TSMD_V_RELEASE_ATTESTED] = "release-attested",
	[TSMD_V_HOLD_DENY_RULE] = "hold-deny-rule",
	[TSMD_V_HOLD_DENY_ENTRY] = "hold-deny-entry",
	[TSMD_V_HOLD_UNKNOWN] = "hold-unknown-device",
	[TSMD_V_HOLD_ATTEST_FAILED] = "hold-attestation-failed",
	[TSMD_V_HOLD_NOT_ATTESTED] = "hold-not-attested",
	[TSMD_V_HOLD_NO_IDENTITY] = "hold-no-identity",
	[TSMD_V_HOLD_MEAS_UNVERIFIED] = "hold-measurements-unverified",
	[TSMD_V_HOLD_MEAS_NONE_ACCEPTED] = "hold-no-accepted-measurements",
	[TSMD_V_HOLD_MEAS_CHANGED] = "hold-measurements-changed",
	[TSMD_V_HOLD_IDE_FAILED] = "hold-ide-failed",
	[TSMD_V_HOLD_SOURCE_UNAVAILABLE] = "hold-source-unavailable",
	[TSMD_V_HOLD_SOURCE_FAILED] = "hold-source-failed",
};

const char *tsmd_vcode_name(enum tsmd_vcode c)
{
	return c < TSMD_V_NR ? vcode_names[c] : "?";
}

int tsmd_accept_digest(const uint8_t spki_sha384[TSMD_SPKI_HASH_LEN],
		       const struct tsmd_meas_block *b, size_t nr, uint8_t *out)
{
	struct tsmd_meas_block sorted[255];
	uint8_t hdr[4];
	EVP_MD_CTX *ctx;
	unsigned int len = 0;
	size_t i;
	int ok;

	if (nr > 255)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		if ((b[i].len && !b[i].value) || tsmd_meas_find(b, i, b[i].index))
			return -EINVAL;
		sorted[i] = b[i];
	}
	tsmd_meas_sort(sorted, nr);
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) &&
	     EVP_DigestUpdate(ctx, TSMD_ACCEPT_TAG, strlen(TSMD_ACCEPT_TAG)) &&
	     EVP_DigestUpdate(ctx, spki_sha384, TSMD_SPKI_HASH_LEN);
	hdr[0] = (uint8_t)(nr >> 8);
	hdr[1] = (uint8_t)nr;
	ok = ok && EVP_DigestUpdate(ctx, hdr, 2);
	for (i = 0; ok && i < nr; i++) {
		hdr[0] = sorted[i].index;
		hdr[1] = sorted[i].type;
		hdr[2] = (uint8_t)(sorted[i].len >> 8);
		hdr[3] = (uint8_t)sorted[i].len;
		ok = EVP_DigestUpdate(ctx, hdr, 4) &&
		     (!sorted[i].len || EVP_DigestUpdate(ctx, sorted[i].value, sorted[i].len));
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, &len) && len == TSMD_ACCEPT_DIGEST_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EINVAL;
}

void tsmd_device_identity(const struct tsmd_dev_facts *d, const struct tsmd_attest_summary *s,
			  struct tsmd_identity *id)
{
	memset(id, 0, sizeof(*id));
	id->has = TSMD_ID_VENDOR | TSMD_ID_DEVICE;
	id->vendor = d->vendor;
	id->device = d->device;
	if (d->has_serial) {
		id->has |= TSMD_ID_SERIAL;
		id->serial = d->serial;
	}
	if (s && s->has_spki) {
		id->has |= TSMD_ID_SPKI;
		memcpy(id->spki_sha384, s->spki_sha384, TSMD_SPKI_HASH_LEN);
	}
	if (s && s->identity && strlen(s->identity) < sizeof(id->san)) {
		id->has |= TSMD_ID_SAN;
		strcpy(id->san, s->identity);
	}
}

static void msgf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void msgf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static const char *entry_name(const struct tsmd_al_entry *e, char *buf, size_t len)
{
	char id[160];

	if (e->label)
		snprintf(buf, len, "\"%s\"", e->label);
	else
		snprintf(buf, len, "(%s)", tsmd_identity_str(&e->id, id, sizeof(id)));
	return buf;
}

static const char *dev_name(const struct tsmd_dev_facts *d)
{
	return d->name ? d->name : "DEVICE";
}

/* Outcome of the host-cma evaluation. */
struct host_eval {
	int ok;
	enum tsmd_vcode code;
	char why[TSMD_REASON_MAX];
	const struct tsmd_al_entry *entry;
	int set;
	struct tsmd_meas_diff changed;
};

/* The accepted set closest to @s's blocks (fewest differing indices; later wins ties). */
static int closest_set(const struct tsmd_al_entry *e, const struct tsmd_attest_summary *s)
{
	int best = -1, best_nr = 1 << 30;
	size_t i;

	for (i = 0; i < e->nr_sets; i++) {
		struct tsmd_meas_diff d;
		int n = tsmd_meas_compare(e->sets[i].blocks, e->sets[i].nr, s->blocks, s->nr_blocks,
					  &d);

		if (n <= best_nr) {
			best_nr = n;
			best = (int)i;
		}
	}
	return best;
}

/* The verified measurements against @h->entry's accepted sets: 1 if one matches. */
static int eval_measurements(const struct tsmd_dev_facts *d, const struct tsmd_attest_summary *s,
			     struct host_eval *h)
{
	const struct tsmd_al_set *set;
	char desc[TSMD_REASON_MAX], en[200];

	if (!s->meas_verified) {
		h->code = TSMD_V_HOLD_MEAS_UNVERIFIED;
		snprintf(h->why, sizeof(h->why),
			 "measurements required but not signed and verified");
		return 0;
	}
	if (!h->entry->nr_sets) {
		h->code = TSMD_V_HOLD_MEAS_NONE_ACCEPTED;
		snprintf(h->why, sizeof(h->why),
			 "allow-list entry %s has no accepted measurements (tsmctl allow %s)",
			 entry_name(h->entry, en, sizeof(en)), dev_name(d));
		return 0;
	}
	h->set = tsmd_al_entry_find_set(h->entry, s->blocks, s->nr_blocks);
	if (h->set >= 0)
		return 1;
	set = &h->entry->sets[closest_set(h->entry, s)];
	tsmd_meas_compare(set->blocks, set->nr, s->blocks, s->nr_blocks, &h->changed);
	tsmd_meas_describe(set->blocks, set->nr, s->blocks, s->nr_blocks, desc, sizeof(desc));
	h->code = TSMD_V_HOLD_MEAS_CHANGED;
	snprintf(h->why, sizeof(h->why), "%s", desc);
	return 0;
}

static void eval_host(const struct tsmd_rule *rule, const struct tsmd_allowlist *al,
		      const struct tsmd_dev_facts *d, const struct tsmd_attest_summary *s,
		      struct host_eval *h)
{
	const struct tsmd_src_result *r = s ? &s->src[TSMD_SRC_HOST_CMA] : NULL;
	struct tsmd_identity id;
	char en[200];

	memset(h, 0, sizeof(*h));
	h->set = -1;
	h->code = TSMD_V_HOLD_ATTEST_FAILED;
	if (!r || r->state == TSMD_SRC_NOT_RUN || r->state == TSMD_SRC_UNAVAILABLE) {
		h->code = TSMD_V_HOLD_NOT_ATTESTED;
		snprintf(h->why, sizeof(h->why), "not attested yet");
		return;
	}
	if (r->state != TSMD_SRC_OK) {
		msgf(h->why, sizeof(h->why), "attestation failed%s%s: %s", s->step ? " at " : "",
		     s->step ? s->step : "", r->why[0] ? r->why : "(no reason given)");
		return;
	}
	if (!s->has_spki) {
		snprintf(h->why, sizeof(h->why), "attestation reported no leaf key");
		return;
	}
	tsmd_device_identity(d, s, &id);
	h->entry = tsmd_allowlist_find(al, &id);
	if (!h->entry) {
		h->code = TSMD_V_HOLD_UNKNOWN;
		snprintf(h->why, sizeof(h->why),
			 "unknown device: not in the allow-list (tsmctl allow %s)", dev_name(d));
		return;
	}
	if (h->entry->decision == TSMD_AL_DENY) {
		h->code = TSMD_V_HOLD_DENY_ENTRY;
		snprintf(h->why, sizeof(h->why), "denied by allow-list entry %s",
			 entry_name(h->entry, en, sizeof(en)));
		return;
	}
	if (rule->req >= TSMD_REQ_MEASUREMENTS && !eval_measurements(d, s, h))
		return;
	h->ok = 1;
	h->code = TSMD_V_RELEASE_ATTESTED;
}

static enum tsmd_vcode src_code(enum tsmd_src_state st)
{
	if (st == TSMD_SRC_UNAVAILABLE)
		return TSMD_V_HOLD_SOURCE_UNAVAILABLE;
	return st == TSMD_SRC_NOT_RUN ? TSMD_V_HOLD_NOT_ATTESTED : TSMD_V_HOLD_SOURCE_FAILED;
}

static size_t src_why(enum tsmd_source src, const struct tsmd_src_result *r, char *out, size_t len)
{
	const char *w = r->why[0] ? r->why : NULL;

	switch (r->state) {
	case TSMD_SRC_UNAVAILABLE:
		return (size_t)snprintf(out, len, "%s: not available on this host",
					tsmd_source_name(src));
	case TSMD_SRC_NOT_RUN:
		return (size_t)snprintf(out, len, "%s: not attested yet", tsmd_source_name(src));
	case TSMD_SRC_FAILED:
		return (size_t)snprintf(out, len, "%s: %s", tsmd_source_name(src),
					w ? w : "failed");
	case TSMD_SRC_OK: break;
	}
	return (size_t)snprintf(out, len, "%s: ok", tsmd_source_name(src));
}

/* @host_code: the code for a host-cma failure (its reason is in res[].why) */
static int combine(const struct tsmd_rule *rule, const struct tsmd_src_result *res,
		   enum tsmd_vcode host_code, enum tsmd_vcode *code, char *why, size_t whylen)
{
	size_t used = 0;
	int i, nr_ok = 0, first_bad = -1;

	why[0] = 0;
	for (i = 0; i < TSMD_SRC_NR; i++) {
		if (!(rule->sources & (1u << i)))
			continue;
		if (rule->combine == TSMD_COMBINE_NAMED &&
		    (enum tsmd_source)i != rule->combine_source)
			continue;
		if (res[i].state == TSMD_SRC_OK) {
			nr_ok++;
			continue;
		}
		if (first_bad < 0) {
			first_bad = i;
			*code = i == TSMD_SRC_HOST_CMA ? host_code : src_code(res[i].state);
		}
		if (used < whylen)
			used += src_why((enum tsmd_source)i, &res[i], why + used, whylen - used);
		if (used < whylen && rule->combine != TSMD_COMBINE_ALL)
			used += (size_t)snprintf(why + used, whylen - used, "; ");
		if (rule->combine == TSMD_COMBINE_ALL)
			return -EACCES;
	}
	if (first_bad < 0)
		return nr_ok ? 0 : -EACCES; /* no listed source at all: never release */
	if (rule->combine == TSMD_COMBINE_ANY && nr_ok)
		return 0;
	/* drop the trailing "; " */
	used = strlen(why);
	if (used >= 2 && !strcmp(why + used - 2, "; "))
		why[used - 2] = 0;
	return -EACCES;
}

int tsmd_combine_sources(const struct tsmd_rule *rule, const struct tsmd_src_result *res,
			 enum tsmd_vcode *code, char *why, size_t whylen)
{
	int ret = combine(rule, res, TSMD_V_HOLD_ATTEST_FAILED, code, why, whylen);

	if (!ret)
		why[0] = 0;
	return ret;
}

static void hold(struct tsmd_verdict *v, enum tsmd_vcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void hold(struct tsmd_verdict *v, enum tsmd_vcode code, const char *fmt, ...)
{
	va_list ap;

	v->release = 0;
	v->code = code;
	v->digest_len = 0;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

/* Deny entries keyed only on what is known without attesting (IDs, DSN). */
static const struct tsmd_al_entry *static_deny(const struct tsmd_allowlist *al,
					       const struct tsmd_dev_facts *d)
{
	struct tsmd_identity id;
	size_t i;

	if (!al)
		return NULL;
	tsmd_device_identity(d, NULL, &id);
	for (i = 0; i < al->nr; i++)
		if (al->e[i].decision == TSMD_AL_DENY && tsmd_identity_matches(&al->e[i].id, &id))
			return &al->e[i];
	return NULL;
}

/* The rules decided without attesting (none, deny, exempt): 1 if @v is set. */
static int decide_unattested(const struct tsmd_rule *rule, const struct tsmd_allowlist *al,
			     const struct tsmd_dev_facts *d, const char *rn, struct tsmd_verdict *v)
{
	const struct tsmd_al_entry *e;
	char en[200];

	if (!rule) {
		hold(v, TSMD_V_HOLD_DENY_RULE, "no policy rule");
		return 1;
	}
	if (rule->req == TSMD_REQ_DENY) {
		hold(v, TSMD_V_HOLD_DENY_RULE, "denied by %s", rn);
		return 1;
	}
	if (rule->req != TSMD_REQ_EXEMPT)
		return 0;
	e = static_deny(al, d);
	if (e) {
		v->entry = e;
		hold(v, TSMD_V_HOLD_DENY_ENTRY, "denied by allow-list entry %s",
		     entry_name(e, en, sizeof(en)));
		return 1;
	}
	v->release = 1;
	v->code = TSMD_V_RELEASE_EXEMPT;
	snprintf(v->reason, sizeof(v->reason), "exempt by %s (not attested)", rn);
	return 1;
}

/* Each source's result, host-cma's from the whole host requirement (@h). */
static void source_results(const struct tsmd_attest_summary *s, const struct host_eval *h,
			   struct tsmd_src_result *res)
{
	int i;

	for (i = 0; i < TSMD_SRC_NR; i++) {
		if (s) {
			res[i] = s->src[i];
		} else {
			memset(&res[i], 0, sizeof(res[i]));
			res[i].state =
				i == TSMD_SRC_HOST_CMA ? TSMD_SRC_NOT_RUN : TSMD_SRC_UNAVAILABLE;
		}
	}
	/* host-cma passes only if the whole requirement is met, not just SPDM */
	res[TSMD_SRC_HOST_CMA].state = h->ok				     ? TSMD_SRC_OK
				       : h->code == TSMD_V_HOLD_NOT_ATTESTED ? TSMD_SRC_NOT_RUN
									     : TSMD_SRC_FAILED;
	snprintf(res[TSMD_SRC_HOST_CMA].why, sizeof(res[TSMD_SRC_HOST_CMA].why), "%s", h->why);
}

/* The sources do not meet the rule: hold with their reasons. 1 if @v is set. */
static int hold_by_sources(const struct tsmd_rule *rule, const struct tsmd_src_result *res,
			   const struct host_eval *h, struct tsmd_verdict *v)
{
	enum tsmd_vcode code = TSMD_V_HOLD_ATTEST_FAILED;
	char buf[TSMD_REASON_MAX];
	const char *msg = buf;

	if (!combine(rule, res, h->code, &code, buf, sizeof(buf)))
		return 0;
	/* a single host-cma source reads better without its prefix */
	if (code == h->code && !strncmp(buf, "host-cma: ", 10) && !strchr(buf + 10, ';'))
		msg = h->why;
	hold(v, code, "%s", msg);
	if (code != TSMD_V_HOLD_MEAS_CHANGED)
		memset(&v->changed, 0, sizeof(v->changed));
	return 1;
}

/* Released after attestation: the accepted digest and the reason naming the entry. */
static void release_attested(const struct tsmd_rule *rule, const struct tsmd_attest_summary *s,
			     const struct host_eval *h, const char *rn, struct tsmd_verdict *v)
{
	char en[200], tail[40] = "";
	/* ide: the measurements are what was verified here; the stream comes after */
	enum tsmd_req req_checked = rule->req == TSMD_REQ_IDE ? TSMD_REQ_MEASUREMENTS : rule->req;

	v->release = 1;
	v->code = TSMD_V_RELEASE_ATTESTED;
	v->set = h->ok ? h->set : -1;
	if (h->ok && s->has_spki) {
		if (tsmd_accept_digest(s->spki_sha384, s->meas_verified ? s->blocks : NULL,
				       s->meas_verified ? s->nr_blocks : 0, v->digest)) {
			hold(v, TSMD_V_HOLD_ATTEST_FAILED,
			     "cannot compute the accepted digest (invalid measurement blocks)");
			return;
		}
		v->digest_len = TSMD_ACCEPT_DIGEST_LEN;
	}
	if (!h->ok) {
		snprintf(v->reason, sizeof(v->reason), "%s verified by a firmware TSM (%s)",
			 tsmd_req_name(req_checked), rn);
		return;
	}
	if (v->set >= 0)
		snprintf(tail, sizeof(tail), ", measurement set %d", v->set);
	snprintf(v->reason, sizeof(v->reason), "%s verified by %s (allow-list entry %s%s)",
		 tsmd_req_name(req_checked), rn, entry_name(h->entry, en, sizeof(en)), tail);
}

void tsmd_verdict(const struct tsmd_rule *rule, const struct tsmd_allowlist *al,
		  const struct tsmd_dev_facts *d, const struct tsmd_attest_summary *s,
		  struct tsmd_verdict *v)
{
	static const struct tsmd_allowlist empty;
	struct tsmd_src_result res[TSMD_SRC_NR];
	struct host_eval h;
	char rn[32];

	memset(v, 0, sizeof(*v));
	v->set = -1;
	v->rule = rule;
	if (!al)
		al = &empty;
	tsmd_rule_name(rule, rn, sizeof(rn));
	if (decide_unattested(rule, al, d, rn, v))
		return;
	eval_host(rule, al, d, s, &h);
	v->entry = h.entry;
	v->changed = h.changed;
	source_results(s, &h, res);
	if (hold_by_sources(rule, res, &h, v))
		return;
	release_attested(rule, s, &h, rn, v);
	/* measurements + IDE: released once connected (the daemon's part) */
	v->need_ide = v->release && rule->req == TSMD_REQ_IDE;
}

int tsmd_decide(const struct tsmd_policy *p, const struct tsmd_allowlist *al,
		const struct tsmd_dev_facts *d, const struct tsmd_attest_summary *s,
		struct tsmd_verdict *v)
{
	const struct tsmd_rule *rule;
	const char *identity = NULL;
	char rn[32];
	int ret;

	if (s && s->src[TSMD_SRC_HOST_CMA].state == TSMD_SRC_OK)
		identity = s->identity ? s->identity : "";
	ret = tsmd_policy_match(p, d, identity, &rule);
	if (ret != TSMD_MATCH_ATTEST) {
		tsmd_verdict(rule, al, d, s, v);
		return TSMD_MATCH_DECIDED;
	}
	memset(v, 0, sizeof(*v));
	v->set = -1;
	v->rule = rule;
	tsmd_rule_name(rule, rn, sizeof(rn));
	if (!s) {
		hold(v, TSMD_V_HOLD_NOT_ATTESTED,
		     "%s matches on the device identity: attestation needed first", rn);
		return TSMD_MATCH_ATTEST;
	}
	/* attested, but host-cma failed: the identity rule cannot be evaluated */
	hold(v, TSMD_V_HOLD_NO_IDENTITY,
	     "%s matches on the device identity, but attestation failed%s%s: %s", rn,
	     s->step ? " at " : "", s->step ? s->step : "",
	     s->src[TSMD_SRC_HOST_CMA].why[0] ? s->src[TSMD_SRC_HOST_CMA].why : "no identity");
	return TSMD_MATCH_DECIDED;
}

int tsmd_summary_diff(const struct tsmd_attest_summary *old, const struct tsmd_attest_summary *cur,
		      struct tsmd_meas_diff *d, char *msg, size_t msglen)
{
	int key = old->has_spki != cur->has_spki ||
		  (old->has_spki && memcmp(old->spki_sha384, cur->spki_sha384, TSMD_SPKI_HASH_LEN));
	int n = tsmd_meas_compare(old->blocks, old->nr_blocks, cur->blocks, cur->nr_blocks, d);
	size_t used = 0;

	msg[0] = 0;
	if (key)
		used = (size_t)snprintf(msg, msglen, "leaf key changed");
	if (n && used < msglen) {
		if (used)
			used += (size_t)snprintf(msg + used, msglen - used, "; ");
		if (used < msglen)
			tsmd_meas_describe(old->blocks, old->nr_blocks, cur->blocks, cur->nr_blocks,
					   msg + used, msglen - used);
	}
	if (!key && !n)
		snprintf(msg, msglen, "identical");
	return n + key;
}
