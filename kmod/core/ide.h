/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tsmh_core: IDE streams (ABI 5, docs/design.md "Connect (kernel)").
 *
 * Objects:
 *
 *   tsmh_ide_bridges (list, tsmh_ide_list_lock)
 *     struct tsmh_ide_bridge   one per PCI host bridge with a tracked IDE port
 *       lock                   serialises everything below, register
 *                              writes to the IDE blocks of its ports and to
 *                              its root ports' key units included
 *       hb                     lib/ide_alloc.h pool and stream IDs
 *       ports  struct tsmh_ide_kport   one per tracked root port / endpoint
 *                                      with an IDE capability (dev->ide)
 *       streams struct tsmh_ide_kstream  one per stream the kernel knows
 *       ops                    the stream backend (struct tsmh_ide_ops)
 *
 * Lock order: tsmh_ide_bridge.lock comes after the device lock and the PCI
 * rescan lock (a hot-removal and the unload hold the latter when they tear
 * streams down) and is never held with another tsmh_core lock:
 * tsmh_devs_lock, gate_op_lock, state_lock and ev_lock are taken outside it
 * or not at all; events are multicast with it held (no lock inside).
 * tsmh_ide_list_lock (the bridges list and their port counts) is a leaf,
 * never held with a bridge lock.
 *
 * Backends. A stream's ID, register blocks and pool slot come from a
 * backend: on kernels without an IDE core (6.1, 6.12) tsmh_ide_own_ops
 * (lib/ide_alloc.c and the encoders of lib/ide_cap.c writing the
 * registers); on 7.2 a backend over pci_ide_* may replace it per host
 * bridge (tsmh_ide_pick_ops()). The root port's keys are not the stream
 * backend's: they go to the port's key backend (enum tsmh_ide_key_backend:
 * tsmh_sim's key unit, or none when a platform TSM owns them).
 */
#ifndef TSMH_CORE_IDE_H
#define TSMH_CORE_IDE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/pci.h>
#include <uapi/linux/tsmh.h>

#include "ide_alloc.h"
#include "ide_cap.h"

struct tsmh_dev;
struct tsmh_ide_bridge;
struct tsmh_ide_kstream;

/*
 * tsmh_sim's root-port IDE key unit (design.md "Root-port IDE key unit"):
 * a VSEC of the root port's vendor, VSEC ID 1, revision 1, on the sim's
 * root port only (vendor 1b36, device 1e11): another vendor's VSEC 1 is
 * something else, never written to.
 */
#define TSMH_KU_VENDOR		0x1b36
#define TSMH_KU_DEVICE		0x1e11
#define TSMH_KU_VSEC_ID		0x0001
#define TSMH_KU_VSEC_REV	1
#define TSMH_KU_LEN		0x40
#define TSMH_KU_CAP		0x08
#define TSMH_KU_SEL		0x0c
#define  TSMH_KU_SEL_SET	0x00000100
#define  TSMH_KU_SEL_TX		0x00000200
#define  TSMH_KU_SEL_SUB_SHIFT	10
#define TSMH_KU_CMD		0x10
#define  TSMH_KU_CMD_PROGRAM	0x1
#define  TSMH_KU_CMD_GO		0x2
#define  TSMH_KU_CMD_STOP	0x4
#define TSMH_KU_STS		0x14
#define  TSMH_KU_STS_DONE	0x1
#define  TSMH_KU_STS_ERR	0x2
#define  TSMH_KU_STS_CODE_SHIFT	4
#define  TSMH_KU_STS_ACTIVE	0x100
#define  TSMH_KU_STS_ACTIVE_SET	0x200
#define  TSMH_KU_STS_PROG_SHIFT	16
#define  TSMH_KU_STS_PROG_MASK	0x0fff0000
#define TSMH_KU_KEY		0x18
#define TSMH_KU_IFV		0x38

/*
 * struct tsmh_ide_ops - a stream backend. Every call runs with the
 * stream's bridge lock held (asserted by the caller) and may sleep; each
 * names the device, the step and the reason in @extack on failure.
 * @alloc: pick the stream ID, a register block at each end and a pool
 *	slot; fill @s->id, @s->rp_block, @s->ep_block. Nothing written yet.
 * @setup: program both ends (RID and address association, control with
 *	stream ID, TC, algorithm 0), not enabled. On failure nothing of it
 *	stays (the backend unwinds its own writes).
 * @enable: set the enable bit at both ends, the endpoint first (PCIe r7.0
 *	6.33.8); on failure both ends are left disabled.
 * @disable: clear the enable bit, the root port first. Best effort.
 * @teardown: clear association registers, stream ID 255 into both blocks.
 *	Best effort.
 * @free: give back the ID, blocks and pool slot. Cannot fail for a
 *	stream @alloc succeeded on.
 * @name: for logs and ide-get.
 * @max_addr: address association windows @setup can program (0: as many
 *	as the root port's block has; the caller merges to the smaller).
 */
struct tsmh_ide_ops {
	const char *name;
	unsigned int max_addr;
	int (*alloc)(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack);
	int (*setup)(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack);
	int (*enable)(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack);
	int (*disable)(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack);
	int (*teardown)(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack);
	int (*free)(struct tsmh_ide_kstream *s, struct netlink_ext_ack *extack);
};

/* registers of lib/ide_cap.c, written by the kernel (tsmh_ide_own_ops) */
extern const struct tsmh_ide_ops tsmh_ide_own_ops;

/*
 * struct tsmh_ide_kport - a tracked root port or endpoint with an IDE
 * capability, reached from its struct tsmh_dev (@dev->ide, set once at
 * add and freed with the tsmh_dev, so a reference to the device keeps it).
 * Constant after add: @dev (not referenced: the port lives inside it),
 * @br, @role, @layout, @kb, @ku_off, @platform, @host.
 * Under @br->lock: @port (lib state), @gone (the device is being removed:
 * no new stream), @node.
 */
struct tsmh_ide_kport {
	struct list_head node;		/* @br->ports */
	struct tsmh_ide_bridge *br;
	struct tsmh_dev *dev;
	struct tsmh_ide_port port;
	struct tsmh_ide_layout *layout;	/* the capability, read at add */
	u8 role;			/* enum tsmh_ide_role */
	u8 kb;				/* enum tsmh_ide_key_backend (root ports) */
	u16 ku_off;			/* key unit VSEC (kb == TSMH_IDE_KB_SIM) */
	char platform[32];		/* kb == NONE: who owns the root-port keys */
	bool host;			/* the host may write its idle blocks: a root port
					 * with a host key backend, or an endpoint below one
					 */
	bool gone;
};

/*
 * struct tsmh_ide_bridge - one PCI host bridge's IDE state.
 * @phb: identity only (compared, never dereferenced after the last port
 *	goes); @nr_ports: ports on it, under tsmh_ide_list_lock, which frees
 *	the bridge when it drops to 0 (at the last port's tsmh_dev release).
 * @lock: protects @hb, @ports, @streams, every field of the ports and
 *	streams marked so, and serialises all register writes to the IDE
 *	capabilities of its ports and to its root ports' key units.
 * @ops: the stream backend, constant.
 */
struct tsmh_ide_bridge {
	struct list_head node;		/* tsmh_ide_bridges */
	struct pci_host_bridge *phb;
	unsigned int nr_ports;
	struct mutex lock;		/* see above */
	struct tsmh_ide_hb hb;
	struct list_head ports;
	struct list_head streams;
	const struct tsmh_ide_ops *ops;
};

/*
 * struct tsmh_ide_kstream - a stream between a root port and an endpoint
 * below it (selective; link streams use @type LINK and the link blocks).
 * Every field is under @br->lock; @br, @rp, @ep, @rpdev, @epdev, @type,
 * @tc and @created do not change after creation, @id, @rp_block and
 * @ep_block not after @ops->alloc.
 * @rpdev, @epdev: references held for the stream's life (kref of tsmh_dev);
 *	dropped after @br->lock is released.
 * @a: the lib allocator's record (tsmh_ide_own_ops); @priv: another
 *	backend's (7.2: the struct pci_ide).
 * @rid_base, @rid_limit: segment << 16 | RID, the endpoint's range (VFs
 *	included) in the root port's RID association; @ep_rid: the root
 *	port's RID in the endpoint's association.
 * @addr, @nr_addr: address association windows (lib: tsmh_ide_addr_windows())
 *	programmed at the root port.
 * @flags: TSMH_IDE_S_F_*; @created: ns since the epoch.
 * @seq: creation order, unique for the module's life (tsmh_ide_seq_now()).
 * @ku_keys, @ku_active: the root port's key unit state for the stream
 *	(programmed keys mask, active set or -1), cached by ku_refresh()
 *	after each change so that ide-get writes no register.
 */
struct tsmh_ide_kstream {
	struct list_head node;		/* @br->streams */
	struct tsmh_ide_bridge *br;
	struct tsmh_ide_kport *rp, *ep;
	struct tsmh_dev *rpdev, *epdev;
	const struct tsmh_ide_ops *ops;
	struct tsmh_ide_stream a;
	void *priv;
	u8 type;			/* enum tsmh_ide_stream_type (uapi) */
	u8 id;
	u8 tc;
	u16 rp_block, ep_block;
	u32 rid_base, rid_limit;
	u32 ep_rid;
	u8 nr_addr;
	struct tsmh_ide_win addr[TSMH_IDE_MAX_ASSOC];
	u32 flags;
	u64 created;
	u64 seq;
	u32 ku_keys;
	int ku_active;
};

/* register access for backends; @br->lock held */
int tsmh_ide_sel_off(const struct tsmh_ide_kport *p, unsigned int block);
int tsmh_ide_rd(struct tsmh_ide_kport *p, int off, u32 *v);
int tsmh_ide_wr(struct tsmh_ide_kport *p, int off, u32 v);

/* the backend for a new bridge whose first port is @pdev */
const struct tsmh_ide_ops *tsmh_ide_pick_ops(struct pci_dev *pdev);

/* core hooks (main.c, gate.c) */
void tsmh_ide_dev_add(struct tsmh_dev *dev, bool at_load);
void tsmh_ide_dev_remove(struct tsmh_dev *dev, bool unload);	/* rescan lock held */
void tsmh_ide_dev_reset(struct tsmh_dev *dev, u32 kind);
void tsmh_ide_dev_free(struct tsmh_dev *dev);	/* at the tsmh_dev's release */

#endif
