// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl attest --session: after a successful attestation, open an SPDM
 * secured session with the attested slot's key (KEY_EXCHANGE, FINISH),
 * exercise it (HEARTBEAT, KEY_UPDATE UpdateKey and UpdateAllKeys, each
 * followed by VerifyNewKey) and close it (END_SESSION), reporting each step.
 * A step the responder did not advertise (HBEAT_CAP, KEY_UPD_CAP) is
 * skipped and says so; after a failed step the session is still closed
 * with END_SESSION, so no session stays open on the device.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "attest.h"
#include "secsession.h"
#include "tsmctl.h"

/* @skipped: not advertised by the responder, not sent (@why says which flag) */
static void add_step(cJSON *arr, const char *name, int ret, int skipped, const char *why)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "step", name);
	cJSON_AddBoolToObject(o, "ok", !ret);
	if (skipped)
		cJSON_AddBoolToObject(o, "skipped", 1);
	if (ret || skipped)
		cJSON_AddStringToObject(o, skipped ? "reason" : "error", why);
	cJSON_AddItemToArray(arr, o);
}

static void say(const char *name, int ret, int skipped, const char *why)
{
	if (opt_json)
		return;
	if (skipped)
		printf("  session: %-28s skipped: %s\n", name, why);
	else if (ret)
		printf("  session: %-28s FAILED: %s\n", name, why);
	else
		printf("  session: %-28s ok\n", name);
}

int attest_session(struct spdm_transport *t, const struct tsmh_attest *a, uint8_t slot,
		   unsigned int sm_mask, cJSON **out)
{
	static const char *const names[] = { "HEARTBEAT", "KEY_UPDATE UpdateKey",
					     "HEARTBEAT", "KEY_UPDATE UpdateAllKeys",
					     "HEARTBEAT", "END_SESSION" };
	cJSON *j = cJSON_CreateObject(), *arr;
	struct tsmh_session ss;
	char why[512] = "", v[16], err[512] = "";
	int ret, i, skipped, closed = 0;

	arr = cJSON_AddArrayToObject(j, "steps");
	ret = tsmh_session_start(t, &a->ci, a->slot[slot].chain, a->slot[slot].len, slot,
				 a->meas_verified ? SPDM_MEAS_SUMMARY_ALL : SPDM_MEAS_SUMMARY_NONE,
				 sm_mask, &ss, why, sizeof(why));
	add_step(arr, "KEY_EXCHANGE+FINISH", ret, 0, why);
	if (!ret && !opt_json)
		printf("  session %#010x established: %s, %s, secured messages %u.%u, heartbeat "
		       "period %u s\n",
		       spdm_session_id(&ss.s), spdm_dhe_name(ss.dhe), spdm_aead_name(ss.aead),
		       ss.s.sm_version >> 12, (ss.s.sm_version >> 8) & 15, ss.s.heartbeat);
	say("KEY_EXCHANGE+FINISH", ret, 0, why);
	cJSON_AddBoolToObject(j, "established", !ret);
	if (!ret) {
		snprintf(v, sizeof(v), "%#010x", spdm_session_id(&ss.s));
		cJSON_AddStringToObject(j, "session_id", v);
		cJSON_AddStringToObject(j, "dhe", spdm_dhe_name(ss.dhe));
		cJSON_AddStringToObject(j, "aead", spdm_aead_name(ss.aead));
		snprintf(v, sizeof(v), "%u.%u", ss.s.sm_version >> 12, (ss.s.sm_version >> 8) & 15);
		cJSON_AddStringToObject(j, "secured_message_version", v);
		cJSON_AddNumberToObject(j, "heartbeat_period", ss.s.heartbeat);
		cJSON_AddBoolToObject(j, "summary_matched",
				      !a->meas_verified ||
					      !memcmp(ss.summary, a->chal.summary,
						      spdm_hash_len(a->ci.algs.base_hash)));
	}
	for (i = 0; !ret && i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		why[0] = 0;
		if (!strcmp(names[i], "HEARTBEAT"))
			ret = tsmh_session_heartbeat(t, &ss, why, sizeof(why));
		else if (!strcmp(names[i], "END_SESSION"))
			ret = tsmh_session_end(t, &ss, why, sizeof(why));
		else
			ret = tsmh_session_key_update(t, &ss, !!strstr(names[i], "All"), why,
						      sizeof(why));
		skipped = ret == -EOPNOTSUPP;
		if (skipped)
			ret = 0;
		add_step(arr, names[i], ret, skipped, why);
		say(names[i], ret, skipped, why);
	}
	closed = ss.s.state == SPDM_SESS_ENDED;
	if (ret) {
		snprintf(err, sizeof(err), "%s", why);
		/* established but a step failed: close it anyway (best effort) */
		if (!closed && ss.s.state == SPDM_SESS_ESTABLISHED &&
		    strcmp(names[i - 1], "END_SESSION")) {
			int r2;

			why[0] = 0;
			r2 = tsmh_session_end(t, &ss, why, sizeof(why));
			add_step(arr, "END_SESSION (after the failure)", r2, 0, why);
			say("END_SESSION (after the failure)", r2, 0, why);
		}
	}
	cJSON_AddBoolToObject(j, "closed", !ret && closed);
	if (ret)
		cJSON_AddStringToObject(j, "error", err);
	else
		cJSON_AddNumberToObject(j, "key_updates", ss.key_updates);
	tsmh_session_free(&ss);
	*out = j;
	return ret;
}
