// SPDX-License-Identifier: GPL-2.0-only
/*
 * IDE streams (ABI 5): the netlink commands of docs/netlink/tsmh.yaml.
 * Being written (issue 12): until then every command is refused with
 * EOPNOTSUPP and a message saying so, never half-done.
 */
#include <net/genetlink.h>
#include "core.h"
#include "ide.h"

static int tsmh_ide_todo(struct genl_info *info)
{
	NL_SET_ERR_MSG(info->extack, "IDE streams are not implemented in this build yet");
	return -EOPNOTSUPP;
}

int tsmh_nl_ide_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tsmh_ide_todo(info);
}

int tsmh_nl_ide_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	NL_SET_ERR_MSG(cb->extack, "IDE streams are not implemented in this build yet");
	return -EOPNOTSUPP;
}

int tsmh_nl_ide_stream_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tsmh_ide_todo(info);
}

int tsmh_nl_ide_key_prog_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tsmh_ide_todo(info);
}

int tsmh_nl_ide_kset_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tsmh_ide_todo(info);
}

int tsmh_nl_ide_stream_enable_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tsmh_ide_todo(info);
}

int tsmh_nl_ide_stream_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tsmh_ide_todo(info);
}
