// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Portable PCI capability walk. See pcicap.h.
 */
#include "pcicap.h"

#define STD_CAP_TTL	48	/* at most (256 - 64) / 4 entries */
#define EXT_CAP_TTL	((TSMH_CFG_SIZE_EXT - TSMH_CFG_SIZE_LEGACY) / 4)

static void note(struct tsmh_caps *c, u32 bit, u16 at)
{
	if (!c->anomalies)
		c->anomaly_at = at;
	c->anomalies |= bit;
}

static void add_cap(struct tsmh_caps *c, u16 off, u16 id, u8 ver, u8 ext)
{
	struct tsmh_cap_ent *e;

	if (c->nr_caps >= TSMH_MAX_CAPS) {
		note(c, TSMH_CAPS_A_TOO_MANY, off);
		return;
	}
	e = &c->caps[c->nr_caps++];
	e->off = off;
	e->id = id;
	e->ver = ver;
	e->ext = ext;
}

static int rd32(const struct tsmh_cfg_reader *rd, u16 off, u32 *v)
{
	return rd->read32(rd->ctx, off, v);
}

static int walk_std(const struct tsmh_cfg_reader *rd, struct tsmh_caps *c)
{
	u8 seen[TSMH_CFG_SIZE_LEGACY / 4] = { 0 };
	u32 v;
	u16 pos;
	int ttl = STD_CAP_TTL, ret;

	ret = rd32(rd, 0x04, &v); /* command | status << 16 */
	if (ret)
		return ret;
	if (!((v >> 16) & 0x10)) /* Status: Capabilities List */
		return 0;
	if (c->hdr_type > 1) /* CardBus: list pointer elsewhere, not walked */
		return 0;
	ret = rd32(rd, 0x34, &v);
	if (ret)
		return ret;
	pos = v & 0xfc;
	while (pos) {
		if (pos < 0x40) {
			note(c, TSMH_CAPS_A_STD_PTR, pos);
			break;
		}
		if (seen[pos / 4] || !ttl--) {
			note(c, TSMH_CAPS_A_STD_LOOP, pos);
			break;
		}
		seen[pos / 4] = 1;
		ret = rd32(rd, pos, &v);
		if (ret)
			return ret;
		add_cap(c, pos, v & 0xff, 0, 0);
		if ((v & 0xff) == TSMH_CAP_ID_EXP && !c->exp_off) {
			u32 dc;

			c->exp_off = pos;
			c->exp_type = (((v >> 16) & TSMH_EXP_FLAGS_TYPE) >> 4);
			if (pos + TSMH_EXP_DEVCAP + 4 > TSMH_CFG_SIZE_LEGACY) {
				note(c, TSMH_CAPS_A_STD_PTR, pos);
				break;
			}
			ret = rd32(rd, pos + TSMH_EXP_DEVCAP, &dc);
			if (ret)
				return ret;
			c->devcap = dc;
			c->tee_io = !!(dc & TSMH_EXP_DEVCAP_TEE);
		}
		pos = (v >> 8) & 0xfc;
	}
	return 0;
}

static int walk_ext(const struct tsmh_cfg_reader *rd, struct tsmh_caps *c)
{
	u8 seen[(TSMH_CFG_SIZE_EXT - TSMH_CFG_SIZE_LEGACY) / 4] = { 0 };
	u16 pos = TSMH_CFG_SIZE_LEGACY;
	int ttl = EXT_CAP_TTL, ret;
	u32 h;

	while (pos) {
		u16 id, next;

		if (pos < TSMH_CFG_SIZE_LEGACY || (pos & 3)) {
			note(c, TSMH_CAPS_A_EXT_PTR, pos);
			break;
		}
		if ((u32)pos + 4 > rd->size) {
			note(c, TSMH_CAPS_A_TRUNCATED, pos);
			break;
		}
		if (seen[(pos - TSMH_CFG_SIZE_LEGACY) / 4] || !ttl--) {
			note(c, TSMH_CAPS_A_EXT_LOOP, pos);
			break;
		}
		seen[(pos - TSMH_CFG_SIZE_LEGACY) / 4] = 1;
		ret = rd32(rd, pos, &h);
		if (ret)
			return ret;
		/* All zeros: no (more) extended capabilities. All ones: none. */
		if (h == 0 || h == 0xffffffff)
			break;
		id = h & 0xffff;
		next = (h >> 20) & 0xffc;
		if (((h >> 20) & 3) && next)
			note(c, TSMH_CAPS_A_EXT_PTR, pos);
		if (id == 0) {
			/* Null capability: only legal as a terminator. */
			if (next)
				note(c, TSMH_CAPS_A_EXT_NULLID, pos);
			pos = next;
			continue;
		}
		add_cap(c, pos, id, (h >> 16) & 0xf, 1);
		if (id == TSMH_EXT_CAP_ID_DOE) {
			if (c->nr_doe < TSMH_MAX_DOE)
				c->doe_off[c->nr_doe++] = pos;
			else
				note(c, TSMH_CAPS_A_TOO_MANY_DOE, pos);
		} else if (id == TSMH_EXT_CAP_ID_IDE && !c->ide_off) {
			if ((u32)pos + TSMH_IDE_CAP + 4 > rd->size) {
				note(c, TSMH_CAPS_A_TRUNCATED, pos);
				break;
			}
			ret = rd32(rd, pos + TSMH_IDE_CAP, &c->ide_cap);
			if (ret)
				return ret;
			c->ide_off = pos;
		}
		pos = next;
	}
	return 0;
}

int tsmh_caps_walk(const struct tsmh_cfg_reader *rd, struct tsmh_caps *c)
{
	u32 v;
	int ret;

	memset(c, 0, sizeof(*c));
	if (rd->size != TSMH_CFG_SIZE_LEGACY && rd->size != TSMH_CFG_SIZE_EXT)
		return -EINVAL;
	ret = rd32(rd, 0x00, &v);
	if (ret)
		return ret;
	if (v == 0xffffffff || (v & 0xffff) == 0xffff || (v & 0xffff) == 0)
		return -ENODEV;
	c->vendor = v & 0xffff;
	c->device = v >> 16;
	ret = rd32(rd, 0x08, &c->class_rev);
	if (ret)
		return ret;
	ret = rd32(rd, 0x0c, &v);
	if (ret)
		return ret;
	c->hdr_type = (v >> 16) & 0x7f;
	c->multifunction = !!((v >> 16) & 0x80);

	ret = walk_std(rd, c);
	if (ret)
		return ret;
	/* Extended config space exists only behind a PCIe capability. */
	if (c->exp_off && rd->size > TSMH_CFG_SIZE_LEGACY)
		ret = walk_ext(rd, c);
	return ret;
}

/*
 * Capability names, every ID the PCI Code and ID Assignment Specification
 * (r1.16) assigns, so no capability a real device carries prints as
 * "Unknown" (lspci names the same set). IDs not assigned are "Unknown".
 */
static const char *const std_cap_names[] = {
	[0x01] = "Power Management",
	[0x02] = "AGP",
	[0x03] = "Vital Product Data",
	[0x04] = "Slot Identification",
	[0x05] = "MSI",
	[0x06] = "CompactPCI Hot Swap",
	[0x07] = "PCI-X",
	[0x08] = "HyperTransport",
	[0x09] = "Vendor Specific",
	[0x0a] = "Debug Port",
	[0x0b] = "CompactPCI Central Resource Control",
	[0x0c] = "PCI Hot-Plug",
	[0x0d] = "Bridge Subsystem Vendor ID",
	[0x0e] = "AGP 8x",
	[0x0f] = "Secure Device",
	[0x10] = "PCI Express",
	[0x11] = "MSI-X",
	[0x12] = "SATA",
	[0x13] = "Advanced Features",
	[0x14] = "Enhanced Allocation",
	[0x15] = "Flattening Portal Bridge",
};

static const char *const ext_cap_names[] = {
	[0x01] = "Advanced Error Reporting",
	[0x02] = "Virtual Channel",
	[0x03] = "Device Serial Number",
	[0x04] = "Power Budgeting",
	[0x05] = "Root Complex Link Declaration",
	[0x06] = "Root Complex Internal Link Control",
	[0x07] = "Root Complex Event Collector Endpoint Association",
	[0x08] = "Multi-Function Virtual Channel",
	[0x09] = "Virtual Channel (MFVC present)",
	[0x0a] = "Root Complex Register Block Header",
	[0x0b] = "Vendor-Specific Extended",
	[0x0c] = "Configuration Access Correlation",
	[0x0d] = "Access Control Services",
	[0x0e] = "Alternative Routing-ID",
	[0x0f] = "Address Translation Services",
	[0x10] = "SR-IOV",
	[0x11] = "MR-IOV",
	[0x12] = "Multicast",
	[0x13] = "Page Request",
	[0x14] = "Reserved for AMD",
	[0x15] = "Resizable BAR",
	[0x16] = "Dynamic Power Allocation",
	[0x17] = "TPH Requester",
	[0x18] = "Latency Tolerance Reporting",
	[0x19] = "Secondary PCI Express",
	[0x1a] = "Protocol Multiplexing",
	[0x1b] = "PASID",
	[0x1c] = "LN Requester",
	[0x1d] = "Downstream Port Containment",
	[0x1e] = "L1 PM Substates",
	[0x1f] = "Precision Time Measurement",
	[0x20] = "PCI Express over M-PHY",
	[0x21] = "FRS Queueing",
	[0x22] = "Readiness Time Reporting",
	[0x23] = "Designated Vendor-Specific",
	[0x24] = "VF Resizable BAR",
	[0x25] = "Data Link Feature",
	[0x26] = "Physical Layer 16.0 GT/s",
	[0x27] = "Lane Margining at the Receiver",
	[0x28] = "Hierarchy ID",
	[0x29] = "Native PCIe Enclosure Management",
	[0x2a] = "Physical Layer 32.0 GT/s",
	[0x2b] = "Alternate Protocol",
	[0x2c] = "System Firmware Intermediary",
	[0x2d] = "Shadow Functions",
	[TSMH_EXT_CAP_ID_DOE] = "Data Object Exchange",
	[0x2f] = "Device 3",
	[TSMH_EXT_CAP_ID_IDE] = "Integrity and Data Encryption",
	[0x31] = "Physical Layer 64.0 GT/s",
	[0x32] = "Flit Logging",
	[0x33] = "Flit Performance Measurement",
	[0x34] = "Flit Error Injection",
	[0x35] = "Streamlined Virtual Channel",
	[0x36] = "MMIO Register Block Locator",
};

const char *tsmh_cap_name(u16 id, int ext)
{
	const char *const *t = ext ? ext_cap_names : std_cap_names;
	size_t n = ext ? ARRAY_SIZE(ext_cap_names) : ARRAY_SIZE(std_cap_names);

	return id < n && t[id] ? t[id] : "Unknown";
}

const char *tsmh_exp_type_name(u8 type)
{
	switch (type) {
	case 0x0: return "Endpoint";
	case 0x1: return "Legacy Endpoint";
	case 0x4: return "Root Port";
	case 0x5: return "Upstream Port";
	case 0x6: return "Downstream Port";
	case 0x7: return "PCIe-to-PCI Bridge";
	case 0x8: return "PCI-to-PCIe Bridge";
	case 0x9: return "RC Integrated Endpoint";
	case 0xa: return "RC Event Collector";
	default: return "Reserved";
	}
}

const char *tsmh_caps_anomaly_str(u32 a)
{
	if (a & TSMH_CAPS_A_STD_PTR)
		return "capability pointer into the header or out of range";
	if (a & TSMH_CAPS_A_STD_LOOP)
		return "capability list loops";
	if (a & TSMH_CAPS_A_EXT_PTR)
		return "extended capability pointer below 0x100 or misaligned";
	if (a & TSMH_CAPS_A_EXT_LOOP)
		return "extended capability list loops";
	if (a & TSMH_CAPS_A_EXT_NULLID)
		return "extended capability with ID 0 but a next pointer";
	if (a & TSMH_CAPS_A_TRUNCATED)
		return "capability list runs past the end of config space";
	if (a & TSMH_CAPS_A_TOO_MANY)
		return "more capabilities than the walker records";
	if (a & TSMH_CAPS_A_TOO_MANY_DOE)
		return "more DOE mailboxes than supported";
	return NULL;
}
