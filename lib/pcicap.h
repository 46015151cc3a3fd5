/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Portable PCI/PCIe capability walk over an abstract config-space reader.
 * Used by the core module (live devices), by tsmctl caps (saved dumps of
 * sysfs "config") and by the unit tests and fuzzers.
 *
 * The walk never trusts the device: every pointer is range- and
 * alignment-checked, loops are detected, and each anomaly is recorded in
 * tsmh_caps.anomalies (and the first one in detail) instead of being
 * silently followed.
 */
#ifndef TSMH_LIB_PCICAP_H
#define TSMH_LIB_PCICAP_H

#include "port.h"

#define TSMH_CFG_SIZE_LEGACY	256
#define TSMH_CFG_SIZE_EXT	4096

#define TSMH_CAP_ID_EXP		0x10
#define TSMH_EXT_CAP_ID_DOE	0x2e
#define TSMH_EXT_CAP_ID_IDE	0x30

/* PCIe Capability: Device Capabilities register offset and bits */
#define TSMH_EXP_FLAGS		0x02
#define TSMH_EXP_FLAGS_TYPE	0x00f0
#define TSMH_EXP_DEVCAP		0x04
#define TSMH_EXP_DEVCAP_FLR	0x10000000
#define TSMH_EXP_DEVCAP_TEE	0x40000000 /* TEE-IO Supported, PCIe 6.x */

/* IDE Capability register (PCIe 6.x 7.9.26.2) */
#define TSMH_IDE_CAP		0x04
#define TSMH_IDE_CAP_LINK	0x00000001
#define TSMH_IDE_CAP_SELECTIVE	0x00000002
#define TSMH_IDE_CAP_FLOWTHROUGH 0x00000004
#define TSMH_IDE_CAP_PARTIAL_HDR 0x00000008
#define TSMH_IDE_CAP_AGGREGATION 0x00000010
#define TSMH_IDE_CAP_PCRC	0x00000020
#define TSMH_IDE_CAP_IDE_KM	0x00000040
#define TSMH_IDE_CAP_SEL_CFG	0x00000080
#define TSMH_IDE_CAP_ALG_SHIFT	8
#define TSMH_IDE_CAP_ALG_MASK	0x00001f00
#define TSMH_IDE_CAP_LINK_TC_SHIFT 13
#define TSMH_IDE_CAP_LINK_TC_MASK 0x0000e000
#define TSMH_IDE_CAP_SEL_NUM_SHIFT 16
#define TSMH_IDE_CAP_SEL_NUM_MASK 0x00ff0000
#define TSMH_IDE_CAP_TEE_LIMITED 0x01000000

#define TSMH_MAX_CAPS		64
#define TSMH_MAX_DOE		8

/* Anomaly bits (tsmh_caps.anomalies) */
enum {
	TSMH_CAPS_A_STD_PTR	= 1u << 0, /* std pointer into header/out of range */
	TSMH_CAPS_A_STD_LOOP	= 1u << 1, /* std list revisits an entry */
	TSMH_CAPS_A_EXT_PTR	= 1u << 2, /* ext pointer < 0x100, misaligned, OOR */
	TSMH_CAPS_A_EXT_LOOP	= 1u << 3, /* ext list revisits an entry */
	TSMH_CAPS_A_EXT_NULLID	= 1u << 4, /* ID 0 entry with a next pointer */
	TSMH_CAPS_A_TRUNCATED	= 1u << 5, /* list points past the space read */
	TSMH_CAPS_A_TOO_MANY	= 1u << 6, /* more than TSMH_MAX_CAPS entries */
	TSMH_CAPS_A_TOO_MANY_DOE = 1u << 7, /* more than TSMH_MAX_DOE mailboxes */
};

struct tsmh_cfg_reader {
	/* Read the aligned dword at @off (< size). Return 0 or -errno. */
	int (*read32)(void *ctx, u16 off, u32 *val);
	void *ctx;
	u32 size; /* bytes of config space available: 256 or 4096 */
};

struct tsmh_cap_ent {
	u16 off;
	u16 id;
	u8 ver;	 /* ext caps only */
	u8 ext;	 /* 1 = extended capability */
};

struct tsmh_caps {
	u16 vendor, device;
	u32 class_rev;	/* class code << 8 | revision */
	u8 hdr_type;	/* without the multi-function bit */
	u8 multifunction;
	u16 exp_off;	/* 0 = not PCIe */
	u8 exp_type;	/* PCIe device/port type */
	u32 devcap;
	u8 tee_io;	/* Device Capabilities TEE-IO Supported */
	u16 ide_off;
	u32 ide_cap;
	u16 doe_off[TSMH_MAX_DOE];
	u8 nr_doe;
	u8 nr_caps;
	struct tsmh_cap_ent caps[TSMH_MAX_CAPS];
	u32 anomalies;
	u16 anomaly_at;	/* config offset of the first anomaly */
};

/*
 * Walk the header, the standard capability list and (when size > 256)
 * the extended capability list. Returns 0 (anomalies, if any, are
 * recorded), -ENODEV if the function reads as absent (all ones),
 * -EINVAL for a reader with an impossible size, or the reader's error.
 */
int tsmh_caps_walk(const struct tsmh_cfg_reader *rd, struct tsmh_caps *caps);

/* Human-readable names; never NULL. */
const char *tsmh_cap_name(u16 id, int ext);
const char *tsmh_exp_type_name(u8 type);
/* Description of the lowest anomaly bit set in @anomalies, or NULL. */
const char *tsmh_caps_anomaly_str(u32 anomalies);

/* Number of Selective IDE streams encoded in an IDE Capability register. */
static inline unsigned int tsmh_ide_nr_sel_streams(u32 ide_cap)
{
	if (!(ide_cap & TSMH_IDE_CAP_SELECTIVE))
		return 0;
	return ((ide_cap & TSMH_IDE_CAP_SEL_NUM_MASK) >> TSMH_IDE_CAP_SEL_NUM_SHIFT) + 1;
}

static inline unsigned int tsmh_ide_nr_link_tcs(u32 ide_cap)
{
	if (!(ide_cap & TSMH_IDE_CAP_LINK))
		return 0;
	return ((ide_cap & TSMH_IDE_CAP_LINK_TC_MASK) >> TSMH_IDE_CAP_LINK_TC_SHIFT) + 1;
}

#endif
