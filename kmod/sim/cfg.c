// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_sim: emulated configuration space of every function, and the
 * pci_ops that expose it. See sim.h for the topology and the locking.
 */
#include <linux/pci.h>
#include "sim.h"

#define EXP_OFF		0x40
#define EXP_SIZE	0x3c
#define EP_DOE_OFF	0x100
#define EP_IDE_OFF	0x118
#define EP_DSN_OFF	0x170
#define EP_SRIOV_OFF	0x180	/* with nr_vfs, after the DSN */
#define RP_IDE_OFF	0x100
#define RP_AER_OFF	0x220	/* after the IDE capability (8 streams) */
#define RP_MSI_OFF	0x80	/* after the PCIe capability */
#define RP_KU_OFF	0x280	/* IDE key unit VSEC, after AER */
#define MSIX_OFF	0x80	/* endpoints: after the PCIe capability */

/* IDE layout: header, cap, ctl; link blocks (ctl, sts); selective blocks */
#define IDE_SEL_BLOCK(nassoc)	(20 + 12 * (nassoc))

struct tsmh_sim *sim_instance;

/*
 * A config read of this dword (byte offset) of any endpoint's function 0
 * fails (PCIBIOS_DEVICE_NOT_FOUND), as on a device that stops answering:
 * lets tests reach tsm-host's error paths at hot-add. -1: none.
 */
static int fault_cfg_read = -1;
module_param(fault_cfg_read, int, 0644);
MODULE_PARM_DESC(fault_cfg_read, "Config dword offset whose reads fail on every endpoint (test hook; default -1: none)");

/*
 * 0: the root ports have no IDE key unit VSEC, as on a platform whose
 * root-port IDE keys a platform TSM owns (tsmh_core then refuses to set up
 * streams: ide-stream-new EOPNOTSUPP).
 */
static bool key_unit = true;
module_param(key_unit, bool, 0444);
MODULE_PARM_DESC(key_unit, "Root ports have the host-programmable IDE key unit VSEC (default 1; 0: keys owned by a platform TSM)");

static void put8(struct sim_fn *f, int off, u8 v)
{
	f->cfg[off] = v;
}

static void put16(struct sim_fn *f, int off, u16 v)
{
	put8(f, off, v & 0xff);
	put8(f, off + 1, v >> 8);
}

static void put32(struct sim_fn *f, int off, u32 v)
{
	put16(f, off, v & 0xffff);
	put16(f, off + 2, v >> 16);
}

static u32 get32(struct sim_fn *f, int off)
{
	return f->cfg[off] | f->cfg[off + 1] << 8 | f->cfg[off + 2] << 16 |
	       (u32)f->cfg[off + 3] << 24;
}

static void wm(struct sim_fn *f, int off, int len, u8 mask)
{
	memset(f->wmask + off, mask, len);
}

static void wm32(struct sim_fn *f, int off, u32 mask)
{
	f->wmask[off] = mask & 0xff;
	f->wmask[off + 1] = (mask >> 8) & 0xff;
	f->wmask[off + 2] = (mask >> 16) & 0xff;
	f->wmask[off + 3] = mask >> 24;
}

static u32 ext_hdr(u16 id, u8 ver, u16 next)
{
	return id | (u32)ver << 16 | (u32)next << 20;
}

static void build_common(struct sim_fn *f, u16 dev, u32 class_rev, u8 hdr, u8 type)
{
	memset(f->cfg, 0, sizeof(f->cfg));
	memset(f->wmask, 0, sizeof(f->wmask));
	put16(f, PCI_VENDOR_ID, SIM_VENDOR);
	put16(f, PCI_DEVICE_ID, dev);
	put32(f, PCI_CLASS_REVISION, class_rev);
	put8(f, PCI_HEADER_TYPE, hdr);
	put16(f, PCI_STATUS, PCI_STATUS_CAP_LIST);
	put8(f, PCI_CAPABILITY_LIST, EXP_OFF);
	/* Command: I/O, memory, bus master, SERR, parity, INTx disable */
	wm32(f, PCI_COMMAND, 0x0547);

	/* PCI Express capability, version 2 */
	put8(f, EXP_OFF + PCI_CAP_LIST_ID, PCI_CAP_ID_EXP);
	put16(f, EXP_OFF + PCI_EXP_FLAGS, 2 | (type << 4));
	wm32(f, EXP_OFF + PCI_EXP_DEVCTL, 0x7fff);
	wm32(f, EXP_OFF + PCI_EXP_LNKCTL, 0x0fff);
	wm32(f, EXP_OFF + PCI_EXP_DEVCTL2, 0xffff);
	f->exp_off = EXP_OFF;
}

/*
 * A bridge's memory window [@np, @np + @np_size) and prefetchable window
 * [@pf, @pf + @pf_size) (1 MiB granules); a size of 0 disables the window.
 */
static void put_windows(struct sim_fn *f, u64 np, u64 np_size, u64 pf, u64 pf_size)
{
	u64 pf_end = pf + pf_size - 1;

	if (np_size) {
		put16(f, PCI_MEMORY_BASE, (np >> 16) & PCI_MEMORY_RANGE_MASK);
		put16(f, PCI_MEMORY_LIMIT, ((np + np_size - 1) >> 16) & PCI_MEMORY_RANGE_MASK);
	} else {
		put16(f, PCI_MEMORY_BASE, 0xfff0);
		put16(f, PCI_MEMORY_LIMIT, 0);
	}
	if (!pf_size) {
		pf = 0xfff00000;
		pf_end = 0;
	}
	put16(f, PCI_PREF_MEMORY_BASE,
	      ((pf >> 16) & PCI_PREF_RANGE_MASK) | PCI_PREF_RANGE_TYPE_64);
	put16(f, PCI_PREF_MEMORY_LIMIT,
	      ((pf_end >> 16) & PCI_PREF_RANGE_MASK) | PCI_PREF_RANGE_TYPE_64);
	put32(f, PCI_PREF_BASE_UPPER32, upper_32_bits(pf));
	put32(f, PCI_PREF_LIMIT_UPPER32, upper_32_bits(pf_end));
}

static void build_bridge(struct sim_fn *f, u16 dev, u8 type, u8 pri, u8 sec, u8 sub)
{
	build_common(f, dev, PCI_CLASS_BRIDGE_PCI << 16 | 0x01, PCI_HEADER_TYPE_BRIDGE, type);
	put8(f, PCI_PRIMARY_BUS, pri);
	put8(f, PCI_SECONDARY_BUS, sec);
	put8(f, PCI_SUBORDINATE_BUS, sub);
	wm(f, PCI_PRIMARY_BUS, 4, 0xff);
	/*
	 * The I/O window reads as disabled (base above limit) and ignores
	 * writes: nothing behind the bridges decodes I/O. A memory
	 * window and a 64-bit prefetchable one, read-write as the PCI core
	 * probes them; disabled (base above limit) until sim_cfg_windows()
	 * programs them as firmware would.
	 */
	wm(f, PCI_MEMORY_BASE, 4, 0xff);
	wm(f, PCI_MEMORY_BASE, 1, 0xf0);
	wm(f, PCI_MEMORY_LIMIT, 1, 0xf0);
	wm(f, PCI_PREF_MEMORY_BASE, 4, 0xff);
	wm(f, PCI_PREF_MEMORY_BASE, 1, 0xf0);
	wm(f, PCI_PREF_MEMORY_LIMIT, 1, 0xf0);
	wm32(f, PCI_PREF_BASE_UPPER32, 0xffffffff);
	wm32(f, PCI_PREF_LIMIT_UPPER32, 0xffffffff);
	put8(f, PCI_IO_BASE, 0xf0);
	put8(f, PCI_IO_LIMIT, 0x00);
	put_windows(f, 0, 0, 0, 0);
	wm32(f, PCI_BRIDGE_CONTROL - 2, 0x0fff0000);
}

/*
 * Memory BARs and MSI-X (docs/design.md "Sim BARs"). A BAR's size is
 * what the sizing protocol reads back: its address bits below the size
 * are read-only 0, as are the type bits.
 */
struct sim_bar {
	u8 bar;			/* BAR index; a 64-bit BAR takes @bar + 1 too */
	u8 type;		/* PCI_BASE_ADDRESS_MEM_TYPE_64, _PREFETCH */
	u32 size;
};

struct sim_msix {
	u16 entries;
	u8 table_bir, pba_bir;
	u32 table_off, pba_off;
};

#define BAR_64		PCI_BASE_ADDRESS_MEM_TYPE_64
#define BAR_PF		PCI_BASE_ADDRESS_MEM_PREFETCH

/* function 0: BAR0 64-bit pref 16 MiB, BAR2 32-bit 64 KiB, BAR4 64-bit 1 MiB (MSI-X) */
static const struct sim_bar ep_bars[] = {
	{ 0, BAR_64 | BAR_PF, SZ_16M },
	{ 2, 0, SZ_64K },
	{ 4, BAR_64, SZ_1M },
};

static const struct sim_msix ep_msix = {
	.entries = 32, .table_bir = 4, .table_off = 0, .pba_bir = 4, .pba_off = 0x10000,
};

/* VF BARs (per VF, in the PF's SR-IOV capability): BAR0 64-bit pref 1 MiB, BAR2 32-bit 16 KiB */
static const struct sim_bar vf_bars[] = {
	{ 0, BAR_64 | BAR_PF, SZ_1M },
	{ 2, 0, SZ_16K },
};

static const struct sim_msix vf_msix = {
	.entries = 4, .table_bir = 2, .table_off = 0, .pba_bir = 2, .pba_off = 0x2000,
};

/* functions 1-2: BAR0 32-bit pref 256 KiB, BAR1 32-bit 16 KiB (MSI-X), BAR2 64-bit pref 2 MiB */
static const struct sim_bar epf_bars[] = {
	{ 0, BAR_PF, SZ_256K },
	{ 1, 0, SZ_16K },
	{ 2, BAR_64 | BAR_PF, SZ_2M },
};

static const struct sim_msix epf_msix = {
	.entries = 8, .table_bir = 1, .table_off = 0, .pba_bir = 1, .pba_off = 0x2000,
};

static void build_bar(struct sim_fn *f, int off, const struct sim_bar *b)
{
	put32(f, off, b->type);
	wm32(f, off, ~(b->size - 1) & PCI_BASE_ADDRESS_MEM_MASK);
	if (b->type & BAR_64)
		wm32(f, off + 4, 0xffffffff);
}

static void build_msix(struct sim_fn *f, const struct sim_msix *m);

static void build_bars(struct sim_fn *f, const struct sim_bar *b, int n, const struct sim_msix *m)
{
	int i;

	for (i = 0; i < n; i++)
		build_bar(f, PCI_BASE_ADDRESS_0 + 4 * b[i].bar, &b[i]);
	build_msix(f, m);
}

static void build_msix(struct sim_fn *f, const struct sim_msix *m)
{
	/* MSI-X after the PCIe capability; Enable and Function Mask writable */
	put8(f, EXP_OFF + PCI_CAP_LIST_NEXT, MSIX_OFF);
	put8(f, MSIX_OFF + PCI_CAP_LIST_ID, PCI_CAP_ID_MSIX);
	put16(f, MSIX_OFF + PCI_MSIX_FLAGS, m->entries - 1);
	wm(f, MSIX_OFF + PCI_MSIX_FLAGS + 1, 1,
	   (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8);
	put32(f, MSIX_OFF + PCI_MSIX_TABLE, m->table_off | m->table_bir);
	put32(f, MSIX_OFF + PCI_MSIX_PBA, m->pba_off | m->pba_bir);
}

/* IDE: 1 link TC, @nsel selective streams with one address block each. */
static int build_ide(struct sim_fn *f, int off, int nsel, u16 next)
{
	int i, pos, end;
	u32 cap;

	cap = TSMH_IDE_CAP_LINK | TSMH_IDE_CAP_SELECTIVE | TSMH_IDE_CAP_IDE_KM |
	      TSMH_IDE_CAP_TEE_LIMITED |
	      ((nsel - 1) << TSMH_IDE_CAP_SEL_NUM_SHIFT);
	put32(f, off, ext_hdr(TSMH_EXT_CAP_ID_IDE, 1, next));
	put32(f, off + 4, cap);
	f->ide_off = off;
	f->ide_nsel = nsel;
	end = off + 12 + 8 + nsel * IDE_SEL_BLOCK(1);
	/* everything after the capability register is writable but... */
	wm(f, off + 8, end - off - 8, 0xff);
	/* ...the link stream status register */
	wm32(f, off + 16, 0);
	for (i = 0; i < nsel; i++) {
		pos = off + 20 + i * IDE_SEL_BLOCK(1);
		put32(f, pos, 1);	/* selective stream cap: 1 addr block */
		wm32(f, pos, 0);
		wm32(f, pos + 8, 0);	/* selective stream status */
	}
	return end;
}

/*
 * SR-IOV (function 0 of BAR slots, nr_vfs): VFs at functions nr_fn ..
 * nr_fn + NumVFs - 1 of the card (First VF Offset nr_fn, stride 1; no ARI
 * needed). VF Enable, VF MSE, ARI Capable Hierarchy, NumVFs, System Page
 * Size and the VF BARs are read-write; the VFs answer while VF Enable is
 * set (present_fn()).
 */
static void build_sriov(struct tsmh_sim *sim, struct sim_fn *f)
{
	int o = EP_SRIOV_OFF, i;

	put32(f, EP_DSN_OFF, ext_hdr(PCI_EXT_CAP_ID_DSN, 1, o));
	put32(f, o, ext_hdr(PCI_EXT_CAP_ID_SRIOV, 1, 0));
	wm(f, o + PCI_SRIOV_CTRL, 1,
	   PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE | PCI_SRIOV_CTRL_ARI);
	put16(f, o + PCI_SRIOV_INITIAL_VF, sim->nr_vfs);
	put16(f, o + PCI_SRIOV_TOTAL_VF, sim->nr_vfs);
	wm(f, o + PCI_SRIOV_NUM_VF, 2, 0xff);
	put16(f, o + PCI_SRIOV_VF_OFFSET, sim->nr_fn);
	put16(f, o + PCI_SRIOV_VF_STRIDE, 1);
	put16(f, o + PCI_SRIOV_VF_DID, SIM_DEV_VF);
	put32(f, o + PCI_SRIOV_SUP_PGSIZE, 0x553);	/* 4K, 8K, 64K, 256K, 1M, 4M */
	put32(f, o + PCI_SRIOV_SYS_PGSIZE, 1);
	wm32(f, o + PCI_SRIOV_SYS_PGSIZE, 0x553);
	for (i = 0; i < ARRAY_SIZE(vf_bars); i++)
		build_bar(f, o + PCI_SRIOV_BAR + 4 * vf_bars[i].bar, &vf_bars[i]);
	f->sriov_off = o;
}

static struct sim_fn *vf_of(struct tsmh_sim *sim, int slot, int i)
{
	return &sim->vf[slot * sim->nr_vfs + i];
}

/*
 * VF @i of card @slot: Vendor and Device ID read FFFFh (the PF's SR-IOV
 * capability names it), no BARs of its own (the PF's VF BARs), Memory
 * Space Enable read-only 0; PCIe with FLR, MSI-X in VF BAR2.
 */
static void build_vf(struct tsmh_sim *sim, struct sim_fn *f, int slot, int i)
{
	f->kind = SIM_VF;
	f->slot = slot;
	f->seg = slot / SIM_EP_PER_SEG;
	f->bus = 3 + slot % SIM_EP_PER_SEG;
	f->devfn = PCI_DEVFN(0, sim->nr_fn + i);
	build_common(f, 0xffff, SIM_CLASS_ACCEL << 16 | 0x01,
		     PCI_HEADER_TYPE_NORMAL, PCI_EXP_TYPE_ENDPOINT);
	put16(f, PCI_VENDOR_ID, 0xffff);
	wm32(f, PCI_COMMAND, 0x0544);
	put32(f, PCI_SUBSYSTEM_VENDOR_ID, SIM_VENDOR | (u32)SIM_DEV_VF << 16);
	put32(f, EXP_OFF + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_FLR);
	build_msix(f, &vf_msix);
}

static void build_ep(struct tsmh_sim *sim, struct sim_fn *f, int slot)
{
	u64 dsn = 0x54534d4800000000ULL | slot; /* "TSMH" */

	f->kind = SIM_EP;
	f->slot = slot;
	f->seg = slot / SIM_EP_PER_SEG;
	f->bus = 3 + slot % SIM_EP_PER_SEG;
	f->devfn = PCI_DEVFN(0, 0);
	build_common(f, SIM_DEV_EP, SIM_CLASS_ACCEL << 16 | 0x01,
		     PCI_HEADER_TYPE_NORMAL, PCI_EXP_TYPE_ENDPOINT);
	put32(f, PCI_SUBSYSTEM_VENDOR_ID, SIM_VENDOR | (u32)SIM_DEV_EP << 16);
	put32(f, EXP_OFF + PCI_EXP_DEVCAP,
	      PCI_EXP_DEVCAP_FLR | (f->plain ? 0 : TSMH_EXP_DEVCAP_TEE));

	put32(f, EP_DOE_OFF, ext_hdr(TSMH_EXT_CAP_ID_DOE, 1, EP_IDE_OFF));
	f->doe_off = EP_DOE_OFF;
	build_ide(f, EP_IDE_OFF, 2, EP_DSN_OFF);
	put32(f, EP_DSN_OFF, ext_hdr(PCI_EXT_CAP_ID_DSN, 1, 0));
	put32(f, EP_DSN_OFF + 4, lower_32_bits(dsn));
	put32(f, EP_DSN_OFF + 8, upper_32_bits(dsn));
	if (sim->nr_fn > 1)
		put8(f, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL | SIM_HDR_MFD);
	if (slot < sim->nr_bar) {
		build_bars(f, ep_bars, ARRAY_SIZE(ep_bars), &ep_msix);
		if (sim->nr_vfs) {
			int i;

			build_sriov(sim, f);
			/* VF Enable is clear: the VFs start afresh */
			for (i = 0; i < sim->nr_vfs; i++)
				build_vf(sim, vf_of(sim, slot, i), slot, i);
		}
	}
}

/* Function @fn (1..) of card @slot: a PCIe endpoint with nothing to attest. */
static void build_epf(struct tsmh_sim *sim, struct sim_fn *f, int slot, int fn)
{
	f->kind = SIM_EPF;
	f->slot = slot;
	f->seg = slot / SIM_EP_PER_SEG;
	f->bus = 3 + slot % SIM_EP_PER_SEG;
	f->devfn = PCI_DEVFN(0, fn);
	build_common(f, SIM_DEV_EP_FN, SIM_CLASS_ACCEL << 16 | 0x01,
		     PCI_HEADER_TYPE_NORMAL, PCI_EXP_TYPE_ENDPOINT);
	put32(f, PCI_SUBSYSTEM_VENDOR_ID, SIM_VENDOR | (u32)SIM_DEV_EP_FN << 16);
	if (slot < sim->nr_bar)
		build_bars(f, epf_bars, ARRAY_SIZE(epf_bars), &epf_msix);
}

static struct sim_fn *epf(struct tsmh_sim *sim, int slot, int fn)
{
	return &sim->epf[slot * (sim->nr_fn - 1) + fn - 1];
}

/*
 * The root port's MSI (one 64-bit vector: portdrv gets an interrupt for
 * its AER and PME services; nothing is ever signalled, aer_inject
 * injects the interrupt itself) and AER capabilities. Status registers
 * read 0 and ignore writes (a RW1C write of 1 must not set them).
 */
static void build_rp_err(struct sim_fn *f)
{
	put8(f, EXP_OFF + PCI_CAP_LIST_NEXT, RP_MSI_OFF);
	put8(f, RP_MSI_OFF + PCI_CAP_LIST_ID, PCI_CAP_ID_MSI);
	put16(f, RP_MSI_OFF + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
	wm(f, RP_MSI_OFF + PCI_MSI_FLAGS, 1, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	wm32(f, RP_MSI_OFF + PCI_MSI_ADDRESS_LO, 0xfffffffc);
	wm32(f, RP_MSI_OFF + PCI_MSI_ADDRESS_HI, 0xffffffff);
	wm(f, RP_MSI_OFF + PCI_MSI_DATA_64, 2, 0xff);

	put32(f, RP_AER_OFF, ext_hdr(PCI_EXT_CAP_ID_ERR, 2, key_unit ? RP_KU_OFF : 0));
	/* the spec's default severities */
	put32(f, RP_AER_OFF + PCI_ERR_UNCOR_SEVER, 0x00462030);
	wm32(f, RP_AER_OFF + PCI_ERR_UNCOR_MASK, 0x03fff030);
	wm32(f, RP_AER_OFF + PCI_ERR_UNCOR_SEVER, 0x03fff030);
	wm32(f, RP_AER_OFF + PCI_ERR_COR_MASK, 0x0000f1c1);
	wm32(f, RP_AER_OFF + PCI_ERR_ROOT_COMMAND, PCI_ERR_ROOT_CMD_COR_EN |
	     PCI_ERR_ROOT_CMD_NONFATAL_EN | PCI_ERR_ROOT_CMD_FATAL_EN);
}

/*
 * The root port's IDE key unit, a vendor-specific extended capability
 * (docs/design.md "Root-port IDE key unit"): only the selector is a plain
 * read-write register; command, key and IFV writes are consumed by ide.c
 * and read back 0, the status register is read-only.
 */
static void build_ku(struct sim_fn *f)
{
	put32(f, RP_KU_OFF, ext_hdr(PCI_EXT_CAP_ID_VNDR, 1, 0));
	put32(f, RP_KU_OFF + SIM_KU_VSEC_HDR,
	      SIM_KU_VSEC_ID | 1 << 16 | (u32)SIM_KU_LEN << 20);
	put32(f, RP_KU_OFF + SIM_KU_CAP, SIM_KU_SLOTS);
	wm32(f, RP_KU_OFF + SIM_KU_SEL, SIM_KU_SEL_MASK);
	f->ku_off = RP_KU_OFF;
}

void sim_cfg_build(struct tsmh_sim *sim)
{
	int s, i, j;

	for (s = 0; s < sim->nr_seg; s++) {
		struct sim_seg *g = &sim->seg[s];
		int last = 2 + g->nr_ep;

		g->rp.kind = SIM_RP;
		g->rp.seg = s;
		g->rp.bus = 0;
		build_bridge(&g->rp, SIM_DEV_RP, PCI_EXP_TYPE_ROOT_PORT, 0, 1, last);
		put32(&g->rp, EXP_OFF + PCI_EXP_DEVCAP, TSMH_EXP_DEVCAP_TEE);
		build_ide(&g->rp, RP_IDE_OFF, 8, RP_AER_OFF);
		build_rp_err(&g->rp);
		if (key_unit)
			build_ku(&g->rp);

		g->usp.kind = SIM_USP;
		g->usp.seg = s;
		g->usp.bus = 1;
		build_bridge(&g->usp, SIM_DEV_USP, PCI_EXP_TYPE_UPSTREAM, 1, 2, last);

		for (i = 0; i < g->nr_ep; i++) {
			struct sim_fn *d = &sim->dsp[g->first + i];

			d->kind = SIM_DSP;
			d->slot = g->first + i;
			d->seg = s;
			d->bus = 2;
			d->devfn = PCI_DEVFN(i % SIM_DSP_PER_FN, i / SIM_DSP_PER_FN);
			build_bridge(d, SIM_DEV_DSP, PCI_EXP_TYPE_DOWNSTREAM, 2, 3 + i, 3 + i);
			/* the PCI core scans further functions only when fn 0 says so */
			if (i < SIM_DSP_PER_FN && i + SIM_DSP_PER_FN < g->nr_ep)
				put8(d, PCI_HEADER_TYPE, PCI_HEADER_TYPE_BRIDGE | SIM_HDR_MFD);
			build_ep(sim, &sim->ep[d->slot], d->slot);
			for (j = 1; j < sim->nr_fn; j++)
				build_epf(sim, epf(sim, d->slot, j), d->slot, j);
		}
	}
}

void sim_cfg_windows(struct tsmh_sim *sim, struct sim_seg *g)
{
	u64 np_size = (u64)g->nr_bar * SIM_NP_STRIDE, pf_size = (u64)g->nr_bar * SIM_PF_STRIDE;
	unsigned long flags;
	int i;

	if (!g->nr_bar)
		return;
	raw_spin_lock_irqsave(&sim->lock, flags);
	put_windows(&g->rp, g->np.start, np_size, g->pf.start, pf_size);
	put_windows(&g->usp, g->np.start, np_size, g->pf.start, pf_size);
	for (i = 0; i < g->nr_bar; i++)
		put_windows(&sim->dsp[g->first + i], g->np.start + (u64)i * SIM_NP_STRIDE,
			    SIM_NP_STRIDE, g->pf.start + (u64)i * SIM_PF_STRIDE, SIM_PF_STRIDE);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
}

struct sim_seg *sim_seg_of(struct tsmh_sim *sim, int domain)
{
	int s;

	for (s = 0; s < sim->nr_seg; s++)
		if (sim->seg[s].domain == domain)
			return &sim->seg[s];
	return NULL;
}

static struct sim_fn *sim_fn_lookup(struct tsmh_sim *sim, struct sim_seg *g, u8 bus, u8 devfn)
{
	if (bus == 0)
		return devfn == 0 ? &g->rp : NULL;
	if (bus == 1)
		return devfn == 0 ? &g->usp : NULL;
	if (bus == 2) {
		int n = PCI_FUNC(devfn) * SIM_DSP_PER_FN + PCI_SLOT(devfn);

		return n < g->nr_ep ? &sim->dsp[g->first + n] : NULL;
	}
	if (bus - 3 < g->nr_ep && devfn == 0)
		return &sim->ep[g->first + bus - 3];
	if (bus - 3 < g->nr_ep && PCI_SLOT(devfn) == 0 && PCI_FUNC(devfn) < sim->nr_fn)
		return epf(sim, g->first + bus - 3, PCI_FUNC(devfn));
	if (bus - 3 < g->nr_bar && PCI_SLOT(devfn) == 0 &&
	    PCI_FUNC(devfn) < sim->nr_fn + sim->nr_vfs)
		return vf_of(sim, g->first + bus - 3, PCI_FUNC(devfn) - sim->nr_fn);
	return NULL;
}

static bool in_doe(struct sim_fn *f, int where)
{
	return f->doe_off && where >= f->doe_off + TSMH_DOE_CAP &&
	       where < f->doe_off + TSMH_DOE_CAP_SIZE;
}

static u32 read_dword(struct sim_fn *f, int where)
{
	if (in_doe(f, where))
		return tsmh_doe_mbox_read(&f->mb, where - f->doe_off);
	return get32(f, where);
}

static bool bad_reg(int where, int size)
{
	return where < 0 || where + size > SIM_CFG_SIZE || (where & (size - 1));
}

/* The function answering at bus/devfn, or NULL. */
static struct sim_fn *present_fn(struct tsmh_sim *sim, struct pci_bus *bus, unsigned int devfn)
{
	struct sim_seg *g;
	struct sim_fn *f;

	lockdep_assert_held(&sim->lock);
	g = sim_seg_of(sim, pci_domain_nr(bus));
	f = g ? sim_fn_lookup(sim, g, bus->number, devfn) : NULL;

	if (f && f->kind == SIM_EPF)	/* one card: there while function 0 is */
		return sim->ep[f->slot].present ? f : NULL;
	if (f && f->kind == SIM_VF) {	/* while function 0 enables it */
		struct sim_fn *pf = &sim->ep[f->slot];
		int o = pf->sriov_off;

		return pf->present && o && (pf->cfg[o + PCI_SRIOV_CTRL] & PCI_SRIOV_CTRL_VFE) &&
		       PCI_FUNC(f->devfn) - sim->nr_fn <
		       (pf->cfg[o + PCI_SRIOV_NUM_VF] | pf->cfg[o + PCI_SRIOV_NUM_VF + 1] << 8) ?
		       f : NULL;
	}
	return f && (f->kind != SIM_EP || f->present) ? f : NULL;
}

static int sim_read(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 *val)
{
	struct tsmh_sim *sim = sim_instance;
	struct sim_fn *f;
	unsigned long flags;
	u32 v;

	*val = ~0U;
	if (bad_reg(where, size))
		return PCIBIOS_BAD_REGISTER_NUMBER;
	raw_spin_lock_irqsave(&sim->lock, flags);
	f = present_fn(sim, bus, devfn);
	if (!f || (f->kind == SIM_EP && (where & ~3) == READ_ONCE(fault_cfg_read))) {
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	v = read_dword(f, where & ~3);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	v >>= 8 * (where & 3);
	if (size == 1)
		v &= 0xff;
	else if (size == 2)
		v &= 0xffff;
	*val = v;
	return PCIBIOS_SUCCESSFUL;
}

void sim_ep_reset(struct tsmh_sim *sim, struct sim_fn *f)
{
	lockdep_assert_held(&sim->lock);
	if (tsmh_doe_mbox_reset(&f->mb) == TSMH_MBOX_ABORTED) {
		f->ev_abort = true;
		f->ev_abort_seq = f->mb.seq - 1;
	}
	build_ep(sim, f, f->slot);
	sim_ide_ep_reset(sim, f);
}

/*
 * Function Level Reset: the whole function, config space (Command, Device
 * Control, IDE stream control) and mailbox, back to power-on state; the
 * emulator hears of it (RESET) and drops its SPDM state.
 */
static void sim_flr(struct tsmh_sim *sim, struct sim_fn *f)
{
	sim_ep_reset(sim, f);
	f->ev_reset = true;
	sim_kick(sim);
}

/*
 * Secondary Bus Reset (Bridge Control bit 6 going to 1): every present
 * endpoint below @f (in its segment) goes through the same reset as an FLR.
 */
static void sim_sbr(struct tsmh_sim *sim, struct sim_fn *f)
{
	struct sim_seg *g = &sim->seg[f->seg];
	int i, j;

	for (i = g->first; i < g->first + g->nr_ep; i++)
		if (sim->ep[i].present && (f->kind != SIM_DSP || f->slot == i)) {
			sim_flr(sim, &sim->ep[i]);
			for (j = 1; j < sim->nr_fn; j++)
				build_epf(sim, epf(sim, i, j), i, j);
		}
}

static void doe_write(struct tsmh_sim *sim, struct sim_fn *f, int reg, u32 v)
{
	u32 seq = f->mb.seq;

	switch (tsmh_doe_mbox_write(&f->mb, reg, v)) {
	case TSMH_MBOX_SUBMIT:
		f->ev_req = true;
		sim_kick(sim);
		break;
	case TSMH_MBOX_ABORTED:
		f->ev_req = false;
		f->ev_abort = true;
		f->ev_abort_seq = seq;
		sim_kick(sim);
		break;
	default:
		break;
	}
}

static int sim_write(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 val)
{
	struct tsmh_sim *sim = sim_instance;
	struct sim_fn *f;
	unsigned long flags;
	int i, base = where & ~3, shift = 8 * (where & 3);
	u32 mask = size == 4 ? ~0U : ((1U << (8 * size)) - 1) << shift;
	u32 old;
	bool sbr;

	if (bad_reg(where, size))
		return PCIBIOS_BAD_REGISTER_NUMBER;
	raw_spin_lock_irqsave(&sim->lock, flags);
	f = present_fn(sim, bus, devfn);
	if (!f) {
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	if (in_doe(f, base)) {
		/* DOE registers are dword registers: sub-dword writes set
		 * only the addressed bytes, the others read as written 0.
		 */
		doe_write(sim, f, base - f->doe_off, (val << shift) & mask);
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		return PCIBIOS_SUCCESSFUL;
	}
	if (f->kind == SIM_VF && base == f->exp_off + PCI_EXP_DEVCTL &&
	    ((val << shift) & mask & PCI_EXP_DEVCTL_BCR_FLR)) {
		build_vf(sim, f, f->slot, PCI_FUNC(f->devfn) - sim->nr_fn);
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		return PCIBIOS_SUCCESSFUL;
	}
	if (f->kind == SIM_EP && base == f->exp_off + PCI_EXP_DEVCTL &&
	    ((val << shift) & mask & PCI_EXP_DEVCTL_BCR_FLR)) {
		/* the rest of the write is lost in the reset */
		sim_flr(sim, f);
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		return PCIBIOS_SUCCESSFUL;
	}
	if (sim_ide_write(sim, f, base, (val << shift) & mask, mask)) {
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		return PCIBIOS_SUCCESSFUL;
	}
	old = get32(f, base);
	sbr = f->kind != SIM_EP && !(f->cfg[PCI_BRIDGE_CONTROL] & PCI_BRIDGE_CTL_BUS_RESET);
	for (i = 0; i < size; i++) {
		u8 b = (val >> (8 * i)) & 0xff;
		int o = where + i;

		f->cfg[o] = (f->cfg[o] & ~f->wmask[o]) | (b & f->wmask[o]);
	}
	sim_ide_written(sim, f, base, old, (val << shift) & mask, mask);
	if (f->sriov_off && base == f->sriov_off + PCI_SRIOV_CTRL &&
	    (old & PCI_SRIOV_CTRL_VFE) && !(f->cfg[base] & PCI_SRIOV_CTRL_VFE))
		for (i = 0; i < sim->nr_vfs; i++)	/* VF Enable cleared: VFs gone */
			build_vf(sim, vf_of(sim, f->slot, i), f->slot, i);
	if (sbr && (f->cfg[PCI_BRIDGE_CONTROL] & PCI_BRIDGE_CTL_BUS_RESET))
		sim_sbr(sim, f);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return PCIBIOS_SUCCESSFUL;
}

struct pci_ops sim_pci_ops = {
	.read = sim_read,
	.write = sim_write,
};
