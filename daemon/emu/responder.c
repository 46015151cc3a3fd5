// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: DOE-level dispatch (discovery, CMA/SPDM) and the fault menu.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "doe.h"
#include "emu.h"

static const struct tsmh_doe_disc_ent emu_prots[] = {
	{ TSMH_DOE_VID_PCISIG, TSMH_DOE_PROT_DISCOVERY, 0 },
	{ TSMH_DOE_VID_PCISIG, TSMH_DOE_PROT_CMA, 0 },
	{ TSMH_DOE_VID_PCISIG, TSMH_DOE_PROT_SEC_CMA, 0 },
};
#define NR_PROTS (sizeof(emu_prots) / sizeof(emu_prots[0]))

static long wrap(uint16_t vid, uint8_t type, size_t payload_len, uint8_t *rsp, size_t cap)
{
	size_t padded = (payload_len + 3) & ~(size_t)3;
	size_t total = TSMH_DOE_HDR_BYTES + padded;

	if (total > cap)
		return -1;
	memset(rsp + TSMH_DOE_HDR_BYTES + payload_len, 0, padded - payload_len);
	tsmh_put_le32(rsp, tsmh_doe_hdr0(vid, type));
	tsmh_put_le32(rsp + 4, tsmh_doe_hdr1((uint32_t)(total / 4)));
	return (long)total;
}

int emu_verbose;

void emu_note(const char *fmt, ...)
{
	va_list ap;

	if (!emu_verbose)
		return;
	va_start(ap, fmt);
	fputs("tsmh-emu: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

long emu_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req, size_t len,
		 uint8_t *rsp, size_t cap)
{
	const uint8_t *pl = req + TSMH_DOE_HDR_BYTES;
	uint16_t vid;
	uint8_t type;
	long n;

	if (d->faults & EMU_FAULT_SILENT)
		return 0;
	if (d->faults & EMU_FAULT_DOE_ERROR)
		return -1;
	if (tsmh_doe_obj_check(req, (uint32_t)len, &vid, &type))
		return -1; /* malformed object: a real mailbox flags Error */
	len -= TSMH_DOE_HDR_BYTES;

	if (vid == TSMH_DOE_VID_PCISIG && type == TSMH_DOE_PROT_DISCOVERY) {
		/* no-cma: a mailbox that offers discovery only */
		uint8_t nr = (d->faults & EMU_FAULT_NO_CMA) ? 1 : NR_PROTS;
		uint8_t idx;
		uint8_t next;

		if (len < 4 || cap < TSMH_DOE_HDR_BYTES + 4)
			return -1;
		idx = pl[0];
		if (idx >= nr)
			idx = 0; /* out of range: report entry 0, end of list */
		next = (idx + 1 < nr && pl[0] < nr) ? idx + 1 : 0;
		tsmh_put_le32(rsp + TSMH_DOE_HDR_BYTES,
			      tsmh_doe_disc_rsp(emu_prots[idx].vid, emu_prots[idx].type, next));
		n = wrap(vid, type, 4, rsp, cap);
	} else if (vid == TSMH_DOE_VID_PCISIG && !(d->faults & EMU_FAULT_NO_CMA) &&
		   (type == TSMH_DOE_PROT_CMA || type == TSMH_DOE_PROT_SEC_CMA)) {
		/* CMA carries SPDM messages, secured CMA DSP0277 records */
		size_t m;

		if (cap < TSMH_DOE_HDR_BYTES + 4)
			return -1;
		m = (type == TSMH_DOE_PROT_CMA ? emu_spdm_respond : emu_secured_respond)(
			d, c, pl, len, rsp + TSMH_DOE_HDR_BYTES, cap - TSMH_DOE_HDR_BYTES - 3);
		if (c->silent) {
			c->silent = 0;
			return 0; /* not answered (idekm-silent) */
		}
		if (!m)
			return -1; /* no room for any answer */
		n = wrap(vid, type, m, rsp, cap);
	} else {
		/* an unknown protocol: the mailbox flags Error, as DOE asks */
		return -1;
	}
	if (n > 0 && (d->faults & EMU_FAULT_BAD_LENGTH))
		tsmh_put_le32(rsp + 4, tsmh_doe_hdr1((uint32_t)n / 4 + 1));
	if (n > 0 && (d->faults & EMU_FAULT_WRONG_PROT))
		tsmh_put_le32(rsp, tsmh_doe_hdr0(vid, (uint8_t)(type + 0x40)));
	return n;
}

int emu_faults_parse(const char *s, unsigned int *faults, const char **bad)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} names[] = {
		{ "silent", EMU_FAULT_SILENT },
		{ "doe-error", EMU_FAULT_DOE_ERROR },
		{ "bad-length", EMU_FAULT_BAD_LENGTH },
		{ "wrong-protocol", EMU_FAULT_WRONG_PROT },
		{ "unplug", EMU_FAULT_UNPLUG },
		{ "bad-san", EMU_FAULT_BAD_SAN },
		{ "unknown-root", EMU_FAULT_UNKNOWN_ROOT },
		{ "wrong-signature", EMU_FAULT_WRONG_SIG },
		{ "truncated", EMU_FAULT_TRUNCATED },
		{ "not-ready", EMU_FAULT_NOT_READY },
		{ "busy", EMU_FAULT_BUSY },
		{ "meas-change", EMU_FAULT_MEAS_CHANGE },
		{ "no-cma", EMU_FAULT_NO_CMA },
		{ "no-heartbeat", EMU_FAULT_NO_HBEAT },
		{ "no-key-update", EMU_FAULT_NO_KEY_UPD },
		{ "heartbeat-error", EMU_FAULT_HBEAT_ERROR },
		{ "opaque-fmt0", EMU_FAULT_OPAQUE_FMT0 },
		{ "kp-ack-error", EMU_FAULT_KP_ACK_ERROR },
		{ "idekm-silent", EMU_FAULT_IDEKM_SILENT },
		{ "idekm-wrong-port", EMU_FAULT_IDEKM_WRONG_PORT },
		{ "never-secure", EMU_FAULT_NEVER_SECURE },
		{ "tdisp-report-long", EMU_FAULT_TDISP_REPORT_LONG },
		{ "tdisp-overlap", EMU_FAULT_TDISP_OVERLAP },
		{ "tdisp-beyond-bar", EMU_FAULT_TDISP_BEYOND_BAR },
		{ "tdisp-state-lie", EMU_FAULT_TDISP_STATE_LIE },
		{ "tdisp-any-nonce", EMU_FAULT_TDISP_ANY_NONCE },
		{ "tdisp-error", EMU_FAULT_TDISP_ERROR },
	};
	static char word[32];

	*faults = 0;
	while (*s) {
		size_t n = strcspn(s, ","), i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && !strncmp(s, names[i].name, n))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			snprintf(word, sizeof(word), "%.*s", (int)(n < 31 ? n : 31), s);
			*bad = word;
			return -1;
		}
		*faults |= names[i].bit;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}
