// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: the IDE_KM responder (PCIe 6.x sec 6.33.3), reached through
 * SPDM VENDOR_DEFINED_REQUEST with the PCI-SIG registry and protocol ID 0
 * inside an established secured session (session_resp.c). In the clear
 * the same request is refused with ERROR SessionRequired, as FINISH,
 * HEARTBEAT, KEY_UPDATE and END_SESSION are (spdm_resp.c): PCIe requires
 * IDE_KM to travel in a secure SPDM session.
 *
 * The emulated endpoint (one port, port index 0 = max port index) has this
 * IDE capability, which QUERY_RESP copies: the one the sim module gives
 * the endpoint in config space (kmod/sim/cfg.c build_ide(); a device's
 * copy is its own registers, so the two must stay in step): IDE_KM, link
 * IDE with 1 TC, selective IDE with 2 streams of 1 address association
 * block each, AES-GCM-256 with a 96-bit MAC, TEE-limited; every stream
 * disabled (control and status 0).
 *
 * Keys: KEY_PROG stores key and IFV per (stream ID, key set, direction,
 * sub-stream) in one of 3 stream slots (one per register block: the link
 * stream and the 2 selective ones); replacing a key wipes the old one first. K_SET_GO names one key
 * set, direction and sub-stream (as spdm-emu's sample and every requester
 * we know send it: six per set); the set becomes the stream's active one
 * once all six of its keys are programmed and started. K_GOSTOP_ACK has no
 * status field, so a K_SET_GO for a key that was never programmed is
 * acknowledged like spdm-emu's sample does (pci_ide_km_device_key_set_go.c
 * acks every GO) but starts nothing, and the emulator's log says so.
 * K_SET_STOP wipes that key. The keys are the device's, not the session's
 * (emu.h): they outlive END_SESSION and a new session, as an IDE engine
 * keeps its keys while the stream runs; a reset, a socket client leaving
 * and the emulator's end wipe them all. Keys and IFVs are never logged.
 *
 * KP_ACK statuses, checked in this order (spdm-emu answers a wrong length
 * with no response at all; a device answers INCORRECT_LENGTH): a
 * KEY_PROG of the wrong length: INCORRECT_LENGTH; a port index above the
 * max port index: UNSUPPORTED_PORT_INDEX; reserved key_sub_stream bits set
 * or a sub-stream other than PR/NPR/CPL, or no register block free for
 * another stream ID (a fourth): UNSUPPORTED_VALUE. QUERY and K_SET_GO/STOP naming an
 * unsupported port, or any IDE_KM message that does not decode, have no
 * status to carry them: ERROR InvalidRequest (spdm-emu: its dispatcher's
 * failure, an SPDM ERROR too).
 *
 * Faults: kp-ack-error (KEY_PROG answered UNSPECIFIED_FAILURE, key not
 * kept), idekm-silent (no answer to any IDE_KM request), idekm-wrong-port
 * (answers name port index + 1), never-secure (keys and GO accepted;
 * emu_idekm_never_secure() tells the sim (the IDE_KEYS record's
 * TSMH_SIM_IDE_NEVER_SECURE flag), which keeps the stream insecure).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "emu.h"
#include "idekm.h"
#include "pcicap.h"
#include "port.h"

#define EMU_IDE_SEL	 2 /* selective register blocks */
#define EMU_IDE_ASSOC	 1 /* address association blocks per selective stream */
#define EMU_IDE_LINK	 1 /* link IDE register blocks (TCs) */
#define EMU_IDE_STREAMS	 (EMU_IDE_SEL + EMU_IDE_LINK) /* stream IDs keyed at once */
#define EMU_IDE_MAX_PORT 0
#define EMU_IDE_NR_KEYS	 12 /* 2 sets x 2 directions x 3 sub-streams */
#define EMU_IDE_SET_KEYS 6
#define EMU_IDE_CAP_DW                               \
	(2 + EMU_IDE_LINK * TSMH_IDE_LINK_BLOCK_DW + \
	 EMU_IDE_SEL * TSMH_IDE_SEL_BLOCK_DW(EMU_IDE_ASSOC))

struct emu_ide_stream {
	int used;
	uint8_t id;
	uint16_t programmed, started; /* bit key_index() */
	int active_set; /* -1: none */
	uint8_t key[EMU_IDE_NR_KEYS][TSMH_IDEKM_KEY_LEN];
	uint8_t ifv[EMU_IDE_NR_KEYS][TSMH_IDEKM_IFV_LEN];
};

struct emu_idekm {
	struct emu_ide_stream st[EMU_IDE_STREAMS];
};

/* set * 6 + direction * 3 + sub-stream */
static unsigned int key_index(uint8_t kss)
{
	return (kss & TSMH_IDEKM_KSS_SET) * 6 + !!(kss & TSMH_IDEKM_KSS_TX) * 3 +
	       tsmh_idekm_kss_sub(kss);
}

static uint16_t set_bits(unsigned int set)
{
	return (uint16_t)(0x3f << (set * EMU_IDE_SET_KEYS));
}

void emu_idekm_free(struct emu_conn *c)
{
	if (!c->ide)
		return;
	OPENSSL_cleanse(c->ide, sizeof(*c->ide));
	free(c->ide);
	c->ide = NULL;
}

static void wipe_key(struct emu_ide_stream *s, unsigned int k)
{
	OPENSSL_cleanse(s->key[k], sizeof(s->key[k]));
	OPENSSL_cleanse(s->ifv[k], sizeof(s->ifv[k]));
	s->programmed &= (uint16_t) ~(1u << k);
	s->started &= (uint16_t) ~(1u << k);
	if (!s->programmed) {
		OPENSSL_cleanse(s, sizeof(*s));
		s->active_set = -1;
	}
}

static struct emu_ide_stream *find_stream(struct emu_conn *c, uint8_t id, int create)
{
	int i;

	if (!c->ide) {
		if (!create)
			return NULL;
		c->ide = calloc(1, sizeof(*c->ide));
		if (!c->ide)
			return NULL;
		for (i = 0; i < EMU_IDE_STREAMS; i++)
			c->ide->st[i].active_set = -1;
	}
	for (i = 0; i < EMU_IDE_STREAMS; i++)
		if (c->ide->st[i].used && c->ide->st[i].id == id)
			return &c->ide->st[i];
	if (!create)
		return NULL;
	for (i = 0; i < EMU_IDE_STREAMS; i++)
		if (!c->ide->st[i].used) {
			c->ide->st[i].used = 1;
			c->ide->st[i].id = id;
			c->ide->st[i].active_set = -1;
			return &c->ide->st[i];
		}
	return NULL;
}

int emu_idekm_key(const struct emu_conn *c, uint8_t stream_id, uint8_t kss, const uint8_t **key,
		  const uint8_t **ifv)
{
	int i;

	for (i = 0; c->ide && i < EMU_IDE_STREAMS; i++) {
		const struct emu_ide_stream *s = &c->ide->st[i];
		unsigned int k = key_index(kss);

		if (!s->used || s->id != stream_id ||
		    tsmh_idekm_kss_sub(kss) >= TSMH_IDEKM_NR_SUB || !(s->programmed & (1u << k)))
			continue;
		*key = s->key[k];
		*ifv = s->ifv[k];
		return 0;
	}
	return -1;
}

int emu_idekm_active_set(const struct emu_conn *c, uint8_t stream_id)
{
	int i;

	for (i = 0; c->ide && i < EMU_IDE_STREAMS; i++)
		if (c->ide->st[i].used && c->ide->st[i].id == stream_id)
			return c->ide->st[i].active_set;
	return -1;
}

int emu_idekm_never_secure(const struct emu_dev_cfg *d)
{
	return !!(d->faults & EMU_FAULT_NEVER_SECURE);
}

/* The capability copy QUERY_RESP carries (little-endian DWORDs). */
static size_t cap_copy(uint8_t *p)
{
	uint32_t cap = TSMH_IDE_CAP_LINK | TSMH_IDE_CAP_SELECTIVE | TSMH_IDE_CAP_IDE_KM |
		       TSMH_IDE_CAP_TEE_LIMITED | (EMU_IDE_LINK - 1) << TSMH_IDE_CAP_LINK_TC_SHIFT |
		       (EMU_IDE_SEL - 1) << TSMH_IDE_CAP_SEL_NUM_SHIFT;
	size_t dw = 0;
	int i, j;

	tsmh_put_le32(p + 4 * dw++, cap);
	tsmh_put_le32(p + 4 * dw++, 0); /* IDE Control */
	for (i = 0; i < EMU_IDE_LINK * TSMH_IDE_LINK_BLOCK_DW; i++)
		tsmh_put_le32(p + 4 * dw++, 0); /* link control, status: off */
	for (i = 0; i < EMU_IDE_SEL; i++) {
		tsmh_put_le32(p + 4 * dw++, EMU_IDE_ASSOC); /* Selective IDE Stream Capability */
		for (j = 1; j < TSMH_IDE_SEL_BLOCK_DW(EMU_IDE_ASSOC); j++)
			tsmh_put_le32(p + 4 * dw++, 0); /* control, status, RID, address: off */
	}
	return 4 * dw;
}

static size_t answer(const struct emu_dev_cfg *d, const struct emu_conn *c,
		     struct tsmh_idekm_msg *m, uint8_t *out, size_t cap)
{
	size_t n;

	if (d->faults & EMU_FAULT_IDEKM_WRONG_PORT)
		m->port_index++;
	n = tsmh_idekm_encode(m, out + TSMH_VDM_HDR_LEN, cap - TSMH_VDM_HDR_LEN);
	if (!n)
		return spdm_enc_error(c->ver, SPDM_ERR_UNSPECIFIED, 0, out);
	tsmh_vdm_put_hdr(out, c->ver, 1, TSMH_PCI_PROTOCOL_IDE_KM, n);
	return TSMH_VDM_HDR_LEN + n;
}

static uint8_t key_prog(const struct emu_dev_cfg *d, struct emu_conn *c,
			const struct tsmh_idekm_msg *m, int decoded)
{
	struct emu_ide_stream *s;
	unsigned int k;

	if (!decoded)
		return TSMH_IDEKM_ST_INCORRECT_LENGTH;
	if (m->port_index > EMU_IDE_MAX_PORT)
		return TSMH_IDEKM_ST_UNSUPPORTED_PORT;
	if ((m->key_sub_stream & TSMH_IDEKM_KSS_RSVD) ||
	    tsmh_idekm_kss_sub(m->key_sub_stream) >= TSMH_IDEKM_NR_SUB)
		return TSMH_IDEKM_ST_UNSUPPORTED_VALUE;
	if (d->faults & EMU_FAULT_KP_ACK_ERROR)
		return TSMH_IDEKM_ST_UNSPECIFIED;
	s = find_stream(c, m->stream_id, 1);
	if (!s)
		return TSMH_IDEKM_ST_UNSUPPORTED_VALUE; /* every register block in use */
	k = key_index(m->key_sub_stream);
	/* a replaced key: the old one wiped first; an active set loses its key */
	OPENSSL_cleanse(s->key[k], sizeof(s->key[k]));
	OPENSSL_cleanse(s->ifv[k], sizeof(s->ifv[k]));
	memcpy(s->key[k], m->key, TSMH_IDEKM_KEY_LEN);
	memcpy(s->ifv[k], m->ifv, TSMH_IDEKM_IFV_LEN);
	s->programmed |= (uint16_t)(1u << k);
	s->started &= (uint16_t) ~(1u << k);
	if (s->active_set == (int)(m->key_sub_stream & TSMH_IDEKM_KSS_SET))
		s->active_set = -1;
	return TSMH_IDEKM_ST_SUCCESS;
}

/* K_SET_GO / K_SET_STOP on a decoded, port-checked request; a note for the log. */
static const char *go_stop(const struct emu_dev_cfg *d, struct emu_conn *c,
			   const struct tsmh_idekm_msg *m)
{
	unsigned int set = m->key_sub_stream & TSMH_IDEKM_KSS_SET, k;
	struct emu_ide_stream *s = find_stream(c, m->stream_id, 0);

	if (tsmh_idekm_kss_sub(m->key_sub_stream) >= TSMH_IDEKM_NR_SUB ||
	    (m->key_sub_stream & TSMH_IDEKM_KSS_RSVD))
		return "no such sub-stream: ignored";
	k = key_index(m->key_sub_stream);
	if (!s || !(s->programmed & (1u << k)))
		return "key not programmed: ignored";
	c->ide_gen++;
	if (m->object_id == TSMH_IDEKM_K_SET_STOP) {
		if (s->active_set == (int)set)
			s->active_set = -1;
		wipe_key(s, k);
		return "key stopped and wiped";
	}
	s->started |= (uint16_t)(1u << k);
	if ((s->started & set_bits(set)) == set_bits(set) &&
	    (s->programmed & set_bits(set)) == set_bits(set)) {
		s->active_set = (int)set;
		s->started &= set_bits(set); /* the other set is no longer in use */
		return emu_idekm_never_secure(d)
			       ? "started; all six keys of the set started: set "
				 "active (fault never-secure: the stream will "
				 "not go SECURE)"
			       : "started; all six keys of the set started: set active";
	}
	return "started";
}

static size_t idekm(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *p, size_t len,
		    uint8_t *out, size_t cap)
{
	struct tsmh_idekm_msg m, r = { 0 };
	struct tsmh_idekm_why w;
	uint8_t copy[4 * EMU_IDE_CAP_DW];
	char kss[32], why[200];
	const char *note;
	int ret = tsmh_idekm_decode(p, len, &m, &w);

	if (d->faults & EMU_FAULT_IDEKM_SILENT) {
		emu_note("IDE_KM %s: not answered (fault idekm-silent)\n",
			 tsmh_idekm_obj_name(len ? p[0] : 0xff));
		c->silent = 1;
		return 0;
	}
	/* a KEY_PROG of the wrong length still gets its KP_ACK */
	if (ret && !(m.object_id == TSMH_IDEKM_KEY_PROG && len >= TSMH_IDEKM_HDR_LEN)) {
		tsmh_idekm_why_format(&w, why, sizeof(why));
		emu_note("IDE_KM request refused: %s\n", why);
		return spdm_enc_error(c->ver, SPDM_ERR_INVALID_REQUEST, 0, out);
	}
	r.port_index = m.port_index;
	r.stream_id = m.stream_id;
	r.key_sub_stream = m.key_sub_stream;
	tsmh_idekm_kss_format(m.key_sub_stream, kss, sizeof(kss));
	switch (m.object_id) {
	case TSMH_IDEKM_QUERY:
		if (m.port_index > EMU_IDE_MAX_PORT)
			break;
		r.object_id = TSMH_IDEKM_QUERY_RESP;
		r.max_port_index = EMU_IDE_MAX_PORT;
		r.cap = copy;
		r.cap_len = (uint32_t)cap_copy(copy);
		emu_note("IDE_KM QUERY port %u: QUERY_RESP (%u selective streams)\n", m.port_index,
			 EMU_IDE_STREAMS);
		return answer(d, c, &r, out, cap);
	case TSMH_IDEKM_KEY_PROG:
		r.object_id = TSMH_IDEKM_KP_ACK;
		r.status = key_prog(d, c, &m, !ret);
		emu_note("IDE_KM KEY_PROG stream %u %s port %u: KP_ACK status %u (%s)\n",
			 m.stream_id, kss, m.port_index, r.status,
			 tsmh_idekm_status_name(r.status));
		return answer(d, c, &r, out, cap);
	case TSMH_IDEKM_K_SET_GO:
	case TSMH_IDEKM_K_SET_STOP:
		if (m.port_index > EMU_IDE_MAX_PORT)
			break;
		note = go_stop(d, c, &m);
		emu_note("IDE_KM %s stream %u %s port %u: %s\n", tsmh_idekm_obj_name(m.object_id),
			 m.stream_id, kss, m.port_index, note);
		r.object_id = TSMH_IDEKM_K_GOSTOP_ACK;
		return answer(d, c, &r, out, cap);
	default:
		/* a response object sent as a request */
		emu_note("IDE_KM %s is not a request: refused\n", tsmh_idekm_obj_name(m.object_id));
		return spdm_enc_error(c->ver, SPDM_ERR_INVALID_REQUEST, 0, out);
	}
	emu_note("IDE_KM %s port %u: port index above %u: refused\n",
		 tsmh_idekm_obj_name(m.object_id), m.port_index, EMU_IDE_MAX_PORT);
	return spdm_enc_error(c->ver, SPDM_ERR_INVALID_REQUEST, 0, out);
}

size_t emu_vdm_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
		       size_t len, uint8_t *rsp, size_t cap)
{
	struct tsmh_idekm_why w;
	struct tsmh_vdm v;
	char why[200];

	if (tsmh_vdm_decode(req, len, 0, &v, &w)) {
		tsmh_idekm_why_format(&w, why, sizeof(why));
		emu_note("VENDOR_DEFINED_REQUEST refused: %s\n", why);
		return spdm_enc_error(c->ver, SPDM_ERR_INVALID_REQUEST, 0, rsp);
	}
	/* TDISP (protocol 1) and anything else: not served (yet) */
	if (v.protocol != TSMH_PCI_PROTOCOL_IDE_KM || v.large)
		return spdm_enc_error(c->ver, SPDM_ERR_UNSUPPORTED_REQUEST, req[1], rsp);
	return idekm(d, c, v.payload, v.len, rsp, cap);
}
