/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Evidence store rules shared by the core module (which enforces them on
 * EVIDENCE_PUT/COMMIT) and userspace (names, early checks, unit tests):
 * object names, chunk contiguity and size limits, metadata ranges.
 * The ABI itself is in include/uapi/linux/tsmh.h ("Evidence").
 */
#ifndef TSMH_LIB_EV_RULES_H
#define TSMH_LIB_EV_RULES_H

#include "port.h"
#ifdef __KERNEL__
#include <uapi/linux/tsmh.h>
#else
#include <linux/tsmh.h>
#endif

/* Progress of one object in a staging set; total == 0: not started. */
struct tsmh_ev_stage_obj {
	u32 total;
	u32 filled;
};

/* "cert0" .. "meas-transcript", or NULL for an unknown type. */
const char *tsmh_ev_type_name(u32 type);
/* The type named @name, or -EINVAL. */
int tsmh_ev_type_parse(const char *name);
const char *tsmh_ev_prov_name(u32 prov);	/* "spdm", ...; NULL if unknown */
int tsmh_ev_prov_parse(const char *name);
const char *tsmh_ev_locked_name(u32 locked);	/* "unknown", "unlocked", "locked" */
int tsmh_ev_locked_parse(const char *name);

/*
 * tsmh_ev_chunk_check - may a chunk go into a staging set?
 * @objs: the staging set (TSMH_EV_NR entries)
 * @type, @off, @total, @len: the chunk
 * @start: set when the chunk (re)starts the object: the caller allocates
 *	@total bytes and resets the object's progress.
 * @why: the reason on failure (static text).
 *
 * Returns 0, -EINVAL (unknown type, empty, not contiguous, past the end,
 * total changed mid-object), -EFBIG (object above TSMH_EV_OBJ_MAX) or
 * -ENOSPC (the set would exceed TSMH_EV_SET_MAX).
 */
int tsmh_ev_chunk_check(const struct tsmh_ev_stage_obj *objs, u32 type, u32 off, u32 total,
			u32 len, bool *start, const char **why);

/* Record a chunk accepted by tsmh_ev_chunk_check() (and copied). */
void tsmh_ev_chunk_apply(struct tsmh_ev_stage_obj *objs, u32 type, u32 off, u32 total, u32 len);

/*
 * tsmh_ev_commit_check - is every staged object complete?
 * Returns 0, or -EINVAL with *bad the first incomplete type, or -ENODATA
 * when nothing is staged.
 */
int tsmh_ev_commit_check(const struct tsmh_ev_stage_obj *objs, u32 *bad, const char **why);

/* Metadata ranges: known provenance (not UNSPEC), known lock state,
 * SPDM version and slot mask within a byte. 0 or -EINVAL with @why.
 */
int tsmh_ev_meta_check(u32 prov, u32 locked, u32 spdm_version, u32 slot_mask, const char **why);

#endif
