// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_core: TDISP TDIs (ABI 6). Placeholder until the state machine
 * lands: every command refuses with EOPNOTSUPP and says so.
 */
#include <net/genetlink.h>
#include "core.h"

int tsmh_nl_tdi_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG(info->extack, "TDIs are not implemented yet");
	return -EOPNOTSUPP;
}

int tsmh_nl_tdi_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return -EOPNOTSUPP;
}

int tsmh_nl_tdi_begin_doit(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG(info->extack, "TDIs are not implemented yet");
	return -EOPNOTSUPP;
}

int tsmh_nl_tdi_end_doit(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG(info->extack, "TDIs are not implemented yet");
	return -EOPNOTSUPP;
}
