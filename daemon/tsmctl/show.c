// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl show
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "bus.h"
#include "ide_nl.h"
#include "tsmctl.h"

/*
 * The SPDM session tsmd holds with @dev, described in @buf: 0, or
 * -ENOENT (none), -ENOSYS (not asked: tsmd not reachable or too old);
 * GetDevice's "connection" in *@obj when 0. tsmctl itself never keeps a
 * session after it exits.
 */
static int tsmd_session(const char *dev, char *buf, size_t len, cJSON **obj)
{
	int ret = tsmd_connection(dev, buf, len, obj);

	return ret == -ENOENT ? -ENOSYS : ret;
}

void connection_show(struct tsmh_nl *nl, const char *dev, cJSON *j)
{
	struct tsmh_idenl_ports ps = { 0 };
	const struct tsmh_idenl_port *p;
	const struct tsmh_idenl_stream *s = NULL;
	char sess[256] = "";
	cJSON *c = NULL, *a, *td = NULL;
	unsigned int i;
	int ret;

	tdi_show(nl, dev, j); /* a TDI's state, whether or not it has an IDE port */
	ret = tsmh_ide_get(nl, dev, &ps);
	p = ret ? NULL : tsmh_idenl_port_find(&ps, dev);
	if (ret == -ENOENT || ret == -EOPNOTSUPP || (!ret && !p)) {
		tsmh_idenl_ports_free(&ps);
		return; /* no IDE port: nothing to connect */
	}
	if (tsmd_session(dev, sess, sizeof(sess), &td))
		snprintf(sess, sizeof(sess),
			 "none held by tsmctl (tsmctl keeps no session "
			 "after it exits; tsmd keeps its own)");
	if (p && p->role == TSMH_IDE_ROLE_ENDPOINT && p->nr_streams)
		s = &p->streams[0];
	if (j) {
		c = cJSON_AddObjectToObject(j, "connection");
		if (ret)
			cJSON_AddStringToObject(c, "error",
						nl->err[0] ? nl->err : "ide-get failed");
		a = cJSON_AddArrayToObject(c, "streams");
		for (i = 0; p && i < p->nr_streams; i++)
			cJSON_AddItemToArray(a, conn_stream_json(&p->streams[i]));
		cJSON_AddStringToObject(c, "session", sess);
		if (td) { /* tsmd's view: heartbeat, its stream, re-keys */
			cJSON_AddItemToObject(c, "tsmd", td);
			td = NULL;
		}
	} else if (ret) {
		printf("  Connection: unknown (ide-get: %s)\n", nl->err[0] ? nl->err : "failed");
	} else if (s) {
		printf("  Connection: stream %u (%s, TC %u) with root port %s", s->id,
		       tsmh_idenl_type_name(s->type), s->tc, s->rp);
		if (s->has & TSMH_IDENL_S_KEY_SET)
			printf(", key set %u", s->key_set);
		printf(", %s%s\n", tsmh_idenl_secure(s) ? "SECURE" : "not SECURE",
		       s->flags & TSMH_IDE_S_F_RESET ? " (reset since enable)" : "");
		printf("  Session:    %s\n", sess);
	} else if (p->role == TSMH_IDE_ROLE_ENDPOINT) {
		printf("  Connection: no IDE stream\n");
		printf("  Session:    %s\n", sess);
	} else {
		printf("  IDE streams: %u (tsmctl ide list)\n", p->nr_streams);
	}
	cJSON_Delete(td);
	tsmh_idenl_ports_free(&ps);
}

const char usage_show[] = "Usage: tsmctl show DEV [--spdm]\n";

int cmd_show(int argc, char **argv)
{
	struct dev_list l = { 0 };
	const char *dev = NULL;
	struct tsmh_nl nl;
	int spdm = 0, ret;

	if (spdm_opt(argc, argv, &spdm, &dev, 1)) {
		fputs(usage_show, stderr);
		return EXIT_USAGE;
	}
	if (nl_open_or_die(&nl))
		return EXIT_OPERR;
	ret = get_devices(&nl, dev, &l);
	if (ret)
		ret = report_nl_error(&nl, "show", dev, ret);
	else
		ret = list_or_show(&l, &nl, spdm, 1);
	free(l.d);
	tsmh_nl_close(&nl);
	return ret;
}
