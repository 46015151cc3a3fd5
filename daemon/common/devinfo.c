// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "devinfo.h"
#include "doe.h"
#include "nl_policy.h"

#define FAIL(...)                                \
	do {                                     \
		snprintf(err, 128, __VA_ARGS__); \
		return -EINVAL;                  \
	} while (0)

static int parse_mb(struct nlattr *nest, struct tsmh_mbinfo *mb, char *err)
{
	struct nlattr *tb[TSMH_MB_A_MAX + 1], *a;
	int rem;

	memset(mb, 0, sizeof(*mb));
	if (nla_parse_nested(tb, TSMH_MB_A_MAX, nest, tsmh_nl_mailbox_policy))
		FAIL("malformed mailbox attributes");
	if (!tb[TSMH_MB_A_OFFSET])
		FAIL("mailbox without an offset");
	mb->off = nla_get_u16(tb[TSMH_MB_A_OFFSET]);
	if (tb[TSMH_MB_A_OWNER])
		mb->owner = nla_get_u32(tb[TSMH_MB_A_OWNER]);
	if (tb[TSMH_MB_A_OWNER_ID])
		mb->owner_id = nla_get_u32(tb[TSMH_MB_A_OWNER_ID]);
	if (tb[TSMH_MB_A_OWNER_NAME])
		nla_strlcpy(mb->owner_name, tb[TSMH_MB_A_OWNER_NAME], sizeof(mb->owner_name));
	if (tb[TSMH_MB_A_DISCOVERY_ERR])
		mb->disc_err = (int32_t)nla_get_u32(tb[TSMH_MB_A_DISCOVERY_ERR]);
	if (tb[TSMH_MB_A_EXCHANGES])
		mb->exchanges = nla_get_u64(tb[TSMH_MB_A_EXCHANGES]);
	nla_for_each_nested(a, nest, rem)
	{
		struct nlattr *pt[TSMH_PROT_A_MAX + 1];

		if (nla_type(a) != TSMH_MB_A_PROTOCOL)
			continue;
		if (mb->nr_prots >= DEVINFO_MAX_PROTS)
			FAIL("mailbox %#x lists more than %d protocols", mb->off,
			     DEVINFO_MAX_PROTS);
		if (nla_parse_nested(pt, TSMH_PROT_A_MAX, a, tsmh_nl_protocol_policy) ||
		    !pt[TSMH_PROT_A_VENDOR] || !pt[TSMH_PROT_A_TYPE])
			FAIL("mailbox %#x: malformed protocol entry", mb->off);
		mb->prots[mb->nr_prots].vid = nla_get_u16(pt[TSMH_PROT_A_VENDOR]);
		mb->prots[mb->nr_prots].type = nla_get_u8(pt[TSMH_PROT_A_TYPE]);
		mb->nr_prots++;
	}
	return 0;
}

int tsmh_devinfo_parse(struct nlattr *attrs, int len, struct tsmh_devinfo *d, char *err)
{
	struct nlattr *tb[TSMH_A_MAX + 1], *a;
	int rem, ret;

	memset(d, 0, sizeof(*d));
	if (nla_parse(tb, TSMH_A_MAX, attrs, len, tsmh_nl_tsmh_policy))
		FAIL("malformed device attributes");
	if (!tb[TSMH_A_DEV_NAME])
		FAIL("device without a name");
	nla_strlcpy(d->name, tb[TSMH_A_DEV_NAME], sizeof(d->name));
	if (!d->name[0])
		FAIL("device with an empty name");
	if (tb[TSMH_A_DEV_VENDOR])
		d->vendor = nla_get_u16(tb[TSMH_A_DEV_VENDOR]);
	if (tb[TSMH_A_DEV_DEVICE])
		d->device = nla_get_u16(tb[TSMH_A_DEV_DEVICE]);
	if (tb[TSMH_A_DEV_CLASS])
		d->class_rev = nla_get_u32(tb[TSMH_A_DEV_CLASS]);
	if (tb[TSMH_A_DEV_PCIE_TYPE])
		d->pcie_type = nla_get_u8(tb[TSMH_A_DEV_PCIE_TYPE]);
	if (tb[TSMH_A_DEV_FLAGS])
		d->flags = nla_get_u32(tb[TSMH_A_DEV_FLAGS]);
	if (tb[TSMH_A_DEV_ANOMALIES])
		d->anomalies = nla_get_u32(tb[TSMH_A_DEV_ANOMALIES]);
	if (tb[TSMH_A_DEV_IDE_OFFSET])
		d->ide_off = nla_get_u16(tb[TSMH_A_DEV_IDE_OFFSET]);
	if (tb[TSMH_A_DEV_IDE_CAP])
		d->ide_cap = nla_get_u32(tb[TSMH_A_DEV_IDE_CAP]);
	if (tb[TSMH_A_DEV_SERIAL]) {
		d->has_serial = 1;
		d->serial = nla_get_u64(tb[TSMH_A_DEV_SERIAL]);
	}
	if (tb[TSMH_A_GATE_STATE]) {
		d->has_gate = 1;
		d->gate_state = nla_get_u32(tb[TSMH_A_GATE_STATE]);
	}
	if (tb[TSMH_A_GATE_REASON])
		d->gate_reason = nla_get_u32(tb[TSMH_A_GATE_REASON]);
	if (tb[TSMH_A_GATE_FLAGS])
		d->gate_flags = nla_get_u32(tb[TSMH_A_GATE_FLAGS]);
	if (tb[TSMH_A_GATE_MSG])
		nla_strlcpy(d->gate_msg, tb[TSMH_A_GATE_MSG], sizeof(d->gate_msg));
	if (tb[TSMH_A_ACCEPT_DIGEST]) {
		d->accept_len = nla_len(tb[TSMH_A_ACCEPT_DIGEST]);
		if (d->accept_len < 1 || d->accept_len > TSMH_ACCEPT_DIGEST_MAX)
			FAIL("%s: accepted digest of %d bytes", d->name, d->accept_len);
		memcpy(d->accept_digest, nla_data(tb[TSMH_A_ACCEPT_DIGEST]), (size_t)d->accept_len);
	}
	if (tb[TSMH_A_ACCEPT_GENERATION])
		d->accept_gen = nla_get_u64(tb[TSMH_A_ACCEPT_GENERATION]);
	if (tb[TSMH_A_ACCEPT_TIME])
		d->accept_time = nla_get_u64(tb[TSMH_A_ACCEPT_TIME]);
	if (tb[TSMH_A_RESET_COUNT])
		d->reset_count = nla_get_u64(tb[TSMH_A_RESET_COUNT]);
	if (tb[TSMH_A_RESET_KIND])
		d->reset_kind = nla_get_u32(tb[TSMH_A_RESET_KIND]);
	if (tb[TSMH_A_DRIVER])
		nla_strlcpy(d->driver, tb[TSMH_A_DRIVER], sizeof(d->driver));
	nla_for_each_attr(a, attrs, len, rem)
	{
		if (nla_type(a) != TSMH_A_DEV_MAILBOX)
			continue;
		if (d->nr_mb >= DEVINFO_MAX_MB)
			FAIL("%s lists more than %d mailboxes", d->name, DEVINFO_MAX_MB);
		ret = parse_mb(a, &d->mb[d->nr_mb], err);
		if (ret)
			return ret;
		d->nr_mb++;
	}
	return 0;
}

const char *tsmh_prot_name(uint16_t vid, uint8_t type, char *buf)
{
	if (tsmh_doe_prot_known(vid, type))
		return tsmh_doe_prot_name(vid, type);
	sprintf(buf, "%04x:%02x", vid, type);
	return buf;
}
