/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The tsmh-emu program around the responder (emu.h): its options
 * (opts.c), the /dev/tsmh_sim channel with its queue of held responses
 * (sim.c) and the main loop (main.c). Not part of the in-process
 * emulator the unit tests link.
 */
#ifndef TSMH_EMU_MAIN_H
#define TSMH_EMU_MAIN_H

#include <stdint.h>
#include <linux/tsmh_sim.h>
#include "emu.h"

struct emu_opts {
	const char *sim_path;
	const char *listen_addr;
	int listen_port; /* -1: no socket */
	const char *plug;
	int fault_slot; /* -1: all */
	unsigned int delay_ms;
	const char *ready_file;
	const char *export_root;
	int no_certs;
	int verbose;
	uint32_t asym; /* signing algorithms with keys */
	int slots; /* provisioned certificate slots */
	struct emu_dev_cfg cfg;
};

/*
 * Fill @o from the command line. Returns -1 to go on, else the exit
 * status (0 after --help, 2 after a usage error, with its message).
 */
int emu_opts_parse(int argc, char **argv, struct emu_opts *o);
/* The configuration of endpoint @slot: without faults unless --fault-slot names it. */
const struct emu_dev_cfg *emu_cfg_for(const struct emu_opts *o, int slot);
/* --delay-ms applies to the fault slot only when one is named. */
unsigned int emu_delay_for(const struct emu_opts *o, int slot);
/* "tsmh-emu: ..." on stderr with --verbose. */
void emu_logv(const struct emu_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t emu_now_ms(void);

/* One record of the sim channel: header and the largest object. */
#define EMU_RECSZ    (sizeof(struct tsmh_sim_msg) + TSMH_SIM_OBJ_MAX)
#define EMU_MAX_HELD 64

struct emu_held {
	int used;
	uint32_t slot, seq;
	uint64_t due_ms;
	long len; /* -1: report Error */
	uint8_t *obj;
};

struct emu_sim {
	const struct emu_opts *opt;
	int fd; /* -1: not serving the sim module */
	int nr_slots;
	uint8_t *rxbuf, *txbuf; /* EMU_RECSZ each, the caller's */
	struct emu_conn conn[TSMH_SIM_MAX_SLOTS]; /* SPDM state per endpoint */
	struct emu_held held[EMU_MAX_HELD];
	/* stream IDs whose keys the kernel holds, per slot (IDE_KEYS sent) */
	uint8_t ide_sent[TSMH_SIM_MAX_SLOTS][32];
};

/* Open o->sim_path (message on failure): 0 or -1. */
int emu_sim_open(struct emu_sim *s);
/* One record from the kernel: 0, or -errno to stop serving. */
int emu_sim_handle(struct emu_sim *s);
/* Send the held responses that are due; the poll timeout until the next (-1: none). */
int emu_sim_deliver_due(struct emu_sim *s);
void emu_sim_close(struct emu_sim *s);

#endif
