/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The IDE commands of the "tsmh" netlink family (ABI 5, docs/netlink/tsmh.yaml):
 * ide-get decoded into plain structs (with the generated policies of
 * nl_policy.c), and one call per mutating command. DEV is always the
 * endpoint: the kernel finds its root port. Errors are -errno with the
 * kernel's extended ACK text in nl->err (tsmh_nl_call()).
 *
 * Keys: tsmh_ide_key_prog() builds the request in a libnl message buffer;
 * the whole buffer is wiped (OPENSSL_cleanse) once sent or on any error,
 * before it is freed. Nothing here prints or logs.
 */
#ifndef TSMH_COMMON_IDE_NL_H
#define TSMH_COMMON_IDE_NL_H

#include <stddef.h>
#include <stdint.h>
#include "nl.h"

#define TSMH_IDENL_NAME_LEN 32 /* "DDDD:BB:DD.F", "pciDDDD:BB" */
#define TSMH_IDENL_ADDR_MAX 16 /* address association blocks kept per stream */

/* which optional attributes of a stream were present (TSMH_IDENL_S_*) */
#define TSMH_IDENL_S_KEY_SET  (1U << 0)
#define TSMH_IDENL_S_RP_STATE (1U << 1)
#define TSMH_IDENL_S_EP_STATE (1U << 2)
#define TSMH_IDENL_S_RID      (1U << 3)

struct tsmh_idenl_addr {
	uint64_t base, limit; /* inclusive */
};

/* one TSMH_A_IDE_STREAM nest */
struct tsmh_idenl_stream {
	uint32_t id, type, tc; /* enum tsmh_ide_stream_type */
	char rp[TSMH_IDENL_NAME_LEN], ep[TSMH_IDENL_NAME_LEN];
	uint32_t rp_block, ep_block;
	uint32_t rid_base, rid_limit; /* segment << 16 | RID */
	unsigned int nr_addr; /* kept (at most TSMH_IDENL_ADDR_MAX) */
	unsigned int addr_dropped; /* beyond that, counted */
	struct tsmh_idenl_addr addr[TSMH_IDENL_ADDR_MAX];
	uint32_t key_set; /* the root port's active set, if TSMH_IDENL_S_KEY_SET */
	uint32_t keys; /* root-port keys programmed: bit set*6 + dir*3 + sub */
	uint32_t rp_state, ep_state, rp_fail, ep_fail;
	uint32_t flags; /* TSMH_IDE_S_F_* */
	uint64_t created; /* ns since the epoch */
	uint32_t has; /* TSMH_IDENL_S_* */
};

/* one ide-get reply: a port (TSMH_A_IDE_PORT) and its streams */
struct tsmh_idenl_port {
	char name[TSMH_IDENL_NAME_LEN];
	uint32_t cap; /* IDE Capability register (dev-ide-cap, else the nest's) */
	uint32_t role; /* enum tsmh_ide_role */
	uint16_t offset;
	uint32_t nr_sel, sel_used, nr_link, link_used;
	char hb_name[TSMH_IDENL_NAME_LEN];
	uint32_t hb_streams, hb_used;
	int has_hb; /* hb_* present */
	uint32_t key_backend; /* enum tsmh_ide_key_backend (root ports) */
	char platform[64]; /* root ports without a host key backend */
	char upstream[TSMH_IDENL_NAME_LEN]; /* endpoints: their root port */
	unsigned int nr_streams;
	struct tsmh_idenl_stream *streams; /* malloc'd */
};

struct tsmh_idenl_ports {
	struct tsmh_idenl_port *p; /* malloc'd */
	unsigned int n, cap;
};

/*
 * ide-get: one port (@dev) or all (@dev NULL, a dump) appended to @out
 * (zeroed by the caller, freed with tsmh_idenl_ports_free() whatever the
 * result). 0 or -errno (nl->err says why; a reply that does not decode is
 * -EPROTO with the attribute named).
 */
int tsmh_ide_get(struct tsmh_nl *nl, const char *dev, struct tsmh_idenl_ports *out);
void tsmh_idenl_ports_free(struct tsmh_idenl_ports *ps);
/* Decode one ide-get reply (or evt-ide) message into @p; pure. 0 or -EPROTO with @why. */
int tsmh_idenl_parse_port(struct nl_msg *m, struct tsmh_idenl_port *p, char *why, size_t whylen);
/* Decode one TSMH_A_IDE_STREAM nest; pure. 0 or -EPROTO with @why. */
int tsmh_idenl_parse_stream(struct nlattr *nest, struct tsmh_idenl_stream *s, char *why,
			    size_t whylen);
/* The port named @name in @ps, or NULL. */
const struct tsmh_idenl_port *tsmh_idenl_port_find(const struct tsmh_idenl_ports *ps,
						   const char *name);
/*
 * The stream of endpoint @ep: with @id >= 0 the one with that ID, else the
 * first; searched in every port's list. NULL if none.
 */
const struct tsmh_idenl_stream *tsmh_idenl_stream_find(const struct tsmh_idenl_ports *ps,
						       const char *ep, int id);

/* ide-stream-new for endpoint @dev: the new stream in *@s (may be NULL). */
int tsmh_ide_stream_new(struct tsmh_nl *nl, const char *dev, uint32_t type, uint32_t tc,
			struct tsmh_idenl_stream *s);
/*
 * ide-key-prog: root-port key for stream @id, key set @set, @dir (enum
 * tsmh_ide_dir, the root port's view), @sub (enum tsmh_ide_sub).
 * @key TSMH_IDE_KEY_LEN bytes, @ifv TSMH_IDE_IFV_LEN bytes, as KEY_PROG
 * carries them. The message buffer is wiped before it is freed.
 */
int tsmh_ide_key_prog(struct tsmh_nl *nl, const char *dev, uint32_t id, uint32_t set, uint32_t dir,
		      uint32_t sub, const uint8_t *key, const uint8_t *ifv);
/* ide-kset GO or STOP (enum tsmh_ide_kset_op) at the root port; the stream in *@s (may be NULL). */
int tsmh_ide_kset(struct tsmh_nl *nl, const char *dev, uint32_t id, uint32_t set, uint32_t op,
		  struct tsmh_idenl_stream *s);
/* ide-stream-enable: both ends enabled, both states read back into *@s (may be NULL). */
int tsmh_ide_stream_enable(struct tsmh_nl *nl, const char *dev, uint32_t id,
			   struct tsmh_idenl_stream *s);
/* ide-stream-del: disabled, keys wiped, IDs and blocks freed. */
int tsmh_ide_stream_del(struct tsmh_nl *nl, const char *dev, uint32_t id);

/* both ends read SECURE (the flag, or both states 2 when the flag is absent), no reset seen */
int tsmh_idenl_secure(const struct tsmh_idenl_stream *s);
/* "selective", "link" */
const char *tsmh_idenl_type_name(uint32_t type);
/* "root port", "endpoint", "other" */
const char *tsmh_idenl_role_name(uint32_t role);

#endif
