// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Evidence store rules, shared by the core module and userspace.
 */
#include "ev_rules.h"

static const char *const type_names[TSMH_EV_NR] = {
	[TSMH_EV_CERT0] = "cert0",
	[TSMH_EV_CERT1] = "cert1",
	[TSMH_EV_CERT2] = "cert2",
	[TSMH_EV_CERT3] = "cert3",
	[TSMH_EV_CERT4] = "cert4",
	[TSMH_EV_CERT5] = "cert5",
	[TSMH_EV_CERT6] = "cert6",
	[TSMH_EV_CERT7] = "cert7",
	[TSMH_EV_VCA] = "vca",
	[TSMH_EV_MEASUREMENTS] = "measurements",
	[TSMH_EV_REPORT] = "report",
	[TSMH_EV_CHALLENGE] = "challenge",
	[TSMH_EV_MEAS_TRANSCRIPT] = "meas-transcript",
	[TSMH_EV_VERIFIED] = "verified",
};

static const char *const prov_names[__TSMH_EV_PROV_NR] = {
	[TSMH_EV_PROV_UNSPEC] = "unspecified",
	[TSMH_EV_PROV_SPDM] = "spdm",
	[TSMH_EV_PROV_TDISP_REPORT] = "tdisp-report",
	[TSMH_EV_PROV_FIRMWARE_TSM] = "firmware-tsm",
};

static const char *const locked_names[__TSMH_EV_LOCKED_NR] = {
	[TSMH_EV_LOCKED_UNKNOWN] = "unknown",
	[TSMH_EV_LOCKED_UNLOCKED] = "unlocked",
	[TSMH_EV_LOCKED_LOCKED] = "locked",
};

static int lookup(const char *const *names, u32 nr, const char *name)
{
	u32 i;

	for (i = 0; name && i < nr; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -EINVAL;
}

const char *tsmh_ev_type_name(u32 type)
{
	return type < TSMH_EV_NR ? type_names[type] : NULL;
}

int tsmh_ev_type_parse(const char *name)
{
	return lookup(type_names, TSMH_EV_NR, name);
}

const char *tsmh_ev_prov_name(u32 prov)
{
	return prov < __TSMH_EV_PROV_NR ? prov_names[prov] : NULL;
}

int tsmh_ev_prov_parse(const char *name)
{
	int v = lookup(prov_names, __TSMH_EV_PROV_NR, name);

	return v == TSMH_EV_PROV_UNSPEC ? -EINVAL : v;
}

const char *tsmh_ev_locked_name(u32 locked)
{
	return locked < __TSMH_EV_LOCKED_NR ? locked_names[locked] : NULL;
}

int tsmh_ev_locked_parse(const char *name)
{
	return lookup(locked_names, __TSMH_EV_LOCKED_NR, name);
}

int tsmh_ev_chunk_check(const struct tsmh_ev_stage_obj *objs, u32 type, u32 off, u32 total,
			u32 len, bool *start, const char **why)
{
	const struct tsmh_ev_stage_obj *o;
	u64 others = 0;
	u32 i;

	*start = false;
	if (type >= TSMH_EV_NR) {
		*why = "unknown evidence type";
		return -EINVAL;
	}
	if (!total) {
		*why = "empty evidence object";
		return -EINVAL;
	}
	if (total > TSMH_EV_OBJ_MAX) {
		*why = "evidence object larger than 16 MiB";
		return -EFBIG;
	}
	if (!len) {
		*why = "empty chunk";
		return -EINVAL;
	}
	if ((u64)off + len > total) {
		*why = "chunk runs past the object's end";
		return -EINVAL;
	}
	o = &objs[type];
	if (off == 0) {
		for (i = 0; i < TSMH_EV_NR; i++)
			if (i != type)
				others += objs[i].total;
		if (others + total > TSMH_EV_SET_MAX) {
			*why = "staged set would exceed 64 MiB";
			return -ENOSPC;
		}
		*start = true;
		return 0;
	}
	if (!o->total) {
		*why = "object not started at offset 0";
		return -EINVAL;
	}
	if (o->total != total) {
		*why = "object's total changed mid-upload";
		return -EINVAL;
	}
	if (off != o->filled) {
		*why = "chunks not contiguous";
		return -EINVAL;
	}
	return 0;
}

void tsmh_ev_chunk_apply(struct tsmh_ev_stage_obj *objs, u32 type, u32 off, u32 total, u32 len)
{
	objs[type].total = total;
	objs[type].filled = off + len;
}

int tsmh_ev_commit_check(const struct tsmh_ev_stage_obj *objs, u32 *bad, const char **why)
{
	bool any = false;
	u32 i;

	for (i = 0; i < TSMH_EV_NR; i++) {
		if (!objs[i].total)
			continue;
		any = true;
		if (objs[i].filled != objs[i].total) {
			*bad = i;
			*why = "evidence object incomplete";
			return -EINVAL;
		}
	}
	if (!any) {
		*why = "nothing staged by this socket";
		return -ENODATA;
	}
	return 0;
}

int tsmh_ev_meta_check(u32 prov, u32 locked, u32 spdm_version, u32 slot_mask, const char **why)
{
	if (prov == TSMH_EV_PROV_UNSPEC || prov >= __TSMH_EV_PROV_NR) {
		*why = "unknown evidence provenance";
		return -EINVAL;
	}
	if (locked >= __TSMH_EV_LOCKED_NR) {
		*why = "unknown TDI lock state";
		return -EINVAL;
	}
	if (spdm_version > 0xff) {
		*why = "SPDM version must fit a byte";
		return -EINVAL;
	}
	if (slot_mask > 0xff) {
		*why = "slot mask has bits above slot 7";
		return -EINVAL;
	}
	return 0;
}
