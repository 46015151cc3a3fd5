/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * tsmh_sim: the channel between the emulated PCI domain (tsmh_sim.ko) and
 * the userspace device emulator, over the character device
 * /dev/tsmh_sim. The kernel side knows nothing of SPDM: it emulates the
 * DOE registers and hands whole data objects to the emulator.
 *
 * One process may hold the device open at a time. Every read() returns
 * exactly one record (header + payload) and every write() must carry
 * exactly one. Records are little-endian host structs.
 */
#ifndef _UAPI_LINUX_TSMH_SIM_H
#define _UAPI_LINUX_TSMH_SIM_H

#include <linux/types.h>

#define TSMH_SIM_DEVNAME	"tsmh_sim"
#define TSMH_SIM_ABI_VERSION	1
#define TSMH_SIM_MAX_SLOTS	256
/* Largest data object either way, DOE header included (bytes). */
#define TSMH_SIM_OBJ_MAX	(65536 + 8)

enum tsmh_sim_kind {
	/* kernel -> emulator */
	TSMH_SIM_MSG_HELLO = 1,	 /* first record after open: slots = nr endpoints */
	TSMH_SIM_MSG_REQUEST,	 /* payload: a complete request data object */
	TSMH_SIM_MSG_ABORT,	 /* host aborted request seq; drop its answer */
	TSMH_SIM_MSG_RESET,	 /* function-level reset of the slot */
	/* emulator -> kernel */
	TSMH_SIM_MSG_RESPONSE = 0x101, /* payload: a complete response object */
	TSMH_SIM_MSG_ERROR,	 /* the mailbox reports Error for request seq */
	TSMH_SIM_MSG_PLUG,	 /* make slot (or all: TSMH_SIM_SLOT_ALL) present */
	TSMH_SIM_MSG_UNPLUG,	 /* surprise-remove slot */
};

#define TSMH_SIM_SLOT_ALL	0xffffffffU
/* PLUG: seq carries flags (other bits must be 0) */
#define TSMH_SIM_PLUG_PLAIN	0x1U	/* no TEE-IO bit in Device Capabilities */

struct tsmh_sim_msg {
	__u32 kind;	/* enum tsmh_sim_kind */
	__u32 slot;	/* endpoint index (HELLO: number of endpoints) */
	__u32 seq;	/* mailbox request id (HELLO: TSMH_SIM_ABI_VERSION,
			 * PLUG: TSMH_SIM_PLUG_* flags)
			 */
	__u32 len;	/* payload bytes following this header */
};

#endif /* _UAPI_LINUX_TSMH_SIM_H */
