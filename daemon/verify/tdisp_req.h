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

/*
 * Named layouts (tsmh-emu --tdisp-layout, tsmctl tdisp --layout), and the
 * same patterns laid onto given BARs (tsmh-emu --tdisp-layout-file).
 * Enough ranges for six BARs with the MSI-X table and PBA in them under
 * every pattern (at most 18) and a fault's extra one.
 */
#define TSMH_TDISP_LAYOUT_MAX_RANGES 32

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

/*
 * A TDI's BARs and MSI-X capability as tests/vm/lib.sh sim_tdi_layout
 * prints them from sysfs (docs/design.md "Sim BARs"): comma-separated
 * barN=BASE:SIZE:32|64:pref|np (N 0-5, a bus address and a power-of-two
 * size it is aligned to, a 64-bit BAR at N <= 4 taking N + 1 too) and
 * msix=TABLE_BIR:TABLE_OFF:ENTRIES:PBA_BIR:PBA_OFF (ENTRIES 1-2048);
 * numbers as C literals. "-" or "": no memory BAR. 0 with @l filled
 * (mmio_offset 0), or -EINVAL with @why naming the item and the rule.
 */
int tsmh_tdisp_barspec_parse(const char *s, struct tsmh_tdisp_layout *l, char *why, size_t whylen);

/*
 * Lay pattern @name onto the BARs of @bars (range IDs: the BAR index;
 * ranges in BAR order, within a BAR by address; a BAR under 4 KiB is
 * never reported, and the MSI-X table and PBA are reported exactly on the
 * pages the capability puts them on, marked, whenever their BAR is):
 *   simple: every page of every BAR, TEE;
 *   sparse: the lowest BAR without MSI-X structures not reported (if
 *     another is), the first range of the first other BAR without them
 *     IS_MEM_ATTR_UPDATABLE, in a BAR holding them the first (up to) two
 *     pages that are not theirs NON_TEE;
 *   offset: no BAR's page 0 reported (unless the table or PBA is on it),
 *     each stretch of 4 or more pages between MSI-X structures split in
 *     two with a page left out between: the first half TEE, the second
 *     IS_MEM_ATTR_UPDATABLE (NON_TEE in a BAR holding MSI-X structures,
 *     where a shorter stretch is NON_TEE too).
 * Every such report passes tsmh_tdisp_report_check() against @bars.
 * 0 with @out filled (@out->l = *@bars, mmio_offset 0), -ENOENT for an
 * unknown name, -EINVAL with @why when the BARs cannot carry it (an MSI-X
 * structure running past its BAR, the table and PBA sharing some but not
 * all of their pages).
 */
int tsmh_tdisp_layout_map(const char *name, const struct tsmh_tdisp_layout *bars,
			  struct tsmh_tdisp_named *out, char *why, size_t whylen);

#endif
