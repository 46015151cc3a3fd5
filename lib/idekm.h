/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * IDE_KM (PCIe 6.x sec 6.33.3, IDE key management) messages and the
 * SPDM VENDOR_DEFINED_REQUEST/RESPONSE wrapping that carries them inside
 * an SPDM secured session. Pure codec over caller-owned buffers, shared by
 * the emulator's responder, tsmctl/tsmd's requester, the unit tests and
 * the fuzzers; the kernel may link it (the sim's key checks) but never
 * parses SPDM itself.
 *
 * Layouts, checked field by field against DMTF libspdm
 * include/industry_standard/pci_idekm.h (pci_ide_km_*_t) and pcidoe.h
 * (pci_doe_spdm_vendor_defined_header_t, _large_t), and spdm-emu's
 * library/pci_ide_km_responder_lib and pci_ide_km_device_lib_sample:
 *
 * SPDM VENDOR_DEFINED_REQUEST (0xFE) / _RESPONSE (0x7E), DSP0274 1.0-1.3:
 *   @0 SPDMVersion @1 code @2 Param1 @3 Param2 (reserved)
 *   @4 StandardID u16 = 3 (PCI-SIG, DSP0274 "Registry or standards body ID")
 *   @6 Len u8 = 2 (length of VendorID)  @7 VendorID u16 = 0x0001 (PCI-SIG)
 *   @9 ReqLength/RespLength u16 = 1 + protocol message
 *   @11 protocol ID (0 = IDE_KM, 1 = TDISP)  @12 the protocol message
 * The large form is SPDM 1.4's, not 1.3's: Param1 bit 0 LargeReq/LargeResp,
 * then @9 is a reserved u16 (0) and @11 a u32 LargeReqLength, the protocol
 * ID at @15 (libspdm pci_doe_spdm_vendor_defined_header_large_t and its
 * requester, spdm-emu pci_doe_spdm_vendor_dispatch.c: both honour the flag
 * only at SPDMVersion >= 0x14; DSP0274's own 1.4 text was not at hand to
 * check beyond them). Before 1.4 Param1 is reserved, so the flag is not
 * looked at. We decode both forms and always encode the short one (we
 * negotiate 1.3 at most).
 *
 * IDE_KM messages (offsets from the object ID byte):
 *   QUERY        @0 id 0x00 @1 rsvd @2 port index                      3 B
 *   QUERY_RESP   @0 id 0x01 @1 rsvd @2 port index @3 dev/func number
 *                @4 bus number @5 segment @6 max port index
 *                @7 the IDE capability copy, DWORDs: IDE Capability
 *                register, IDE Control register, the Link IDE register
 *                blocks (2 DW each, one per link TC), the Selective IDE
 *                stream register blocks (5 + 3 * ASSOC_NUM DW each; no
 *                extended capability header)                         7+4n B
 *   KEY_PROG     @0 id 0x02 @1 rsvd[2] @3 stream ID @4 rsvd
 *                @5 key_sub_stream @6 port index @7 key (8 DW) @39 IFV
 *                (2 DW)                                               47 B
 *   KP_ACK       @0 id 0x03 @1 rsvd[2] @3 stream ID @4 status
 *                @5 key_sub_stream @6 port index                       7 B
 *   K_SET_GO, K_SET_STOP, K_GOSTOP_ACK (0x04, 0x05, 0x06): as KP_ACK
 *                with @4 reserved                                      7 B
 * key_sub_stream: bit 0 key set (K0/K1), bit 1 direction (0 RX, 1 TX),
 * bits 7:4 sub-stream (0 PR, 1 NPR, 2 CPL), bits 3:2 reserved. The key and
 * IFV bytes are copied as they are on the wire; this codec never keeps
 * them (the decoder points into the caller's buffer).
 *
 * Reserved fields are written as zero and not checked on decode (PCIe:
 * receivers ignore reserved bits). Lengths are exact: the VENDOR_DEFINED
 * length field gives the message's own length, and every IDE_KM object
 * has a fixed size (QUERY_RESP: the size its capability copy implies).
 */
#ifndef TSMH_LIB_IDEKM_H
#define TSMH_LIB_IDEKM_H

#include "port.h"

#define TSMH_SPDM_VENDOR_DEFINED_REQUEST	0xfe
#define TSMH_SPDM_VENDOR_DEFINED_RESPONSE	0x7e
#define TSMH_SPDM_VDM_LARGE			0x01 /* Param1, DSP0274 1.4+ */
#define TSMH_SPDM_REGISTRY_PCISIG		3
#define TSMH_PCISIG_VENDOR_ID			0x0001
#define TSMH_PCI_PROTOCOL_IDE_KM		0x00
#define TSMH_PCI_PROTOCOL_TDISP			0x01

/* VENDOR_DEFINED header through the protocol ID (short form) */
#define TSMH_VDM_HDR_LEN	12

enum tsmh_idekm_obj {
	TSMH_IDEKM_QUERY	= 0x00,
	TSMH_IDEKM_QUERY_RESP	= 0x01,
	TSMH_IDEKM_KEY_PROG	= 0x02,
	TSMH_IDEKM_KP_ACK	= 0x03,
	TSMH_IDEKM_K_SET_GO	= 0x04,
	TSMH_IDEKM_K_SET_STOP	= 0x05,
	TSMH_IDEKM_K_GOSTOP_ACK	= 0x06,
};

/* KP_ACK status (PCI_IDE_KM_KP_ACK_STATUS_*) */
enum tsmh_idekm_status {
	TSMH_IDEKM_ST_SUCCESS		= 0,
	TSMH_IDEKM_ST_INCORRECT_LENGTH	= 1,
	TSMH_IDEKM_ST_UNSUPPORTED_PORT	= 2,
	TSMH_IDEKM_ST_UNSUPPORTED_VALUE	= 3,
	TSMH_IDEKM_ST_UNSPECIFIED	= 4,
};

#define TSMH_IDEKM_KSS_SET		0x01 /* K1 */
#define TSMH_IDEKM_KSS_TX		0x02
#define TSMH_IDEKM_KSS_RSVD		0x0c
#define TSMH_IDEKM_KSS_SUB_SHIFT	4
#define TSMH_IDEKM_KSS_SUB_MASK		0xf0

enum tsmh_idekm_sub { TSMH_IDEKM_PR = 0, TSMH_IDEKM_NPR = 1, TSMH_IDEKM_CPL = 2 };
#define TSMH_IDEKM_NR_SUB	3

#define TSMH_IDEKM_KEY_LEN	32 /* AES-GCM-256, 8 DW */
#define TSMH_IDEKM_IFV_LEN	8  /* 2 DW */

#define TSMH_IDEKM_HDR_LEN		7
#define TSMH_IDEKM_QUERY_LEN		3
#define TSMH_IDEKM_KEY_PROG_LEN		(7 + TSMH_IDEKM_KEY_LEN + TSMH_IDEKM_IFV_LEN)

/* Limits (libspdm PCI_IDE_KM_*_MAX_COUNT): link blocks, selective, assoc per stream */
#define TSMH_IDEKM_MAX_LINK	8
#define TSMH_IDEKM_MAX_SEL	255
#define TSMH_IDEKM_MAX_ASSOC	15
#define TSMH_IDE_LINK_BLOCK_DW	2
#define TSMH_IDE_SEL_BLOCK_DW(n) (5 + 3 * (n))
#define TSMH_IDE_SEL_CAP_ASSOC_MASK 0x0000000f

static inline u8 tsmh_idekm_kss(unsigned int set, int tx, unsigned int sub)
{
	return (u8)((set & 1) | (tx ? TSMH_IDEKM_KSS_TX : 0) | (sub << TSMH_IDEKM_KSS_SUB_SHIFT));
}

static inline unsigned int tsmh_idekm_kss_sub(u8 kss)
{
	return (kss & TSMH_IDEKM_KSS_SUB_MASK) >> TSMH_IDEKM_KSS_SUB_SHIFT;
}

/*
 * Why a decode failed: in message @msg, field @field was @got; @want says
 * what was expected. All static strings. tsmh_idekm_why_format() makes
 * "QUERY_RESP: object ID 0x3, expected 0x01 (QUERY_RESP)".
 */
struct tsmh_idekm_why {
	const char *msg;
	const char *field;
	u32 got;
	const char *want;
};

size_t tsmh_idekm_why_format(const struct tsmh_idekm_why *w, char *buf, size_t len);

/* A decoded VENDOR_DEFINED message: the protocol ID and its message. */
struct tsmh_vdm {
	u8 version;
	u8 large;		/* DSP0274 1.4 large form */
	u8 protocol;
	const u8 *payload;	/* the protocol message, after the protocol ID */
	u32 len;
};

/*
 * Write the short-form VENDOR_DEFINED_REQUEST (@response 0) or _RESPONSE
 * header for PCI-SIG protocol @protocol at SPDM version @ver into @out
 * (TSMH_VDM_HDR_LEN bytes), for a protocol message of @plen bytes that the
 * caller puts at @out + TSMH_VDM_HDR_LEN. Returns TSMH_VDM_HDR_LEN, or 0
 * if @plen does not fit the 16-bit length.
 */
size_t tsmh_vdm_put_hdr(u8 *out, u8 ver, int response, u8 protocol, size_t plen);

/*
 * Decode a VENDOR_DEFINED message of @len bytes (@response: expect the
 * response code). 0; -EREMOTEIO for an SPDM ERROR (@w->got: its code);
 * -EBADMSG when too short or the length field disagrees with @len (up to
 * 3 bytes of DOE padding after the message are allowed); -EPROTO for
 * another request/response code or a registry/vendor other than PCI-SIG.
 */
int tsmh_vdm_decode(const u8 *m, size_t len, int response, struct tsmh_vdm *v,
		    struct tsmh_idekm_why *w);

/* One IDE_KM message. Pointers refer into the decoded/encoded buffer. */
struct tsmh_idekm_msg {
	u8 object_id;
	u8 port_index;
	u8 stream_id;		/* KEY_PROG, KP_ACK, K_SET_*, K_GOSTOP_ACK */
	u8 key_sub_stream;	/* likewise */
	u8 status;		/* KP_ACK */
	/* QUERY_RESP */
	u8 dev_func, bus, segment, max_port_index;
	const u8 *cap;		/* the IDE capability copy, little-endian DWORDs */
	u32 cap_len;		/* bytes, a multiple of 4 */
	/* KEY_PROG */
	const u8 *key;		/* TSMH_IDEKM_KEY_LEN bytes */
	const u8 *ifv;		/* TSMH_IDEKM_IFV_LEN bytes */
};

/*
 * Encode @m into @out; returns its length, or 0 if @cap is too small, the
 * object ID unknown, or a QUERY_RESP's capability copy is inconsistent
 * (tsmh_ide_cap_copy_check()).
 */
size_t tsmh_idekm_encode(const struct tsmh_idekm_msg *m, u8 *out, size_t cap);

/*
 * Decode the IDE_KM message @p of @len bytes into @m. 0, or -EBADMSG
 * (length wrong for the object, capability copy inconsistent) or
 * -EPROTO (unknown object ID), with @w saying which field had which value
 * and what was expected. A KEY_PROG shorter or longer than 47 bytes is
 * -EBADMSG with @m's header fields set when at least 7 bytes arrived (a
 * responder answers it KP_ACK INCORRECT_LENGTH).
 */
int tsmh_idekm_decode(const u8 *p, size_t len, struct tsmh_idekm_msg *m,
		      struct tsmh_idekm_why *w);

/* The IDE capability copy of a QUERY_RESP, walked. */
struct tsmh_ide_cap_copy {
	u32 cap, ctl;
	u8 nr_link;		/* link IDE register blocks (one per TC) */
	u16 nr_sel;		/* selective IDE stream register blocks */
	u8 assoc[TSMH_IDEKM_MAX_SEL];	/* address association blocks of each */
};

/*
 * Check that the @len bytes at @p are exactly the register blocks the
 * copy's own IDE Capability register (link TCs, selective streams) and
 * each selective block's capability register (ASSOC_NUM) announce. 0 with
 * @c filled (may be NULL), or -EBADMSG with @w naming the block and field.
 */
int tsmh_ide_cap_copy_check(const u8 *p, size_t len, struct tsmh_ide_cap_copy *c,
			    struct tsmh_idekm_why *w);

/* Names; never NULL ("unknown" for unknown values). */
const char *tsmh_idekm_obj_name(u8 id);
/* "success", "incorrect length", "unsupported port index", ... */
const char *tsmh_idekm_status_name(u8 status);
const char *tsmh_idekm_sub_name(unsigned int sub);	/* "PR", "NPR", "CPL" */
/* "K0 TX PR" into @buf (>= 16 bytes); returns @buf */
char *tsmh_idekm_kss_format(u8 kss, char *buf, size_t len);

#endif
