/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * IDE stream allocator: stream IDs, register blocks at both ends and the
 * host bridge's stream pool. Pure logic, shared by the core module (on
 * kernels without pci_ide_stream_alloc(), docs/design.md "IDE streams")
 * and the unit tests and fuzzers.
 *
 * The rules (PCIe r6.x/r7.0 6.33, Linux drivers/pci/ide.c):
 * - a selective stream joins a root port and an endpoint below it; it
 *   takes one free selective IDE stream register block at each end
 *   (lowest free index, like upstream's per-device ida) and one slot of
 *   its host bridge's stream pool (nr_streams, default 256; the platform
 *   may have fewer: pci_ide_set_nr_streams());
 * - a link stream joins two ports on one link (root port or switch
 *   downstream port, and the endpoint or switch upstream port below it),
 *   one per traffic class; it takes one link IDE register block at each
 *   end and no pool slot (upstream does not count link streams in the
 *   pool either);
 * - a Stream ID must be unique among the streams between one pair of
 *   partner ports (6.33). TSMH_IDE_ID_PER_HB (the default) makes it unique
 *   in the whole host bridge, as upstream does (ide_stream_ids_ida), which
 *   implies the spec rule; TSMH_IDE_ID_PER_PAIR applies only the spec rule;
 * - Stream ID 255 is never allocated: upstream writes it into every idle
 *   register block so that idle blocks never alias a live stream (some
 *   root ports check IDs of disabled blocks too, seed 000 "Init IDs on all
 *   IDE streams beforehand"); the caller does the same.
 *
 * Storage is the caller's (struct tsmh_ide_hb per host bridge, struct
 * tsmh_ide_port per IDE-capable port, struct tsmh_ide_stream per stream);
 * nothing here allocates, sleeps or locks. The caller serialises every
 * call touching one host bridge (its ports and streams) under one lock of
 * its own; lookups and listings need that lock too.
 *
 * Errors: -EINVAL (bad arguments: wrong port kinds, ports of another host
 * bridge, out-of-range requests), -EOPNOTSUPP (a port without the blocks
 * asked for, a pool of size 0), -EBUSY (exhausted or taken: the message
 * names the port and the current holders), -ENOENT (freeing a stream that
 * is not allocated). Messages go to @msg (@len bytes, truncated with
 * "..."); "" on success.
 */
#ifndef TSMH_LIB_IDE_ALLOC_H
#define TSMH_LIB_IDE_ALLOC_H

#include "port.h"
#include "ide_cap.h"

#define TSMH_IDE_NAME_MAX	32	/* "pci0000:00", "0000:00:01.0", ... */
#define TSMH_IDE_NR_IDS		256
#define TSMH_IDE_POOL_MAX	256	/* upstream's default and maximum */

enum tsmh_ide_port_kind {
	TSMH_IDE_PORT_ROOT = 1,		/* root port */
	TSMH_IDE_PORT_ENDPOINT,		/* endpoint (function 0 of the DSM) */
	TSMH_IDE_PORT_SWITCH_DS,	/* switch downstream port (link only) */
	TSMH_IDE_PORT_SWITCH_US,	/* switch upstream port (link only) */
};

enum tsmh_ide_id_scope {
	TSMH_IDE_ID_PER_HB = 0,
	TSMH_IDE_ID_PER_PAIR,
};

enum tsmh_ide_stream_kind {
	TSMH_IDE_STREAM_SEL = 1,
	TSMH_IDE_STREAM_LINK,
};

struct tsmh_ide_stream;

struct tsmh_ide_hb {
	char name[TSMH_IDE_NAME_MAX];
	u16 nr_streams;		/* pool size, 0..256 */
	u16 nr_used;		/* pool slots in use */
	u8 scope;		/* enum tsmh_ide_id_scope */
	u32 pool[TSMH_IDE_POOL_MAX / 32];	/* slots in use */
	u32 ids[TSMH_IDE_NR_IDS / 32];	/* PER_HB: IDs in use (+ 255) */
	unsigned int nr_ports;	/* ports initialised on it */
	struct tsmh_ide_stream *streams;	/* allocated, newest first */
};

struct tsmh_ide_port {
	char name[TSMH_IDE_NAME_MAX];
	struct tsmh_ide_hb *hb;
	u8 kind;		/* enum tsmh_ide_port_kind */
	u8 nr_link;		/* link IDE register blocks, 0..8 */
	u16 nr_sel;		/* selective IDE register blocks, 0..256 */
	u16 nr_sel_used;
	u8 nr_link_used;
	u8 link;		/* link blocks in use */
	u32 sel[TSMH_IDE_MAX_SEL / 32];	/* selective blocks in use */
};

struct tsmh_ide_stream {
	struct tsmh_ide_stream *next;	/* the host bridge's list */
	struct tsmh_ide_hb *hb;
	/* selective: root port, endpoint; link: upstream, downstream port */
	struct tsmh_ide_port *up, *down;
	u8 type;		/* enum tsmh_ide_stream_kind */
	u8 stream_id;
	u8 tc;			/* link streams: the traffic class */
	u16 up_block, down_block;	/* register block index at each end */
	int pool_slot;		/* host bridge pool slot; -1 for link streams */
};

/* what to allocate; -1 in a field: any (the lowest free) */
struct tsmh_ide_req {
	int stream_id;		/* 0..254 */
	int up_block, down_block;	/* claim a given block (e.g. found active) */
	int tc;			/* link streams: 0..7 (-1: 0) */
};

#define TSMH_IDE_REQ_ANY { .stream_id = -1, .up_block = -1, .down_block = -1, .tc = -1 }

/* @nr_streams: pool size (> 256 is clamped to 256, as upstream does) */
void tsmh_ide_hb_init(struct tsmh_ide_hb *hb, const char *name, unsigned int nr_streams,
		      enum tsmh_ide_id_scope scope);
/* like pci_ide_set_nr_streams(); -EBUSY while streams are allocated */
int tsmh_ide_hb_set_nr_streams(struct tsmh_ide_hb *hb, unsigned int nr_streams);
/* -EINVAL for more blocks than the capability can describe */
int tsmh_ide_port_init(struct tsmh_ide_port *p, struct tsmh_ide_hb *hb, const char *name,
		       enum tsmh_ide_port_kind kind, unsigned int nr_sel, unsigned int nr_link);
/* -EBUSY (message naming the holders) while a stream uses @p */
int tsmh_ide_port_fini(struct tsmh_ide_port *p, char *msg, size_t len);

/* a selective stream between root port @rp and endpoint @ep into @s */
int tsmh_ide_alloc_sel(struct tsmh_ide_stream *s, struct tsmh_ide_port *rp,
		       struct tsmh_ide_port *ep, const struct tsmh_ide_req *req, char *msg,
		       size_t len);
/* a link stream between @up and @down (one link) into @s */
int tsmh_ide_alloc_link(struct tsmh_ide_stream *s, struct tsmh_ide_port *up,
			struct tsmh_ide_port *down, const struct tsmh_ide_req *req, char *msg,
			size_t len);
/* give back everything @s holds; -ENOENT if @s is not allocated on @hb */
int tsmh_ide_free(struct tsmh_ide_hb *hb, struct tsmh_ide_stream *s, char *msg, size_t len);

/* lookups: NULL if none */
struct tsmh_ide_stream *tsmh_ide_find_block(const struct tsmh_ide_port *p,
					    enum tsmh_ide_stream_kind type, unsigned int block);
struct tsmh_ide_stream *tsmh_ide_find_id(const struct tsmh_ide_port *p, unsigned int stream_id);
/* iteration: tsmh_ide_next(hb, NULL) is the first stream */
struct tsmh_ide_stream *tsmh_ide_next(const struct tsmh_ide_hb *hb,
				      const struct tsmh_ide_stream *s);

/* free capacity, for "tsmctl ide list" */
static inline unsigned int tsmh_ide_sel_free(const struct tsmh_ide_port *p)
{
	return p->nr_sel - p->nr_sel_used;
}

static inline unsigned int tsmh_ide_link_free(const struct tsmh_ide_port *p)
{
	return p->nr_link - p->nr_link_used;
}

static inline unsigned int tsmh_ide_pool_free(const struct tsmh_ide_hb *hb)
{
	return hb->nr_streams - hb->nr_used;
}

/* "streams 1 by 0000:01:00.0, 2 by 0000:01:00.1" for the streams using @p */
size_t tsmh_ide_holders(const struct tsmh_ide_port *p, char *buf, size_t len);
const char *tsmh_ide_port_kind_name(u8 kind);

/*
 * Recompute every count, bitmap and uniqueness rule of @hb from its stream
 * list and compare (for the fuzzer, the tests and a debug check).
 * @ports: every port initialised on @hb. 0, or -EUCLEAN with the first
 * inconsistency in @msg.
 */
int tsmh_ide_check(const struct tsmh_ide_hb *hb, struct tsmh_ide_port *const *ports,
		   unsigned int nr_ports, char *msg, size_t len);

#endif
