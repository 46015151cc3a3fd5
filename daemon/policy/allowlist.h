/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The accepted-device allow-list (default /var/lib/tsmd/allow-list.json):
 * reviewable JSON shaped like a CoRIM reference-value list. Each entry is
 * an environment (identity: leaf SPKI SHA-384, CMA SAN, IDs, DSN) with a
 * decision and the measurement sets accepted for it (one per accepted
 * firmware version). See tsmd.conf(5).
 *
 * A missing file loads as an empty list (with a note); a corrupt or
 * invalid one is an error, and the caller must then release nothing.
 * Saving is atomic: path.tmp (0600) in the same directory, fsync,
 * rename, fsync of the directory; on failure the old file is intact.
 */
#ifndef TSMD_POLICY_ALLOWLIST_H
#define TSMD_POLICY_ALLOWLIST_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include "meas.h"

#define TSMD_AL_FILE_MAX    (16u << 20)
#define TSMD_AL_VERSION	    1
#define TSMD_SPKI_HASH_LEN  48 /* SHA-384 */
#define TSMD_AL_BLOCKS_MAX  254
#define TSMD_AL_SETS_MAX    64
#define TSMD_AL_ENTRIES_MAX 65536

/* Which identity keys are given. */
#define TSMD_ID_SPKI   (1u << 0)
#define TSMD_ID_SAN    (1u << 1)
#define TSMD_ID_VENDOR (1u << 2)
#define TSMD_ID_DEVICE (1u << 3)
#define TSMD_ID_SERIAL (1u << 4)

struct tsmd_identity {
	unsigned has; /* TSMD_ID_* */
	uint8_t spki_sha384[TSMD_SPKI_HASH_LEN];
	char san[256];
	uint16_t vendor, device;
	uint64_t serial;
};

struct tsmd_al_set {
	char *added; /* free text, normally RFC 3339; may be NULL */
	size_t nr;
	struct tsmd_meas_block *blocks; /* sorted by index; values owned by the set */
};

enum tsmd_al_decision {
	TSMD_AL_ALLOW,
	TSMD_AL_DENY,
};

struct tsmd_al_entry {
	char *label, *added, *comment; /* may be NULL */
	enum tsmd_al_decision decision;
	struct tsmd_identity id;
	size_t nr_sets;
	struct tsmd_al_set *sets;
};

struct tsmd_allowlist {
	size_t nr, cap;
	struct tsmd_al_entry *e;
	char note[160]; /* e.g. "FILE: not found, starting with an empty allow-list" */
};

void tsmd_allowlist_init(struct tsmd_allowlist *al);
void tsmd_allowlist_free(struct tsmd_allowlist *al);
int tsmd_allowlist_parse(const char *text, size_t len, const char *file, struct tsmd_allowlist *al,
			 char *why, size_t whylen);
/* ENOENT -> 0 and an empty list with al->note set. */
int tsmd_allowlist_load(const char *path, struct tsmd_allowlist *al, char *why, size_t whylen);
/*
 * Could another user change the allow-list (common/safepath.h; @uid: the
 * one user besides root allowed to own it)? The file and the directories
 * above it, or while it does not exist the directory it will be saved in:
 * 0, -EPERM with @why naming the file and the fix, or -errno.
 */
int tsmd_allowlist_secure(const char *path, uid_t uid, char *why, size_t whylen);
/* The JSON text (malloc'd, NUL-terminated, ends with a newline). */
char *tsmd_allowlist_format(const struct tsmd_allowlist *al);
/*
 * Atomic replace of @path (tsmh_write_atomic). 0: @path is the new list;
 * @why is then "" or a warning (saved, but the directory fsync failed).
 * -errno: @path is untouched and @why says which step failed.
 */
int tsmd_allowlist_save(const struct tsmd_allowlist *al, const char *path, char *why,
			size_t whylen);

/* 1 if every identity key present in @entry equals the device's (@dev). */
int tsmd_identity_matches(const struct tsmd_identity *entry, const struct tsmd_identity *dev);
/* Same keys with the same values. */
int tsmd_identity_equal(const struct tsmd_identity *a, const struct tsmd_identity *b);
/* "spki 1a2b3c4d…" / "san Vendor=…" / "1b36:1e10 serial …" for messages. */
const char *tsmd_identity_str(const struct tsmd_identity *id, char *buf, size_t len);

/*
 * The entry that decides for a device: a matching deny entry wins over
 * any allow entry; else the allow entry matching it. NULL if none.
 */
const struct tsmd_al_entry *tsmd_allowlist_find(const struct tsmd_allowlist *al,
						const struct tsmd_identity *dev);
/* The entry keyed on exactly @id (same SPKI, or identical keys), NULL if none. */
struct tsmd_al_entry *tsmd_allowlist_lookup(const struct tsmd_allowlist *al,
					    const struct tsmd_identity *id);

struct tsmd_al_upsert {
	const char *label, *comment, *added; /* NULL: keep / none */
	int replace; /* drop the entry's other measurement sets */
};

/*
 * Allow @id (needs TSMD_ID_SPKI) with the measurement set @b (@nr blocks,
 * copied; @b NULL adds no set: a certificate-only entry). Creates the entry, or
 * turns an existing one to allow and adds the set if it is new. Returns
 * 1 if something changed, 0 if it was already there, or -errno.
 */
int tsmd_allowlist_allow(struct tsmd_allowlist *al, const struct tsmd_identity *id,
			 const struct tsmd_meas_block *b, size_t nr, const struct tsmd_al_upsert *o,
			 char *why, size_t whylen);
/* Deny @id (any non-empty key set); 1 if changed, 0 if already denied. */
int tsmd_allowlist_deny(struct tsmd_allowlist *al, const struct tsmd_identity *id,
			const struct tsmd_al_upsert *o, char *why, size_t whylen);
/* Remove the entry keyed on exactly @id: 0 or -ENOENT. */
int tsmd_allowlist_remove(struct tsmd_allowlist *al, const struct tsmd_identity *id);
/* Call @fn for each entry in order until it returns non-zero (which is returned). */
int tsmd_allowlist_foreach(const struct tsmd_allowlist *al,
			   int (*fn)(const struct tsmd_al_entry *e, void *ctx), void *ctx);

/*
 * Measurement sets to pre-approve (a firmware update) from the JSON text
 * @text (@file names it in errors): an allow-list with exactly one allow
 * entry that has measurement sets (e.g. `tsmctl policy generate DEV` on a
 * device already running the new firmware), one set {"blocks": [...]}, or
 * an array of sets. The sets go to @out->sets; for an allow-list, @out->id
 * is the entry's identity (to check the IDs against), else empty. Returns
 * the number of sets (>= 1) or -errno with @why. Free with
 * tsmd_al_entry_free().
 */
int tsmd_al_sets_parse(const char *text, size_t len, const char *file, struct tsmd_al_entry *out,
		       char *why, size_t whylen);
void tsmd_al_entry_free(struct tsmd_al_entry *e);

/* The index of the accepted set equal to @b, or -1. */
int tsmd_al_entry_find_set(const struct tsmd_al_entry *e, const struct tsmd_meas_block *b,
			   size_t nr);

#endif
