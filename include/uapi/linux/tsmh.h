/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * tsm-host generic netlink interface, family "tsmh".
 *
 * The family is described in docs/netlink/tsmh.yaml, the one source of
 * the schema: scripts/nlgen.py --check (make check) fails if a name or
 * value here disagrees with it.
 *
 * Versioning: TSMH_GENL_VERSION is the family version in the genl header;
 * TSMH_A_ABI_VERSION in GET_CAPS is bumped whenever a command or attribute
 * changes meaning. Attributes are only ever added. Requests are validated
 * strictly: unknown attributes, attributes that only appear in replies,
 * unknown flag bits and non-zero reserved fields are rejected with an
 * extended ACK message naming the problem.
 *
 * Privileges (docs/design.md, "Privileges"): commands marked (sys-admin)
 * need CAP_SYS_ADMIN, the privilege binding a driver through sysfs takes;
 * (admin) means CAP_NET_ADMIN or CAP_SYS_ADMIN. The check is
 * netlink_capable(): both the process that opened the socket and the one
 * sending need the capability in the initial user namespace (the family
 * exists in the initial network namespace only). Without it: -EPERM, the
 * extended ACK naming the capability. GET_CAPS, DEV_GET and the events
 * group are open to every user, but TSMH_A_DEV_SERIAL and
 * TSMH_A_ACCEPT_DIGEST go only to requesters with CAP_SYS_ADMIN and
 * never into events.
 */
#ifndef _UAPI_LINUX_TSMH_H
#define _UAPI_LINUX_TSMH_H

#include <linux/types.h>

#define TSMH_GENL_NAME		"tsmh"
#define TSMH_GENL_VERSION	1
#define TSMH_GENL_MCGRP_EVENTS	"events"
/* 2: evidence store (EVIDENCE_PUT/COMMIT/ABORT/GET, EVT_EVIDENCE) */
/* 3: driver gate, accepted evidence, reset detection (GATE_SET, EVT_GATE, EVT_RESET) */
/* 4: evidence object TSMH_EV_VERIFIED; EVIDENCE_COMMIT keeps objects (KEEP_MASK) */
/* 5: IDE streams (IDE_GET, IDE_STREAM_NEW/ENABLE/DEL, IDE_KEY_PROG, IDE_KSET, EVT_IDE),
 *    7.2 link TSM hand-off (EVT_TSM_REQ, TSM_DONE)
 */
/* 6: TDISP TDIs (TDI_GET, TDI_BEGIN, TDI_END, EVT_TDI) */
#define TSMH_ABI_VERSION	6

/* Largest DOE payload carried in one netlink attribute (bytes). */
#define TSMH_DOE_PAYLOAD_MAX	65528

enum tsmh_cmd {
	TSMH_CMD_UNSPEC,
	TSMH_CMD_GET_CAPS,	/* do: ABI version, backends, limits; creates nothing */
	TSMH_CMD_DEV_GET,	/* do (TSMH_A_DEV_NAME) or dump: tracked devices */
	TSMH_CMD_DOE_EXCHANGE,	/* do (admin: discovery, else sys-admin): one DOE request/response */
	TSMH_CMD_DOE_CLAIM,	/* do (sys-admin): take SPDM ownership of a mailbox */
	TSMH_CMD_DOE_RELEASE,	/* do (sys-admin): give it back */
	TSMH_CMD_EVT_DEV_ADD,	/* event: device tracked (attrs as DEV_GET but serial, digest) */
	TSMH_CMD_EVT_DEV_DEL,	/* event: device gone (TSMH_A_DEV_NAME) */
	/* evidence store (ABI 2), see "Evidence" below */
	TSMH_CMD_EVIDENCE_PUT,	/* do (sys-admin): one chunk into the caller's staging set */
	TSMH_CMD_EVIDENCE_COMMIT, /* do (sys-admin): staging set becomes the device's evidence */
	TSMH_CMD_EVIDENCE_ABORT, /* do (sys-admin): discard the caller's staging set */
	TSMH_CMD_EVIDENCE_GET,	/* dump (admin): the device's evidence, chunked */
	TSMH_CMD_EVT_EVIDENCE,	/* event: evidence committed (dev name, generation) */
	/* driver gate (ABI 3), see "Driver gate" below */
	TSMH_CMD_GATE_SET,	/* do (sys-admin): hold, release or quarantine a device */
	TSMH_CMD_EVT_GATE,	/* event: gate state changed (attrs as DEV_GET but serial, digest) */
	TSMH_CMD_EVT_RESET,	/* event: device reset seen (DEV_NAME, RESET_KIND, RESET_COUNT) */
	/* IDE (ABI 5) */
	TSMH_CMD_IDE_GET,	/* do (DEV_NAME) or dump: IDE ports, capacity, streams */
	TSMH_CMD_IDE_STREAM_NEW, /* do (sys-admin): allocate and set up a stream, not enabled */
	TSMH_CMD_IDE_KEY_PROG,	/* do (sys-admin): one root-port key into the key backend */
	TSMH_CMD_IDE_KSET,	/* do (sys-admin): root-port K_SET_GO / K_SET_STOP */
	TSMH_CMD_IDE_STREAM_ENABLE, /* do (sys-admin): enable both ends, read the state */
	TSMH_CMD_IDE_STREAM_DEL, /* do (sys-admin): disable, wipe, free */
	TSMH_CMD_EVT_IDE,	/* event: a stream changed (DEV_NAME, IDE_EVENT, IDE_STREAM) */
	TSMH_CMD_EVT_TSM_REQ,	/* event: 7.2 tsm/connect or disconnect asks the daemon */
	TSMH_CMD_TSM_DONE,	/* do (sys-admin): the daemon's answer to EVT_TSM_REQ */
	/* TDISP (ABI 6), see "TDIs" below */
	TSMH_CMD_TDI_GET,	/* do (DEV_NAME) or dump: TDIs and the kernel's state */
	TSMH_CMD_TDI_BEGIN,	/* do (sys-admin): the kernel's rules, then a ticket */
	TSMH_CMD_TDI_END,	/* do (sys-admin): the outcome, validated and recorded */
	TSMH_CMD_EVT_TDI,	/* event: a TDI changed (DEV_NAME, TDI_CAUSE, TDI) */
	__TSMH_CMD_MAX,
};
#define TSMH_CMD_MAX (__TSMH_CMD_MAX - 1)

enum tsmh_attr {
	TSMH_A_UNSPEC,
	TSMH_A_PAD,
	/* GET_CAPS reply */
	TSMH_A_ABI_VERSION,	/* u32 */
	TSMH_A_DOE_BACKEND,	/* u32, enum tsmh_doe_backend */
	TSMH_A_DOE_PAYLOAD_MAX,	/* u32, bytes */
	TSMH_A_KERNEL_RELEASE,	/* string, the running kernel */
	/* device identity and capabilities */
	TSMH_A_DEV_NAME,	/* string: PCI name "DDDD:BB:DD.F"; request key */
	TSMH_A_DEV_VENDOR,	/* u16 */
	TSMH_A_DEV_DEVICE,	/* u16 */
	TSMH_A_DEV_CLASS,	/* u32, class code << 8 | revision */
	TSMH_A_DEV_PCIE_TYPE,	/* u8, PCIe device/port type */
	TSMH_A_DEV_FLAGS,	/* u32, TSMH_DEV_F_* */
	TSMH_A_DEV_IDE_OFFSET,	/* u16, IDE extended capability */
	TSMH_A_DEV_IDE_CAP,	/* u32, IDE Capability register */
	TSMH_A_DEV_MAILBOX,	/* nest, multi: enum tsmh_mb_attr */
	TSMH_A_DEV_ANOMALIES,	/* u32, config-space anomalies (lib/pcicap.h) */
	TSMH_A_DEV_SERIAL,	/* u64, Device Serial Number if present (CAP_SYS_ADMIN only) */
	/* DOE exchange / claim request */
	TSMH_A_MB_OFFSET,	/* u16, pick the mailbox by capability offset */
	TSMH_A_DOE_VENDOR,	/* u16, data object protocol vendor */
	TSMH_A_DOE_TYPE,	/* u8, data object protocol type */
	TSMH_A_DOE_REQUEST,	/* binary, payload without DOE header */
	TSMH_A_DOE_RESPONSE,	/* binary (reply), payload without DOE header */
	TSMH_A_FLAGS,		/* u32, per-command flags; unknown bits rejected */
	/* evidence (ABI 2) */
	TSMH_A_EV_TYPE,		/* u32, enum tsmh_ev_type */
	TSMH_A_EV_TYPE_MASK,	/* u32, BIT(enum tsmh_ev_type); GET filter */
	TSMH_A_EV_OFFSET,	/* u32, byte offset of TSMH_A_EV_DATA in the object */
	TSMH_A_EV_TOTAL,	/* u32, object size in bytes (1..TSMH_EV_OBJ_MAX) */
	TSMH_A_EV_DATA,		/* binary, one chunk (PUT: <= TSMH_EV_CHUNK_MAX) */
	TSMH_A_EV_DIGEST,	/* binary (reply), kernel digest of a whole object */
	TSMH_A_EV_DIGEST_ALGO,	/* u32 (reply), enum tsmh_ev_digest */
	TSMH_A_EV_PROVENANCE,	/* u32, enum tsmh_ev_provenance */
	TSMH_A_EV_LOCKED,	/* u32, enum tsmh_ev_locked */
	TSMH_A_EV_SPDM_VERSION,	/* u32, SPDMVersion byte (0x12 = 1.2), opaque */
	TSMH_A_EV_HASH_ALGO,	/* u32, SPDM BaseHashAlgo bit, opaque */
	TSMH_A_EV_ASYM_ALGO,	/* u32, SPDM BaseAsymAlgo bit, opaque */
	TSMH_A_EV_SLOT_MASK,	/* u32, SPDM slot mask (bits 0-7) */
	TSMH_A_EV_TIME,		/* u64 (reply), commit time, ns since the epoch */
	TSMH_A_EV_GENERATION,	/* u64 (reply), see "Evidence" */
	TSMH_A_EV_PRESENT,	/* u32 (reply), BIT(type) of the objects held */
	TSMH_A_EV_OBJ_MAX,	/* u32 (GET_CAPS reply), TSMH_EV_OBJ_MAX */
	TSMH_A_EV_SET_MAX,	/* u32 (GET_CAPS reply), TSMH_EV_SET_MAX */
	TSMH_A_EV_STAGED,	/* u64 (GET_CAPS reply), bytes staged by all writers */
	/* driver gate (ABI 3) */
	TSMH_A_GATE_STATE,	/* u32 (reply, events), enum tsmh_gate_state */
	TSMH_A_GATE_ACTION,	/* u32 (GATE_SET), enum tsmh_gate_action */
	TSMH_A_GATE_REASON,	/* u32, enum tsmh_gate_reason */
	TSMH_A_GATE_MSG,	/* string (<= TSMH_GATE_MSG_MAX incl. NUL), why, for humans */
	TSMH_A_GATE_FLAGS,	/* u32 (reply, events), TSMH_GATE_F_* */
	TSMH_A_ACCEPT_DIGEST,	/* binary (<= TSMH_ACCEPT_DIGEST_MAX), what the verifier accepted;
				 * replies to CAP_SYS_ADMIN only */
	TSMH_A_ACCEPT_GENERATION, /* u64, evidence generation the acceptance is based on */
	TSMH_A_ACCEPT_TIME,	/* u64 (reply), ns since the epoch */
	TSMH_A_RESET_KIND,	/* u32 (EVT_RESET, reply: the last one), enum tsmh_reset_kind */
	TSMH_A_RESET_COUNT,	/* u64 (reply, EVT_RESET), resets seen since tracked;
				 * EVIDENCE_GET: the count when the evidence was taken
				 */
	TSMH_A_DRIVER,		/* string (reply, events), bound driver; absent if none */
	TSMH_A_GATE_MODE,	/* u32 (GET_CAPS reply), enum tsmh_gate_mode */
	TSMH_A_RESET_SOURCES,	/* u32 (GET_CAPS reply), BIT(enum tsmh_reset_kind) detected */
	TSMH_A_EV_KEEP_MASK,	/* u32 (EVIDENCE_COMMIT), BIT(type) kept from the current set */
	TSMH_A_EV_KEEP_GENERATION, /* u64 (EVIDENCE_COMMIT), the current set's, with KEEP_MASK */
	/* IDE (ABI 5) */
	TSMH_A_IDE_STREAM_TYPE,	/* u32, enum tsmh_ide_stream_type (IDE_STREAM_NEW) */
	TSMH_A_IDE_TC,		/* u32, traffic class 0-7 */
	TSMH_A_IDE_STREAM_ID,	/* u32, 0-254 */
	TSMH_A_IDE_KEY_SET,	/* u32, 0 or 1 */
	TSMH_A_IDE_DIR,		/* u32, enum tsmh_ide_dir */
	TSMH_A_IDE_SUB,		/* u32, enum tsmh_ide_sub */
	TSMH_A_IDE_KEY,		/* binary, TSMH_IDE_KEY_LEN bytes; wiped after use */
	TSMH_A_IDE_IFV,		/* binary, TSMH_IDE_IFV_LEN bytes; wiped after use */
	TSMH_A_IDE_KSET_OP,	/* u32, enum tsmh_ide_kset_op */
	TSMH_A_IDE_PORT,	/* nest (IDE_GET reply), enum tsmh_idep_attr */
	TSMH_A_IDE_STREAM,	/* nest, multi (replies, events), enum tsmh_ides_attr */
	TSMH_A_IDE_EVENT,	/* u32 (EVT_IDE), enum tsmh_ide_event */
	TSMH_A_TSM_COOKIE,	/* u64, EVT_TSM_REQ / TSM_DONE */
	TSMH_A_TSM_OP,		/* u32, enum tsmh_tsm_op */
	TSMH_A_TSM_STATUS,	/* s32, TSM_DONE: 0 or -errno */
	TSMH_A_TDI,		/* nest (replies, events), enum tsmh_tdi_attr */
	TSMH_A_TDI_OP,		/* u32, enum tsmh_tdi_op (TDI_BEGIN) */
	TSMH_A_TDI_LOCK_FLAGS,	/* u32, TSMH_TDI_LOCK_F_* (TDI_BEGIN lock) */
	TSMH_A_TDI_STREAM_ID,	/* u32, default stream ID (TDI_BEGIN lock) */
	TSMH_A_TDI_MMIO_OFFSET,	/* u64, MMIO_REPORTING_OFFSET (TDI_BEGIN lock) */
	TSMH_A_TDI_P2P_MASK,	/* u64, BIND_P2P_ADDRESS_MASK (TDI_BEGIN lock) */
	TSMH_A_TDI_TICKET,	/* u64, TDI_BEGIN reply, TDI_END */
	TSMH_A_TDI_NONCE,	/* binary, TSMH_TDI_NONCE_LEN; wiped; never sent back */
	TSMH_A_TDI_REPORT,	/* binary, TDI_END (report): the whole report */
	TSMH_A_TDI_DEV_STATE,	/* u32, enum tsmh_tdi_state (TDI_END) */
	TSMH_A_TDI_STATUS,	/* s32, TDI_END: 0 or -errno */
	TSMH_A_TDI_ERROR,	/* u32, TDI_END: TDISP_ERROR code */
	TSMH_A_TDI_MSG,		/* string, TDI_END: the requester's reason */
	TSMH_A_TDI_CAUSE,	/* u32, enum tsmh_tdi_cause (EVT_TDI) */
	__TSMH_A_MAX,
};
#define TSMH_A_MAX (__TSMH_A_MAX - 1)

/* TSMH_A_IDE_PORT nest */
enum tsmh_idep_attr {
	TSMH_IDEP_A_UNSPEC,
	TSMH_IDEP_A_ROLE,	/* u32, enum tsmh_ide_role */
	TSMH_IDEP_A_OFFSET,	/* u16, IDE extended capability */
	TSMH_IDEP_A_CAP,	/* u32, IDE Capability register */
	TSMH_IDEP_A_NR_SEL,	/* u32, selective stream register blocks */
	TSMH_IDEP_A_SEL_USED,	/* u32 */
	TSMH_IDEP_A_NR_LINK,	/* u32, link stream register blocks (TCs) */
	TSMH_IDEP_A_LINK_USED,	/* u32 */
	TSMH_IDEP_A_HB_NAME,	/* string, host bridge (pciDDDD:BB) */
	TSMH_IDEP_A_HB_STREAMS,	/* u32, stream IDs in the host bridge's pool */
	TSMH_IDEP_A_HB_USED,	/* u32, pool slots in use (all its root ports) */
	TSMH_IDEP_A_KEY_BACKEND, /* u32, enum tsmh_ide_key_backend (root ports) */
	TSMH_IDEP_A_PLATFORM,	/* string, who owns the root-port keys without a host backend */
	TSMH_IDEP_A_UPSTREAM,	/* string, endpoints: their root port */
	__TSMH_IDEP_A_MAX,
};
#define TSMH_IDEP_A_MAX (__TSMH_IDEP_A_MAX - 1)

/* TSMH_A_IDE_STREAM nest */
enum tsmh_ides_attr {
	TSMH_IDES_A_UNSPEC,
	TSMH_IDES_A_ID,		/* u32 */
	TSMH_IDES_A_TYPE,	/* u32, enum tsmh_ide_stream_type */
	TSMH_IDES_A_TC,		/* u32 */
	TSMH_IDES_A_RP_NAME,	/* string */
	TSMH_IDES_A_RP_BLOCK,	/* u32, selective block index or link block */
	TSMH_IDES_A_EP_NAME,	/* string */
	TSMH_IDES_A_EP_BLOCK,	/* u32 */
	TSMH_IDES_A_RID_BASE,	/* u32, segment << 16 | RID */
	TSMH_IDES_A_RID_LIMIT,	/* u32, segment << 16 | RID */
	TSMH_IDES_A_ADDR,	/* nest, multi: enum tsmh_idea_attr */
	TSMH_IDES_A_KEY_SET,	/* u32, the root port's active key set; absent: none */
	TSMH_IDES_A_KEYS,	/* u32, root-port keys programmed: bit set*6 + dir*3 + sub */
	TSMH_IDES_A_RP_STATE,	/* u32, status register state, read now */
	TSMH_IDES_A_EP_STATE,	/* u32 */
	TSMH_IDES_A_RP_FAIL,	/* u32, 1 if IDE_FAIL */
	TSMH_IDES_A_EP_FAIL,	/* u32 */
	TSMH_IDES_A_FLAGS,	/* u32, TSMH_IDE_S_F_* */
	TSMH_IDES_A_CREATED,	/* u64, ns since the epoch */
	__TSMH_IDES_A_MAX,
};
#define TSMH_IDES_A_MAX (__TSMH_IDES_A_MAX - 1)

/* TSMH_A_TDI nest */
enum tsmh_tdi_attr {
	TSMH_TDI_A_UNSPEC,
	TSMH_TDI_A_DEV,		/* string, the TDI */
	TSMH_TDI_A_DSM,		/* string, function 0 or the VF's PF */
	TSMH_TDI_A_INTERFACE_ID, /* u32, TDISP function ID */
	TSMH_TDI_A_STATE,	/* u32, enum tsmh_tdi_state */
	TSMH_TDI_A_FLAGS,	/* u32, TSMH_TDI_F_* */
	TSMH_TDI_A_OP,		/* u32, enum tsmh_tdi_op in flight */
	TSMH_TDI_A_LOCK_FLAGS,	/* u32, as locked */
	TSMH_TDI_A_STREAM_ID,	/* u32, as locked */
	TSMH_TDI_A_MMIO_OFFSET,	/* u64, as locked */
	TSMH_TDI_A_REPORT_LEN,	/* u32 */
	TSMH_TDI_A_NR_RANGES,	/* u32 */
	TSMH_TDI_A_REPORT_GEN,	/* u64, evidence generation holding the report */
	TSMH_TDI_A_TVM,		/* u64, bound TVM (7.2) */
	TSMH_TDI_A_MSG,		/* string, why the last change */
	TSMH_TDI_A_SINCE,	/* u64, ns since the epoch */
	__TSMH_TDI_A_MAX,
};
#define TSMH_TDI_A_MAX (__TSMH_TDI_A_MAX - 1)

enum tsmh_idea_attr {
	TSMH_IDEA_A_UNSPEC,
	TSMH_IDEA_A_BASE,	/* u64, first byte (1 MiB aligned) */
	TSMH_IDEA_A_LIMIT,	/* u64, last byte */
	__TSMH_IDEA_A_MAX,
};
#define TSMH_IDEA_A_MAX (__TSMH_IDEA_A_MAX - 1)

/* TSMH_A_DEV_MAILBOX nest */
enum tsmh_mb_attr {
	TSMH_MB_A_UNSPEC,
	TSMH_MB_A_OFFSET,	/* u16 */
	TSMH_MB_A_PROTOCOL,	/* nest, multi: enum tsmh_prot_attr */
	TSMH_MB_A_OWNER,	/* u32, enum tsmh_owner */
	TSMH_MB_A_OWNER_ID,	/* u32, netlink port id of a host owner (shown only: the claim is the socket's) */
	TSMH_MB_A_OWNER_NAME,	/* string, e.g. "tsmd" or a backend name */
	TSMH_MB_A_DISCOVERY_ERR, /* s32, -errno if DOE discovery failed */
	TSMH_MB_A_EXCHANGES,	/* u64, completed exchanges */
	__TSMH_MB_A_MAX,
};
#define TSMH_MB_A_MAX (__TSMH_MB_A_MAX - 1)

enum tsmh_prot_attr {
	TSMH_PROT_A_UNSPEC,
	TSMH_PROT_A_VENDOR,	/* u16 */
	TSMH_PROT_A_TYPE,	/* u8 */
	__TSMH_PROT_A_MAX,
};
#define TSMH_PROT_A_MAX (__TSMH_PROT_A_MAX - 1)

/* TSMH_A_DEV_FLAGS */
#define TSMH_DEV_F_TEE_IO	(1U << 0) /* Device Capabilities: TEE-IO Supported */
#define TSMH_DEV_F_IDE		(1U << 1) /* IDE extended capability present */
#define TSMH_DEV_F_DOE		(1U << 2) /* at least one DOE mailbox */
#define TSMH_DEV_F_CMA		(1U << 3) /* a mailbox offers CMA/SPDM */
#define TSMH_DEV_F_SEC_CMA	(1U << 4) /* a mailbox offers secured CMA/SPDM */
#define TSMH_DEV_F_DISCOVERED	(1U << 5) /* DOE discovery has completed */

enum tsmh_doe_backend {
	TSMH_DOE_BACKEND_NONE,
	TSMH_DOE_BACKEND_KERNEL,  /* the kernel's pci_doe() (Linux >= 6.5) */
	TSMH_DOE_BACKEND_CFG,	  /* tsmh's own config-space mailbox driver */
	__TSMH_DOE_BACKEND_NR,
};

enum tsmh_owner {
	TSMH_OWNER_NONE,
	TSMH_OWNER_HOST,	/* a userspace SPDM requester (netlink socket) */
	TSMH_OWNER_FIRMWARE,	/* a firmware TSM backend (PSP, TDX module, RMM) */
};

/* TSMH_A_FLAGS for TSMH_CMD_DOE_CLAIM: none defined yet (must be 0). */
#define TSMH_CLAIM_F_ALL	0U

/*
 * Evidence (ABI 2)
 *
 * The kernel keeps the latest evidence set of each tracked device: SPDM
 * certificate chains, transcripts, the signed measurements and the TDISP
 * interface report, as handed over by whoever attested the device (the
 * userspace requester; later firmware TSM shims). The kernel neither
 * parses nor judges it: it stores, digests and shows it.
 *
 * Writing (sys-admin): EVIDENCE_PUT sends one chunk (TSMH_A_DEV_NAME,
 * TSMH_A_EV_TYPE, TSMH_A_EV_OFFSET, TSMH_A_EV_TOTAL, TSMH_A_EV_DATA) into
 * a staging set private to the sending netlink socket and device. Chunks of
 * an object are contiguous from offset 0; a chunk at offset 0 (re)starts
 * that object. EVIDENCE_COMMIT (TSMH_A_EV_PROVENANCE required; LOCKED,
 * SPDM_VERSION, HASH_ALGO, ASYM_ALGO, SLOT_MASK optional, default 0)
 * atomically replaces the device's set with the staged one once every
 * staged object is complete, assigns the next generation and multicasts
 * EVT_EVIDENCE; the reply carries TSMH_A_EV_GENERATION. With
 * TSMH_A_EV_KEEP_MASK (ABI 4) the objects it names are copied into the new
 * set from the current one, which must be generation
 * TSMH_A_EV_KEEP_GENERATION (else ESTALE), must hold them (else ENOENT),
 * and which the writer must not also have staged (EINVAL). The new set,
 * kept objects included, carries the staging set's reset count: the writer
 * vouches that they are still the device's (a re-attestation does: they are
 * the chains whose digests the device reported after the reset). EVIDENCE_ABORT
 * discards the staged objects. A staging set dies with its socket, with
 * the device and with its commit.
 *
 * Freshness: a staging set starts at its socket's first DOE_EXCHANGE with
 * the device other than DOE discovery (the attestation the evidence comes
 * from), else at its first EVIDENCE_PUT, and records the device's reset
 * count (TSMH_A_RESET_COUNT of DEV_GET) then; an SPDM GET_VERSION restarts
 * a staging set that holds no object. The committed set keeps that count:
 * evidence taken before the device's last reset cannot release it as
 * attested (see "Driver gate").
 *
 * Reading (admin: CAP_NET_ADMIN or CAP_SYS_ADMIN): EVIDENCE_GET is a dump
 * (TSMH_A_DEV_NAME, optional TSMH_A_EV_TYPE_MASK and TSMH_A_FLAGS). The
 * first message carries the set's metadata (PROVENANCE, LOCKED,
 * SPDM_VERSION, HASH_ALGO, ASYM_ALGO, SLOT_MASK, TIME, PRESENT,
 * DIGEST_ALGO, RESET_COUNT: the device's when it was taken); then each selected object follows in type order as chunks
 * (TYPE, OFFSET, TOTAL, DATA), or with TSMH_EV_GET_F_DIGEST as one message
 * (TYPE, TOTAL, DIGEST, DIGEST_ALGO). Every message carries DEV_NAME and
 * GENERATION. If the set is replaced while the dump runs, the dump ends
 * with -EAGAIN ("evidence updated during read"): read again.
 *
 * Generation: module-wide, strictly increasing on every commit and never
 * reused while tsmh_core is loaded; 0 is never a valid generation.
 *
 * sysfs: /sys/bus/pci/devices/DDDD:BB:DD.F/tsmh/ holds generation,
 * provenance, locked and reset_count (0444) and one file per object held, named as in
 * tsmh_ev_type (cert0 ... meas-transcript), 0400.
 */
#define TSMH_EV_OBJ_MAX		0x01000000U /* bytes per object (16 MiB) */
#define TSMH_EV_SET_MAX		0x04000000U /* bytes per staged set (64 MiB) */
#define TSMH_EV_CHUNK_MAX	65528U	    /* TSMH_A_EV_DATA bytes per PUT */
#define TSMH_EV_DIGEST_MAX	64	    /* largest TSMH_A_EV_DIGEST */

/* Object types; the first eleven as in the pci-tsm netlink spec. */
enum tsmh_ev_type {
	TSMH_EV_CERT0,		/* SPDM certificate chain of slot 0 (.. 7) */
	TSMH_EV_CERT1,
	TSMH_EV_CERT2,
	TSMH_EV_CERT3,
	TSMH_EV_CERT4,
	TSMH_EV_CERT5,
	TSMH_EV_CERT6,
	TSMH_EV_CERT7,
	TSMH_EV_VCA,		/* VCA transcript (GET_VERSION .. ALGORITHMS) */
	TSMH_EV_MEASUREMENTS,	/* signed GET_MEASUREMENTS response */
	TSMH_EV_REPORT,		/* TDISP DEVICE_INTERFACE_REPORT */
	TSMH_EV_CHALLENGE,	/* CHALLENGE_AUTH signed transcript */
	TSMH_EV_MEAS_TRANSCRIPT, /* L1/L2 transcript the MEASUREMENTS signature covers */
	TSMH_EV_VERIFIED,	/* the verifier's record of the chains that verified (text) */
	__TSMH_EV_NR,
};
#define TSMH_EV_NR		__TSMH_EV_NR
#define TSMH_EV_TYPE_MASK_ALL	((1U << TSMH_EV_NR) - 1)

enum tsmh_ev_provenance {
	TSMH_EV_PROV_UNSPEC,	/* refused in requests */
	TSMH_EV_PROV_SPDM,	/* host SPDM requester over CMA/DOE */
	TSMH_EV_PROV_TDISP_REPORT, /* from a TDISP interface report */
	TSMH_EV_PROV_FIRMWARE_TSM, /* handed over by a firmware TSM */
	__TSMH_EV_PROV_NR,
};

/* Was the evidence taken before or after the TDI was locked? */
enum tsmh_ev_locked {
	TSMH_EV_LOCKED_UNKNOWN,
	TSMH_EV_LOCKED_UNLOCKED,
	TSMH_EV_LOCKED_LOCKED,
	__TSMH_EV_LOCKED_NR,
};

enum tsmh_ev_digest {
	TSMH_EV_DIGEST_NONE,
	TSMH_EV_DIGEST_SHA384,	/* 48 bytes, computed by the kernel at commit */
};

/* TSMH_A_FLAGS for EVIDENCE_GET */
#define TSMH_EV_GET_F_DIGEST	(1U << 0) /* digests instead of data */
#define TSMH_EV_GET_F_ALL	TSMH_EV_GET_F_DIGEST

/*
 * Driver gate (ABI 3)
 *
 * With the module parameter gate=on (the default), every tracked PCIe
 * endpoint that could be attested (TEE-IO Supported, or a DOE mailbox) is
 * held from the moment the PCI core adds it, before any driver probe:
 * built-in and already-loaded drivers included. Ports (root, switch) are
 * never held. Holding uses the device's driver_override (set to
 * TSMH_GATE_OVERRIDE, a name no driver has), so the driver_override file
 * in sysfs shows it. Once DOE discovery finds neither CMA nor TEE-IO the
 * device is released (reason NOT_CMA): there is nothing to verify -
 * unless the hold policy says otherwise:
 * - hold_ids=VVVV:DDDD[,VVVV:DDDD...] (tsmh_core parameter, writable at
 *   runtime; DDDD may be "*"; malformed: -EINVAL, nothing changed) names
 *   endpoints held whatever they advertise, DOE or not: never released
 *   as NOT_CMA ("no CMA although hold_ids names it"), gate flag
 *   TSMH_GATE_F_POLICY. A runtime write holds again (reason POLICY) a
 *   device the module released as NOT_CMA, adopts untracked ones as at
 *   load, and leaves ADMIN/EXEMPT/ATTESTED/BYPASS releases alone.
 * - Every function of a multi-function device other than function 0
 *   (with ARI: of the bus), and every VF of a PF, follows its leader
 *   (function 0, the PF) when tsmh_core gates that: while the leader is
 *   HELD (any reason, QUARANTINE included) it is HELD, reason FUNCTION0,
 *   whatever it advertises; a leader going to HELD holds (unbinds) the
 *   released ones; a RELEASE of the leader lets each FUNCTION0 one go its
 *   own way (reason NEW, then the NOT_CMA rule above).
 *
 * Devices present when the module loads follow gate_bound=: "keep" (the
 * default) leaves bound ones bound (RELEASED, reason PRESENT) and holds
 * the unbound ones; "hold" unbinds and holds them all.
 *
 * GATE_SET (sys-admin): TSMH_A_DEV_NAME, TSMH_A_GATE_ACTION, optional
 * TSMH_A_GATE_REASON (RELEASE: ATTESTED, EXEMPT or ADMIN, the default;
 * HOLD: ADMIN; QUARANTINE: QUARANTINE), optional TSMH_A_GATE_MSG (control
 * characters are stored and logged as '?').
 * RELEASE with reason ATTESTED needs TSMH_A_ACCEPT_DIGEST and
 * TSMH_A_ACCEPT_GENERATION; the generation must be the device's committed
 * evidence generation, else -ESTALE ("evidence changed since it was
 * verified"), and the device must not have been reset since that evidence
 * was taken, else -ESTALE ("device reset since the evidence was taken":
 * attest again). RELEASE clears the override and asks the driver core to
 * probe; HOLD and QUARANTINE unbind the bound driver and hold (a probe
 * running at that moment finishes first and is unbound: the override and
 * the state change under the device lock, so the reply and the sysfs
 * state always match what is bound); QUARANTINE
 * then clears Bus Master Enable (TSMH_GATE_F_BME_OFF, until the next
 * RELEASE: the next driver's probe sets it again). The reply carries the
 * new state (attrs as DEV_GET, serial and digest included). Every change
 * multicasts EVT_GATE (without them).
 *
 * An administrator's own driver_override (driverctl's vfio-pci, say) is
 * kept: a hold replaces NAME by TSMH_GATE_OVERRIDE ":" NAME (no driver
 * binds, NAME's included; it survives a module unload and reload) and
 * the release puts NAME back (TSMH_GATE_F_OVERRIDE_KEPT). An override
 * someone writes while the device is held is seen at the next gate change
 * or bind, logged, flagged TSMH_GATE_F_OVERRIDE_CHANGED and left in place
 * by the release (kept inside ours by a hold): never erased.
 *
 * What HELD guarantees: no driver binds through the driver core (probe,
 * bind, new_id) while our driver_override stands, and the driver that was
 * bound has been unbound. It does not change the device's Command
 * register: a device held at hot-add or after a reset keeps Bus Master
 * and Memory Space as firmware, the reset or the last driver left them.
 * Only QUARANTINE clears Bus Master Enable, which a well-behaved device
 * honours (no DMA, no MSI); a hostile device can ignore it, only an IOMMU
 * domain that blocks the device stops its DMA. Memory Space is never
 * cleared.
 *
 * A reset of a tracked device (FLR from sysfs "reset", vfio or a driver,
 * secondary bus reset, the link reset of AER/DPC recovery) is reported as
 * EVT_RESET, once, after the reset is done, for each device it reset; an
 * error recovered without a reset (non-fatal AER) is not a reset. Power
 * loss (D3cold, suspend/hibernation) is not reported. It sets
 * TSMH_GATE_F_REATTEST until the next RELEASE with reason ATTESTED based
 * on evidence taken after it. The driver stays bound meanwhile; with
 * reset_hold=1 the module unbinds it and holds the device instead. The
 * accepted digest and generation stay as they were: the verifier compares
 * the new evidence against them.
 *
 * sysfs: /sys/bus/pci/devices/DDDD:BB:DD.F/tsmh/gate reads
 * "STATE REASON" (e.g. "held new"); CAP_SYS_ADMIN may write "release", "exempt"
 * (release, reason EXEMPT: what udev rules use) or "hold".
 *
 * Details fixed by the implementation (kmod/core/gate.c):
 * - sysfs names: states none, held, released; reasons none, new, present,
 *   admin, attested, exempt, quarantine, not-cma, bypass, reset, policy,
 *   function0.
 * - GATE_SET on a device that is not gated (a port, or neither TEE-IO nor
 *   DOE, nor hold_ids, nor a gated leader) is -EOPNOTSUPP. With gate=off GATE_SET still works (an explicit
 *   administrator request); only the automatic hold is off.
 * - ACCEPT_DIGEST/ACCEPT_GENERATION with anything but RELEASE/ATTESTED,
 *   a GATE_MSG longer than TSMH_GATE_MSG_MAX - 1 bytes and a digest
 *   outside 1..TSMH_ACCEPT_DIGEST_MAX bytes are -EINVAL with a message.
 * - Replies and events carry RESET_KIND only once a reset was seen, and
 *   ACCEPT_* only after an ATTESTED release.
 * - Unloading tsmh_core leaves held devices held (driver_override stays
 *   TSMH_GATE_OVERRIDE[:NAME]); loading again adopts them (HELD, PRESENT);
 *   loading with gate=off clears that override (puts NAME back) and
 *   probes them.
 * - A DOE discovery that failed keeps the device held (no NOT_CMA).
 * - A hot-added endpoint tsmh_core cannot examine (allocation or config
 *   read failure) gets TSMH_GATE_OVERRIDE all the same, untracked: fail
 *   closed, logged; clearing driver_override by hand releases it.
 */
#define TSMH_GATE_OVERRIDE	"tsmh-held"
#define TSMH_GATE_MSG_MAX	128
#define TSMH_ACCEPT_DIGEST_MAX	64

enum tsmh_gate_mode {
	TSMH_GATE_MODE_OFF,	/* gate=off: nothing is held */
	TSMH_GATE_MODE_ON,	/* gate=on */
};

enum tsmh_gate_state {
	TSMH_GATE_NONE,		/* not gated (gate=off, or a port) */
	TSMH_GATE_HELD,		/* no driver may bind */
	TSMH_GATE_RELEASED,	/* drivers may bind */
	__TSMH_GATE_STATE_NR,
};

enum tsmh_gate_action {
	TSMH_GATE_ACT_UNSPEC,	/* refused */
	TSMH_GATE_ACT_HOLD,
	TSMH_GATE_ACT_RELEASE,
	TSMH_GATE_ACT_QUARANTINE,
	__TSMH_GATE_ACT_NR,
};

enum tsmh_gate_reason {
	TSMH_GATE_R_NONE,
	TSMH_GATE_R_NEW,	/* held since the PCI core added it */
	TSMH_GATE_R_PRESENT,	/* present when tsmh_core loaded */
	TSMH_GATE_R_ADMIN,	/* GATE_SET or sysfs by an administrator */
	TSMH_GATE_R_ATTESTED,	/* verified and accepted (see ACCEPT_*) */
	TSMH_GATE_R_EXEMPT,	/* exempt by admin policy (udev rule) */
	TSMH_GATE_R_QUARANTINE,	/* unbound and held: verification failed */
	TSMH_GATE_R_NOT_CMA,	/* nothing to verify (no CMA, no TEE-IO) */
	TSMH_GATE_R_BYPASS,	/* a driver bound while held (driver_override changed) */
	TSMH_GATE_R_RESET,	/* held after a reset (reset_hold=1) */
	TSMH_GATE_R_POLICY,	/* held again: hold_ids names it (was NOT_CMA) */
	TSMH_GATE_R_FUNCTION0,	/* held while function 0 (a VF: its PF) is held */
	__TSMH_GATE_R_NR,
};

/* TSMH_A_GATE_FLAGS */
#define TSMH_GATE_F_REATTEST	(1U << 0) /* reset since the last acceptance */
#define TSMH_GATE_F_BME_OFF	(1U << 1) /* quarantine cleared Bus Master Enable */
#define TSMH_GATE_F_POLICY	(1U << 2) /* hold_ids names the device */
#define TSMH_GATE_F_OVERRIDE_KEPT	(1U << 3) /* an admin's driver_override kept */
#define TSMH_GATE_F_OVERRIDE_CHANGED	(1U << 4) /* driver_override changed while held */

enum tsmh_reset_kind {
	TSMH_RESET_UNKNOWN,
	TSMH_RESET_FLR,		/* function reset (pci_reset_function & co.) */
	TSMH_RESET_BUS,		/* secondary bus / slot reset */
	TSMH_RESET_RECOVERY,	/* a link reset during AER / DPC error recovery */
	__TSMH_RESET_NR,
};

/*
 * IDE streams (ABI 5; docs/design.md "Connect")
 *
 * The kernel owns every stream: IDs, register blocks at both ends,
 * association registers, enable, and the root port's keys where the host
 * can program them (TSMH_IDE_KB_SIM). The endpoint's keys travel in the
 * SPDM session (IDE_KM), which userspace owns. tsmctl connect: IDE_STREAM_NEW,
 * six IDE_KEY_PROG + KEY_PROG at the endpoint, IDE_KSET GO + K_SET_GO,
 * IDE_STREAM_ENABLE, state SECURE; any failure: IDE_STREAM_DEL.
 */
#define TSMH_IDE_KEY_LEN	32
#define TSMH_IDE_IFV_LEN	8

enum tsmh_ide_stream_type {
	TSMH_IDE_TYPE_SELECTIVE,
	TSMH_IDE_TYPE_LINK,
	__TSMH_IDE_TYPE_NR,
};

/* a key's direction, seen from the root port (its TX is the endpoint's RX) */
enum tsmh_ide_dir {
	TSMH_IDE_DIR_RX,
	TSMH_IDE_DIR_TX,
	__TSMH_IDE_DIR_NR,
};

/* sub-stream, as IDE_KM's key_sub_stream bits 7:4 */
enum tsmh_ide_sub {
	TSMH_IDE_SUB_PR,
	TSMH_IDE_SUB_NPR,
	TSMH_IDE_SUB_CPL,
	__TSMH_IDE_SUB_NR,
};

enum tsmh_ide_kset_op {
	TSMH_IDE_KSET_GO,
	TSMH_IDE_KSET_STOP,
	__TSMH_IDE_KSET_NR,
};

enum tsmh_ide_role {
	TSMH_IDE_ROLE_ROOT_PORT,
	TSMH_IDE_ROLE_ENDPOINT,
	TSMH_IDE_ROLE_OTHER,
	__TSMH_IDE_ROLE_NR,
};

enum tsmh_ide_key_backend {
	TSMH_IDE_KB_NONE,	/* a platform TSM owns the root port's keys */
	TSMH_IDE_KB_SIM,	/* tsmh_sim's host-programmable key unit */
	__TSMH_IDE_KB_NR,
};

/* TSMH_IDES_A_FLAGS */
#define TSMH_IDE_S_F_ENABLED	(1U << 0) /* both ends enabled */
#define TSMH_IDE_S_F_SECURE	(1U << 1) /* both ends read SECURE */
#define TSMH_IDE_S_F_RESET	(1U << 2) /* an end was reset since enable: insecure */
#define TSMH_IDE_S_F_CLAIMED	(1U << 3) /* active at load: claimed, not ours */
#define TSMH_IDE_S_F_CFG_WRITE	(1U << 4) /* an end's control written since enable
					   * while a TDI was locked with it (Enable
					   * cleared, stream ID changed): insecure */

enum tsmh_ide_event {
	TSMH_IDE_EVT_NEW,
	TSMH_IDE_EVT_KEYED,
	TSMH_IDE_EVT_ENABLED,
	TSMH_IDE_EVT_INSECURE,
	TSMH_IDE_EVT_DELETED,
	__TSMH_IDE_EVT_NR,
};

enum tsmh_tsm_op {
	TSMH_TSM_OP_CONNECT,
	TSMH_TSM_OP_DISCONNECT,
	/*
	 * 7.2 TSM core bind/unbind/guest_req (ABI 6 additions): BIND asks
	 * the daemon to LOCK the TDI and get its report checked, UNBIND to
	 * STOP it, GUEST_REQ to run the evt-tsm-req's tdi-op (START) begun
	 * with tdi-begin carrying the request's tsm-cookie.
	 */
	TSMH_TSM_OP_BIND,
	TSMH_TSM_OP_UNBIND,
	TSMH_TSM_OP_GUEST_REQ,
	__TSMH_TSM_OP_NR,
};

/*
 * TDIs (ABI 6; docs/design.md "TDISP (kernel)"). The kernel owns each
 * TDI's state; TDISP messages travel inside the requester's SPDM session,
 * which the kernel cannot read. A requester (tsmctl, tsmd) asks
 * TDI_BEGIN before it sends a request (the kernel's rules are checked,
 * nothing is sent if they fail), then reports the outcome with TDI_END
 * (the kernel validates what it can and records it).
 */
enum tsmh_tdi_state {
	TSMH_TDI_STATE_CONFIG_UNLOCKED,
	TSMH_TDI_STATE_CONFIG_LOCKED,
	TSMH_TDI_STATE_RUN,
	TSMH_TDI_STATE_ERROR,
	__TSMH_TDI_STATE_NR,
};

enum tsmh_tdi_op {
	TSMH_TDI_OP_LOCK,
	TSMH_TDI_OP_REPORT,
	TSMH_TDI_OP_START,
	TSMH_TDI_OP_STOP,
	TSMH_TDI_OP_STATE,
	__TSMH_TDI_OP_NR,
};

/* TSMH_A_TDI_LOCK_FLAGS: LOCK_INTERFACE_REQUEST FLAGS, bit for bit */
#define TSMH_TDI_LOCK_F_NO_FW_UPDATE		(1U << 0)
#define TSMH_TDI_LOCK_F_CACHE_LINE_128		(1U << 1)
#define TSMH_TDI_LOCK_F_LOCK_MSIX		(1U << 2)
#define TSMH_TDI_LOCK_F_BIND_P2P		(1U << 3)
#define TSMH_TDI_LOCK_F_ALL_REQUEST_REDIRECT	(1U << 4)

/* TSMH_TDI_A_FLAGS */
#define TSMH_TDI_F_REPORT_CHECKED	(1U << 0) /* report recorded and checked since LOCK */
#define TSMH_TDI_F_NONCE		(1U << 1) /* START nonce held (never shown) */
#define TSMH_TDI_F_HOST_STARTED		(1U << 2) /* RUN by a host requester (host-native mode) */
#define TSMH_TDI_F_BOUND		(1U << 3) /* bound to a TVM (7.2 pci_tsm_bind) */
#define TSMH_TDI_F_PENDING		(1U << 4) /* an operation is in flight */

enum tsmh_tdi_cause {
	TSMH_TDI_CAUSE_LOCK,
	TSMH_TDI_CAUSE_REPORT,
	TSMH_TDI_CAUSE_START,
	TSMH_TDI_CAUSE_STOP,
	TSMH_TDI_CAUSE_FLR,		/* reset: CONFIG_UNLOCKED */
	TSMH_TDI_CAUSE_CONFIG_WRITE,	/* MSE/BME cleared while locked/running: ERROR */
	TSMH_TDI_CAUSE_MISMATCH,	/* device state != kernel state: ERROR */
	TSMH_TDI_CAUSE_REPORT_INVALID,	/* report failed the BAR check: ERROR */
	TSMH_TDI_CAUSE_REQUESTER_GONE,	/* socket closed / timed out mid-operation: ERROR */
	TSMH_TDI_CAUSE_IDE_LOST,	/* the DSM's stream went insecure: ERROR */
	TSMH_TDI_CAUSE_FAILED,		/* failed without a TDISP_ERROR: ERROR */
	TSMH_TDI_CAUSE_REMOVED,
	__TSMH_TDI_CAUSE_NR,
};

#define TSMH_TDI_NONCE_LEN	32

#endif /* _UAPI_LINUX_TSMH_H */
