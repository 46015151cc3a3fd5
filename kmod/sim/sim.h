/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tsmh_sim: an emulated PCIe domain with TEE-IO endpoints.
 *
 * Topology (bus numbers are fixed; the domain is picked at load):
 *
 *   00:00.0  Root Port (IDE: link + selective streams)
 *    01:00.0  Switch Upstream Port
 *     02:DD.F  Switch Downstream Port N   (one per endpoint slot)
 *      (3+N):00.0  Endpoint N: PCIe (FLR, TEE-IO), DOE, IDE, DSN
 *      (3+N):00.1-2 with nr_functions=2-3: further functions of the same
 *                   card (device SIM_DEV_EP_FN): PCIe only, no DOE, no
 *                   TEE-IO; present exactly while function 0 is
 *      (3+N):00.F  with nr_vfs: SR-IOV VFs of function 0 (F = nr_functions
 *                   + i), present while function 0 has VF Enable set and
 *                   NumVFs > i
 *
 * Cards in slots below bar_slots have memory BARs and MSI-X (cfg.c,
 * docs/design.md "Sim BARs") inside bridge windows the sim programs at load.
 *
 * The root port has MSI and AER (so portdrv binds its AER service and
 * aer_inject can drive error recovery); a Secondary Bus Reset on any
 * bridge resets the endpoints below it like an FLR.
 *
 * Downstream port N sits at device N % 32, function N / 32 of bus 2: ports
 * 0-31 are 02:NN.0, ports 32-63 the second functions of the same devices
 * (whose function 0 then announces itself multi-function), and so on.
 *
 * Every endpoint needs a bus of its own (a downstream port's link has one
 * device), and a PCI domain has 256 bus numbers: one domain (a segment:
 * its own host bridge, root port and switch, as above) holds at most
 * SIM_EP_PER_SEG endpoints. Endpoint slot S is endpoint S % SIM_EP_PER_SEG
 * of segment S / SIM_EP_PER_SEG; the segments' domains are picked one
 * after another (normally 0x10000, 0x10001, ...).
 *
 * Endpoints are absent (config reads return ~0) until the device emulator
 * plugs them through /dev/tsmh_sim; their DOE mailboxes are answered by
 * that emulator. The kernel side knows nothing of SPDM.
 */
#ifndef TSMH_SIM_H
#define TSMH_SIM_H

#include <linux/bitmap.h>
#include <linux/irq_work.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/tsmh_sim.h>

#include "doe_mbox.h"
#include "pcicap.h"

#define SIM_CFG_SIZE	4096
/* one record on the character device: header + largest data object */
#define SIM_REC_MAX	(sizeof(struct tsmh_sim_msg) + TSMH_SIM_OBJ_MAX)
#define SIM_VENDOR	0x1b36	/* Red Hat, Inc. (QEMU's PCI vendor) */
#define SIM_DEV_EP	0x1e10	/* unassigned in QEMU's ID list */
#define SIM_DEV_RP	0x1e11
#define SIM_DEV_USP	0x1e12
#define SIM_DEV_DSP	0x1e13
#define SIM_DEV_EP_FN	0x1e14	/* functions 1-2 of a multi-function card */
#define SIM_DEV_VF	0x1e15	/* SR-IOV VFs of function 0 (nr_vfs) */
#define SIM_MAX_VF	4
#define SIM_MAX_FN	3
#define SIM_CLASS_ACCEL	0x1200	/* processing accelerator (not in 6.1 pci_ids.h) */
#define SIM_HDR_MFD	0x80	/* multi-function bit of the header type */
/* downstream ports per function number on bus 2 */
#define SIM_DSP_PER_FN	32
/* endpoints per segment (PCI domain): buses 3..130 */
#define SIM_EP_PER_SEG	128
#define SIM_MAX_SEG	DIV_ROUND_UP(TSMH_SIM_MAX_SLOTS, SIM_EP_PER_SEG)
/*
 * Memory BARs (docs/design.md "Sim BARs"): the cards of the first
 * bar_slots slots have them. Each such slot's downstream port forwards a
 * non-prefetchable window of SIM_NP_STRIDE (below 4 GiB) and a 64-bit
 * prefetchable one of SIM_PF_STRIDE, carved out of its segment's
 * apertures in slot order; the root port and switch forward the lot.
 */
#define SIM_NP_STRIDE	SZ_2M
#define SIM_PF_STRIDE	SZ_32M

enum sim_fn_kind { SIM_RP, SIM_USP, SIM_DSP, SIM_EP, SIM_EPF, SIM_VF };

/*
 * IDE keys (ide.c). An endpoint's copy of the keys of a stream, as its
 * IDE_KM responder holds them (TSMH_SIM_MSG_IDE_KEYS); index set * 6 +
 * dir * 3 + sub-stream, dir 0 = the holder's RX.
 */
#define SIM_EP_STREAMS	3	/* streams an endpoint keys at once (1 link + 2 sel) */
struct sim_ep_keys {
	bool valid, never_secure;
	u8 stream_id;
	s8 active;		/* key set, -1: none */
	u16 programmed;		/* bit per key index */
	u8 key[TSMH_SIM_IDE_NR_KEYS][TSMH_SIM_IDE_KEY_LEN];
	u8 ifv[TSMH_SIM_IDE_NR_KEYS][TSMH_SIM_IDE_IFV_LEN];
};

/* The root port's key unit (a VSEC, see docs/design.md): one slot per stream ID */
#define SIM_KU_SLOTS	8
#define SIM_KU_KEYS	12	/* set * 6 + dir * 3 + sub-stream */
struct sim_ku_slot {
	bool used;
	u8 stream_id;
	u16 programmed;		/* bit per key index */
	s8 active;		/* key set after GO, -1: none */
	u8 key[SIM_KU_KEYS][TSMH_SIM_IDE_KEY_LEN];
	u8 ifv[SIM_KU_KEYS][TSMH_SIM_IDE_IFV_LEN];
};

/* key unit registers, from the VSEC header (docs/design.md) */
#define SIM_KU_VSEC_ID		0x0001
#define SIM_KU_LEN		0x40
#define SIM_KU_VSEC_HDR		0x04
#define SIM_KU_CAP		0x08	/* RO: [7:0] key slots (stream IDs at once) */
#define SIM_KU_SEL		0x0c	/* RW: stream ID, key set, direction, sub-stream */
#define  SIM_KU_SEL_ID		0x000000ff
#define  SIM_KU_SEL_SET		0x00000100
#define  SIM_KU_SEL_TX		0x00000200
#define  SIM_KU_SEL_SUB_SHIFT	10		/* [11:10] 0 PR, 1 NPR, 2 CPL */
#define  SIM_KU_SEL_MASK	0x00000fff
#define SIM_KU_CMD		0x10	/* WO, reads 0 */
#define  SIM_KU_CMD_PROGRAM	0x1	/* staged key+IFV -> selected key */
#define  SIM_KU_CMD_GO		0x2	/* selected set becomes the stream's active one */
#define  SIM_KU_CMD_STOP	0x4	/* wipe the selected key set of the stream ID */
#define SIM_KU_STS		0x14	/* RO */
#define  SIM_KU_STS_DONE	0x1
#define  SIM_KU_STS_ERR		0x2
#define  SIM_KU_STS_CODE_SHIFT	4	/* [7:4] */
#define  SIM_KU_STS_ACTIVE	0x100	/* the selected stream has an active set */
#define  SIM_KU_STS_ACTIVE_SET	0x200
#define  SIM_KU_STS_PROG_SHIFT	16	/* [27:16]: keys programmed, set * 6 + dir * 3 + sub */
#define SIM_KU_KEY		0x18	/* WO: key DW0-7 */
#define SIM_KU_IFV		0x38	/* WO: IFV DW0-1 */
/* error codes */
#define SIM_KU_E_SUB		1	/* sub-stream 3 is reserved */
#define SIM_KU_E_FULL		2	/* no free slot for another stream ID */
#define SIM_KU_E_NOKEYS		3	/* GO: the set's six keys are not all programmed */
#define SIM_KU_E_CMD		4	/* more than one command bit */

struct sim_ku {
	u32 stage[10];		/* key DW0-7, IFV DW0-1 as written (write-only) */
	u32 status;
	struct sim_ku_slot slot[SIM_KU_SLOTS];
};

/*
 * One emulated function. cfg/wmask are only touched under sim->lock.
 * Event flags (ev_*) are set in config-write context and consumed by the
 * character device reader, also under sim->lock.
 */
struct sim_fn {
	enum sim_fn_kind kind;
	int slot;		/* DSP/EP/EPF: endpoint index */
	int seg;		/* the segment (struct sim_seg) it sits in */
	u8 bus, devfn;
	bool present;		/* EP: plugged by the emulator */
	bool plain;		/* EP: plugged without TEE-IO (TSMH_SIM_PLUG_PLAIN) */
	u16 exp_off, doe_off;
	u16 ide_off, ku_off;	/* IDE capability, key unit VSEC (RP); 0: none */
	u16 sriov_off;		/* EP: SR-IOV capability; 0: none */
	u8 ide_nsel;
	struct sim_ep_keys ekeys[SIM_EP_STREAMS];	/* EP only */
	u8 cfg[SIM_CFG_SIZE];
	u8 wmask[SIM_CFG_SIZE];
	struct tsmh_doe_mbox mb;
	u32 *mb_wbuf, *mb_rbuf;
	bool ev_req, ev_abort, ev_reset;
	u32 ev_abort_seq;
};

/*
 * struct sim_seg - one emulated PCI domain: host bridge, root port, switch
 * and the downstream ports and endpoints of slots @first..@first+@nr_ep-1
 */
struct sim_seg {
	struct pci_bus *bus;
	struct resource busn;	/* bus number range, lives as long as @bus */
	int domain;
	int first, nr_ep;
	struct pci_sysdata sysdata;
	int nr_bar;		/* slots @first..@first+@nr_bar-1 have BARs */
	/* the apertures of the host bridge (none if !@nr_bar), see SIM_NP_STRIDE */
	struct resource np, pf;
	struct sim_fn rp, usp;
	struct sim_ku ku;	/* the root port's IDE key unit */
};

/*
 * struct tsmh_sim - the emulated domains
 * @lock: raw spinlock for all function state; PCI config accessors can be
 *	called with pci_lock (a raw spinlock) held, so nothing under @lock
 *	sleeps, allocates or takes a sleeping lock. Wakeups of readers go
 *	through @wake_work (irq_work) for the same reason.
 * @chr_lock: serialises read()/write() on the character device and
 *	protects the bounce buffers.
 * @open: the character device is held by an emulator (atomic bit 0).
 * @hello_pending: the next read() returns the HELLO record.
 * @rescan_work: plug/unplug run here under pci_lock_rescan_remove(),
 *	never in the emulator's write() (the scan itself does DOE exchanges
 *	that only the emulator can answer).
 */
struct tsmh_sim {
	struct device *parent;
	struct sim_seg *seg;	/* nr_seg */
	int nr_seg;
	int nr_ep;
	int nr_fn;		/* functions per endpoint card (1-SIM_MAX_FN) */
	int nr_bar;		/* slots 0..nr_bar-1 have memory BARs */
	int nr_vfs;		/* TotalVFs of function 0 of BAR slots (0-SIM_MAX_VF) */
	int next_ev;		/* round-robin start for events */
	raw_spinlock_t lock;		/* see above */
	struct mutex chr_lock;		/* see above */
	unsigned long open;
	bool hello_pending;
	wait_queue_head_t wq;
	struct irq_work wake_work;
	struct work_struct rescan_work;
	DECLARE_BITMAP(unplug_mask, TSMH_SIM_MAX_SLOTS);	/* slots to remove, under lock */
	bool rescan;			/* under lock */
	u8 *rd_buf, *wr_buf;
	struct sim_fn *dsp;	/* nr_ep */
	struct sim_fn *ep;	/* nr_ep */
	struct sim_fn *epf;	/* functions 1.. of card N at N * (nr_fn - 1) */
	struct sim_fn *vf;	/* VF i of card N at N * nr_vfs + i; nr_bar cards */
};

/* cfg.c */
void sim_cfg_build(struct tsmh_sim *sim);
/* Program segment @g's bridge windows from its apertures; before its bus exists. */
void sim_cfg_windows(struct tsmh_sim *sim, struct sim_seg *g);
/* Power-on state of endpoint @f (config space, mailbox); sim->lock held. */
void sim_ep_reset(struct tsmh_sim *sim, struct sim_fn *f);
/* The segment whose domain is @domain, or NULL. */
struct sim_seg *sim_seg_of(struct tsmh_sim *sim, int domain);
extern struct pci_ops sim_pci_ops;
extern struct tsmh_sim *sim_instance;

/* ide.c: IDE register behaviour and the SECURE rule; sim->lock held */
/* a config write of @wval (bytes in @mask) to dword @base: true if consumed */
bool sim_ide_write(struct tsmh_sim *sim, struct sim_fn *f, int base, u32 wval, u32 mask);
/* after the masked write of @wval to dword @base whose old value was @old */
void sim_ide_written(struct tsmh_sim *sim, struct sim_fn *f, int base, u32 old, u32 wval,
		     u32 mask);
/* an endpoint was reset (FLR, SBR, plug): wipe its keys, re-evaluate */
void sim_ide_ep_reset(struct tsmh_sim *sim, struct sim_fn *f);
int sim_ide_keys(struct tsmh_sim *sim, u32 slot, const struct tsmh_sim_ide_keys *k);
void sim_ide_eval(struct tsmh_sim *sim);

/* chr.c */
int sim_chr_init(struct tsmh_sim *sim);
void sim_chr_exit(struct tsmh_sim *sim);
void sim_kick(struct tsmh_sim *sim);	/* under sim->lock: wake readers */
void sim_wake(struct irq_work *w);	/* the irq_work behind sim_kick() */

/* drv.c: tsmh_sim_drv, a test driver for the gate (no ID table) */
int sim_drv_init(void);
void sim_drv_exit(void);

#endif
