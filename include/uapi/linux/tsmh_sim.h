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
/* 2: TSMH_SIM_MSG_IDE_KEYS */
#define TSMH_SIM_ABI_VERSION	2
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
	TSMH_SIM_MSG_IDE_KEYS,	 /* payload: struct tsmh_sim_ide_keys (ABI 2) */
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

/*
 * IDE_KEYS: what the endpoint's IDE_KM responder holds for one stream
 * after a K_SET_GO or K_SET_STOP: every programmed key and IFV of both key
 * sets (@programmed, bit per index) and the active set
 * (TSMH_SIM_IDE_ACTIVE: @key_set), or nothing (programmed 0: the kernel
 * wipes its copy). Index set * 6 + dir * 3 + sub-stream, dir 0 = the
 * endpoint's RX, 1 = its TX; sub-stream 0 PR, 1 NPR, 2 CPL; bytes as the
 * KEY_PROG message carried them. Both sets travel because a receiver
 * decrypts with the set the transmitter's TLPs name (a key refresh).
 * Local channel only; both sides wipe the record after use, never log it.
 */
#define TSMH_SIM_IDE_ACTIVE		0x1
#define TSMH_SIM_IDE_NEVER_SECURE	0x2	/* emulator fault never-secure */
#define TSMH_SIM_IDE_KEY_LEN		32
#define TSMH_SIM_IDE_IFV_LEN		8
#define TSMH_SIM_IDE_NR_KEYS		12

struct tsmh_sim_ide_keys {
	__u8 stream_id;
	__u8 flags;		/* TSMH_SIM_IDE_* */
	__u8 key_set;		/* the active set, with TSMH_SIM_IDE_ACTIVE */
	__u8 rsvd;		/* 0 */
	__u16 programmed;	/* bit per key index (12 bits) */
	__u16 rsvd2;		/* 0 */
	__u8 key[TSMH_SIM_IDE_NR_KEYS][TSMH_SIM_IDE_KEY_LEN];
	__u8 ifv[TSMH_SIM_IDE_NR_KEYS][TSMH_SIM_IDE_IFV_LEN];
};

#endif /* _UAPI_LINUX_TSMH_SIM_H */
