/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Decoding of the "tsmh" device attributes (DEV_GET replies and device
 * events) into plain structs. Every attribute is type- and length-checked;
 * a reply that breaks the uapi is rejected with a message, never guessed.
 */
#ifndef TSMH_DEVINFO_H
#define TSMH_DEVINFO_H

#include <stdint.h>
#include <netlink/attr.h>
#include <linux/tsmh.h>
#include "names.h"

#define DEVINFO_MAX_MB	  8
#define DEVINFO_MAX_PROTS 16

struct tsmh_mbinfo {
	uint16_t off;
	uint32_t owner;
	uint32_t owner_id;
	char owner_name[32];
	int32_t disc_err;
	uint64_t exchanges;
	int nr_prots;
	struct {
		uint16_t vid;
		uint8_t type;
	} prots[DEVINFO_MAX_PROTS];
};

struct tsmh_devinfo {
	char name[32];
	uint16_t vendor, device;
	uint32_t class_rev;
	uint8_t pcie_type;
	uint32_t flags;
	uint32_t anomalies;
	uint16_t ide_off;
	uint32_t ide_cap;
	int has_serial;
	uint64_t serial;
	int nr_mb;
	struct tsmh_mbinfo mb[DEVINFO_MAX_MB];
	/* driver gate (ABI 3); has_gate 0 on older kernels */
	int has_gate;
	uint32_t gate_state, gate_reason, gate_flags;
	char gate_msg[TSMH_GATE_MSG_MAX];
	int accept_len;
	uint8_t accept_digest[TSMH_ACCEPT_DIGEST_MAX];
	uint64_t accept_gen, accept_time;
	uint64_t reset_count;
	uint32_t reset_kind;
	char driver[64];
};

/*
 * Parse the top-level attributes of one message (@attrs, @len bytes).
 * Returns 0, or -EINVAL with @err (>= 128 bytes) saying what was wrong.
 */
int tsmh_devinfo_parse(struct nlattr *attrs, int len, struct tsmh_devinfo *d, char *err);
/*
 * Gate state/reason and reset kind names ("held", "new", "flr"...):
 * tsmh_gate_state_name() and the others in lib/names.h.
 */
/* "cma", "sec-cma", "discovery" or "VVVV:TT" */
const char *tsmh_prot_name(uint16_t vid, uint8_t type, char *buf);

#endif
