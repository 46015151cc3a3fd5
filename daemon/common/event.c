// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include "event.h"
#include "nl_policy.h"

#define EV_ERR 128

static int decode_evidence(struct nlattr **tb, struct tsmh_event *ev, char *err)
{
	if (!tb[TSMH_A_DEV_NAME] || !tb[TSMH_A_EV_GENERATION]) {
		snprintf(err, EV_ERR, "evidence event without a device name or generation");
		return -EBADMSG;
	}
	ev->generation = nla_get_u64(tb[TSMH_A_EV_GENERATION]);
	if (tb[TSMH_A_EV_PROVENANCE]) {
		ev->has_provenance = 1;
		ev->provenance = nla_get_u32(tb[TSMH_A_EV_PROVENANCE]);
	}
	if (tb[TSMH_A_EV_PRESENT])
		ev->present = nla_get_u32(tb[TSMH_A_EV_PRESENT]);
	return 0;
}

/*
 * The kernel always sends kind and count; without them the reset is still
 * a reset (kind unknown, count 0): it must lead to re-attestation, never
 * be dropped as malformed.
 */
static int decode_reset(struct nlattr **tb, struct tsmh_event *ev, char *err)
{
	if (!tb[TSMH_A_DEV_NAME]) {
		snprintf(err, EV_ERR, "reset event without a device name");
		return -EBADMSG;
	}
	ev->reset_kind =
		tb[TSMH_A_RESET_KIND] ? nla_get_u32(tb[TSMH_A_RESET_KIND]) : TSMH_RESET_UNKNOWN;
	ev->reset_count = tb[TSMH_A_RESET_COUNT] ? nla_get_u64(tb[TSMH_A_RESET_COUNT]) : 0;
	return 0;
}

int tsmh_event_decode(struct nl_msg *m, struct tsmh_event *ev, char *err)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	struct nlattr *attrs = genlmsg_attrdata(g, 0), *tb[TSMH_A_MAX + 1];
	int len = genlmsg_attrlen(g, 0), ret;

	memset(ev, 0, sizeof(*ev));
	err[0] = 0;
	if (!genlmsg_valid_hdr(nlmsg_hdr(m), 0)) {
		ev->what = "unknown";
		snprintf(err, EV_ERR, "event message of %d bytes: no room for its genl header",
			 nlmsg_hdr(m)->nlmsg_len);
		return -EBADMSG;
	}
	ev->cmd = g->cmd;
	switch (g->cmd) {
	case TSMH_CMD_EVT_DEV_ADD: ev->what = "add"; break;
	case TSMH_CMD_EVT_DEV_DEL: ev->what = "remove"; break;
	case TSMH_CMD_EVT_GATE: ev->what = "gate"; break;
	case TSMH_CMD_EVT_EVIDENCE: ev->what = "evidence"; break;
	case TSMH_CMD_EVT_RESET: ev->what = "reset"; break;
	default: ev->what = "unknown"; return 1;
	}
	if (g->cmd == TSMH_CMD_EVT_EVIDENCE || g->cmd == TSMH_CMD_EVT_RESET) {
		if (nla_parse(tb, TSMH_A_MAX, attrs, len, tsmh_nl_tsmh_policy)) {
			snprintf(err, EV_ERR, "%s event: malformed attributes", ev->what);
			return -EBADMSG;
		}
		ret = g->cmd == TSMH_CMD_EVT_EVIDENCE ? decode_evidence(tb, ev, err)
						      : decode_reset(tb, ev, err);
		if (ret)
			return ret;
		nla_strlcpy(ev->dev, tb[TSMH_A_DEV_NAME], sizeof(ev->dev));
		if (!ev->dev[0]) { /* as tsmh_devinfo_parse() for the device events */
			snprintf(err, EV_ERR, "%s event with an empty device name", ev->what);
			return -EBADMSG;
		}
		return 0;
	}
	if (tsmh_devinfo_parse(attrs, len, &ev->info, err))
		return -EBADMSG;
	snprintf(ev->dev, sizeof(ev->dev), "%s", ev->info.name);
	return 0;
}
