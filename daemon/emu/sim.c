// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu's /dev/tsmh_sim channel: the HELLO/PLUG handshake, requests
 * answered by the responder, and responses held back (--delay-ms) in a
 * small queue; an ABORT or RESET from the kernel drops the held answers
 * of that slot. See emu_main.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "doe.h"
#include "idekm.h"
#include "emu_main.h"

static int sim_send(struct emu_sim *s, uint32_t kind, uint32_t slot, uint32_t seq, const void *p,
		    uint32_t len)
{
	struct tsmh_sim_msg m = { .kind = kind, .slot = slot, .seq = seq, .len = len };

	memcpy(s->txbuf, &m, sizeof(m));
	if (len)
		memcpy(s->txbuf + sizeof(m), p, len);
	if (write(s->fd, s->txbuf, sizeof(m) + len) < 0) {
		/* ESTALE: the host aborted meanwhile; ENODEV: slot unplugged */
		if (errno != ESTALE && errno != ENODEV)
			fprintf(stderr, "tsmh-emu: write to sim (kind %#x slot %u): %s\n", kind,
				slot, strerror(errno));
		return -errno;
	}
	return 0;
}

static void deliver(struct emu_sim *s, struct emu_held *h)
{
	if (h->len < 0)
		sim_send(s, TSMH_SIM_MSG_ERROR, h->slot, h->seq, NULL, 0);
	else
		sim_send(s, TSMH_SIM_MSG_RESPONSE, h->slot, h->seq, h->obj, (uint32_t)h->len);
	free(h->obj);
	h->obj = NULL;
	h->used = 0;
}

static void drop_slot(struct emu_sim *s, uint32_t slot)
{
	for (int i = 0; i < EMU_MAX_HELD; i++)
		if (s->held[i].used && s->held[i].slot == slot) {
			free(s->held[i].obj);
			s->held[i].obj = NULL;
			s->held[i].used = 0;
		}
}

int emu_sim_deliver_due(struct emu_sim *s)
{
	uint64_t now = emu_now_ms();
	int i, timeout = -1;

	for (i = 0; i < EMU_MAX_HELD; i++) {
		struct emu_held *h = &s->held[i];

		if (!h->used)
			continue;
		if (h->due_ms <= now) {
			deliver(s, h);
			continue;
		}
		if (timeout < 0 || (int)(h->due_ms - now) < timeout)
			timeout = (int)(h->due_ms - now);
	}
	return timeout;
}

/* Keep the answer (@n bytes in txbuf, -1: Error) in @h. */
static int hold(struct emu_held *h, const struct tsmh_sim_msg *m, long n, const uint8_t *obj,
		uint64_t due_ms)
{
	*h = (struct emu_held){
		.used = 1, .slot = m->slot, .seq = m->seq, .len = n, .due_ms = due_ms
	};
	if (n > 0) {
		h->obj = malloc((size_t)n);
		if (!h->obj) {
			h->used = 0;
			return -ENOMEM;
		}
		memcpy(h->obj, obj, (size_t)n);
	}
	return 0;
}

/* Send the answer now, or queue it for --delay-ms. */
static void answer(struct emu_sim *s, const struct tsmh_sim_msg *m, long n)
{
	unsigned int delay = emu_delay_for(s->opt, (int)m->slot);
	const uint8_t *obj = s->txbuf + sizeof(*m);

	if (!delay) {
		struct emu_held h;

		if (!hold(&h, m, n, obj, 0))
			deliver(s, &h);
		return;
	}
	for (int i = 0; i < EMU_MAX_HELD; i++) {
		if (s->held[i].used)
			continue;
		hold(&s->held[i], m, n, obj, emu_now_ms() + delay);
		return;
	}
	fprintf(stderr, "tsmh-emu: too many held responses, dropping slot %u seq %u\n", m->slot,
		m->seq);
}

/*
 * Tell the kernel what the endpoint's IDE_KM responder now holds for
 * every stream: the programmed keys and IFVs of both key sets and the
 * active set, or nothing for a stream whose keys it was sent before. The
 * record is on the stack, written straight to the device and wiped;
 * nothing of it is logged.
 */
static void ide_sync(struct emu_sim *s, uint32_t slot, const struct emu_dev_cfg *cfg)
{
	struct {
		struct tsmh_sim_msg m;
		struct tsmh_sim_ide_keys k;
	} r;
	const struct emu_conn *c = &s->conn[slot];
	const uint8_t *key, *ifv;
	int id, set, i;

	for (id = 0; id < 256; id++) {
		int sent = s->ide_sent[slot][id / 8] & (1 << (id % 8));

		memset(&r, 0, sizeof(r));
		/* index set * 6 + dir * 3 + sub: RX (0) then TX (1), as the kernel wants */
		for (i = 0; i < TSMH_SIM_IDE_NR_KEYS; i++) {
			uint8_t kss = tsmh_idekm_kss((unsigned int)i / 6, i % 6 >= 3,
						     (unsigned int)(i % 3));

			if (emu_idekm_key(c, (uint8_t)id, kss, &key, &ifv))
				continue;
			memcpy(r.k.key[i], key, TSMH_SIM_IDE_KEY_LEN);
			memcpy(r.k.ifv[i], ifv, TSMH_SIM_IDE_IFV_LEN);
			r.k.programmed |= (uint16_t)(1u << i);
		}
		if (!r.k.programmed && !sent)
			continue;
		r.m = (struct tsmh_sim_msg){ .kind = TSMH_SIM_MSG_IDE_KEYS,
					     .slot = slot,
					     .len = sizeof(r.k) };
		r.k.stream_id = (uint8_t)id;
		set = emu_idekm_active_set(c, (uint8_t)id);
		if (set >= 0) {
			r.k.flags = TSMH_SIM_IDE_ACTIVE;
			r.k.key_set = (uint8_t)set;
		}
		if (r.k.programmed && emu_idekm_never_secure(cfg))
			r.k.flags |= TSMH_SIM_IDE_NEVER_SECURE;
		if (r.k.programmed)
			s->ide_sent[slot][id / 8] |= (uint8_t)(1 << (id % 8));
		else
			s->ide_sent[slot][id / 8] &= (uint8_t) ~(1 << (id % 8));
		if (write(s->fd, &r, sizeof(r)) < 0 && errno != ENODEV)
			fprintf(stderr, "tsmh-emu: slot %u: IDE keys of stream %d to sim: %s\n",
				slot, id, strerror(errno));
		emu_logv(s->opt,
			 "slot %u: stream %d: keys %#05x, active set %d handed to the sim\n", slot,
			 id, r.k.programmed, set);
		OPENSSL_cleanse(&r, sizeof(r));
	}
	OPENSSL_cleanse(&r, sizeof(r));
}

static void handle_request(struct emu_sim *s, const struct tsmh_sim_msg *m, const uint8_t *obj)
{
	const struct emu_dev_cfg *cfg = emu_cfg_for(s->opt, (int)m->slot);
	unsigned int gen;
	long n;

	if ((cfg->faults & EMU_FAULT_UNPLUG) && m->len > 4 &&
	    tsmh_doe_hdr_type(tsmh_get_le32(obj)) == TSMH_DOE_PROT_CMA) {
		/* surprise removal with the request in flight: never answered */
		fprintf(stderr, "tsmh-emu: slot %u drops off the bus (fault unplug)\n", m->slot);
		sim_send(s, TSMH_SIM_MSG_UNPLUG, m->slot, 0, NULL, 0);
		return;
	}
	if (m->slot >= TSMH_SIM_MAX_SLOTS)
		return;
	gen = s->conn[m->slot].ide_gen;
	n = emu_respond(cfg, &s->conn[m->slot], obj, m->len, s->txbuf + sizeof(*m),
			TSMH_SIM_OBJ_MAX);
	/* before the K_GOSTOP_ACK: the host may look at the registers right after */
	if (s->conn[m->slot].ide_gen != gen)
		ide_sync(s, m->slot, cfg);

	emu_logv(s->opt, "slot %u seq %u: request %u bytes -> %ld\n", m->slot, m->seq, m->len, n);
	if (n == 0)
		return; /* silent device */
	answer(s, m, n);
}

/* A no-cma slot is a plain endpoint: no TEE-IO bit either. */
static uint32_t plug_flags(const struct emu_sim *s, int slot)
{
	return (emu_cfg_for(s->opt, slot)->faults & EMU_FAULT_NO_CMA) ? TSMH_SIM_PLUG_PLAIN : 0;
}

/* --plug=N,M,...: each slot named. */
static int plug_list(struct emu_sim *s)
{
	char *copy, *tok, *save = NULL;
	int ret = 0;

	copy = strdup(s->opt->plug);
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long slot = strtol(tok, &end, 0);

		if (*end || slot < 0 || slot >= s->nr_slots) {
			fprintf(stderr, "tsmh-emu: --plug: no slot '%s' (device has %d)\n", tok,
				s->nr_slots);
			ret = -EINVAL;
			break;
		}
		ret = sim_send(s, TSMH_SIM_MSG_PLUG, (uint32_t)slot, plug_flags(s, (int)slot), NULL,
			       0);
	}
	free(copy);
	return ret;
}

static int plug(struct emu_sim *s)
{
	const struct emu_opts *o = s->opt;
	int ret = 0;

	if (!o->plug || !strcmp(o->plug, "none"))
		return 0;
	if (strcmp(o->plug, "all"))
		return plug_list(s);
	if (o->fault_slot < 0 || !(o->cfg.faults & EMU_FAULT_NO_CMA))
		return sim_send(s, TSMH_SIM_MSG_PLUG, TSMH_SIM_SLOT_ALL, plug_flags(s, 0), NULL, 0);
	for (int slot = 0; slot < s->nr_slots && !ret; slot++)
		ret = sim_send(s, TSMH_SIM_MSG_PLUG, (uint32_t)slot, plug_flags(s, slot), NULL, 0);
	return ret;
}

static int hello(struct emu_sim *s, const struct tsmh_sim_msg *m)
{
	if (m->seq != TSMH_SIM_ABI_VERSION) {
		fprintf(stderr, "tsmh-emu: sim ABI %u, expected %u\n", m->seq,
			TSMH_SIM_ABI_VERSION);
		return -EPROTO;
	}
	if (m->slot > TSMH_SIM_MAX_SLOTS) { /* conn[] has no state for the others */
		fprintf(stderr,
			"tsmh-emu: the sim has %u endpoint slots, this emulator serves at most %d\n",
			m->slot, TSMH_SIM_MAX_SLOTS);
		return -EPROTO;
	}
	s->nr_slots = (int)m->slot;
	fprintf(stderr, "tsmh-emu: attached to %s: %d endpoint slot(s)\n", s->opt->sim_path,
		s->nr_slots);
	return plug(s);
}

int emu_sim_handle(struct emu_sim *s)
{
	struct tsmh_sim_msg m;
	ssize_t r = read(s->fd, s->rxbuf, EMU_RECSZ);

	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if ((size_t)r < sizeof(m))
		return -EPROTO;
	memcpy(&m, s->rxbuf, sizeof(m));
	if ((size_t)r != sizeof(m) + m.len)
		return -EPROTO;
	switch (m.kind) {
	case TSMH_SIM_MSG_HELLO: return hello(s, &m);
	case TSMH_SIM_MSG_REQUEST: handle_request(s, &m, s->rxbuf + sizeof(m)); return 0;
	case TSMH_SIM_MSG_ABORT:
		emu_logv(s->opt, "slot %u: host aborted seq %u\n", m.slot, m.seq);
		drop_slot(s, m.slot);
		return 0;
	case TSMH_SIM_MSG_RESET:
		emu_logv(s->opt, "slot %u: function level reset\n", m.slot);
		drop_slot(s, m.slot);
		if (m.slot < TSMH_SIM_MAX_SLOTS) { /* an FLR ends the SPDM connection */
			emu_conn_reset(&s->conn[m.slot], 1);
			/* and the kernel wiped the endpoint's IDE keys */
			memset(s->ide_sent[m.slot], 0, sizeof(s->ide_sent[m.slot]));
		}
		return 0;
	default: fprintf(stderr, "tsmh-emu: unknown sim record kind %#x\n", m.kind); return 0;
	}
}

int emu_sim_open(struct emu_sim *s)
{
	s->fd = open(s->opt->sim_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (s->fd >= 0)
		return 0;
	fprintf(stderr, "tsmh-emu: cannot open %s: %s%s\n", s->opt->sim_path, strerror(errno),
		errno == EBUSY	  ? " (another emulator holds it)"
		: errno == ENOENT ? " (is tsmh_sim loaded?)"
				  : "");
	return -1;
}

void emu_sim_close(struct emu_sim *s)
{
	int i;

	/* the held answers are dropped: none is delivered from freed memory later */
	for (i = 0; i < EMU_MAX_HELD; i++) {
		free(s->held[i].obj);
		s->held[i].obj = NULL;
		s->held[i].used = 0;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	for (i = 0; i < TSMH_SIM_MAX_SLOTS; i++)
		emu_conn_free(&s->conn[i]);
}
