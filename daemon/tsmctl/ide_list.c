// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl ide list: every IDE port the kernel tracks (ide-get dump): root
 * ports first, each followed by its endpoints, with the IDE capability
 * decoded (lib/ide_cap.c), register blocks in use and free, the host
 * bridge's stream-ID pool, the root port's key backend, and each stream
 * (ID, type, blocks at each end, RID and address association, key set,
 * state at each end). Open to every user: nothing in it is secret.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ide_cap.h"
#include "ide_nl.h"
#include "tsmctl.h"

/* "link IDE yes (1 TC), selective IDE yes (8 streams), AES-GCM-256-96, IDE_KM yes, TEE-limited no" */
static void cap_str(uint32_t v, char *buf, size_t len)
{
	struct tsmh_ide_capreg c;
	char l[24] = "", s[24] = "";

	tsmh_ide_capreg_decode(v, &c);
	if (c.link)
		snprintf(l, sizeof(l), " (%u TC%s)", c.nr_link_tc, c.nr_link_tc == 1 ? "" : "s");
	if (c.selective)
		snprintf(s, sizeof(s), " (%u stream%s)", c.nr_sel, c.nr_sel == 1 ? "" : "s");
	snprintf(buf, len, "link IDE %s%s, selective IDE %s%s, %s, IDE_KM %s, TEE-limited %s",
		 c.link ? "yes" : "no", l, c.selective ? "yes" : "no", s, tsmh_ide_alg_name(c.alg),
		 c.ide_km ? "yes" : "no", c.tee_limited ? "yes" : "no");
}

static cJSON *cap_json(uint32_t v)
{
	struct tsmh_ide_capreg c;
	cJSON *j = cJSON_CreateObject();

	tsmh_ide_capreg_decode(v, &c);
	cJSON_AddNumberToObject(j, "register", v);
	cJSON_AddBoolToObject(j, "link", c.link);
	cJSON_AddNumberToObject(j, "link_tcs", c.nr_link_tc);
	cJSON_AddBoolToObject(j, "selective", c.selective);
	cJSON_AddNumberToObject(j, "selective_streams", c.nr_sel);
	cJSON_AddStringToObject(j, "algorithm", tsmh_ide_alg_name(c.alg));
	cJSON_AddBoolToObject(j, "ide_km", c.ide_km);
	cJSON_AddBoolToObject(j, "tee_limited", c.tee_limited);
	return j;
}

static const char *backend_name(const struct tsmh_idenl_port *p)
{
	switch (p->key_backend) {
	case TSMH_IDE_KB_SIM: return "host-programmable key unit (sim)";
	case TSMH_IDE_KB_NONE: return "none: the platform TSM owns the root-port keys";
	default: return "unknown";
	}
}

/* "03:00.0": the RID (bus, device, function) of a segment << 16 | RID value */
static void rid_str(uint32_t v, char *b, size_t len)
{
	snprintf(b, len, "%02x:%02x.%u", (v >> 8) & 0xff, (v >> 3) & 0x1f, v & 7);
}

static void stream_print(const struct tsmh_idenl_stream *s, const char *indent)
{
	char a[24], b[24], st[16], et[16];
	unsigned int i;

	snprintf(st, sizeof(st), "%s",
		 !(s->has & TSMH_IDENL_S_RP_STATE) ? "?"
		 : s->rp_state == 2		   ? "SECURE"
		 : s->rp_state == 0		   ? "INSECURE"
						   : "reserved");
	snprintf(et, sizeof(et), "%s",
		 !(s->has & TSMH_IDENL_S_EP_STATE) ? "?"
		 : s->ep_state == 2		   ? "SECURE"
		 : s->ep_state == 0		   ? "INSECURE"
						   : "reserved");
	printf("%sstream %u: %s, TC %u; root port %s block %u <-> endpoint %s block %u\n", indent,
	       s->id, tsmh_idenl_type_name(s->type), s->tc, s->rp, s->rp_block, s->ep, s->ep_block);
	printf("%s  state: root port %s%s, endpoint %s%s%s%s%s; ", indent, st,
	       s->rp_fail ? " (IDE_FAIL)" : "", et, s->ep_fail ? " (IDE_FAIL)" : "",
	       s->flags & TSMH_IDE_S_F_RESET ? ", reset since enable" : "",
	       s->flags & TSMH_IDE_S_F_CFG_WRITE ? ", control written since enable" : "",
	       s->flags & TSMH_IDE_S_F_ENABLED ? "" : ", not enabled");
	if (s->has & TSMH_IDENL_S_KEY_SET)
		printf("key set %u", s->key_set);
	else
		printf("no key set in use");
	printf(" (%d root-port keys programmed)%s\n", __builtin_popcount(s->keys),
	       s->flags & TSMH_IDE_S_F_CLAIMED ? "; claimed at load, not ours" : "");
	if (s->has & TSMH_IDENL_S_RID) {
		rid_str(s->rid_base, a, sizeof(a));
		rid_str(s->rid_limit, b, sizeof(b));
		printf("%s  RIDs %s - %s (segment %#04x)", indent, a, b, s->rid_base >> 16);
	} else {
		printf("%s  RIDs -", indent);
	}
	if (!s->nr_addr)
		printf("; no address association");
	for (i = 0; i < s->nr_addr; i++)
		printf("%s %#llx-%#llx", i ? "," : "; memory", (unsigned long long)s->addr[i].base,
		       (unsigned long long)s->addr[i].limit);
	printf("\n");
}

static void port_print(const struct tsmh_idenl_port *p)
{
	char c[200];
	unsigned int i;

	cap_str(p->cap, c, sizeof(c));
	if (p->role == TSMH_IDE_ROLE_ROOT_PORT)
		printf("root port %s", p->name);
	else
		printf("  endpoint %s", p->name);
	printf(" (IDE at %#05x): %s\n", p->offset, c);
	if (p->role == TSMH_IDE_ROLE_ROOT_PORT) {
		printf("  key backend: %s%s%s\n", backend_name(p), p->platform[0] ? " " : "",
		       p->platform);
		printf("  selective blocks: %u of %u in use, %u free; link blocks: %u of %u in use\n",
		       p->sel_used, p->nr_sel, p->nr_sel - p->sel_used, p->link_used, p->nr_link);
		if (p->has_hb)
			printf("  host bridge %s: %u of %u stream IDs in use, %u free\n",
			       p->hb_name, p->hb_used, p->hb_streams,
			       p->hb_streams > p->hb_used ? p->hb_streams - p->hb_used : 0);
		for (i = 0; i < p->nr_streams; i++)
			stream_print(&p->streams[i], "  ");
		if (!p->nr_streams)
			printf("  no streams\n");
	} else {
		printf("    selective blocks: %u of %u in use, %u free; link blocks: %u of %u in "
		       "use; streams:",
		       p->sel_used, p->nr_sel, p->nr_sel - p->sel_used, p->link_used, p->nr_link);
		for (i = 0; i < p->nr_streams; i++)
			printf(" %u", p->streams[i].id);
		printf("%s\n", p->nr_streams ? "" : " none");
	}
}

static cJSON *port_json(const struct tsmh_idenl_port *p)
{
	cJSON *j = cJSON_CreateObject(), *a;
	unsigned int i;

	cJSON_AddStringToObject(j, "name", p->name);
	cJSON_AddStringToObject(j, "role",
				p->role == TSMH_IDE_ROLE_ROOT_PORT  ? "root_port"
				: p->role == TSMH_IDE_ROLE_ENDPOINT ? "endpoint"
								    : "other");
	cJSON_AddNumberToObject(j, "offset", p->offset);
	cJSON_AddItemToObject(j, "capability", cap_json(p->cap));
	cJSON_AddNumberToObject(j, "selective_blocks", p->nr_sel);
	cJSON_AddNumberToObject(j, "selective_used", p->sel_used);
	cJSON_AddNumberToObject(j, "selective_free", p->nr_sel - p->sel_used);
	cJSON_AddNumberToObject(j, "link_blocks", p->nr_link);
	cJSON_AddNumberToObject(j, "link_used", p->link_used);
	if (p->has_hb)
		cJSON_AddStringToObject(j, "host_bridge", p->hb_name);
	if (p->role == TSMH_IDE_ROLE_ROOT_PORT) {
		cJSON_AddStringToObject(j, "key_backend",
					p->key_backend == TSMH_IDE_KB_SIM ? "sim" : "none");
		if (p->platform[0])
			cJSON_AddStringToObject(j, "platform", p->platform);
	}
	if (p->upstream[0])
		cJSON_AddStringToObject(j, "upstream", p->upstream);
	a = cJSON_AddArrayToObject(j, "streams");
	for (i = 0; i < p->nr_streams; i++)
		cJSON_AddItemToArray(a, conn_stream_json(&p->streams[i]));
	return j;
}

/* root ports in the kernel's order, each followed by its endpoints; then orphans */
static void order(const struct tsmh_idenl_ports *ps, int *idx)
{
	unsigned int i, k, n = 0;
	char *done = calloc(ps->n ? ps->n : 1, 1);

	for (i = 0; done && i < ps->n; i++) {
		if (ps->p[i].role != TSMH_IDE_ROLE_ROOT_PORT)
			continue;
		idx[n++] = (int)i;
		done[i] = 1;
		for (k = 0; k < ps->n; k++)
			if (!done[k] && ps->p[k].role != TSMH_IDE_ROLE_ROOT_PORT &&
			    !strcmp(ps->p[k].upstream, ps->p[i].name)) {
				idx[n++] = (int)k;
				done[k] = 1;
			}
	}
	for (i = 0; i < ps->n; i++)
		if (!done || !done[i])
			idx[n++] = (int)i;
	free(done);
}

int cmd_ide_list(int argc, char **argv)
{
	static const struct option lo[] = { { "json", no_argument, 0, 'j' }, { 0, 0, 0, 0 } };
	struct tsmh_idenl_ports ps = { 0 };
	struct tsmh_nl nl;
	cJSON *j, *a, *h;
	unsigned int i, k;
	int c, ret, *idx;

	while ((c = getopt_long(argc, argv, "j", lo, NULL)) != -1) {
		if (c != 'j') {
			fputs(usage_ide, stderr);
			return EXIT_USAGE;
		}
		opt_json = 1;
	}
	if (optind != argc) {
		fputs(usage_ide, stderr);
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = tsmh_ide_get(&nl, NULL, &ps);
	if (ret) {
		ret = report_nl_error(&nl, "ide list", NULL, ret);
		tsmh_idenl_ports_free(&ps);
		tsmh_nl_close(&nl);
		return ret;
	}
	tsmh_nl_close(&nl);
	idx = calloc(ps.n ? ps.n : 1, sizeof(*idx));
	if (!idx) {
		tsmh_idenl_ports_free(&ps);
		return EXIT_OPERR;
	}
	order(&ps, idx);
	if (opt_json) {
		j = cJSON_CreateObject();
		a = cJSON_AddArrayToObject(j, "ports");
		for (i = 0; i < ps.n; i++)
			cJSON_AddItemToArray(a, port_json(&ps.p[idx[i]]));
		h = cJSON_AddArrayToObject(j, "host_bridges");
		for (i = 0; i < ps.n; i++) {
			const struct tsmh_idenl_port *p = &ps.p[idx[i]];
			cJSON *o;

			if (p->role != TSMH_IDE_ROLE_ROOT_PORT || !p->has_hb)
				continue;
			for (k = 0; k < i; k++)
				if (ps.p[idx[k]].has_hb &&
				    !strcmp(ps.p[idx[k]].hb_name, p->hb_name))
					break;
			if (k < i)
				continue; /* one line per bridge */
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", p->hb_name);
			cJSON_AddNumberToObject(o, "streams", p->hb_streams);
			cJSON_AddNumberToObject(o, "used", p->hb_used);
			cJSON_AddNumberToObject(
				o, "free",
				p->hb_streams > p->hb_used ? p->hb_streams - p->hb_used : 0);
			cJSON_AddItemToArray(h, o);
		}
		json_print(j);
	} else if (!ps.n) {
		printf("no IDE ports tracked\n");
	} else {
		for (i = 0; i < ps.n; i++)
			port_print(&ps.p[idx[i]]);
	}
	free(idx);
	tsmh_idenl_ports_free(&ps);
	return 0;
}
