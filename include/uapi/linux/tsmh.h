/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * tsm-host generic netlink interface, family "tsmh".
 *
 * The family is described in docs/netlink/tsmh.yaml; keep the two in step.
 *
 * Versioning: TSMH_GENL_VERSION is the family version in the genl header;
 * TSMH_A_ABI_VERSION in GET_CAPS is bumped whenever a command or attribute
 * changes meaning. Attributes are only ever added. Requests are validated
 * strictly: unknown attributes, attributes that only appear in replies,
 * unknown flag bits and non-zero reserved fields are rejected with an
 * extended ACK message naming the problem.
 *
 * Privileges: commands marked (admin) need CAP_NET_ADMIN in the network
 * namespace owning the socket (GENL_ADMIN_PERM). Read-only commands are
 * open to every user.
 */
#ifndef _UAPI_LINUX_TSMH_H
#define _UAPI_LINUX_TSMH_H

#include <linux/types.h>

#define TSMH_GENL_NAME		"tsmh"
#define TSMH_GENL_VERSION	1
#define TSMH_GENL_MCGRP_EVENTS	"events"
#define TSMH_ABI_VERSION	1

/* Largest DOE payload carried in one netlink attribute (bytes). */
#define TSMH_DOE_PAYLOAD_MAX	65528

enum tsmh_cmd {
	TSMH_CMD_UNSPEC,
	TSMH_CMD_GET_CAPS,	/* do: ABI version, backends, limits; creates nothing */
	TSMH_CMD_DEV_GET,	/* do (TSMH_A_DEV_NAME) or dump: tracked devices */
	TSMH_CMD_DOE_EXCHANGE,	/* do (admin): one DOE request/response */
	TSMH_CMD_DOE_CLAIM,	/* do (admin): take SPDM ownership of a mailbox */
	TSMH_CMD_DOE_RELEASE,	/* do (admin): give it back */
	TSMH_CMD_EVT_DEV_ADD,	/* event: device tracked (attrs as DEV_GET) */
	TSMH_CMD_EVT_DEV_DEL,	/* event: device gone (TSMH_A_DEV_NAME) */
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
	TSMH_A_DEV_SERIAL,	/* u64, Device Serial Number if present */
	/* DOE exchange / claim request */
	TSMH_A_MB_OFFSET,	/* u16, pick the mailbox by capability offset */
	TSMH_A_DOE_VENDOR,	/* u16, data object protocol vendor */
	TSMH_A_DOE_TYPE,	/* u8, data object protocol type */
	TSMH_A_DOE_REQUEST,	/* binary, payload without DOE header */
	TSMH_A_DOE_RESPONSE,	/* binary (reply), payload without DOE header */
	TSMH_A_FLAGS,		/* u32, per-command flags; unknown bits rejected */
	__TSMH_A_MAX,
};
#define TSMH_A_MAX (__TSMH_A_MAX - 1)

/* TSMH_A_DEV_MAILBOX nest */
enum tsmh_mb_attr {
	TSMH_MB_A_UNSPEC,
	TSMH_MB_A_OFFSET,	/* u16 */
	TSMH_MB_A_PROTOCOL,	/* nest, multi: enum tsmh_prot_attr */
	TSMH_MB_A_OWNER,	/* u32, enum tsmh_owner */
	TSMH_MB_A_OWNER_ID,	/* u32, netlink port id of a host owner */
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
};

enum tsmh_owner {
	TSMH_OWNER_NONE,
	TSMH_OWNER_HOST,	/* a userspace SPDM requester (netlink socket) */
	TSMH_OWNER_FIRMWARE,	/* a firmware TSM backend (PSP, TDX module, RMM) */
};

/* TSMH_A_FLAGS for TSMH_CMD_DOE_CLAIM: none defined yet (must be 0). */
#define TSMH_CLAIM_F_ALL	0U

#endif /* _UAPI_LINUX_TSMH_H */
