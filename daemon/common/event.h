/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Decoding of the "tsmh" multicast events (group "events": device add and
 * remove, gate changes, evidence commits, resets) into one struct. The
 * one decoder of both tsmctl monitor and tsmd: what an event must carry
 * is decided here, each program only chooses what to do with it.
 */
#ifndef TSMH_EVENT_H
#define TSMH_EVENT_H

#include <stdint.h>
#include <netlink/msg.h>
#include "devinfo.h"

struct tsmh_event {
	uint8_t cmd; /* TSMH_CMD_EVT_* */
	const char *what; /* "add", "remove", "gate", "evidence", "reset" */
	char dev[32]; /* the device every event names */
	/* add, gate: the device as DEV_GET shows it; remove: its identity */
	struct tsmh_devinfo info;
	/* reset: kind TSMH_RESET_UNKNOWN and count 0 if the event lacks them */
	uint32_t reset_kind;
	uint64_t reset_count;
	/* evidence: generation required, provenance and present optional */
	uint64_t generation;
	int has_provenance;
	uint32_t provenance;
	uint32_t present;
};

/*
 * Decode one message of the events group. Returns 0; 1 for a command
 * that is not a known event (a newer kernel's: skip it); or -EBADMSG with
 * @err (>= 128 bytes) saying what is wrong. @ev->cmd and @ev->what are
 * set in every case.
 */
int tsmh_event_decode(struct nl_msg *m, struct tsmh_event *ev, char *err);

#endif
