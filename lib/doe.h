/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * PCIe Data Object Exchange (PCIe 6.x sec 6.30) constants and the data
 * object header / discovery codecs. Shared by the core module (config
 * space requester), the sim module (register model) and userspace.
 */
#ifndef TSMH_LIB_DOE_H
#define TSMH_LIB_DOE_H

#include "port.h"

/* Registers, relative to the DOE extended capability */
#define TSMH_DOE_CAP		0x04
#define TSMH_DOE_CAP_INT_SUP	0x00000001
#define TSMH_DOE_CTRL		0x08
#define TSMH_DOE_CTRL_ABORT	0x00000001
#define TSMH_DOE_CTRL_INT_EN	0x00000002
#define TSMH_DOE_CTRL_GO	0x80000000
#define TSMH_DOE_STATUS		0x0c
#define TSMH_DOE_STATUS_BUSY	0x00000001
#define TSMH_DOE_STATUS_INT	0x00000002
#define TSMH_DOE_STATUS_ERROR	0x00000004
#define TSMH_DOE_STATUS_DOR	0x80000000 /* Data Object Ready */
#define TSMH_DOE_WRITE		0x10
#define TSMH_DOE_READ		0x14
#define TSMH_DOE_CAP_SIZE	0x18

/* Object length is 18 bits of dwords, headers included; 0 means 2^18. */
#define TSMH_DOE_MAX_DW		BIT(18)
#define TSMH_DOE_HDR_DW		2
#define TSMH_DOE_HDR_BYTES	8

/* Data object protocols (vendor PCI-SIG 0x0001) */
#define TSMH_DOE_VID_PCISIG	0x0001
#define TSMH_DOE_PROT_DISCOVERY	0x00
#define TSMH_DOE_PROT_CMA	0x01 /* CMA/SPDM */
#define TSMH_DOE_PROT_SEC_CMA	0x02 /* Secured CMA/SPDM */

/* Timeout for a response, PCIe 6.x 6.30.2: 1 second. */
#define TSMH_DOE_TIMEOUT_US	1000000u

static inline u32 tsmh_doe_hdr0(u16 vid, u8 type)
{
	return (u32)vid | (u32)type << 16;
}

static inline u32 tsmh_doe_hdr1(u32 len_dw)
{
	return len_dw == TSMH_DOE_MAX_DW ? 0 : (len_dw & 0x3ffff);
}

static inline u16 tsmh_doe_hdr_vid(u32 hdr0)
{
	return hdr0 & 0xffff;
}

static inline u8 tsmh_doe_hdr_type(u32 hdr0)
{
	return (hdr0 >> 16) & 0xff;
}

/* Object length in dwords from header dword 1 (0 encodes 2^18). */
static inline u32 tsmh_doe_hdr_len(u32 hdr1)
{
	u32 len = hdr1 & 0x3ffff;

	return len ? len : TSMH_DOE_MAX_DW;
}

/* Discovery request dword 2: index in [7:0], discovery version [15:8]. */
static inline u32 tsmh_doe_disc_req(u8 index)
{
	return index;
}

/* Discovery response dword 2 */
static inline u32 tsmh_doe_disc_rsp(u16 vid, u8 type, u8 next)
{
	return (u32)vid | (u32)type << 16 | (u32)next << 24;
}

struct tsmh_doe_disc_ent {
	u16 vid;
	u8 type;
	u8 next;
};

static inline void tsmh_doe_disc_parse(u32 dw, struct tsmh_doe_disc_ent *e)
{
	e->vid = dw & 0xffff;
	e->type = (dw >> 16) & 0xff;
	e->next = dw >> 24;
}

/*
 * Validate a complete data object (headers included) of @len bytes.
 * Returns 0 or -EINVAL (too short, not whole dwords, or length field
 * disagreeing with @len), reporting the decoded header on success.
 */
static inline int tsmh_doe_obj_check(const u8 *obj, u32 len, u16 *vid, u8 *type)
{
	u32 h0, h1;

	if (len < TSMH_DOE_HDR_BYTES || (len & 3) || len / 4 > TSMH_DOE_MAX_DW)
		return -EINVAL;
	h0 = tsmh_get_le32(obj);
	h1 = tsmh_get_le32(obj + 4);
	if (tsmh_doe_hdr_len(h1) != len / 4)
		return -EINVAL;
	*vid = tsmh_doe_hdr_vid(h0);
	*type = tsmh_doe_hdr_type(h0);
	return 0;
}

#endif
