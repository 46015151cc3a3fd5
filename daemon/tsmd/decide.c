// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd's decisions: the policy (daemon/policy) applied to what the kernel
 * and the attestation worker report, turned into gate changes.
 *
 * Fail closed: without a readable allow-list nothing is released; a
 * verdict that cannot be carried out (the kernel refused, the evidence
 * changed meanwhile) leaves the device held and says so; evidence the
 * kernel calls stale (ESTALE: replaced, or taken before a reset) is
 * attested again.
 *
 * After a reset, a device whose new measurements hash to the accepted
 * digest the kernel holds is restored without asking the policy again;
 * anything else goes through the policy like a new device, so firmware
 * the admin approved beforehand (a second measurement set in its
 * allow-list entry) is accepted with no window in which it runs
 * unverified, and anything else is quarantined with the change named.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include "hex.h"
#include "policy.h"
#include "safepath.h"
#include "tsmd.h"
#include "verdict.h"

/* One line naming what changed from @old to @cur. */
static void summary_diff_text(const struct tsmd_summary *old, const struct tsmd_summary *cur,
			      char *msg, size_t len)
{
	static struct tsmd_meas_block ob[TSMD_MAX_BLOCKS], cb[TSMD_MAX_BLOCKS];
	struct tsmd_attest_summary o, c;
	struct tsmd_meas_diff diff;

	tsmd_summary_view(old, ob, &o);
	tsmd_summary_view(cur, cb, &c);
	if (!tsmd_summary_diff(&o, &c, &diff, msg, len))
		snprintf(msg, len, "measurements after reset differ from the accepted digest");
}

void tsmd_set_verdict(struct tsmd_dev *v, const char *action, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->verdict, sizeof(v->verdict), fmt, ap);
	va_end(ap);
	snprintf(v->action, sizeof(v->action), "%s", action);
	v->d->decisions++;
}

static void refresh(struct tsmd_dev *v)
{
	struct tsmh_devinfo info;

	if (!tsmd_kernel_dev_get(v->d, v->name, &info))
		v->info = info;
}

/* Keep the device from its driver, saying why (kernel message, log, bus). */
void tsmd_dev_hold(struct tsmd_dev *v, const char *code, const char *reason)
{
	struct tsmd *d = v->d;
	char why[512];
	int ret;

	/* "keep" for devices bound before tsmd started: report only */
	if (v->info.gate_state == TSMH_GATE_RELEASED &&
	    v->info.gate_reason == TSMH_GATE_R_PRESENT && d->pol->present == TSMD_PRESENT_KEEP) {
		tsmd_set_verdict(v, "report", "%s (present at start, policy keeps it bound)",
				 reason);
		tsmd_log_decision(v, LOG_WARNING, "report", code, NULL, v->verdict);
		tsmd_bus_changed(d, v);
		return;
	}
	ret = tsmd_kernel_gate(d, v->name, TSMH_GATE_ACT_QUARANTINE, 0, reason, NULL, 0, 0, why,
			       sizeof(why));
	if (ret && ret != -ENODEV) {
		tsmd_set_verdict(v, "hold", "%s (and the kernel refused to quarantine it: %s)",
				 reason, why);
		tsmd_log_decision(v, LOG_ERR, "hold", code, NULL, v->verdict);
	} else {
		tsmd_set_verdict(v, "quarantine", "%s", reason);
		tsmd_log_decision(v, LOG_WARNING, "quarantine", code, NULL, v->verdict);
	}
	refresh(v);
	tsmd_bus_changed(d, v);
}

void tsmd_dev_release(struct tsmd_dev *v, uint32_t reason, const uint8_t *digest, size_t dlen,
		      const char *action, const char *text)
{
	struct tsmd *d = v->d;
	char why[512], hx[2 * TSMH_ACCEPT_DIGEST_MAX + 1] = "";
	int ret;

	ret = tsmd_kernel_gate(d, v->name, TSMH_GATE_ACT_RELEASE, reason, text, digest, dlen,
			       v->sum.generation, why, sizeof(why));
	if (ret == -ESTALE) {
		/*
		 * The evidence changed after our worker committed it, or the
		 * device was reset after the worker measured it (the kernel
		 * says which): what we verified is not what runs. The device
		 * stays as it is (held after a reset with reset_hold=1); a
		 * fresh attestation decides.
		 */
		tsmd_log(LOG_NOTICE, v->name, "attest", "%s; attesting again", why);
		tsmd_dev_request(v, "verified evidence is stale");
		return;
	}
	if (ret) {
		tsmd_set_verdict(v, "hold", "%s, but the kernel refused the release: %s", text,
				 why);
		tsmd_log_decision(v, LOG_ERR, "hold", NULL, NULL, v->verdict);
		refresh(v);
		tsmd_bus_changed(d, v);
		return;
	}
	if (digest)
		tsmh_hex_format(digest, dlen, hx);
	tsmd_set_verdict(v, action, "%s", text);
	tsmd_log_decision(v, LOG_NOTICE, action, NULL, hx, text);
	refresh(v);
	tsmd_bus_changed(d, v);
}

/* The rule that applies to @v requires IDE (the identity from its last attestation). */
static int needs_ide(const struct tsmd_dev *v, const struct tsmd_dev_facts *f)
{
	const struct tsmd_rule *rule = NULL;
	const char *identity = v->have_summary && v->sum.ok ? v->sum.identity : NULL;

	tsmd_policy_match(v->d->pol, f, identity ? identity : "", &rule);
	return rule && rule->req == TSMD_REQ_IDE;
}

int tsmd_dev_needs_ide(const struct tsmd_dev *v)
{
	struct tsmd_dev_facts f;

	tsmd_facts_of(&v->info, &f);
	return needs_ide(v, &f);
}

static int attested_digest(const struct tsmd_attest_summary *as, uint8_t *out)
{
	return tsmd_accept_digest(as->spki_sha384, as->blocks, as->nr_blocks, out);
}

void tsmd_dev_decide_pre(struct tsmd_dev *v)
{
	struct tsmd *d = v->d;
	struct tsmd_dev_facts f;
	struct tsmd_verdict vd;
	int ret;

	tsmd_facts_of(&v->info, &f);
	ret = tsmd_decide(d->pol, d->al, &f, NULL, &vd);
	if (ret == TSMD_MATCH_ATTEST || (!vd.release && vd.code == TSMD_V_HOLD_NOT_ATTESTED)) {
		tsmd_dev_request(v, "policy needs an attestation");
		return;
	}
	if (vd.release) {
		tsmd_dev_release(v, TSMH_GATE_R_EXEMPT, NULL, 0, "exempt", vd.reason);
		return;
	}
	tsmd_dev_hold(v, tsmd_vcode_name(vd.code), vd.reason);
}

void tsmd_dev_decide(struct tsmd_dev *v)
{
	struct tsmd *d = v->d;
	struct tsmd_meas_block blocks[TSMD_MAX_BLOCKS];
	struct tsmd_attest_summary as;
	uint8_t dg[TSMD_ACCEPT_DIGEST_LEN];
	struct tsmd_dev_facts f;
	struct tsmd_verdict vd;
	char msg[TSMD_REASON_MAX];
	int reset, ret;

	refresh(v);
	/* the two ways out without a decision are logged too (debug): nothing silent */
	if (v->info.gate_state == TSMH_GATE_NONE) {
		tsmd_log(LOG_DEBUG, v->name, "decide",
			 "not gated (gate state none): nothing to decide");
		return;
	}
	if (v->info.gate_state == TSMH_GATE_HELD && v->info.gate_reason == TSMH_GATE_R_ADMIN) {
		tsmd_set_verdict(v, "", "held by an administrator; attestation %s",
				 v->sum.ok ? "passed" : "failed");
		tsmd_log(LOG_DEBUG, v->name, "decide", "%s", v->verdict);
		return;
	}
	tsmd_facts_of(&v->info, &f);
	tsmd_summary_view(&v->sum, blocks, &as);
	reset = (v->info.gate_flags & TSMH_GATE_F_REATTEST) ||
		v->info.gate_reason == TSMH_GATE_R_RESET;
	if (v->sum.ok && attested_digest(&as, dg))
		v->sum.ok = 0; /* cannot happen short of ENOMEM: never release on it */

	/* after a reset: identical to what was accepted -> restore (re-keyed first under "ide") */
	if (reset && v->sum.ok && v->info.accept_len == sizeof(dg) &&
	    !memcmp(v->info.accept_digest, dg, sizeof(dg))) {
		(needs_ide(v, &f) ? tsmd_conn_release : tsmd_dev_release)(
			v, TSMH_GATE_R_ATTESTED, dg, sizeof(dg), "restore",
			"identical measurements after reset: service restored");
		return;
	}
	if (reset && v->sum.ok && v->info.accept_len) {
		if (v->have_accepted)
			summary_diff_text(&v->accepted, &v->sum, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg),
				 "measurements after reset differ from the accepted digest");
		tsmd_log(LOG_WARNING, v->name, "changed", "%s", msg);
		v->temp = 0; /* a temporary decision was for what it measured then */
	}
	ret = tsmd_decide(d->pol, d->al, &f, &as, &vd);
	if (ret == TSMD_MATCH_ATTEST) { /* cannot happen with a summary; be safe */
		tsmd_dev_hold(v, "hold-not-attested", "policy could not be decided");
		return;
	}
	if (d->al_broken && vd.code != TSMD_V_RELEASE_EXEMPT) {
		/* never fail open: no allow-list, no release based on it */
		vd.release = 0;
		tsmd_scopy(vd.reason, sizeof(vd.reason), d->al_why);
		vd.code = TSMD_V_HOLD_UNKNOWN;
	}
	if (!vd.release && v->temp > 0 && v->sum.ok && !memcmp(v->temp_digest, dg, sizeof(dg)) &&
	    (vd.code == TSMD_V_HOLD_UNKNOWN || vd.code == TSMD_V_HOLD_MEAS_CHANGED ||
	     vd.code == TSMD_V_HOLD_MEAS_NONE_ACCEPTED)) {
		vd.release = 1;
		snprintf(vd.reason, sizeof(vd.reason),
			 "allowed temporarily by an administrator (not in the allow-list)");
		vd.code = TSMD_V_RELEASE_ATTESTED;
		memcpy(vd.digest, dg, sizeof(dg));
		vd.digest_len = sizeof(dg);
	}
	if (!vd.release && v->temp < 0) {
		snprintf(vd.reason, sizeof(vd.reason), "denied by an administrator (temporary)");
		vd.code = TSMD_V_HOLD_DENY_ENTRY;
	}
	if (vd.release && vd.code == TSMD_V_RELEASE_EXEMPT) {
		tsmd_dev_release(v, TSMH_GATE_R_EXEMPT, NULL, 0, "exempt", vd.reason);
		return;
	}
	if (vd.release) {
		v->accepted = v->sum;
		v->have_accepted = 1;
		/* "ide" (also when an administrator allowed it): connected first */
		(vd.need_ide || (vd.rule && vd.rule->req == TSMD_REQ_IDE)
			 ? tsmd_conn_release
			 : tsmd_dev_release)(v, TSMH_GATE_R_ATTESTED, vd.digest, vd.digest_len,
					     reset ? "restore" : "release", vd.reason);
		return;
	}
	if (reset && v->sum.ok && v->info.accept_len && vd.code != TSMD_V_HOLD_MEAS_CHANGED) {
		/* the verdict does not name the change itself: say what differs */
		char full[2 * TSMD_REASON_MAX + 8];

		snprintf(full, sizeof(full), "%s (%s)", msg, vd.reason);
		tsmd_dev_hold(v, tsmd_vcode_name(vd.code), full);
		return;
	}
	tsmd_dev_hold(v, tsmd_vcode_name(vd.code), vd.reason);
}

/* ---- policy and allow-list files ---- */

int tsmd_policy_reload(struct tsmd *d, char *why, size_t whylen)
{
	struct tsmd_policy *p = calloc(1, sizeof(*p));
	struct tsmd_allowlist *al = calloc(1, sizeof(*al));
	char alwhy[400];

	if (!p || !al) {
		free(p);
		free(al);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	/* StrictModes (common/safepath.h): a file others could change is not policy */
	if (tsmh_path_secure(d->cfg.conf_path, geteuid(), 0, why, whylen) ||
	    tsmd_policy_load(d->cfg.conf_path, p, why, whylen)) {
		tsmd_policy_free(p);
		free(p);
		free(al);
		return -EINVAL;
	}
	tsmd_allowlist_init(al);
	if (tsmd_allowlist_secure(p->allow_list, geteuid(), alwhy, sizeof(alwhy)) ||
	    tsmd_allowlist_load(p->allow_list, al, alwhy, sizeof(alwhy))) {
		/* fail closed: keep running, release nothing, say so everywhere */
		d->al_broken = 1;
		snprintf(d->al_why, sizeof(d->al_why),
			 "allow-list unreadable, nothing is released: %s", alwhy);
		tsmd_log(LOG_ERR, NULL, "allow-list", "%s", d->al_why);
	} else {
		d->al_broken = 0;
		d->al_why[0] = 0;
		if (al->note[0])
			tsmd_log(LOG_NOTICE, NULL, "allow-list", "%s", al->note);
	}
	tsmd_policy_free_all(d);
	d->pol = p;
	d->al = al;
	d->cfg.trust = p->trust_anchors;
	d->cfg.allow_path = p->allow_list;
	d->cfg.timeout_ms = (int)p->attest_timeout_ms;
	d->cfg.max_parallel = (int)p->max_parallel;
	return 0;
}

void tsmd_policy_free_all(struct tsmd *d)
{
	if (d->pol) {
		tsmd_policy_free(d->pol);
		free(d->pol);
	}
	if (d->al) {
		tsmd_allowlist_free(d->al);
		free(d->al);
	}
	d->pol = NULL;
	d->al = NULL;
}

/*
 * Changing the allow-list file: al_copy() gives a private copy to change,
 * al_commit() saves it atomically and swaps it in (or drops it on error,
 * leaving file and memory as they were).
 */
static struct tsmd_allowlist *al_copy(struct tsmd *d, char *why, size_t whylen)
{
	struct tsmd_allowlist *copy = calloc(1, sizeof(*copy));
	char *text = tsmd_allowlist_format(d->al);
	int ret;

	if (!copy || !text) {
		free(copy);
		free(text);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	ret = tsmd_allowlist_parse(text, strlen(text), d->cfg.allow_path, copy, why, whylen);
	free(text);
	if (ret) {
		free(copy);
		return NULL;
	}
	return copy;
}

static int al_commit(struct tsmd *d, struct tsmd_allowlist *copy, int ret, char *why, size_t whylen)
{
	if (ret >= 0) {
		ret = tsmd_allowlist_save(copy, d->cfg.allow_path, why, whylen);
		/* in place (the file is the new list): memory must follow it */
		if (!ret && why[0])
			tsmd_log(LOG_WARNING, NULL, "allow-list", "%s", why);
	}
	if (ret < 0) {
		tsmd_allowlist_free(copy);
		free(copy);
		return ret;
	}
	tsmd_allowlist_free(d->al);
	free(d->al);
	d->al = copy;
	return 0;
}

static int al_update(struct tsmd *d, const struct tsmd_identity *id,
		     const struct tsmd_attest_summary *as, int deny, int replace, char *why,
		     size_t whylen)
{
	struct tsmd_allowlist *copy = al_copy(d, why, whylen);
	struct tsmd_al_upsert o = { .replace = replace };
	char now[32];
	int ret;

	if (!copy)
		return -ENOMEM;
	tsmd_now_rfc3339(now, sizeof(now));
	o.added = now;
	ret = deny ? tsmd_allowlist_deny(copy, id, &o, why, whylen)
		   : tsmd_allowlist_allow(copy, id, as->meas_verified ? as->blocks : NULL,
					  as->meas_verified ? as->nr_blocks : 0, &o, why, whylen);
	return al_commit(d, copy, ret, why, whylen);
}

/* The device's verified identity, or -errno with the reason. */
static int verified_identity(struct tsmd_dev *v, const char *what, struct tsmd_identity *id,
			     struct tsmd_meas_block *blocks, struct tsmd_attest_summary *as,
			     char *why, size_t whylen)
{
	struct tsmd_dev_facts f;

	if (v->phase != PH_IDLE) {
		snprintf(why, whylen, "%s: attestation in progress; try again when it is done",
			 v->name);
		return -EBUSY;
	}
	if (!(v->have_summary && v->sum.ok)) {
		if (v->have_summary)
			snprintf(
				why, whylen,
				"%s: cannot %s: its attestation failed at %s: %s (an allow-list entry needs a verified identity)",
				v->name, what, v->sum.step, v->sum.why);
		else
			snprintf(why, whylen, "%s: cannot %s: not attested yet", v->name, what);
		return -EPERM;
	}
	tsmd_facts_of(&v->info, &f);
	tsmd_summary_view(&v->sum, blocks, as);
	tsmd_device_identity(&f, as, id);
	return 0;
}

/*
 * The device an administrator's allow/deny/pre-approval is about: one tsmd
 * gates, and (@writes_al) an allow-list that can be changed. NULL with the
 * reason in @why and -errno in @err.
 */
static struct tsmd_dev *admin_target(struct tsmd *d, const char *name, int writes_al, int *err,
				     char *why, size_t whylen)
{
	struct tsmd_dev *v = tsmd_dev_get(d, name, 0);

	if (!v || v->info.gate_state == TSMH_GATE_NONE) {
		snprintf(why, whylen, "%s: not a device tsmd gates", name);
		*err = -ENODEV;
		return NULL;
	}
	if (writes_al && d->al_broken) {
		snprintf(why, whylen, "%s: %s; fix or remove the file first", name, d->al_why);
		*err = -EIO;
		return NULL;
	}
	return v;
}

int tsmd_allow(struct tsmd *d, const char *name, unsigned int flags, char *why, size_t whylen)
{
	struct tsmd_meas_block blocks[TSMD_MAX_BLOCKS];
	int permanent = !!(flags & (TSMD_ALLOW_PERMANENT | TSMD_ALLOW_REPLACE));
	int deny = !!(flags & TSMD_ALLOW_DENY);
	struct tsmd_attest_summary as;
	struct tsmd_identity id;
	struct tsmd_dev_facts f;
	uint8_t dg[TSMD_ACCEPT_DIGEST_LEN];
	int ret;

	struct tsmd_dev *v = admin_target(d, name, permanent, &ret, why, whylen);

	if (!v)
		return ret;
	if (deny) {
		tsmd_facts_of(&v->info, &f);
		tsmd_summary_view(&v->sum, blocks, &as);
		tsmd_device_identity(&f, v->have_summary && v->sum.ok ? &as : NULL, &id);
	} else {
		ret = verified_identity(v, "allow", &id, blocks, &as, why, whylen);
		if (ret)
			return ret;
	}
	if ((flags & TSMD_ALLOW_REPLACE) && !as.meas_verified) {
		snprintf(
			why, whylen,
			"%s: --replace needs verified measurements, and its last attestation has none",
			name);
		return -EINVAL;
	}
	if (permanent) {
		ret = al_update(d, &id, &as, deny, !!(flags & TSMD_ALLOW_REPLACE), why, whylen);
		if (ret < 0)
			return ret;
	} else if (!deny) {
		if (attested_digest(&as, dg)) {
			snprintf(why, whylen, "%s: cannot hash its measurements", name);
			return -ENOMEM;
		}
		memcpy(v->temp_digest, dg, sizeof(dg));
	}
	v->temp = permanent ? 0 : deny ? -1 : 1;
	tsmd_log(LOG_NOTICE, name, deny ? "deny" : "allow", "%s %s by an administrator%s",
		 deny ? "denied" : "allowed", permanent ? "permanently" : "temporarily",
		 flags & TSMD_ALLOW_REPLACE ? " (other measurement sets retired)" : "");
	if (deny) {
		refresh(v);
		if (v->phase == PH_IDLE)
			tsmd_dev_hold(v, "hold-deny-entry",
				      permanent ? "denied by an administrator (allow-list)"
						: "denied by an administrator (temporary)");
		else
			v->again = 1;
	} else {
		tsmd_dev_decide(v);
	}
	snprintf(why, whylen, "%s: %s%s; now %s (%s)", name, deny ? "denied" : "allowed",
		 flags & TSMD_ALLOW_REPLACE
			 ? " with its current measurements only (allow-list updated)"
		 : permanent ? " permanently (allow-list updated)"
			     : " temporarily (until tsmd restarts)",
		 tsmh_gate_state_name(v->info.gate_state), v->verdict);
	return 0;
}

int tsmd_add_measurements(struct tsmd *d, const char *name, const char *json, char *why,
			  size_t whylen)
{
	struct tsmd_meas_block blocks[TSMD_MAX_BLOCKS];
	struct tsmd_allowlist *copy;
	const struct tsmd_al_entry *cur;
	struct tsmd_attest_summary as;
	struct tsmd_al_upsert o = { 0 };
	struct tsmd_identity id;
	struct tsmd_al_entry in;
	char now[32], ids[96];
	int ret, added = 0;
	size_t i, before;

	struct tsmd_dev *v = admin_target(d, name, 1, &ret, why, whylen);

	if (!v)
		return ret;
	ret = verified_identity(v, "pre-approve measurements", &id, blocks, &as, why, whylen);
	if (ret)
		return ret;
	ret = tsmd_al_sets_parse(json, strlen(json), "measurements from the caller", &in, why,
				 whylen);
	if (ret < 0)
		return ret;
	/* sets measured on another model are a mistake, not an approval */
	if (((in.id.has & TSMD_ID_VENDOR) && in.id.vendor != id.vendor) ||
	    ((in.id.has & TSMD_ID_DEVICE) && in.id.device != id.device)) {
		snprintf(why, whylen,
			 "%s: the measurements are from a %04x:%04x device, this is %04x:%04x",
			 name, in.id.vendor, in.id.device, id.vendor, id.device);
		tsmd_al_entry_free(&in);
		return -EINVAL;
	}
	cur = tsmd_allowlist_find(d->al, &id);
	if (cur && cur->decision == TSMD_AL_DENY) {
		snprintf(why, whylen, "%s: denied in the allow-list (%s); allow it first", name,
			 tsmd_identity_str(&cur->id, ids, sizeof(ids)));
		tsmd_al_entry_free(&in);
		return -EPERM;
	}
	copy = al_copy(d, why, whylen);
	if (!copy) {
		tsmd_al_entry_free(&in);
		return -ENOMEM;
	}
	tsmd_now_rfc3339(now, sizeof(now));
	o.added = now;
	cur = tsmd_allowlist_lookup(copy, &id);
	before = cur ? cur->nr_sets : 0;
	for (i = 0; i < in.nr_sets && ret >= 0; i++)
		ret = tsmd_allowlist_allow(copy, &id, in.sets[i].blocks, in.sets[i].nr, &o, why,
					   whylen);
	tsmd_al_entry_free(&in);
	cur = tsmd_allowlist_lookup(copy, &id);
	if (ret >= 0 && cur)
		added = (int)(cur->nr_sets - before);
	ret = al_commit(d, copy, ret, why, whylen);
	if (ret < 0)
		return ret;
	/* committed: d->al is the copy @cur points into */
	tsmd_log(LOG_NOTICE, name, "pre-approve",
		 "%d measurement set(s) pre-approved by an administrator; %zu accepted now", added,
		 cur ? cur->nr_sets : 0);
	/* a device held for exactly these measurements is decided again */
	if (v->info.gate_state != TSMH_GATE_RELEASED && v->phase == PH_IDLE)
		tsmd_dev_decide(v);
	snprintf(
		why, whylen,
		"%s: %d measurement set(s) added to its allow-list entry, %zu accepted now; %s (%s)",
		name, added, cur ? cur->nr_sets : 0, tsmh_gate_state_name(v->info.gate_state),
		v->verdict);
	return 0;
}
