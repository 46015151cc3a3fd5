// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: the TDISP 1.0 responder (PCIe 6.x sec 11), reached through
 * SPDM VENDOR_DEFINED_REQUEST with the PCI-SIG registry and protocol ID 1
 * inside an established secured session, like IDE_KM (idekm_resp.c); in
 * the clear the request is refused with ERROR SessionRequired.
 *
 * TDIs: with a named layout (--tdisp-layout) functions 0-2 of the device
 * (INTERFACE_ID requester ID 00:00.0 - 00:00.2, segment ignored), their
 * BARs made up (function n's 16 MiB above function 0's); with
 * --tdisp-layout-file (tdisp_file.c) whatever TDIs the file names, their
 * BARs the file's (the sim's real ones, from sysfs), the file read again
 * at every LOCK_INTERFACE_REQUEST: a LOCK for an interface without a line
 * is INVALID_INTERFACE, an unreadable file or a bad line UNSPECIFIED (and
 * a line on stderr naming the file and line). Another interface ID is
 * answered TDISP_ERROR INVALID_INTERFACE. A TDI's state is kept by the
 * requester ID's function number (RID & 7: functions and the sim's VFs,
 * which are functions of device 0). Each keeps its state (lib/tdisp.c's
 * table decides which request is legal in which state:
 * INVALID_INTERFACE_STATE otherwise), the LOCK parameters and its
 * START_INTERFACE nonce.
 *
 * LOCK_INTERFACE_REQUEST: flags outside the 1.0 set are INVALID_REQUEST;
 * with --tdisp-need-ide, the default stream must have an active IDE key
 * set programmed and started with IDE_KM in this session (PCIe 6.4
 * sec 11.3.8; spdm-emu PR #427 added the same check), else
 * INVALID_DEVICE_CONFIGURATION. The nonce is 32 bytes of RAND_bytes
 * (INSUFFICIENT_ENTROPY if that fails); the report is built then from the
 * TDI's layout (--tdisp-layout, tdisp_req.c), every first page plus the
 * MMIO_REPORTING_OFFSET, with 8 bytes of device-specific information.
 * START_INTERFACE compares the nonce in constant time (CRYPTO_memcmp);
 * a wrong one is INVALID_NONCE and the TDI stays CONFIG_LOCKED (as
 * spdm-emu's sample). STOP_INTERFACE is legal in every state (the spec's
 * table) and wipes the nonce and report. The report is served in
 * portions of at most 64 bytes, so a requester always reassembles.
 * BIND_P2P_STREAM needs the LOCK's BIND_P2P flag; SET_MMIO_ATTRIBUTE must
 * name a reported range marked IS_MEM_ATTR_UPDATABLE (its first page and
 * size), else INVALID_REQUEST; VDM_REQUEST: UNSUPPORTED_REQUEST (no
 * vendor messages); SET_TDISP_CONFIG (TDISP 1.1 / XT): UNSUPPORTED_REQUEST.
 * The end of the session moves CONFIG_LOCKED and RUN TDIs to ERROR; a
 * reset (and the connection's end) forgets them (CONFIG_UNLOCKED).
 *
 * Faults: tdisp-report-long (the first portion announces 16 bytes less
 * than the report has, the rest is sent anyway), tdisp-overlap (an extra
 * NON_TEE range one page into range 0, as long as range 0 where range 0's
 * BAR allows it), tdisp-beyond-bar (the last range runs 16 pages past the
 * end of its BAR), tdisp-state-lie (GET_DEVICE_INTERFACE_STATE says
 * RUN while CONFIG_LOCKED), tdisp-any-nonce (START accepts any nonce),
 * tdisp-error (LOCK answered TDISP_ERROR VENDOR_SPECIFIC_ERROR with
 * extended error data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "emu.h"
#include "tdisp.h"
#include "tdisp_req.h"

#define EMU_TDIS	  8 /* states by RID & 7 */
#define EMU_NAMED_TDIS	  3 /* TDIs of a named layout: functions 0-2 */
#define EMU_TDISP_PORTION 64
#define EMU_TDISP_DSI	  "tsmh-emu"
#define EMU_REPORT_MAX	  (TSMH_TDISP_REPORT_HDR + (TSMH_TDISP_LAYOUT_MAX_RANGES + 1) * 16 + 4 + 8)

struct emu_tdi {
	uint8_t state;
	uint16_t lock_flags;
	uint8_t stream_id;
	uint64_t mmio_offset;
	uint8_t nonce[TSMH_TDISP_NONCE_LEN];
	uint8_t report[EMU_REPORT_MAX];
	uint32_t report_len;
};

struct emu_tdisp {
	struct emu_tdi tdi[EMU_TDIS];
};

void emu_tdisp_free(struct emu_conn *c)
{
	if (!c->tdisp)
		return;
	OPENSSL_cleanse(c->tdisp, sizeof(*c->tdisp));
	free(c->tdisp);
	c->tdisp = NULL;
}

void emu_tdisp_session_end(struct emu_conn *c)
{
	int i;

	for (i = 0; c->tdisp && i < EMU_TDIS; i++) {
		struct emu_tdi *t = &c->tdisp->tdi[i];

		if (t->state == TSMH_TDI_CONFIG_LOCKED || t->state == TSMH_TDI_RUN) {
			emu_note("TDISP TDI %d: %s -> ERROR (the session ended)\n", i,
				 tsmh_tdi_state_name(t->state));
			t->state = TSMH_TDI_ERROR;
			OPENSSL_cleanse(t->nonce, sizeof(t->nonce));
		}
	}
}

int emu_tdisp_state(const struct emu_conn *c, unsigned int fn)
{
	return c->tdisp && fn < EMU_TDIS ? c->tdisp->tdi[fn].state : TSMH_TDI_CONFIG_UNLOCKED;
}

static size_t answer(const struct emu_conn *c, const struct tsmh_tdisp_msg *m, uint8_t *out,
		     size_t cap)
{
	size_t n = tsmh_tdisp_encode(m, out + TSMH_VDM_HDR_LEN, cap - TSMH_VDM_HDR_LEN);

	if (!n)
		return spdm_enc_error(c->ver, SPDM_ERR_UNSPECIFIED, 0, out);
	tsmh_vdm_put_hdr(out, c->ver, 1, TSMH_PCI_PROTOCOL_TDISP, n);
	return TSMH_VDM_HDR_LEN + n;
}

static size_t tdisp_error(const struct emu_conn *c, const struct tsmh_tdisp_msg *q, uint32_t code,
			  const char *why, uint8_t *out, size_t cap)
{
	struct tsmh_tdisp_msg r = { .code = TSMH_TDISP_ERROR,
				    .function_id = q->function_id,
				    .error_code = code };

	emu_note("TDISP %s (interface %#x): TDISP_ERROR %s: %s\n", tsmh_tdisp_code_name(q->code),
		 q->function_id, tsmh_tdisp_error_name(code), why);
	return answer(c, &r, out, cap);
}

/* the end of the BAR of @l holding page address @a (@l's last BAR end if none) */
static uint64_t bar_end(const struct tsmh_tdisp_layout *l, uint64_t a)
{
	uint64_t end = 0;
	int i;

	for (i = 0; i < TSMH_TDISP_NR_BARS; i++) {
		const struct tsmh_tdisp_bar *b = &l->bar[i];

		if (b->size && a >= b->base && a - b->base < b->size)
			return b->base + b->size;
		if (b->size && b->base + b->size > end)
			end = b->base + b->size;
	}
	return end;
}

/* the report of @t for layout @l and the LOCK's offset, faults applied */
static void build_report(const struct emu_dev_cfg *d, struct emu_tdi *t,
			 struct tsmh_tdisp_named *lp)
{
	static const uint8_t dsi[] = EMU_TDISP_DSI;
	struct tsmh_tdisp_report rep = { .interface_info = TSMH_TDISP_INFO_DMA_NO_PASID,
					 .msix_ctl = 0,
					 .dsi = dsi,
					 .dsi_len = sizeof(dsi) - 1 };
	struct tsmh_tdisp_named l = *lp;
	struct tsmh_tdisp_range *x;
	uint64_t end;
	uint32_t i;

	if (t->lock_flags & TSMH_TDISP_LOCK_NO_FW_UPDATE)
		rep.interface_info |= TSMH_TDISP_INFO_NO_UPDATE_AFTER_LOCK;
	if (l.l.msix) /* Table Size field: entries - 1; Function Mask set while locked */
		rep.msix_ctl = (uint16_t)((l.l.table_entries - 1) |
					  (t->lock_flags & TSMH_TDISP_LOCK_MSIX ? 0x4000 : 0));
	/* the faults, on the ranges at their bus addresses */
	if ((d->faults & EMU_FAULT_TDISP_OVERLAP) && l.nr && l.nr < TSMH_TDISP_LAYOUT_MAX_RANGES) {
		x = &l.r[l.nr];
		*x = l.r[0];
		if (x->nr_pages > 1)
			x->first_page += TSMH_TDISP_PAGE;
		end = bar_end(&l.l, x->first_page);
		if (x->first_page + (uint64_t)x->nr_pages * TSMH_TDISP_PAGE > end)
			x->nr_pages = (uint32_t)((end - x->first_page) / TSMH_TDISP_PAGE);
		x->attrs = TSMH_TDISP_RANGE_NON_TEE;
		l.nr++;
	}
	if ((d->faults & EMU_FAULT_TDISP_BEYOND_BAR) && l.nr) {
		x = &l.r[l.nr - 1];
		end = bar_end(&l.l, x->first_page);
		x->nr_pages = (uint32_t)((end - x->first_page) / TSMH_TDISP_PAGE + 16);
	}
	for (i = 0; i < l.nr; i++)
		l.r[i].first_page += t->mmio_offset;
	t->report_len =
		(uint32_t)tsmh_tdisp_report_build(&rep, l.r, l.nr, t->report, sizeof(t->report));
}

/* the layout of the TDI @q names: 0, or the TDISP_ERROR code with @why */
static uint32_t layout_of(const struct emu_dev_cfg *d, const struct tsmh_tdisp_msg *q,
			  unsigned int fn, struct tsmh_tdisp_named *l, char *why, size_t whylen)
{
	int ret;

	if (!d->tdisp_layout_file) {
		if (tsmh_tdisp_layout_get(d->tdisp_layout ? d->tdisp_layout : "simple", fn, l))
			tsmh_tdisp_layout_get("simple", fn, l);
		return 0;
	}
	ret = emu_tdisp_file_lookup(d->tdisp_layout_file, q->function_id, l, why, whylen);
	if (ret > 0)
		return TSMH_TDISP_E_INVALID_INTERFACE;
	if (ret < 0) {
		/* a broken test setup: said whether or not --verbose */
		fprintf(stderr, "tsmh-emu: --tdisp-layout-file %s\n", why);
		return TSMH_TDISP_E_UNSPECIFIED;
	}
	return 0;
}

static size_t lock(const struct emu_dev_cfg *d, struct emu_conn *c, struct emu_tdi *t,
		   unsigned int fn, const struct tsmh_tdisp_msg *q, uint8_t *out, size_t cap)
{
	struct tsmh_tdisp_msg r = { .code = TSMH_TDISP_RSP_LOCK, .function_id = q->function_id };
	struct tsmh_tdisp_named l;
	char why[512];
	uint32_t ecode;

	if (d->faults & EMU_FAULT_TDISP_ERROR) {
		static const uint8_t vid[] = { 0x01, 0x00 }, data[] = { 0xde, 0xad };
		struct tsmh_tdisp_msg e = { .code = TSMH_TDISP_ERROR,
					    .function_id = q->function_id,
					    .error_code = TSMH_TDISP_E_VENDOR_SPECIFIC,
					    .error_data = 0,
					    .has_ext = 1,
					    .registry_id = 0,
					    .vendor_id_len = 2,
					    .vendor_id = vid,
					    .data = data,
					    .data_len = 2 };

		emu_note("TDISP LOCK_INTERFACE_REQUEST (interface %#x): TDISP_ERROR "
			 "VENDOR_SPECIFIC_ERROR (fault tdisp-error)\n",
			 q->function_id);
		return answer(c, &e, out, cap);
	}
	if (q->lock_flags & ~TSMH_TDISP_LOCK_FLAGS_10)
		return tdisp_error(c, q, TSMH_TDISP_E_INVALID_REQUEST, "flags outside TDISP 1.0's",
				   out, cap);
	if (d->tdisp_need_ide && emu_idekm_active_set(c, q->default_stream_id) < 0)
		return tdisp_error(c, q, TSMH_TDISP_E_INVALID_DEVICE_CONFIG,
				   "no IDE key set programmed and started for the default stream "
				   "(--tdisp-need-ide)",
				   out, cap);
	ecode = layout_of(d, q, fn, &l, why, sizeof(why));
	if (ecode)
		return tdisp_error(c, q, ecode, why, out, cap);
	if (RAND_bytes(t->nonce, sizeof(t->nonce)) != 1)
		return tdisp_error(c, q, TSMH_TDISP_E_INSUFFICIENT_ENTROPY, "RAND_bytes failed",
				   out, cap);
	t->lock_flags = q->lock_flags;
	t->stream_id = q->default_stream_id;
	t->mmio_offset = q->mmio_reporting_offset;
	build_report(d, t, &l);
	t->state = TSMH_TDI_CONFIG_LOCKED;
	r.nonce = t->nonce;
	emu_note("TDISP LOCK_INTERFACE_REQUEST TDI %u flags %#x stream %u MMIO offset %#llx: "
		 "CONFIG_LOCKED, report %u bytes\n",
		 fn, q->lock_flags, q->default_stream_id,
		 (unsigned long long)q->mmio_reporting_offset, t->report_len);
	return answer(c, &r, out, cap);
}

static size_t report(const struct emu_dev_cfg *d, struct emu_conn *c, struct emu_tdi *t,
		     const struct tsmh_tdisp_msg *q, uint8_t *out, size_t cap)
{
	struct tsmh_tdisp_msg r = { .code = TSMH_TDISP_RSP_REPORT, .function_id = q->function_id };
	uint32_t total = t->report_len, left, n, adv;

	if (q->offset >= total && !(q->offset == 0 && total == 0))
		return tdisp_error(c, q, TSMH_TDISP_E_INVALID_REQUEST, "OFFSET past the report",
				   out, cap);
	left = total - q->offset;
	n = left < q->length ? left : q->length;
	if (n > EMU_TDISP_PORTION)
		n = EMU_TDISP_PORTION;
	adv = left - n;
	/* the lie: 16 bytes fewer announced than there are (the rest sent anyway) */
	if ((d->faults & EMU_FAULT_TDISP_REPORT_LONG) && q->offset == 0)
		adv = adv >= 16 ? adv - 16 : 0;
	r.portion_len = (uint16_t)n;
	r.remainder = (uint16_t)adv;
	r.portion = t->report + q->offset;
	emu_note("TDISP GET_DEVICE_INTERFACE_REPORT offset %u length %u: portion %u, remainder "
		 "%u%s\n",
		 q->offset, q->length, n, adv,
		 (d->faults & EMU_FAULT_TDISP_REPORT_LONG) && q->offset == 0
			 ? " (fault tdisp-report-long: 16 bytes too few announced)"
			 : "");
	return answer(c, &r, out, cap);
}

static int updatable_range(const struct emu_tdi *t, const struct tsmh_tdisp_range *x)
{
	struct tsmh_tdisp_report rep;
	struct tsmh_tdisp_range y;
	uint32_t i;

	if (tsmh_tdisp_report_parse(t->report, t->report_len, &rep, NULL))
		return 0;
	for (i = 0; i < rep.nr_ranges; i++) {
		tsmh_tdisp_report_range(&rep, i, &y);
		if (y.first_page == x->first_page && y.nr_pages == x->nr_pages &&
		    (y.attrs & TSMH_TDISP_RANGE_UPDATABLE))
			return 1;
	}
	return 0;
}

static size_t serve(const struct emu_dev_cfg *d, struct emu_conn *c, struct emu_tdi *t,
		    unsigned int fn, const struct tsmh_tdisp_msg *q, uint8_t *out, size_t cap)
{
	struct tsmh_tdisp_msg r = { .code = TSMH_TDISP_RSP_OF(q->code),
				    .function_id = q->function_id };
	static const uint8_t vers[] = { TSMH_TDISP_VERSION_10 };
	uint8_t st;

	switch (q->code) {
	case TSMH_TDISP_GET_VERSION:
		r.nr_versions = 1;
		r.versions = vers;
		break;
	case TSMH_TDISP_GET_CAPABILITIES:
		/* requests 0x81-0x8b: bit (code - 0x80) */
		r.req_msgs[0] = 0xfe;
		r.req_msgs[1] = 0x0f;
		r.lock_flags_supported = TSMH_TDISP_LOCK_FLAGS_10;
		r.dev_addr_width = 52;
		r.num_req_this = 1;
		r.num_req_all = 1;
		break;
	case TSMH_TDISP_LOCK: return lock(d, c, t, fn, q, out, cap);
	case TSMH_TDISP_GET_REPORT: return report(d, c, t, q, out, cap);
	case TSMH_TDISP_GET_STATE:
		st = t->state;
		if ((d->faults & EMU_FAULT_TDISP_STATE_LIE) && st == TSMH_TDI_CONFIG_LOCKED) {
			st = TSMH_TDI_RUN;
			emu_note("TDISP TDI %u: says RUN while CONFIG_LOCKED (fault "
				 "tdisp-state-lie)\n",
				 fn);
		}
		r.tdi_state = st;
		break;
	case TSMH_TDISP_START:
		if (!(d->faults & EMU_FAULT_TDISP_ANY_NONCE) &&
		    CRYPTO_memcmp(q->nonce, t->nonce, TSMH_TDISP_NONCE_LEN))
			return tdisp_error(c, q, TSMH_TDISP_E_INVALID_NONCE,
					   "not the LOCK response's nonce; the TDI stays "
					   "CONFIG_LOCKED",
					   out, cap);
		if ((d->faults & EMU_FAULT_TDISP_ANY_NONCE) &&
		    CRYPTO_memcmp(q->nonce, t->nonce, TSMH_TDISP_NONCE_LEN))
			emu_note("TDISP TDI %u: wrong nonce accepted (fault tdisp-any-nonce)\n",
				 fn);
		OPENSSL_cleanse(t->nonce, sizeof(t->nonce));
		break;
	case TSMH_TDISP_STOP: OPENSSL_cleanse(t, sizeof(*t)); break;
	case TSMH_TDISP_BIND_P2P:
	case TSMH_TDISP_UNBIND_P2P:
		if (!(t->lock_flags & TSMH_TDISP_LOCK_BIND_P2P))
			return tdisp_error(c, q, TSMH_TDISP_E_INVALID_REQUEST,
					   "the LOCK did not set BIND_P2P", out, cap);
		break;
	case TSMH_TDISP_SET_MMIO:
		if (!updatable_range(t, &q->range))
			return tdisp_error(c, q, TSMH_TDISP_E_INVALID_REQUEST,
					   "not a reported range marked IS_MEM_ATTR_UPDATABLE", out,
					   cap);
		break;
	default: return tdisp_error(c, q, TSMH_TDISP_E_UNSUPPORTED_REQUEST, "not served", out, cap);
	}
	t->state = tsmh_tdisp_next(q->code, t->state);
	emu_note("TDISP %s TDI %u: %s, now %s\n", tsmh_tdisp_code_name(q->code), fn,
		 tsmh_tdisp_code_name(r.code), tsmh_tdi_state_name(t->state));
	return answer(c, &r, out, cap);
}

size_t emu_tdisp_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *p,
			 size_t len, uint8_t *out, size_t cap)
{
	struct tsmh_tdisp_msg q;
	struct tsmh_idekm_why w;
	char why[256];
	unsigned int fn;
	int ret = tsmh_tdisp_decode(p, len, &q, &w);

	if (ret && len < TSMH_TDISP_HDR_LEN) {
		tsmh_idekm_why_format(&w, why, sizeof(why));
		emu_note("TDISP request refused: %s\n", why);
		return spdm_enc_error(c->ver, SPDM_ERR_INVALID_REQUEST, 0, out);
	}
	if (ret == -EPROTO && (q.version & 0xf0) != 0x10)
		return tdisp_error(c, &q, TSMH_TDISP_E_VERSION_MISMATCH, "TDISPVersion not 1.x",
				   out, cap);
	if (ret) {
		tsmh_idekm_why_format(&w, why, sizeof(why));
		return tdisp_error(c, &q, TSMH_TDISP_E_INVALID_REQUEST, why, out, cap);
	}
	if (!(q.code & 0x80))
		return tdisp_error(c, &q, TSMH_TDISP_E_INVALID_REQUEST, "a response, not a request",
				   out, cap);
	if (q.version != TSMH_TDISP_VERSION_10)
		return tdisp_error(c, &q, TSMH_TDISP_E_VERSION_MISMATCH, "TDISPVersion not 1.0",
				   out, cap);
	if (q.code == TSMH_TDISP_SET_CONFIG)
		return tdisp_error(c, &q, TSMH_TDISP_E_UNSUPPORTED_REQUEST,
				   "SET_TDISP_CONFIG is TDISP 1.1 (XT); this device speaks 1.0",
				   out, cap);
	if (q.code == TSMH_TDISP_VDM)
		return tdisp_error(c, &q, TSMH_TDISP_E_UNSUPPORTED_REQUEST,
				   "no vendor-defined TDISP messages", out, cap);
	fn = q.function_id & TSMH_TDISP_FID_RID_MASK;
	if (d->tdisp_layout_file)
		fn &= 7; /* the file says at LOCK whether the interface is there */
	else if (fn >= EMU_NAMED_TDIS)
		return tdisp_error(c, &q, TSMH_TDISP_E_INVALID_INTERFACE,
				   "no such TDI (functions 00:00.0-00:00.2)", out, cap);
	if (!c->tdisp) {
		c->tdisp = calloc(1, sizeof(*c->tdisp));
		if (!c->tdisp)
			return spdm_enc_error(c->ver, SPDM_ERR_UNSPECIFIED, 0, out);
	}
	if (!tsmh_tdisp_legal(q.code, c->tdisp->tdi[fn].state)) {
		snprintf(why, sizeof(why), "not legal in %s",
			 tsmh_tdi_state_name(c->tdisp->tdi[fn].state));
		return tdisp_error(c, &q, TSMH_TDISP_E_INVALID_INTERFACE_STATE, why, out, cap);
	}
	return serve(d, c, &c->tdisp->tdi[fn], fn, &q, out, cap);
}
