/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The TDI commands of the "tsmh" netlink family (ABI 6,
 * docs/netlink/tsmh.yaml): tdi-get decoded into plain structs (with the
 * generated policies of nl_policy.c), tdi-begin and tdi-end. DEV is the
 * TDI (a function or VF), never only its DSM. Errors are -errno with the
 * kernel's extended ACK text in nl->err (tsmh_nl_call()).
 *
 * The START nonce (tdi-begin START, tdi-end LOCK) travels in a libnl
 * message buffer that is wiped (OPENSSL_cleanse) once sent or on any
 * error, before it is freed. The kernel never sends it back. Nothing here
 * prints or logs.
 */
#ifndef TSMH_COMMON_TDI_NL_H
#define TSMH_COMMON_TDI_NL_H

#include <stddef.h>
#include <stdint.h>
#include "nl.h"

#define TSMH_TDINL_NAME_LEN 32 /* "DDDD:BB:DD.F" */

/* which optional attributes of a TDI were present (TSMH_TDINL_H_*) */
#define TSMH_TDINL_H_OP		(1U << 0)
#define TSMH_TDINL_H_LOCK_FLAGS (1U << 1)
#define TSMH_TDINL_H_STREAM	(1U << 2)
#define TSMH_TDINL_H_MMIO	(1U << 3)
#define TSMH_TDINL_H_REPORT	(1U << 4) /* report-len and nr-ranges */
#define TSMH_TDINL_H_REPORT_GEN (1U << 5)
#define TSMH_TDINL_H_TVM	(1U << 6)
#define TSMH_TDINL_H_SINCE	(1U << 7)

/* one TSMH_A_TDI nest */
struct tsmh_tdinl_tdi {
	char dev[TSMH_TDINL_NAME_LEN], dsm[TSMH_TDINL_NAME_LEN];
	uint32_t interface_id;
	uint32_t state; /* enum tsmh_tdi_state */
	uint32_t flags; /* TSMH_TDI_F_* */
	uint32_t op; /* enum tsmh_tdi_op, if TSMH_TDINL_H_OP */
	uint32_t lock_flags, stream_id;
	uint64_t mmio_offset;
	uint32_t report_len, nr_ranges;
	uint64_t report_gen, tvm, since;
	char msg[256];
	uint32_t has; /* TSMH_TDINL_H_* */
};

struct tsmh_tdinl_list {
	struct tsmh_tdinl_tdi *t; /* malloc'd */
	unsigned int n, cap;
};

/* Decode one TSMH_A_TDI nest; pure. 0 or -EPROTO with @why. */
int tsmh_tdinl_parse(struct nlattr *nest, struct tsmh_tdinl_tdi *t, char *why, size_t whylen);
/*
 * Decode a tdi-get / tdi-begin / tdi-end reply or an evt-tdi: its tdi
 * nest into @t, its ticket into *@ticket (may be NULL; 0 if absent) and
 * its cause into *@cause (may be NULL; -1 if absent). Pure. 0 or -EPROTO
 * with @why (a reply without a tdi nest is -EPROTO).
 */
int tsmh_tdinl_parse_msg(struct nl_msg *m, struct tsmh_tdinl_tdi *t, uint64_t *ticket, int *cause,
			 char *why, size_t whylen);

/*
 * tdi-get: one TDI (@dev) or all (@dev NULL, a dump) appended to @out
 * (zeroed by the caller, freed with tsmh_tdinl_list_free() whatever the
 * result). 0 or -errno (nl->err says why).
 */
int tsmh_tdi_get(struct tsmh_nl *nl, const char *dev, struct tsmh_tdinl_list *out);
void tsmh_tdinl_list_free(struct tsmh_tdinl_list *l);
/* The TDI named @dev in @l, or NULL. */
const struct tsmh_tdinl_tdi *tsmh_tdinl_find(const struct tsmh_tdinl_list *l, const char *dev);

/* tdi-begin's request; stream_id < 0: none (the requester does not ask for IDE) */
struct tsmh_tdinl_begin {
	uint32_t op; /* enum tsmh_tdi_op */
	uint32_t lock_flags; /* LOCK: TSMH_TDI_LOCK_F_* */
	int stream_id; /* LOCK: -1 or 0-255 */
	uint64_t mmio_offset; /* LOCK */
	int has_p2p_mask;
	uint64_t p2p_mask; /* LOCK with BIND_P2P */
	const uint8_t *nonce; /* START: TSMH_TDI_NONCE_LEN bytes, or NULL */
	/*
	 * the pending 7.2 request this op carries out (tsm-cookie), 0: none:
	 * START: a guest request's; LOCK: a bind's
	 */
	uint64_t tsm_cookie;
};

/* tdi-end's request; dev_state < 0: absent; error_code < 0: absent */
struct tsmh_tdinl_end {
	uint64_t ticket;
	int32_t status; /* 0 or -errno */
	int64_t error_code; /* the device's TDISP_ERROR code, -1 if it answered none */
	int dev_state; /* enum tsmh_tdi_state the device reported afterwards, -1 if unknown */
	const uint8_t *nonce; /* LOCK: the LOCK response's nonce, or NULL */
	const uint8_t *report; /* REPORT: the whole report, or NULL */
	uint32_t report_len;
	const char *msg; /* the requester's reason, or NULL (cut to TSMH_GATE_MSG_MAX - 1) */
};

/*
 * tdi-begin for TDI @dev: the kernel's rules, then *@ticket. The TDI as
 * the kernel answered into *@t (may be NULL). 0 or -errno (nl->err: the
 * kernel's reason, naming the TDI and the rule).
 */
int tsmh_tdi_begin(struct tsmh_nl *nl, const char *dev, const struct tsmh_tdinl_begin *b,
		   uint64_t *ticket, struct tsmh_tdinl_tdi *t);
/* tdi-end: the outcome recorded; the TDI afterwards into *@t (may be NULL). */
int tsmh_tdi_end(struct tsmh_nl *nl, const char *dev, const struct tsmh_tdinl_end *e,
		 struct tsmh_tdinl_tdi *t);

/* "CONFIG_UNLOCKED", "CONFIG_LOCKED", "RUN", "ERROR", else "unknown" */
const char *tsmh_tdinl_state_name(uint32_t state);
/* "lock", "report", "start", "stop", "state", else "unknown" */
const char *tsmh_tdinl_op_name(uint32_t op);
/* "lock" ... "removed" (enum tsmh_tdi_cause, as the YAML names them), else "unknown" */
const char *tsmh_tdinl_cause_name(uint32_t cause);
/* TSMH_TDI_F_* as words ("report-checked,nonce"), "" for none, into @buf */
const char *tsmh_tdinl_flags_str(uint32_t flags, char *buf, size_t len);
/* TSMH_TDI_LOCK_F_* as words ("no-fw-update,lock-msix"), "" for none, into @buf */
const char *tsmh_tdinl_lock_flags_str(uint32_t flags, char *buf, size_t len);

#endif
