/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * tsmd: the policy daemon. Process and threading model:
 *
 * One thread runs an sd-event loop. Its sources are the kernel's "tsmh"
 * netlink events (device added/removed, gate changed, reset, evidence
 * committed, IDE stream changes, 7.2 tsm requests), a libudev monitor on
 * the pci subsystem, the D-Bus API
 * (bus.c), SIGTERM/SIGINT (stop) and SIGHUP (reload the policy and the
 * allow-list), and one child process per attestation in flight.
 *
 * Attestation is slow (DOE exchanges, signatures) and may hang on a bad
 * device, so it never runs in the loop: worker.c forks a child per device
 * that claims the mailbox, attests, commits the evidence to the kernel and
 * writes a JSON summary to a pipe. Up to max_parallel run at once; each
 * has a timer that kills it at attest_timeout_ms. The loop then decides
 * (decide.c: policy, allow-list, accepted digest) and tells the kernel to
 * release, hold or quarantine the device.
 *
 * A device whose policy requires IDE is connected before its release
 * (conn.c): a "session keeper" child per connected device holds its DOE
 * mailbox and its SPDM session, runs one operation at a time for the loop
 * (connect, HEARTBEAT on a loop timer, refresh, disconnect, 7.2 tsm
 * requests) and dies with tsmd; the kernel keeps the stream.
 *
 * tsmd keeps no state the kernel does not also have: gate state, the
 * accepted digest and evidence generation, and the "reset since accepted"
 * flag live in tsmh_core. A restarted tsmd dumps the devices and finishes
 * what is pending (resync).
 */
#ifndef TSMD_H
#define TSMD_H

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include "devinfo.h"
#include "nl.h"
#include "summary.h"

struct tsmd;
struct tsmd_policy;
struct tsmd_allowlist;

enum tsmd_phase {
	PH_IDLE, /* nothing to do, or waiting for the kernel (discovery) */
	PH_QUEUED, /* wants an attestation, waiting for a worker slot */
	PH_ATTESTING, /* a worker runs */
};

/*
 * IDE connection of a device (conn.c): one long-lived "session keeper"
 * child per connected device holds the DOE mailbox claim and the SPDM
 * session (the one place the session is used from) and runs one
 * operation at a time for the loop: connect, heartbeat, refresh,
 * disconnect. The stream itself is the kernel's: it outlives the child and
 * tsmd.
 */
enum tsmd_conn_op {
	CONN_OP_NONE,
	CONN_OP_CONNECT, /* delete any old stream of the device, connect anew */
	CONN_OP_HEARTBEAT, /* HEARTBEAT; on failure the session is opened again */
	CONN_OP_REFRESH, /* new keys in the other key set */
	CONN_OP_DISCONNECT, /* K_SET_STOP, stream deleted, END_SESSION */
	CONN_OP_RESUME, /* a new session for the existing stream */
	/* TDISP of a TDI of the device (a DSM) in its session (host-native mode) */
	CONN_OP_TDI_LOCK, /* LOCK + REPORT; the START nonce stays in the keeper */
	CONN_OP_TDI_START, /* START with that nonce: only in the session of its LOCK */
	CONN_OP_TDI_STOP,
	CONN_OP_TDI_STATE, /* GET_DEVICE_INTERFACE_STATE, compared by the kernel */
	__CONN_OP_NR,
};

struct tsmd_conn {
	pid_t pid; /* the session keeper, 0 if none */
	int fd;
	sd_event_source *io, *child, *op_timer, *hb_timer;
	enum tsmd_conn_op op, next_op; /* in flight, queued */
	int session_up;
	uint32_t hb_period; /* s, negotiated; 0: none */
	uint64_t hb_last_us; /* CLOCK_MONOTONIC of the last HEARTBEAT_ACK */
	uint64_t hb_last_rt_us; /* CLOCK_REALTIME of it */
	uint64_t heartbeats, reopens;
	int have_stream; /* the last stream this tsmd set up or saw */
	uint32_t stream_id;
	char rp[32]; /* its root port */
	int connected; /* the last connect succeeded and nothing lost it since */
	char state[24]; /* "connecting", "up", "failed", ... for humans */
	char err[640]; /* the last failure: "DEV: STEP: reason" */
	/* a release waiting for the stream (policy "ide") */
	int pend_release;
	uint32_t pend_reason;
	uint8_t pend_digest[48];
	size_t pend_dlen;
	char pend_action[16];
	char pend_text[320];
	/*
	 * a 7.2 tsm request waiting for the answer: connect, disconnect of
	 * this device, or bind, unbind, guest-req of its TDI @tsm_dev
	 * (design.md "7.2: bind, unbind, guest requests")
	 */
	int tsm_pending;
	uint64_t tsm_cookie;
	uint32_t tsm_op; /* TSMH_TSM_OP_* */
	enum tsmd_conn_op tsm_cop; /* the keeper's operation that answers it */
	char tsm_dev[32]; /* the device the kernel asked about (tsm-done's) */
	/* a D-Bus Connect/Refresh/Disconnect waiting for its answer */
	sd_bus_message *bus_call;
	enum tsmd_conn_op bus_op;
	/* the stream went insecure (reset): delete and connect again */
	int rekey;
	uint64_t rekey_window_us; /* start of the current re-key window */
	unsigned int rekeys_in_window;
	int rekey_tried; /* a re-key connect was started since the loss was counted */
	uint64_t rekeys; /* re-keys done */
	/* the TDI operation in flight or queued (one D-Bus call at a time) */
	char tdi[32];
	uint32_t tdi_lock_flags;
	int32_t tdi_stream; /* -1: none */
	uint64_t tdi_mmio_offset;
	uint64_t tdi_cookie; /* START: the guest request's tsm-cookie, 0: a host START */
	/* TDIs this tsmd locked through the keeper (GetDevice "tdis") */
#define TSMD_TDIS_MAX 16
	char tdis[TSMD_TDIS_MAX][32];
	unsigned int nr_tdis;
	/* TDIs whose LOCK nonce the keeper keeps (its last answer; "": none) */
	char kept[TSMD_TDIS_MAX][32];
	/*
	 * an evt-ide insecure of the stream that came while a keeper op ran
	 * (not connect, disconnect): looked at when the op ends (conn_done)
	 */
	int ide_pend;
	int64_t ide_pend_id; /* -1: the event named none */
	/*
	 * a 7.2 unbind that came while the DSM was busy: its STOP is sent
	 * when the DSM is idle (tsmd_conn_idle()), within the kernel's wait
	 */
	int unbind_pend;
	uint64_t unbind_cookie;
	char unbind_tdi[32];
	int in_stop; /* stop_keeper() runs: its caller decides what comes next */
};

/* A device tsmd knows about (tracked by tsmh_core). */
struct tsmd_dev {
	struct tsmd_dev *next;
	struct tsmd *d;
	char name[32];
	struct tsmh_devinfo info; /* last seen from the kernel */
	enum tsmd_phase phase;
	int again; /* another attestation was asked for while one ran */
	int seen; /* the kernel told us about it in this run */
	uint64_t qseq; /* queue order */
	/* the worker */
	pid_t pid;
	int fd;
	sd_event_source *io, *timer, *child;
	char *out;
	size_t out_len, out_cap;
	int timed_out;
	uint64_t t_start; /* CLOCK_MONOTONIC usec */
	/* the outcome */
	int have_summary;
	struct tsmd_summary sum;
	char verdict[256]; /* the last decision, for humans */
	char action[16]; /* "release", "hold", "quarantine", "restore", "" */
	int temp; /* temporary decision: 1 allow, -1 deny, 0 none */
	uint8_t temp_digest[48]; /* what a temporary allow accepted */
	int have_accepted;
	struct tsmd_summary accepted; /* the summary last released on (this run) */
	uint64_t attestations;
	uint64_t last_attest_us; /* duration of the last one */
	struct tsmd_conn conn;
};

struct tsmd_config {
	char *conf_path;
	char *trust; /* from the policy */
	char *allow_path;
	int timeout_ms;
	int max_parallel;
};

struct tsmd {
	sd_event *ev;
	sd_bus *bus;
	struct tsmh_nl nl; /* requests */
	struct tsmh_nl nl_ev; /* events */
	sd_event_source *nl_src;
	struct udev *udev;
	struct udev_monitor *mon;
	sd_event_source *udev_src;
	struct tsmd_config cfg;
	struct tsmd_policy *pol;
	struct tsmd_allowlist *al; /* permanent: the allow-list file */
	int al_broken; /* the allow-list could not be read: release nothing */
	char al_why[512];
	struct tsmd_dev *devs;
	int running; /* workers */
	int resync_pending;
	int stopping;
	uint64_t decisions;
	int no_bus; /* --no-bus: no D-Bus API */
};

/* kernel.c: the tsmh netlink family */
int tsmd_kernel_open(struct tsmd *d);
void tsmd_kernel_close(struct tsmd *d);
int tsmd_kernel_resync(struct tsmd *d);
int tsmd_kernel_dev_get(struct tsmd *d, const char *name, struct tsmh_devinfo *out);
int tsmd_kernel_gate(struct tsmd *d, const char *name, uint32_t action, uint32_t reason,
		     const char *msg, const uint8_t *digest, size_t dlen, uint64_t gen, char *why,
		     size_t whylen);

/* udev.c: the udev monitor */
int tsmd_udev_open(struct tsmd *d);
void tsmd_udev_close(struct tsmd *d);

/* device.c: the device table and its state machine */
struct tsmd_dev *tsmd_dev_get(struct tsmd *d, const char *name, int create);
void tsmd_dev_update(struct tsmd *d, const struct tsmh_devinfo *info); /* kernel says */
void tsmd_dev_removed(struct tsmd *d, const char *name);
void tsmd_dev_reset(struct tsmd *d, const char *name, uint32_t kind, uint64_t count);
int tsmd_dev_request(struct tsmd_dev *v, const char *why); /* (re-)attest */
void tsmd_dev_free_all(struct tsmd *d);
void tsmd_pump(struct tsmd *d); /* start queued workers */
void tsmd_reevaluate_all(struct tsmd *d, const char *why);

/* worker.c */
int tsmd_worker_start(struct tsmd_dev *v);
/*
 * Fork a child of tsmd (a worker or a session keeper) talking over
 * @fds[1] (the parent keeps @fds[0]): in the child it dies with tsmd
 * (PDEATHSIG), has no signal blocked and holds nothing of the parent's
 * (bus, netlink, udev) but @fds[1] as fd 3; returns 0 there. In the
 * parent @fds[1] is closed and the child's pid returned; -errno (both
 * closed) if fork failed.
 */
pid_t tsmd_fork_child(int fds[2]);
void tsmd_worker_kill(struct tsmd_dev *v);

/* decide.c: policy + allow-list -> gate */
void tsmd_dev_decide_pre(struct tsmd_dev *v); /* before attesting: exempt/deny/attest */
void tsmd_dev_decide(struct tsmd_dev *v); /* after the worker finished */
int tsmd_policy_reload(struct tsmd *d, char *why, size_t whylen);
void tsmd_policy_free_all(struct tsmd *d);
#define TSMD_ALLOW_PERMANENT (1u << 0) /* into the allow-list */
#define TSMD_ALLOW_DENY	     (1u << 1) /* deny instead */
#define TSMD_ALLOW_REPLACE   (1u << 2) /* permanent, current measurements only */
int tsmd_allow(struct tsmd *d, const char *name, unsigned int flags, char *why, size_t whylen);
/* Pre-approve measurement sets (tsmd_al_sets_parse() input) for a device's identity. */
int tsmd_add_measurements(struct tsmd *d, const char *name, const char *json, char *why,
			  size_t whylen);

/* decide.c, for conn.c: carry a decision out */
void tsmd_dev_hold(struct tsmd_dev *v, const char *code, const char *reason);
/* The policy rule for @v requires IDE (policy "ide"). */
int tsmd_dev_needs_ide(const struct tsmd_dev *v);
void tsmd_dev_release(struct tsmd_dev *v, uint32_t reason, const uint8_t *digest, size_t dlen,
		      const char *action, const char *text);
void tsmd_set_verdict(struct tsmd_dev *v, const char *action, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* conn.c: IDE connections (policy "ide", 7.2 tsm/connect) */
struct tsmh_idenl_stream;
/* Release after the stream reads SECURE (connecting first if needed). */
void tsmd_conn_release(struct tsmd_dev *v, uint32_t reason, const uint8_t *digest, size_t dlen,
		       const char *action, const char *text);
/* The device's stream as the kernel has it now: 1 found, 0 none, -errno. */
int tsmd_conn_stream(struct tsmd_dev *v, struct tsmh_idenl_stream *st);
/* A reset of @name (an endpoint or a root port): its connections are lost. */
void tsmd_conn_reset(struct tsmd *d, const char *name);
/* evt-ide */
void tsmd_conn_ide_event(struct tsmd *d, const char *dev, uint32_t event,
			 const struct tsmh_idenl_stream *st);
/*
 * evt-tsm-req: 7.2 tsm/connect, tsm/disconnect of a DSM; bind, unbind and
 * guest-req (@tdi_op: the TDI operation asked, -1 if none came) of a TDI,
 * done by its DSM's session keeper
 */
void tsmd_conn_tsm_req(struct tsmd *d, const char *dev, uint32_t op, int64_t tdi_op,
		       uint64_t cookie);
/* Stop the session keeper now (an attestation needs the mailbox, removal, exit). */
void tsmd_conn_stop(struct tsmd_dev *v, const char *why);
/* @v may be idle now (an attestation ended): a queued 7.2 unbind goes out */
void tsmd_conn_idle(struct tsmd_dev *v);
/*
 * D-Bus Connect, Refresh, Disconnect of @v: 0 when started (@m is answered
 * when it ends), 1 when answered already (@why: the answer), -errno with
 * @why when refused.
 */
int tsmd_conn_bus(struct tsmd_dev *v, enum tsmd_conn_op op, sd_bus_message *m, char *why,
		  size_t whylen);
const char *tsmd_conn_op_name(enum tsmd_conn_op op);
/*
 * D-Bus TdiLock/TdiStart/TdiStop/TdiState of TDI @tdi whose DSM is @v:
 * as tsmd_conn_bus() (@stream: the LOCK's default stream, -2: the
 * connection's stream if it has one, else none).
 */
int tsmd_conn_tdi_bus(struct tsmd_dev *v, enum tsmd_conn_op op, const char *tdi,
		      uint32_t lock_flags, int32_t stream, uint64_t mmio_offset, sd_bus_message *m,
		      char *why, size_t whylen);
/* tsmd start: log the TDIs the kernel has locked or running (their session is gone) */
void tsmd_tdi_resync(struct tsmd *d);
/* the TDIs tsmd locked (GetDevice "tdis"): @tdi added (@add) or removed */
void tsmd_tdis_note(struct tsmd_conn *c, const char *tdi, int add);
/* The DSM of TDI @tdi (tdi-get): 0, or -errno with @why. */
int tsmd_tdi_dsm(struct tsmd *d, const char *tdi, char *dsm, size_t len, char *why, size_t whylen);
struct cJSON;
/* GetDevice "tdis" of DSM @v: the TDIs tsmd locked, the kernel's state of each */
void tsmd_tdi_json(struct cJSON *j, struct tsmd_dev *v);
/* evt-tdi: log what the kernel reports */
void tsmd_tdi_event(struct tsmd *d, struct nl_msg *m);
int tsmd_kernel_tsm_done(struct tsmd *d, const char *name, uint64_t cookie, int status,
			 const char *msg);

/* bus.c: D-Bus API */
int tsmd_bus_open(struct tsmd *d);
void tsmd_bus_close(struct tsmd *d);
void tsmd_bus_changed(struct tsmd *d, const struct tsmd_dev *v);

/* log.c: journald with structured fields, stderr if there is no journal */
void tsmd_log(int prio, const char *dev, const char *action, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* @code: the verdict code (tsmd_vcode_name), @digest_hex: accepted digest; may be NULL */
void tsmd_log_decision(const struct tsmd_dev *v, int prio, const char *action, const char *code,
		       const char *digest_hex, const char *reason);
extern int tsmd_verbose;

uint64_t tsmd_now_us(void);
/* Copy @src into @dst (@size bytes), cut to fit, always terminated. */
void tsmd_scopy(char *dst, size_t size, const char *src);

#endif
