// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd's device table and what each kernel observation asks of it.
 *
 *   held (new, present at load, reset)   -> policy first (exempt/deny),
 *                                           else attest, then decide
 *   held (admin)                          -> left alone: an admin said so
 *   held (quarantine)                     -> left alone until the policy,
 *                                           the allow-list or tsmd changes
 *   released (present at load)            -> present_devices policy
 *   released + reset since accepted       -> re-attest, restore or quarantine
 *   released (attested, exempt, ...)      -> nothing to do
 *
 * A device whose DOE discovery has not finished is not attested yet: the
 * kernel's "added" event follows discovery and brings it back here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/wait.h>
#include "policy.h"
#include "tsmd.h"

static uint64_t qseq;

struct tsmd_dev *tsmd_dev_get(struct tsmd *d, const char *name, int create)
{
	struct tsmd_dev *v;

	for (v = d->devs; v; v = v->next)
		if (!strcmp(v->name, name))
			return v;
	if (!create)
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->d = d;
	v->fd = -1;
	v->conn.fd = -1;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->next = d->devs;
	d->devs = v;
	return v;
}

static void dev_free(struct tsmd_dev *v)
{
	tsmd_conn_stop(v, NULL); /* END_SESSION if it can; the stream stays */
	if (v->pid > 0) {
		/* its exit event goes with this device: reap it here */
		tsmd_worker_kill(v);
		waitpid(v->pid, NULL, 0);
		v->d->running--;
	}
	sd_event_source_disable_unref(v->io);
	sd_event_source_disable_unref(v->timer);
	sd_event_source_unref(v->child);
	if (v->fd >= 0)
		close(v->fd);
	free(v->out);
	free(v);
}

void tsmd_dev_free_all(struct tsmd *d)
{
	while (d->devs) {
		struct tsmd_dev *v = d->devs;

		d->devs = v->next;
		dev_free(v);
	}
}

void tsmd_dev_removed(struct tsmd *d, const char *name)
{
	struct tsmd_dev **pp, *v;

	for (pp = &d->devs; (v = *pp); pp = &v->next) {
		if (strcmp(v->name, name))
			continue;
		*pp = v->next;
		tsmd_log(LOG_INFO, name, "remove", "device removed%s",
			 v->pid > 0 ? " during its attestation (worker stopped)" : "");
		dev_free(v);
		tsmd_pump(d);
		return;
	}
}

int tsmd_dev_request(struct tsmd_dev *v, const char *why)
{
	switch (v->phase) {
	case PH_ATTESTING: v->again = 1; return 0;
	case PH_QUEUED: return 0;
	case PH_IDLE: break;
	}
	tsmd_log(LOG_DEBUG, v->name, "attest", "attestation queued: %s", why);
	v->phase = PH_QUEUED;
	v->qseq = ++qseq;
	return 0;
}

void tsmd_pump(struct tsmd *d)
{
	while (!d->stopping && d->running < d->cfg.max_parallel) {
		struct tsmd_dev *v, *first = NULL;
		int ret;

		for (v = d->devs; v; v = v->next)
			if (v->phase == PH_QUEUED && (!first || v->qseq < first->qseq))
				first = v;
		if (!first)
			return;
		/* the attestation needs the mailbox the session keeper holds */
		if (first->conn.pid)
			tsmd_conn_stop(first, "an attestation needs the mailbox");
		ret = tsmd_worker_start(first);
		if (ret) {
			first->phase = PH_IDLE;
			tsmd_log(LOG_ERR, first->name, "attest",
				 "cannot start an attestation worker: %s; device stays %s",
				 strerror(-ret), tsmh_gate_state_name(first->info.gate_state));
		}
	}
}

static int is_gated(const struct tsmh_devinfo *i)
{
	return i->gate_state == TSMH_GATE_HELD || i->gate_state == TSMH_GATE_RELEASED;
}

void tsmd_dev_update(struct tsmd *d, const struct tsmh_devinfo *info)
{
	struct tsmd_dev *v = tsmd_dev_get(d, info->name, 1);
	int first_sight;

	if (!v)
		return;
	first_sight = !v->seen;
	v->seen = 1;
	v->info = *info;
	if (!is_gated(info) || v->phase != PH_IDLE)
		return; /* a running worker's result is decided on fresh state */
	if (v->conn.op == CONN_OP_CONNECT)
		return; /* the connect's outcome decides (conn.c) */
	if (!(info->flags & TSMH_DEV_F_DISCOVERED))
		return; /* the "added" event after discovery brings it back */
	if (info->gate_state == TSMH_GATE_HELD) {
		switch (info->gate_reason) {
		case TSMH_GATE_R_NEW:
		case TSMH_GATE_R_PRESENT:
		case TSMH_GATE_R_RESET: tsmd_dev_decide_pre(v); return;
		case TSMH_GATE_R_QUARANTINE:
			/* a new tsmd (or new policy) looks again, once */
			if (first_sight)
				tsmd_dev_decide_pre(v);
			return;
		default: /* admin hold, ...: not ours to undo */ return;
		}
	}
	/* released */
	if (info->gate_flags & TSMH_GATE_F_REATTEST) {
		tsmd_dev_request(v, "reset since it was accepted");
		return;
	}
	if (info->gate_reason == TSMH_GATE_R_PRESENT && first_sight &&
	    d->pol->present != TSMD_PRESENT_ALLOW)
		tsmd_dev_decide_pre(v);
}

void tsmd_dev_reset(struct tsmd *d, const char *name, uint32_t kind, uint64_t count)
{
	struct tsmd_dev *v = tsmd_dev_get(d, name, 0);

	tsmd_log(LOG_NOTICE, name, "reset", "%s reset seen (reset #%llu)%s",
		 tsmh_reset_kind_name(kind), (unsigned long long)count,
		 v ? "" : "; not a device tsmd knows yet");
	/* connections through @name (the device, or a root port) are lost */
	tsmd_conn_reset(d, name);
	if (!v)
		return;
	if (v->info.gate_state == TSMH_GATE_RELEASED ||
	    (v->info.gate_state == TSMH_GATE_HELD && v->info.gate_reason == TSMH_GATE_R_RESET))
		tsmd_dev_request(v, "device reset");
}

void tsmd_reevaluate_all(struct tsmd *d, const char *why)
{
	struct tsmd_dev *v;

	for (v = d->devs; v; v = v->next) {
		if (v->info.gate_state != TSMH_GATE_HELD || v->phase != PH_IDLE)
			continue;
		if (v->info.gate_reason == TSMH_GATE_R_ADMIN)
			continue;
		tsmd_log(LOG_DEBUG, v->name, "reevaluate", "%s", why);
		tsmd_dev_decide_pre(v);
	}
	tsmd_pump(d);
}
