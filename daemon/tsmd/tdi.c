// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd and the kernel's TDIs (issue 13, host-native mode): tsmd is the
 * requester that owns a DSM's session, so its session keeper (conn.c)
 * performs the TDISP exchanges (lock with the report, start with the
 * LOCK nonce it keeps in memory, stop, state) for the D-Bus calls
 * TdiLock/TdiStart/TdiStop/TdiState. The TDI's state is the kernel's:
 * this file reports it (GetDevice "tdis", evt-tdi in the log) and, at
 * start, names every TDI the kernel has locked or running, whose session
 * (and nonce) died with whoever held it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <cjson/cJSON.h>
#include "tdi_nl.h"
#include "tsmd.h"

void tsmd_tdis_note(struct tsmd_conn *c, const char *tdi, int add)
{
	unsigned int i;

	for (i = 0; i < c->nr_tdis; i++)
		if (!strcmp(c->tdis[i], tdi))
			break;
	if (i < c->nr_tdis && !add) {
		memmove(c->tdis[i], c->tdis[i + 1], (c->nr_tdis - i - 1) * sizeof(c->tdis[0]));
		c->nr_tdis--;
	} else if (i == c->nr_tdis && add && c->nr_tdis < TSMD_TDIS_MAX) {
		tsmd_scopy(c->tdis[c->nr_tdis++], sizeof(c->tdis[0]), tdi);
	}
}

void tsmd_tdi_resync(struct tsmd *d)
{
	struct tsmh_tdinl_list l = { 0 };
	unsigned int i;
	int ret;

	ret = tsmh_tdi_get(&d->nl, NULL, &l);
	if (ret && ret != -EOPNOTSUPP)
		tsmd_log(LOG_WARNING, NULL, "start", "tdi-get: %s",
			 d->nl.err[0] ? d->nl.err : strerror(-ret));
	for (i = 0; !ret && i < l.n; i++) {
		const struct tsmh_tdinl_tdi *t = &l.t[i];

		if (t->state != TSMH_TDI_STATE_CONFIG_LOCKED && t->state != TSMH_TDI_STATE_RUN)
			continue;
		tsmd_log(LOG_WARNING, t->dev, "tdi",
			 "%s (DSM %s) is %s in the kernel, LOCKED by a session that is gone; "
			 "stop it with tsmctl tdi stop %s",
			 t->dev, t->dsm, tsmh_tdinl_state_name(t->state), t->dev);
	}
	tsmh_tdinl_list_free(&l);
}

void tsmd_tdi_event(struct tsmd *d, struct nl_msg *m)
{
	struct tsmh_tdinl_tdi t;
	char why[160] = "";
	struct tsmd_dev *v;
	int cause = -1;

	if (tsmh_tdinl_parse_msg(m, &t, NULL, &cause, why, sizeof(why))) {
		tsmd_log(LOG_WARNING, NULL, "event", "malformed tdi event: %s", why);
		return;
	}
	tsmd_log(t.state == TSMH_TDI_STATE_ERROR ? LOG_WARNING : LOG_INFO, t.dev, "tdi",
		 "kernel: %s (cause %s)%s%s", tsmh_tdinl_state_name(t.state),
		 cause >= 0 ? tsmh_tdinl_cause_name((uint32_t)cause) : "none", t.msg[0] ? ": " : "",
		 t.msg);
	/* no longer locked: not a TDI tsmd holds */
	v = tsmd_dev_get(d, t.dsm, 0);
	if (v && t.state != TSMH_TDI_STATE_CONFIG_LOCKED && t.state != TSMH_TDI_STATE_RUN)
		tsmd_tdis_note(&v->conn, t.dev, 0);
}

int tsmd_tdi_dsm(struct tsmd *d, const char *tdi, char *dsm, size_t len, char *why, size_t whylen)
{
	struct tsmh_tdinl_list l = { 0 };
	const struct tsmh_tdinl_tdi *t;
	int ret;

	ret = tsmh_tdi_get(&d->nl, tdi, &l);
	t = ret ? NULL : tsmh_tdinl_find(&l, tdi);
	if (t)
		tsmd_scopy(dsm, len, t->dsm[0] ? t->dsm : t->dev);
	else
		snprintf(why, whylen, "%s: %s", tdi,
			 ret && d->nl.err[0] ? d->nl.err : "not a TDI the kernel tracks");
	tsmh_tdinl_list_free(&l);
	return t ? 0 : ret ? ret : -ENOENT;
}

void tsmd_tdi_json(cJSON *j, struct tsmd_dev *v)
{
	const struct tsmd_conn *c = &v->conn;
	struct tsmh_tdinl_list l = { 0 };
	const struct tsmh_tdinl_tdi *t;
	unsigned int i;
	cJSON *a, *o;

	if (!c->nr_tdis)
		return;
	a = cJSON_AddArrayToObject(j, "tdis");
	if (tsmh_tdi_get(&v->d->nl, NULL, &l))
		l.n = 0;
	for (i = 0; i < c->nr_tdis; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "tdi", c->tdis[i]);
		cJSON_AddStringToObject(o, "locked_by", "tsmd");
		t = tsmh_tdinl_find(&l, c->tdis[i]);
		cJSON_AddStringToObject(o, "state", t ? tsmh_tdinl_state_name(t->state) : "gone");
		if (t && t->msg[0])
			cJSON_AddStringToObject(o, "message", t->msg);
		cJSON_AddItemToArray(a, o);
	}
	tsmh_tdinl_list_free(&l);
}
