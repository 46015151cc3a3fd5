/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * TDISP 1.0 (PCIe 6.x sec 11, TEE Device Interface Security Protocol):
 * the messages, the device interface report (parsed, reassembled from its
 * portions, and checked against the TDI's BARs) and the TDI state machine.
 * Pure code over caller-owned buffers, no allocation, kernel-compatible
 * like lib/idekm.c; the messages travel as SPDM VENDOR_DEFINED with the
 * PCI-SIG registry and protocol ID 1 (tsmh_vdm_put_hdr()/tsmh_vdm_decode()
 * in lib/idekm.h), inside a secured session.
 *
 * Layouts, checked field by field against DMTF libspdm
 * include/industry_standard/pci_tdisp.h and spdm-emu's
 * pci_tdisp_device_lib_sample (offsets from the TDISP version byte, the
 * byte after the protocol ID; little-endian):
 *
 * Header (every message, 16 B): @0 TDISPVersion (0x10) @1 message type
 *   @2 rsvd[2] @4 INTERFACE_ID: function ID u32 (15:0 requester ID,
 *   23:16 segment, 24 segment valid), @8 reserved u64.
 * GET_TDISP_VERSION 0x81     header                                   16
 * TDISP_VERSION 0x01         @16 count @17 version[count]          17+n
 * GET_TDISP_CAPABILITIES 0x82 @16 TSM_CAPS u32                        20
 * TDISP_CAPABILITIES 0x02    @16 DSM_CAPS u32 @20 REQ_MSGS_SUPPORTED[16]
 *                            @36 LOCK_INTERFACE_FLAGS_SUPPORTED u16
 *                            @38 rsvd[3] @41 DEV_ADDR_WIDTH
 *                            @42 NUM_REQ_THIS @43 NUM_REQ_ALL         44
 * LOCK_INTERFACE_REQUEST 0x83 @16 flags u16 @18 default stream ID
 *                            @19 rsvd @20 MMIO_REPORTING_OFFSET u64
 *                            @28 BIND_P2P_ADDRESS_MASK u64            36
 * LOCK_INTERFACE_RESPONSE 0x03 @16 START_INTERFACE_NONCE[32]          48
 * GET_DEVICE_INTERFACE_REPORT 0x84 @16 offset u16 @18 length u16      20
 * DEVICE_INTERFACE_REPORT 0x04 @16 PORTION_LENGTH u16
 *                            @18 REMAINDER_LENGTH u16 @20 portion  20+n
 * GET_DEVICE_INTERFACE_STATE 0x85 header                              16
 * DEVICE_INTERFACE_STATE 0x05 @16 TDI state                           17
 * START_INTERFACE_REQUEST 0x86 @16 nonce[32]                          48
 * START/STOP/BIND/UNBIND/SET_MMIO/SET_TDISP_CONFIG responses,
 * STOP_INTERFACE_REQUEST     header                                   16
 * BIND_P2P_STREAM_REQUEST 0x88 @16 P2P stream ID              17 (or 18)
 * UNBIND_P2P_STREAM_REQUEST 0x89 @16 P2P stream ID                    17
 * SET_MMIO_ATTRIBUTE_REQUEST 0x8a @16 one MMIO range (below)          32
 * VDM_REQUEST 0x8b / VDM_RESPONSE 0x0b @16 registry ID (0 PCI-SIG,
 *                            1 CXL) @17 vendor ID length @18 vendor ID,
 *                            then vendor data                    18+v+d
 * SET_TDISP_CONFIG_REQUEST 0x8c @16 DSM_CONFIG u32                    20
 * TDISP_ERROR 0x7f           @16 error code u32 @20 error data u32
 *                            @24 extended error data: registry ID,
 *                            vendor ID length, vendor ID, data (optional)
 *
 * BIND_P2P_STREAM_REQUEST is where the sources disagree: libspdm has the
 * stream ID @16 and a STREAM_CONFIG byte @17 (bit 0 XT enable: TDISP 1.1
 * / XT, which added it), one third-party RTL package a reserved byte @17
 * and a u16 @18. The PCIe 6.x TDISP 1.0 table as far as we could read it
 * has the interface ID followed by the P2P stream ID only, so we encode
 * the 17-byte 1.0 request and decode a trailing STREAM_CONFIG byte as
 * libspdm's (reported, never required); anything longer is refused.
 *
 * SET_TDISP_CONFIG (0x8c / 0x0c) is TDISP 1.1 (XT), not 1.0: decoded, so a
 * peer that sends it is named, but our responder refuses it with
 * UNSUPPORTED_REQUEST and the requester never sends it.
 *
 * Device interface report: @0 INTERFACE_INFO u16 @2 rsvd @4 MSI-X message
 *   control u16 @6 LNR control u16 @8 TPH control u32 @12 MMIO range count
 *   u32 @16 MMIO ranges, 16 B each, then DEVICE_SPECIFIC_INFO_LEN u32 and
 *   that many bytes. MMIO range: @0 first page u64 (the byte address of
 *   the first 4 KiB page, MMIO_REPORTING_OFFSET added) @8 number of pages
 *   u32 @12 attributes u16 @14 range ID u16.
 *
 * Reserved fields are written as zero and not checked on decode. Lengths
 * are exact (variable parts: the sizes their own count fields imply).
 */
#ifndef TSMH_LIB_TDISP_H
#define TSMH_LIB_TDISP_H

#include "port.h"
#include "idekm.h"

#define TSMH_TDISP_VERSION_10	0x10
#define TSMH_TDISP_HDR_LEN	16
#define TSMH_TDISP_NONCE_LEN	32
#define TSMH_TDISP_RANGE_LEN	16
#define TSMH_TDISP_REPORT_HDR	16 /* through the MMIO range count */
#define TSMH_TDISP_PAGE		4096ULL
/* the largest message we build: a VDM/ERROR is bounded by the caller */
#define TSMH_TDISP_MAX_FIXED	48

enum tsmh_tdisp_code {
	TSMH_TDISP_RSP_VERSION		= 0x01,
	TSMH_TDISP_RSP_CAPABILITIES	= 0x02,
	TSMH_TDISP_RSP_LOCK		= 0x03,
	TSMH_TDISP_RSP_REPORT		= 0x04,
	TSMH_TDISP_RSP_STATE		= 0x05,
	TSMH_TDISP_RSP_START		= 0x06,
	TSMH_TDISP_RSP_STOP		= 0x07,
	TSMH_TDISP_RSP_BIND_P2P		= 0x08,
	TSMH_TDISP_RSP_UNBIND_P2P	= 0x09,
	TSMH_TDISP_RSP_SET_MMIO		= 0x0a,
	TSMH_TDISP_RSP_VDM		= 0x0b,
	TSMH_TDISP_RSP_SET_CONFIG	= 0x0c, /* TDISP 1.1 (XT) */
	TSMH_TDISP_ERROR		= 0x7f,
	TSMH_TDISP_GET_VERSION		= 0x81,
	TSMH_TDISP_GET_CAPABILITIES	= 0x82,
	TSMH_TDISP_LOCK			= 0x83,
	TSMH_TDISP_GET_REPORT		= 0x84,
	TSMH_TDISP_GET_STATE		= 0x85,
	TSMH_TDISP_START		= 0x86,
	TSMH_TDISP_STOP			= 0x87,
	TSMH_TDISP_BIND_P2P		= 0x88,
	TSMH_TDISP_UNBIND_P2P		= 0x89,
	TSMH_TDISP_SET_MMIO		= 0x8a,
	TSMH_TDISP_VDM			= 0x8b,
	TSMH_TDISP_SET_CONFIG		= 0x8c, /* TDISP 1.1 (XT) */
};

/* the response code a request is answered with (request & 0x7f) */
#define TSMH_TDISP_RSP_OF(req)	((u8)((req) & 0x7f))

enum tsmh_tdisp_err {
	TSMH_TDISP_E_INVALID_REQUEST		= 0x01,
	TSMH_TDISP_E_BUSY			= 0x03,
	TSMH_TDISP_E_INVALID_INTERFACE_STATE	= 0x04,
	TSMH_TDISP_E_UNSPECIFIED		= 0x05,
	TSMH_TDISP_E_UNSUPPORTED_REQUEST	= 0x07,
	TSMH_TDISP_E_VERSION_MISMATCH		= 0x41,
	TSMH_TDISP_E_VENDOR_SPECIFIC		= 0xff,
	TSMH_TDISP_E_INVALID_INTERFACE		= 0x101,
	TSMH_TDISP_E_INVALID_NONCE		= 0x102,
	TSMH_TDISP_E_INSUFFICIENT_ENTROPY	= 0x103,
	TSMH_TDISP_E_INVALID_DEVICE_CONFIG	= 0x104,
};

/* LOCK_INTERFACE flags */
#define TSMH_TDISP_LOCK_NO_FW_UPDATE		0x0001
#define TSMH_TDISP_LOCK_CACHE_LINE_128		0x0002
#define TSMH_TDISP_LOCK_MSIX			0x0004
#define TSMH_TDISP_LOCK_BIND_P2P		0x0008
#define TSMH_TDISP_LOCK_ALL_REQUEST_REDIRECT	0x0010
#define TSMH_TDISP_LOCK_FLAGS_10		0x001f

/* INTERFACE_INFO */
#define TSMH_TDISP_INFO_NO_UPDATE_AFTER_LOCK	0x0001
#define TSMH_TDISP_INFO_DMA_NO_PASID		0x0002
#define TSMH_TDISP_INFO_DMA_PASID		0x0004
#define TSMH_TDISP_INFO_ATS			0x0008
#define TSMH_TDISP_INFO_PRS			0x0010
#define TSMH_TDISP_INFO_XT			0x0020

/* MMIO range attributes */
#define TSMH_TDISP_RANGE_MSIX_TABLE		0x0001
#define TSMH_TDISP_RANGE_MSIX_PBA		0x0002
#define TSMH_TDISP_RANGE_NON_TEE		0x0004
#define TSMH_TDISP_RANGE_UPDATABLE		0x0008

/* function ID */
#define TSMH_TDISP_FID_RID_MASK		0x0000ffff
#define TSMH_TDISP_FID_SEG_SHIFT	16
#define TSMH_TDISP_FID_SEG_VALID	0x01000000

/* the TDISP values; the same as uapi enum tsmh_tdi_state (TSMH_TDI_STATE_*) */
enum tsmh_tdisp_state {
	TSMH_TDI_CONFIG_UNLOCKED	= 0,
	TSMH_TDI_CONFIG_LOCKED		= 1,
	TSMH_TDI_RUN			= 2,
	TSMH_TDI_ERROR			= 3,
};

#define TSMH_TDI_NR_STATES 4

struct tsmh_tdisp_range {
	u64 first_page;		/* byte address, MMIO_REPORTING_OFFSET included */
	u32 nr_pages;
	u16 attrs;
	u16 id;
};

/*
 * One TDISP message. Which fields mean something depends on @code (see
 * the table above); pointers refer into the decoded buffer.
 */
struct tsmh_tdisp_msg {
	u8 version;
	u8 code;
	u32 function_id;
	/* TDISP_VERSION */
	u8 nr_versions;
	const u8 *versions;
	/* GET_TDISP_CAPABILITIES */
	u32 tsm_caps;
	/* TDISP_CAPABILITIES */
	u32 dsm_caps;
	u8 req_msgs[16];	/* bit (code - 0x80): request supported */
	u16 lock_flags_supported;
	u8 dev_addr_width, num_req_this, num_req_all;
	/* LOCK_INTERFACE_REQUEST */
	u16 lock_flags;
	u8 default_stream_id;
	u64 mmio_reporting_offset;
	u64 bind_p2p_mask;
	/* LOCK_INTERFACE_RESPONSE, START_INTERFACE_REQUEST */
	const u8 *nonce;
	/* GET_DEVICE_INTERFACE_REPORT */
	u16 offset, length;
	/* DEVICE_INTERFACE_REPORT */
	u16 portion_len, remainder;
	const u8 *portion;
	/* DEVICE_INTERFACE_STATE */
	u8 tdi_state;
	/* BIND/UNBIND_P2P_STREAM */
	u8 p2p_stream_id;
	u8 has_stream_config, stream_config;	/* TDISP 1.1 byte, see above */
	/* SET_MMIO_ATTRIBUTE */
	struct tsmh_tdisp_range range;
	/* SET_TDISP_CONFIG (1.1) */
	u32 dsm_config;
	/* TDISP_ERROR */
	u32 error_code, error_data;
	u8 has_ext;		/* extended error data present */
	/* VDM, and TDISP_ERROR's extended error data */
	u8 registry_id, vendor_id_len;
	const u8 *vendor_id;
	const u8 *data;
	u32 data_len;
};

/*
 * Encode @m (its @code picks the layout) into @out. Returns the length,
 * or 0 if it does not fit @cap or the code is not a TDISP message.
 * @m->version 0 means TSMH_TDISP_VERSION_10.
 */
size_t tsmh_tdisp_encode(const struct tsmh_tdisp_msg *m, u8 *out, size_t cap);

/*
 * Decode the TDISP message @p of @len bytes. 0; -EBADMSG for a length
 * that is not the one the code (and its count fields) imply, -EPROTO for
 * an unknown code or a version whose major number is not 1; @w names the
 * message, the field, its value and what was expected. @m's header
 * fields are set whenever the 16-byte header arrived (a responder can
 * answer with the right interface ID).
 */
int tsmh_tdisp_decode(const u8 *p, size_t len, struct tsmh_tdisp_msg *m,
		      struct tsmh_idekm_why *w);

/* "GET_TDISP_VERSION", "TDISP_ERROR", "SET_TDISP_CONFIG (TDISP 1.1)" ...; never NULL */
const char *tsmh_tdisp_code_name(u8 code);
/* "INVALID_NONCE", ... or "unknown" */
const char *tsmh_tdisp_error_name(u32 code);
/* "CONFIG_UNLOCKED", "CONFIG_LOCKED", "RUN", "ERROR" or "unknown" */
const char *tsmh_tdi_state_name(u8 state);

/* Constant-time comparison of two START_INTERFACE nonces: 1 if equal. */
int tsmh_tdisp_nonce_eq(const u8 *a, const u8 *b);

/* The decoded device interface report. */
struct tsmh_tdisp_report {
	u16 interface_info;
	u16 msix_ctl;
	u16 lnr_ctl;
	u32 tph_ctl;
	u32 nr_ranges;
	const u8 *ranges;	/* nr_ranges * 16 bytes, tsmh_tdisp_report_range() */
	u32 dsi_len;
	const u8 *dsi;		/* device-specific information */
};

/*
 * Parse a whole report of @len bytes (the total its portions announced).
 * 0; -EBADMSG when the structure's own counts need more bytes than @len
 * (names the field and how many bytes it needs) or leave bytes over.
 */
int tsmh_tdisp_report_parse(const u8 *p, size_t len, struct tsmh_tdisp_report *r,
			    struct tsmh_idekm_why *w);
/* Range @i (< nr_ranges) of a parsed report. */
void tsmh_tdisp_report_range(const struct tsmh_tdisp_report *r, u32 i,
			     struct tsmh_tdisp_range *out);
/*
 * Build a report into @out from the fields of @r and the @nr ranges at
 * @ranges (r->ranges and r->nr_ranges are ignored; r->dsi/dsi_len copied).
 * Returns the length, 0 if it does not fit.
 */
size_t tsmh_tdisp_report_build(const struct tsmh_tdisp_report *r,
			       const struct tsmh_tdisp_range *ranges, u32 nr, u8 *out,
			       size_t cap);

/*
 * Reassembly of a report from DEVICE_INTERFACE_REPORT portions into the
 * caller's @buf of @cap bytes. The first portion announces the total
 * (PORTION_LENGTH + REMAINDER_LENGTH); each further one must start where
 * the last ended (@offset: the OFFSET the request asked for) and keep
 * have + portion + remainder equal to that total.
 */
struct tsmh_tdisp_asm {
	u8 *buf;
	u32 cap;
	u32 have;
	u32 total;
	u8 started;
};

void tsmh_tdisp_asm_init(struct tsmh_tdisp_asm *a, u8 *buf, u32 cap);
/*
 * Add the portion of a decoded DEVICE_INTERFACE_REPORT @m that answered a
 * request for @offset/@asked bytes. 1 when the report is complete, 0 when
 * more is to come (ask for a->have next), or -EBADMSG with @w: a portion
 * longer than asked, a gap or overlap (@offset not where the last portion
 * ended), a portion past the announced total, a remainder that grows or
 * shrinks by other than the portion, an empty portion with bytes
 * remaining, or a total larger than @cap.
 */
int tsmh_tdisp_asm_add(struct tsmh_tdisp_asm *a, u16 offset, u16 asked,
		       const struct tsmh_tdisp_msg *m, struct tsmh_idekm_why *w);

/*
 * The TDI's view of its memory BARs and MSI-X capability, for checking a
 * report. A 64-bit BAR takes two BAR slots; the upper slot is not valid.
 */
struct tsmh_tdisp_bar {
	u64 base;
	u64 size;		/* 0: not implemented / not a memory BAR */
	u8 is64;
	u8 prefetch;
};

#define TSMH_TDISP_NR_BARS 6

struct tsmh_tdisp_layout {
	struct tsmh_tdisp_bar bar[TSMH_TDISP_NR_BARS];
	u8 msix;		/* the function has an MSI-X capability */
	u8 table_bir, pba_bir;
	u32 table_off, pba_off;	/* BAR offsets (the low 3 BIR bits cleared) */
	u16 table_entries;	/* Table Size + 1 */
	u64 mmio_offset;	/* the LOCK request's MMIO_REPORTING_OFFSET */
};

/* Validation refuses reports with more ranges than this (O(n^2) overlap check). */
#define TSMH_TDISP_MAX_CHECK_RANGES 1024

/*
 * Check every MMIO range of @r against @l: a range of zero pages, not
 * 4 KiB aligned, below MMIO_REPORTING_OFFSET, outside every BAR (or
 * straddling the end of one); ranges overlapping each other; a range
 * marked MSI-X table or PBA that is not exactly the pages the capability
 * puts them on (or without an MSI-X capability, or twice); an unmarked
 * TEE range covering the MSI-X table's or PBA's pages. Where the table and
 * the PBA share a page (PCIe allows it), one range marked with both,
 * exactly the pages of the two together, is the legal report; a range
 * marked with only one of them that has a page of the other is refused,
 * and so is one marked with both where they share no page. 0, or -EINVAL with
 * @why (a sentence naming the range by index and range ID, its pages and
 * the BAR) and *@bad the range's index (may be NULL).
 */
int tsmh_tdisp_report_check(const struct tsmh_tdisp_report *r, const struct tsmh_tdisp_layout *l,
			    u32 *bad, char *why, size_t whylen);

/*
 * The TDI state machine (PCIe 6.x TDISP state table; ref-tee-io.md 2.4).
 * tsmh_tdisp_legal(): whether request @code may be sent to / served by a
 * TDI in @state (1/0; unknown codes 0). tsmh_tdisp_next(): the state a
 * successful @code leaves the TDI in (the state itself for requests that
 * do not move it). STOP_INTERFACE is legal in every state (the spec's
 * table; spdm-emu's sample refuses it in CONFIG_UNLOCKED) and leaves
 * CONFIG_UNLOCKED. SET_TDISP_CONFIG (1.1) only in CONFIG_UNLOCKED.
 */
int tsmh_tdisp_legal(u8 code, u8 state);
u8 tsmh_tdisp_next(u8 code, u8 state);

/* Events the state machine sees besides messages. */
enum tsmh_tdi_event {
	TSMH_TDI_EV_FLR,		/* function-level / conventional reset */
	TSMH_TDI_EV_CONFIG_CHANGE,	/* a locked config register written (MSE/BME cleared...) */
	TSMH_TDI_EV_IDE_LOST,		/* the IDE stream left SECURE / keys lost */
	TSMH_TDI_EV_SESSION_LOST,	/* the SPDM session ended */
};

/*
 * The state @ev moves a TDI in @state to: FLR -> CONFIG_UNLOCKED; the
 * others -> ERROR from CONFIG_LOCKED or RUN, no change otherwise.
 */
u8 tsmh_tdisp_event(u8 state, enum tsmh_tdi_event ev);

#endif
