/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The PCIe IDE Extended Capability (ID 0x30, PCIe r6.x/r7.0 7.9.26;
 * Linux uapi pci_regs.h PCI_IDE_*): decoders for every register of it and
 * the encoders the kernel uses to program a stream. Pure logic, shared by
 * the core module, tsmctl, the unit tests and the fuzzers.
 *
 * Layout (offsets from the capability header):
 *   0x00 header, 0x04 IDE Capability, 0x08 IDE Control,
 *   0x0c link IDE stream register blocks, 8 bytes each, one per link TC
 *        (none unless Link IDE is supported),
 *   then the selective IDE stream register blocks, one after the other,
 *   block i being 20 + 12 * ASSOC_NUM(i) bytes: its own Selective IDE
 *   Stream Capability register says how many address association blocks
 *   it has. The spec lets each block differ; Linux (pci_ide_init())
 *   refuses a device where they do. We decode what the spec says and
 *   report the difference (tsmh_ide_layout.assoc_uniform).
 *
 * Nothing here sleeps or allocates; the structures are plain data.
 * struct tsmh_ide_layout (~800 bytes) and struct tsmh_ide_sel (~600
 * bytes) are too large for a kernel stack frame: allocate them.
 */
#ifndef TSMH_LIB_IDE_CAP_H
#define TSMH_LIB_IDE_CAP_H

#include "port.h"
#include "pcicap.h"	/* TSMH_IDE_CAP_* bits, struct tsmh_cfg_reader */

/* IDE Control register */
#define TSMH_IDE_CTL			0x08
#define TSMH_IDE_CTL_FLOWTHROUGH	0x00000004

/* link IDE stream register blocks */
#define TSMH_IDE_LINK_BLK0		0x0c
#define TSMH_IDE_LINK_BLK_SIZE		8
#define TSMH_IDE_LINK_CTL		0x00
#define TSMH_IDE_LINK_STS		0x04

/* selective IDE stream register block, relative to its start */
#define TSMH_IDE_SEL_CAP		0x00
#define TSMH_IDE_SEL_CAP_ASSOC_MASK	0x0000000f
#define TSMH_IDE_SEL_CTL		0x04
#define TSMH_IDE_SEL_STS		0x08
#define TSMH_IDE_SEL_RID1		0x0c
#define TSMH_IDE_SEL_RID2		0x10
#define TSMH_IDE_SEL_ADDR1(x)		(0x14 + 12 * (x))
#define TSMH_IDE_SEL_ADDR2(x)		(0x18 + 12 * (x))	/* limit upper */
#define TSMH_IDE_SEL_ADDR3(x)		(0x1c + 12 * (x))	/* base upper */
#define TSMH_IDE_SEL_BLK_SIZE(n)	(20 + 12 * (n))

/* link and selective control register fields (selective-only noted) */
#define TSMH_IDE_CTL_EN			0x00000001
#define TSMH_IDE_CTL_AGGR_NPR_SHIFT	2
#define TSMH_IDE_CTL_AGGR_PR_SHIFT	4
#define TSMH_IDE_CTL_AGGR_CPL_SHIFT	6
#define TSMH_IDE_CTL_PCRC_EN		0x00000100
#define TSMH_IDE_CTL_CFG_EN		0x00000200	/* selective */
#define TSMH_IDE_CTL_PART_ENC_SHIFT	10
#define TSMH_IDE_CTL_ALG_SHIFT		14
#define TSMH_IDE_CTL_TC_SHIFT		19
#define TSMH_IDE_CTL_DEFAULT		0x00400000	/* selective */
#define TSMH_IDE_CTL_TEE_LIMITED	0x00800000	/* selective */
#define TSMH_IDE_CTL_ID_SHIFT		24

/* link and selective status registers */
#define TSMH_IDE_STS_STATE_MASK		0x0000000f
#define TSMH_IDE_STS_IDE_FAIL		0x80000000

/* RID association */
#define TSMH_IDE_RID1_LIMIT_SHIFT	8		/* [23:8] */
#define TSMH_IDE_RID2_VALID		0x00000001
#define TSMH_IDE_RID2_BASE_SHIFT	8		/* [23:8] */
#define TSMH_IDE_RID2_SEG_SHIFT		24		/* [31:24] */

/* address association register 1: address bits 31:20 of base and limit */
#define TSMH_IDE_ADDR1_VALID		0x00000001
#define TSMH_IDE_ADDR1_BASE_SHIFT	8		/* [19:8] */
#define TSMH_IDE_ADDR1_LIMIT_SHIFT	20		/* [31:20] */
#define TSMH_IDE_ADDR_GRAIN		0x100000ULL	/* 1 MiB */

#define TSMH_IDE_MAX_LINK		8	/* LINK_TC_NUM is 3 bits, n + 1 */
#define TSMH_IDE_MAX_SEL		256	/* SEL_NUM is 8 bits, n + 1 */
#define TSMH_IDE_MAX_ASSOC		15	/* ASSOC_NUM is 4 bits */
#define TSMH_IDE_RESERVED_ID		255	/* upstream: never allocated */

/* Stream states (status register [3:0]); others are reserved */
#define TSMH_IDE_STATE_INSECURE		0
#define TSMH_IDE_STATE_SECURE		2

/* algorithms (capability [12:8], control [18:14]); others are reserved */
#define TSMH_IDE_ALG_AES_GCM_256_96	0

/* the IDE Capability register, decoded */
struct tsmh_ide_capreg {
	bool link, selective, flowthrough, partial_hdr, aggregation, pcrc;
	bool ide_km, sel_cfg, tee_limited;
	u8 alg;			/* supported algorithm encoding */
	u8 nr_link_tc;		/* link register blocks: 0 (no link IDE) .. 8 */
	u16 nr_sel;		/* selective register blocks: 0 .. 256 */
};

/* a link or selective IDE stream control register, decoded */
struct tsmh_ide_ctl {
	bool en, pcrc_en;
	bool cfg_en, default_stream, tee_limited;	/* selective only */
	u8 aggr_npr, aggr_pr, aggr_cpl;	/* 2 bits each */
	u8 part_enc;		/* 4 bits */
	u8 alg;			/* 5 bits */
	u8 tc;			/* 3 bits */
	u8 stream_id;
};

struct tsmh_ide_sts {
	u8 state;
	bool ide_fail;		/* Received Integrity Check Fail Message */
};

struct tsmh_ide_rid {
	bool valid;
	u16 base, limit;	/* inclusive RID range */
	u8 seg;
};

struct tsmh_ide_addr {
	u32 raw[3];		/* association registers 1, 2, 3 */
	bool valid;
	u64 base;		/* 1 MiB aligned */
	u64 limit;		/* inclusive: the last byte, ends in 0xfffff */
};

struct tsmh_ide_link {
	u16 off;		/* config offset of the block */
	u32 ctl_raw, sts_raw;
	struct tsmh_ide_ctl ctl;
	struct tsmh_ide_sts sts;
};

struct tsmh_ide_sel {
	u16 off;		/* config offset of the block */
	u8 nr_assoc;
	u32 cap_raw, ctl_raw, sts_raw, rid1_raw, rid2_raw;
	struct tsmh_ide_ctl ctl;
	struct tsmh_ide_sts sts;
	struct tsmh_ide_rid rid;
	struct tsmh_ide_addr addr[TSMH_IDE_MAX_ASSOC];
};

/* where everything of one IDE capability is (tsmh_ide_layout_read) */
struct tsmh_ide_layout {
	u16 off;		/* the capability header */
	u16 next;		/* the header's next pointer (0: last) */
	u16 end;		/* first byte after the last block */
	u32 cap_raw, ctl_raw;
	struct tsmh_ide_capreg cap;
	bool flowthrough_en;	/* IDE Control */
	u8 nr_link;
	u16 nr_sel;
	/* every selective block has block 0's ASSOC_NUM (what Linux requires) */
	bool assoc_uniform;
	u16 assoc_differs_at;	/* first block that does not, when !uniform */
	u16 sel_off[TSMH_IDE_MAX_SEL];
	u8 sel_nr_assoc[TSMH_IDE_MAX_SEL];
};

void tsmh_ide_capreg_decode(u32 v, struct tsmh_ide_capreg *c);
void tsmh_ide_ctl_decode(u32 v, bool selective, struct tsmh_ide_ctl *c);
void tsmh_ide_sts_decode(u32 v, struct tsmh_ide_sts *s);
void tsmh_ide_rid_decode(u32 rid1, u32 rid2, struct tsmh_ide_rid *r);
void tsmh_ide_addr_decode(u32 a1, u32 a2, u32 a3, struct tsmh_ide_addr *a);

/*
 * Encoders. Each returns 0, or -EINVAL with *@why naming the field that
 * does not fit (static text) and nothing written.
 *
 * tsmh_ide_ctl_encode: a link (!@selective) or selective control value
 * from @c; the selective-only fields must be clear for a link stream.
 * tsmh_ide_rid_encode: RID association 1 and 2 (valid set) for the
 * inclusive range [@base, @limit] in segment @seg.
 * tsmh_ide_addr_encode: address association 1..3 (valid set) for the
 * inclusive memory window [@base, @limit]: the registers hold address
 * bits 63:20, base bits 19:0 are implicitly 0 and limit bits 19:0
 * implicitly 0xfffff (7.9.26, IDE Address Association Register 1), so
 * @base is rounded down and @limit up to 1 MiB granularity; the window
 * programmed always covers the one asked for. @base > @limit is refused.
 */
int tsmh_ide_ctl_encode(const struct tsmh_ide_ctl *c, bool selective, u32 *v, const char **why);
int tsmh_ide_rid_encode(u16 base, u16 limit, u8 seg, u32 *rid1, u32 *rid2, const char **why);
int tsmh_ide_addr_encode(u64 base, u64 limit, u32 regs[3], const char **why);

/*
 * tsmh_ide_addr_windows - the address association windows of a device
 * @in, @n: its memory ranges in PCI bus addresses (BARs, VF BARs),
 *	inclusive; any order; an empty range (@limit < @base) is skipped.
 * @out, @max: up to @max windows, sorted, 1 MiB granular (base rounded
 *	down, limit up, as the registers hold them) and disjoint.
 * Ranges whose granular windows overlap or touch are merged (two BARs in
 * one 1 MiB granule, or back to back). While more than @max windows
 * remain, the two neighbours with the smallest gap between them are
 * merged: the windows always cover every range, and the extra address
 * space they cover (the gaps) is as small as this greedy step makes it.
 * Returns the number of windows (0 when there is no range, e.g. a device
 * without memory BARs, or @max is 0 while there are ranges: -ENOSPC).
 */
struct tsmh_ide_win {
	u64 base, limit;
};

#define TSMH_IDE_WIN_IN_MAX	32

int tsmh_ide_addr_windows(const struct tsmh_ide_win *in, unsigned int n,
			  struct tsmh_ide_win *out, unsigned int max);

/*
 * tsmh_ide_layout_read - locate every register block of the IDE
 * capability at config offset @off
 * Reads the header, capability and control registers and each selective
 * block's capability register. Returns 0, -EINVAL for a capability that
 * is not IDE or whose blocks run past the end of config space or into the
 * next capability (message in @why, @len bytes, naming the block and the
 * offsets), or the reader's error.
 */
int tsmh_ide_layout_read(const struct tsmh_cfg_reader *rd, u16 off, struct tsmh_ide_layout *l,
			 char *why, size_t len);
/* read and decode link block @i / selective block @i of @l; -EINVAL if none */
int tsmh_ide_link_read(const struct tsmh_cfg_reader *rd, const struct tsmh_ide_layout *l,
		       unsigned int i, struct tsmh_ide_link *b);
int tsmh_ide_sel_read(const struct tsmh_cfg_reader *rd, const struct tsmh_ide_layout *l,
		      unsigned int i, struct tsmh_ide_sel *b);

/* names of a state and an algorithm encoding; "reserved" for the others */
const char *tsmh_ide_state_name(u8 state);
const char *tsmh_ide_alg_name(u8 alg);

#endif
