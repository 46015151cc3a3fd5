/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The TDISP 1.0 requester (PCIe 6.x sec 11): TDISP messages sent as SPDM
 * VENDOR_DEFINED_REQUEST (PCI-SIG, protocol ID 1) inside an established
 * secured session (secsession.h), each answer decoded with lib/tdisp.c
 * and checked against the request: the expected response code, TDISP
 * version 1.0, the same INTERFACE_ID; a TDISP_ERROR named with its code,
 * data and extended error data. Shared by tsmctl tdisp and, later, tsmd.
 *
 * Also the named MMIO layouts tsmh-emu's TDISP responder reports
 * (--tdisp-layout), so that tsmctl tdisp --layout can check the emulator's
 * report against the BARs the layout gives the TDI.
 */
#ifndef TSMH_VERIFY_TDISP_REQ_H
#define TSMH_VERIFY_TDISP_REQ_H

#include <stddef.h>
#include <stdint.h>
#include "secsession.h"
#include "tdisp.h"

/* the largest report we reassemble */
#define TSMH_TDISP_REPORT_MAX 16384
/* the LENGTH each GET_DEVICE_INTERFACE_REPORT asks for */
#define TSMH_TDISP_PORTION_ASK 1024

/*
 * One exchange: @m (its code, interface ID and fields) out, the answer
 * decoded into @r (pointing into @rsp, @cap bytes). 0, or -errno with
 * @why starting with @step: -EREMOTEIO for an SPDM ERROR or a TDISP_ERROR
 * (@r then holds the TDISP_ERROR: code, data, extended data), -EPROTO for
 * the wrong response, version or interface ID, -EBADMSG for one that does
 * not decode.
 */
int tsmh_tdisp_xfer(struct spdm_transport *t, struct tsmh_session *ss, const char *step,
		    const struct tsmh_tdisp_msg *m, struct tsmh_tdisp_msg *r, uint8_t *rsp,
		    size_t cap, char *why, size_t whylen);

/*
 * GET_DEVICE_INTERFACE_REPORT for interface @fid until the remainder is
 * 0, reassembled into @buf (@cap bytes): 0 with *@len and *@portions set
 * and the report parsed into @rep (pointing into @buf), or -errno with
 * @why naming the portion and the field.
 */
int tsmh_tdisp_get_report(struct spdm_transport *t, struct tsmh_session *ss, uint32_t fid,
			  uint8_t *buf, uint32_t cap, uint32_t *len, unsigned int *portions,
			  struct tsmh_tdisp_report *rep, char *why, size_t whylen);

/* The extended error data of a TDISP_ERROR, for messages: "registry PCI-SIG, vendor ID 0001, 2 bytes" */
void tsmh_tdisp_ext_format(const struct tsmh_tdisp_msg *r, char *buf, size_t len);

/* Named layouts (tsmh-emu --tdisp-layout, tsmctl tdisp --layout) */
#define TSMH_TDISP_LAYOUT_MAX_RANGES 8

struct tsmh_tdisp_named {
	const char *name;
	const char *what;
	struct tsmh_tdisp_layout l; /* mmio_offset 0 */
	uint32_t nr;
	struct tsmh_tdisp_range r[TSMH_TDISP_LAYOUT_MAX_RANGES]; /* bus addresses */
};

/*
 * Layout @name for function @fn (0-7: its BAR bases moved up by fn * 16 MiB):
 * 0 with @out filled, -ENOENT for an unknown name.
 */
int tsmh_tdisp_layout_get(const char *name, unsigned int fn, struct tsmh_tdisp_named *out);
/* "simple, sparse, offset" */
const char *tsmh_tdisp_layout_names(void);

#endif
