// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Connect, refresh, disconnect (connect.h). Not implemented yet: every
 * entry point says so.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "connect.h"

void tsmh_conn_init(struct tsmh_conn *c, struct spdm_transport *t, struct tsmh_nl *nl,
		    const struct tsmh_connect_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->nl = nl;
	c->o = *o;
	snprintf(c->dev, sizeof(c->dev), "%s", o->dev ? o->dev : "");
	c->o.dev = c->dev;
}

static int nosys(struct tsmh_conn *c, struct tsmh_conn_result *r, const char *what)
{
	r->ret = -ENOSYS;
	snprintf(r->err, sizeof(r->err), "%s: %s: not implemented yet", c->dev, what);
	return -ENOSYS;
}

int tsmh_connect(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	return nosys(c, r, "connect");
}

int tsmh_conn_resume(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	return nosys(c, r, "resume");
}

int tsmh_ide_refresh(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	return nosys(c, r, "ide refresh");
}

int tsmh_disconnect(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	return nosys(c, r, "disconnect");
}

int tsmh_conn_heartbeat(struct tsmh_conn *c, char *why, size_t whylen)
{
	snprintf(why, whylen, "%s: heartbeat: not implemented yet", c->dev);
	return -ENOSYS;
}

int tsmh_conn_end_session(struct tsmh_conn *c, struct tsmh_conn_result *r)
{
	(void)c;
	(void)r;
	return 0;
}

void tsmh_conn_free(struct tsmh_conn *c)
{
	(void)c;
}
