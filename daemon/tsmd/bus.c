// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd's D-Bus API on the system bus: name org.tsmhost.tsmd1, object
 * /org/tsmhost/tsmd1, interface org.tsmhost.tsmd1.Manager.
 *
 *   ListDevices() -> a(sssss)  name, gate state, gate reason, tsmd's last
 *                               verdict, CMA identity
 *   GetDevice(s) -> s          one device as JSON
 *   Status() -> s              daemon status as JSON
 *   Allow(s dev, b permanent) -> s   (root) accept the device as attested now
 *   AllowCurrentOnly(s dev) -> s     (root) allow permanently with the current
 *                                    measurements only: other sets retired
 *   AddMeasurements(s dev, s sets) -> s  (root) pre-approve measurement sets
 *                                    (JSON, see tsmd_al_sets_parse()) for the
 *                                    device's verified identity
 *   Deny(s dev, b permanent) -> s    (root) refuse it (quarantine if running)
 *   Reattest(s dev)                  (root) attest again now
 *   Reload()                         (root) re-read policy and allow-list
 *   Connect(s dev) -> s              (root) SPDM session + IDE stream, kept by
 *                                    tsmd (HEARTBEAT); answered when done
 *   Refresh(s dev) -> s              (root) new IDE keys in the other key set
 *   Disconnect(s dev) -> s           (root) stream deleted, session ended
 *   TdiLock(s tdi, a{sv} options) -> s  (root) host-native TDISP in the
 *                                    session tsmd keeps with the TDI's DSM:
 *                                    LOCK_INTERFACE and the report (checked by
 *                                    the kernel); options "lock_flags" u
 *                                    (TSMH_TDI_LOCK_F_*), "default_stream" i
 *                                    (-1 none; absent: the DSM's connection's
 *                                    stream, if any), "mmio_offset" t
 *   TdiStart(s tdi) -> s             (root) START_INTERFACE with the nonce of
 *                                    tsmd's LOCK (only in that session); not
 *                                    of a TDI bound to a TVM (its guest
 *                                    request starts it: conn.c)
 *   TdiStop(s tdi) -> s              (root) STOP_INTERFACE (a session is opened
 *                                    if tsmd holds none)
 *   TdiState(s tdi) -> s             (root) GET_DEVICE_INTERFACE_STATE, compared
 *                                    with the kernel's
 *   GetDevice's "tdis": the TDIs tsmd locked, with the kernel's state
 *   GetDevice's "connection": session (up/down), heartbeat period and the
 *   last one, the stream (id, state, root port, blocks), re-keys, errors
 *   signal DeviceChanged(s dev, s gate, s verdict)
 *
 * No polkit: dbus/org.tsmhost.tsmd1.conf lets only root call the mutating
 * methods, and tsmd checks the caller's effective uid again itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <cjson/cJSON.h>
#include "hex.h"
#include "ide_nl.h"
#include "tsmd.h"

#define BUS_NAME  "org.tsmhost.tsmd1"
#define BUS_PATH  "/org/tsmhost/tsmd1"
#define BUS_IFACE "org.tsmhost.tsmd1.Manager"

static int sender_is_root(sd_bus_message *m)
{
	sd_bus_creds *c = NULL;
	uid_t uid = (uid_t)-1;
	int ret;

	ret = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &c);
	if (ret >= 0)
		ret = sd_bus_creds_get_euid(c, &uid);
	sd_bus_creds_unref(c);
	return ret >= 0 && uid == 0;
}

static int need_root(sd_bus_message *m, sd_bus_error *err)
{
	if (!sender_is_root(m))
		return sd_bus_error_setf(err, SD_BUS_ERROR_ACCESS_DENIED,
					 "tsmd: only root may change device decisions");
	return 0;
}

static const char *verdict_of(const struct tsmd_dev *v)
{
	if (v->phase == PH_ATTESTING)
		return "attesting";
	if (v->phase == PH_QUEUED)
		return "queued";
	return v->verdict[0] ? v->verdict : v->info.gate_msg;
}

/*
 * @priv: the caller is root. The accepted digest is for privileged eyes
 * only, as in the kernel (TSMH_A_ACCEPT_DIGEST goes to CAP_SYS_ADMIN):
 * GetDevice is open to every user.
 */
static cJSON *dev_json(const struct tsmd_dev *v, int priv)
{
	cJSON *j = cJSON_CreateObject(), *s;
	char hx[2 * TSMH_ACCEPT_DIGEST_MAX + 1];

	cJSON_AddStringToObject(j, "device", v->name);
	cJSON_AddStringToObject(j, "gate", tsmh_gate_state_name(v->info.gate_state));
	cJSON_AddStringToObject(j, "reason", tsmh_gate_reason_name(v->info.gate_reason));
	cJSON_AddStringToObject(j, "kernel_msg", v->info.gate_msg);
	cJSON_AddStringToObject(j, "verdict", verdict_of(v));
	cJSON_AddStringToObject(j, "action", v->action);
	cJSON_AddStringToObject(j, "driver", v->info.driver);
	cJSON_AddBoolToObject(j, "reattest_pending", !!(v->info.gate_flags & TSMH_GATE_F_REATTEST));
	cJSON_AddNumberToObject(j, "resets", (double)v->info.reset_count);
	cJSON_AddNumberToObject(j, "attestations", (double)v->attestations);
	cJSON_AddNumberToObject(j, "last_attestation_ms", (double)v->last_attest_us / 1000.0);
	if (v->temp)
		cJSON_AddStringToObject(j, "temporary", v->temp > 0 ? "allow" : "deny");
	if (v->info.accept_len) {
		if (priv) {
			tsmh_hex_format(v->info.accept_digest, v->info.accept_len, hx);
			cJSON_AddStringToObject(j, "accepted_digest", hx);
		}
		cJSON_AddNumberToObject(j, "accepted_generation", (double)v->info.accept_gen);
	}
	if (v->have_summary) {
		s = cJSON_AddObjectToObject(j, "attestation");
		cJSON_AddBoolToObject(s, "ok", v->sum.ok);
		if (!v->sum.ok) {
			cJSON_AddStringToObject(s, "failed_step", v->sum.step);
			cJSON_AddStringToObject(s, "error", v->sum.why);
		} else {
			tsmh_hex_format(v->sum.spki_sha384, sizeof(v->sum.spki_sha384), hx);
			cJSON_AddStringToObject(s, "spki_sha384", hx);
			cJSON_AddStringToObject(s, "identity", v->sum.identity);
			cJSON_AddNumberToObject(s, "measurement_blocks", v->sum.nr_blocks);
			cJSON_AddNumberToObject(s, "evidence_generation",
						(double)v->sum.generation);
		}
	}
	return j;
}

/*
 * The device's IDE connection: the session tsmd keeps (its keeper, the
 * heartbeat) and the stream as the kernel has it now (which outlives
 * tsmd: "session": "down" with a SECURE stream after a restart).
 */
static void conn_json(cJSON *j, struct tsmd_dev *v)
{
	const struct tsmd_conn *c = &v->conn;
	struct tsmh_idenl_stream st;
	cJSON *o;
	int found;

	/* a device without an IDE capability has no stream: no ide-get */
	found = v->info.flags & TSMH_DEV_F_IDE ? tsmd_conn_stream(v, &st) : 0;
	if (found != 1 && !c->pid && !c->state[0])
		return;
	o = cJSON_AddObjectToObject(j, "connection");
	cJSON_AddStringToObject(o, "state", c->state[0] ? c->state : "stream");
	cJSON_AddStringToObject(o, "session", c->pid && c->session_up ? "up" : "down");
	cJSON_AddStringToObject(o, "owner", "tsmd");
	if (c->pid && c->session_up) {
		cJSON_AddNumberToObject(o, "heartbeat_period_s", c->hb_period);
		cJSON_AddNumberToObject(o, "heartbeats", (double)c->heartbeats);
		if (c->hb_last_us)
			cJSON_AddNumberToObject(o, "last_heartbeat_s_ago",
						(double)(tsmd_now_us() - c->hb_last_us) / 1e6);
		if (c->hb_last_rt_us)
			cJSON_AddNumberToObject(o, "last_heartbeat_time",
						(double)(c->hb_last_rt_us / 1000000u));
	}
	cJSON_AddNumberToObject(o, "session_reopens", (double)c->reopens);
	cJSON_AddNumberToObject(o, "rekeys", (double)c->rekeys);
	if (c->op != CONN_OP_NONE)
		cJSON_AddStringToObject(o, "operation", tsmd_conn_op_name(c->op));
	if (found == 1) {
		cJSON_AddNumberToObject(o, "stream_id", st.id);
		cJSON_AddStringToObject(o, "stream_state",
					tsmh_idenl_secure(&st) ? "secure" : "insecure");
		cJSON_AddStringToObject(o, "root_port", st.rp);
		cJSON_AddNumberToObject(o, "rp_block", st.rp_block);
		cJSON_AddNumberToObject(o, "ep_block", st.ep_block);
	}
	if (c->err[0])
		cJSON_AddStringToObject(o, "error", c->err);
}

static int reply_json(sd_bus_message *m, cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	int ret;

	cJSON_Delete(j);
	if (!s)
		return -ENOMEM;
	ret = sd_bus_reply_method_return(m, "s", s);
	free(s);
	return ret;
}

static int m_list(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	struct tsmd *d = arg;
	sd_bus_message *r = NULL;
	struct tsmd_dev *v;
	int ret;

	(void)err;
	ret = sd_bus_message_new_method_return(m, &r);
	if (ret >= 0)
		ret = sd_bus_message_open_container(r, 'a', "(sssss)");
	for (v = d->devs; ret >= 0 && v; v = v->next) {
		if (v->info.gate_state == TSMH_GATE_NONE)
			continue;
		ret = sd_bus_message_append(r, "(sssss)", v->name,
					    tsmh_gate_state_name(v->info.gate_state),
					    tsmh_gate_reason_name(v->info.gate_reason),
					    verdict_of(v), v->have_summary ? v->sum.identity : "");
	}
	if (ret >= 0)
		ret = sd_bus_message_close_container(r);
	if (ret >= 0)
		ret = sd_bus_send(NULL, r, NULL);
	sd_bus_message_unref(r);
	return ret;
}

static struct tsmd_dev *find(struct tsmd *d, sd_bus_message *m, const char **name,
			     sd_bus_error *err, int *ret)
{
	struct tsmd_dev *v;

	*ret = sd_bus_message_read(m, "s", name);
	if (*ret < 0)
		return NULL;
	v = tsmd_dev_get(d, *name, 0);
	if (!v || v->info.gate_state == TSMH_GATE_NONE)
		*ret = sd_bus_error_setf(err, "org.tsmhost.tsmd1.Error.NoSuchDevice",
					 "%s: not a device tsmd gates", *name);
	return v;
}

static int m_get(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	const char *name;
	struct tsmd_dev *v;
	int ret;

	v = find(arg, m, &name, err, &ret);
	if (!v)
		return ret;
	{
		cJSON *j = dev_json(v, sender_is_root(m));

		conn_json(j, v);
		tsmd_tdi_json(j, v);
		return reply_json(m, j);
	}
}

static int m_status(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	struct tsmd *d = arg;
	cJSON *j = cJSON_CreateObject();
	struct tsmd_dev *v;
	int held = 0, rel = 0, queued = 0;

	(void)err;
	for (v = d->devs; v; v = v->next) {
		held += v->info.gate_state == TSMH_GATE_HELD;
		rel += v->info.gate_state == TSMH_GATE_RELEASED;
		queued += v->phase == PH_QUEUED;
	}
	cJSON_AddStringToObject(j, "version", TSMH_VERSION);
	cJSON_AddStringToObject(j, "config", d->cfg.conf_path);
	cJSON_AddStringToObject(j, "trust_anchors", d->cfg.trust);
	cJSON_AddStringToObject(j, "allow_list", d->cfg.allow_path);
	cJSON_AddBoolToObject(j, "allow_list_ok", !d->al_broken);
	if (d->al_broken)
		cJSON_AddStringToObject(j, "allow_list_error", d->al_why);
	cJSON_AddNumberToObject(j, "held", held);
	cJSON_AddNumberToObject(j, "released", rel);
	cJSON_AddNumberToObject(j, "attesting", d->running);
	cJSON_AddNumberToObject(j, "queued", queued);
	cJSON_AddNumberToObject(j, "max_parallel", d->cfg.max_parallel);
	cJSON_AddNumberToObject(j, "attest_timeout_ms", d->cfg.timeout_ms);
	cJSON_AddNumberToObject(j, "decisions", (double)d->decisions);
	return reply_json(m, j);
}

/* A mutating method's answer: tsmd's message, or a Refused error carrying it. */
static int reply_refused_or(sd_bus_message *m, sd_bus_error *err, int ret, const char *why)
{
	if (ret)
		return sd_bus_error_setf(err, "org.tsmhost.tsmd1.Error.Refused", "%s", why);
	return sd_bus_reply_method_return(m, "s", why);
}

static int m_allow_deny(sd_bus_message *m, struct tsmd *d, sd_bus_error *err, int deny)
{
	const char *name;
	char why[512];
	int permanent, ret;

	ret = need_root(m, err);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_read(m, "sb", &name, &permanent);
	if (ret < 0)
		return ret;
	ret = tsmd_allow(d, name,
			 (permanent ? TSMD_ALLOW_PERMANENT : 0) | (deny ? TSMD_ALLOW_DENY : 0), why,
			 sizeof(why));
	return reply_refused_or(m, err, ret, why);
}

static int m_allow_current_only(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	const char *name;
	char why[512];
	int ret;

	ret = need_root(m, err);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_read(m, "s", &name);
	if (ret < 0)
		return ret;
	ret = tsmd_allow(arg, name, TSMD_ALLOW_REPLACE, why, sizeof(why));
	return reply_refused_or(m, err, ret, why);
}

static int m_add_measurements(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	const char *name, *sets;
	char why[512];
	int ret;

	ret = need_root(m, err);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_read(m, "ss", &name, &sets);
	if (ret < 0)
		return ret;
	ret = tsmd_add_measurements(arg, name, sets, why, sizeof(why));
	return reply_refused_or(m, err, ret, why);
}

static int m_allow(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	return m_allow_deny(m, arg, err, 0);
}

static int m_deny(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	return m_allow_deny(m, arg, err, 1);
}

static int m_reattest(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	const char *name;
	struct tsmd_dev *v;
	int ret;

	ret = need_root(m, err);
	if (ret < 0)
		return ret;
	v = find(arg, m, &name, err, &ret);
	if (!v)
		return ret;
	tsmd_dev_request(v, "asked over D-Bus");
	tsmd_pump(arg);
	return sd_bus_reply_method_return(m, NULL);
}

/* Connect, Refresh, Disconnect: answered when the session keeper is done */
static int m_conn(sd_bus_message *m, void *arg, sd_bus_error *err, enum tsmd_conn_op op)
{
	const char *name;
	struct tsmd_dev *v;
	char why[512];
	int ret;

	ret = need_root(m, err);
	if (ret < 0)
		return ret;
	v = find(arg, m, &name, err, &ret);
	if (!v)
		return ret;
	ret = tsmd_conn_bus(v, op, m, why, sizeof(why));
	if (ret == 0)
		return 1; /* the reply comes later */
	return reply_refused_or(m, err, ret < 0 ? ret : 0, why);
}

static int m_connect(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	return m_conn(m, arg, err, CONN_OP_CONNECT);
}

static int m_refresh(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	return m_conn(m, arg, err, CONN_OP_REFRESH);
}

static int m_disconnect(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	return m_conn(m, arg, err, CONN_OP_DISCONNECT);
}

/*
 * TdiLock, TdiStart, TdiStop, TdiState: run by the session keeper of the
 * TDI's DSM, answered when it is done.
 */
static int m_tdi(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	static const char *const members[] = { "TdiLock", "TdiStart", "TdiStop", "TdiState" };
	const char *member = sd_bus_message_get_member(m);
	enum tsmd_conn_op op = CONN_OP_TDI_LOCK;
	struct tsmd *d = arg;
	unsigned int i;
	uint64_t mmio_offset = 0;
	int32_t stream = -2;
	uint32_t flags = 0;
	char why[640], dsm[32];
	const char *name, *key;
	struct tsmd_dev *v;
	int ret;

	for (i = 0; member && i < sizeof(members) / sizeof(members[0]); i++)
		if (!strcmp(member, members[i]))
			op = (enum tsmd_conn_op)(CONN_OP_TDI_LOCK + i);
	ret = need_root(m, err);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_read(m, "s", &name);
	if (ret < 0)
		return ret;
	if (op == CONN_OP_TDI_LOCK) {
		ret = sd_bus_message_enter_container(m, 'a', "{sv}");
		while (ret >= 0 && (ret = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
			ret = sd_bus_message_read(m, "s", &key);
			if (ret < 0)
				break;
			if (!strcmp(key, "lock_flags"))
				ret = sd_bus_message_read(m, "v", "u", &flags);
			else if (!strcmp(key, "default_stream"))
				ret = sd_bus_message_read(m, "v", "i", &stream);
			else if (!strcmp(key, "mmio_offset"))
				ret = sd_bus_message_read(m, "v", "t", &mmio_offset);
			else
				return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
							 "%s: unknown TdiLock option '%s'", name,
							 key);
			if (ret >= 0)
				ret = sd_bus_message_exit_container(m);
		}
		if (ret >= 0)
			ret = sd_bus_message_exit_container(m);
		if (ret < 0)
			return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
						 "%s: bad TdiLock options: %s", name,
						 strerror(-ret));
		if (stream < -2 || stream > 255)
			return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
						 "%s: default_stream %d is not -1..255", name,
						 stream);
	}
	ret = tsmd_tdi_dsm(d, name, dsm, sizeof(dsm), why, sizeof(why));
	v = ret ? NULL : tsmd_dev_get(d, dsm, 0);
	if (!ret && !v)
		snprintf(why, sizeof(why), "%s: its DSM %s is not a device tsmd knows", name, dsm);
	if (!v)
		return sd_bus_error_setf(err, "org.tsmhost.tsmd1.Error.NoSuchDevice", "%s", why);
	ret = tsmd_conn_tdi_bus(v, op, name, flags, stream, mmio_offset, m, why, sizeof(why));
	if (ret == 0)
		return 1; /* the reply comes later */
	return reply_refused_or(m, err, ret < 0 ? ret : 0, why);
}

static int m_reload(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	struct tsmd *d = arg;
	char why[512];
	int ret;

	ret = need_root(m, err);
	if (ret < 0)
		return ret;
	if (tsmd_policy_reload(d, why, sizeof(why)))
		return sd_bus_error_setf(err, "org.tsmhost.tsmd1.Error.BadPolicy",
					 "kept the previous policy: %s", why);
	tsmd_reevaluate_all(d, "policy reloaded");
	return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("ListDevices", "", "a(sssss)", m_list, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetDevice", "s", "s", m_get, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Status", "", "s", m_status, SD_BUS_VTABLE_UNPRIVILEGED),
	/* privileged: need_root() checks, the bus policy file too */
	SD_BUS_METHOD("Allow", "sb", "s", m_allow, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("AllowCurrentOnly", "s", "s", m_allow_current_only,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("AddMeasurements", "ss", "s", m_add_measurements, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Deny", "sb", "s", m_deny, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Reattest", "s", "", m_reattest, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Reload", "", "", m_reload, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Connect", "s", "s", m_connect, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Refresh", "s", "s", m_refresh, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Disconnect", "s", "s", m_disconnect, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("TdiLock", "sa{sv}", "s", m_tdi, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("TdiStart", "s", "s", m_tdi, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("TdiStop", "s", "s", m_tdi, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("TdiState", "s", "s", m_tdi, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("DeviceChanged", "sss", 0), SD_BUS_VTABLE_END
};

int tsmd_bus_open(struct tsmd *d)
{
	int ret;

	ret = sd_bus_open_system(&d->bus);
	if (ret >= 0)
		ret = sd_bus_add_object_vtable(d->bus, NULL, BUS_PATH, BUS_IFACE, vtable, d);
	if (ret >= 0)
		ret = sd_bus_request_name(d->bus, BUS_NAME, 0);
	if (ret >= 0)
		ret = sd_bus_attach_event(d->bus, d->ev, 0);
	if (ret < 0) {
		tsmd_log(LOG_WARNING, NULL, "start", "D-Bus: %s", strerror(-ret));
		d->bus = sd_bus_flush_close_unref(d->bus);
	}
	return ret;
}

void tsmd_bus_close(struct tsmd *d)
{
	d->bus = sd_bus_flush_close_unref(d->bus);
}

void tsmd_bus_changed(struct tsmd *d, const struct tsmd_dev *v)
{
	if (d->bus)
		sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "DeviceChanged", "sss", v->name,
				   tsmh_gate_state_name(v->info.gate_state), verdict_of(v));
}
