// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the one event decoder (tsmctl monitor, tsmd) on messages of
 * the events group as a (hostile) kernel could send them. Input: the genl
 * command byte, then the attributes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include "event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_event ev;
	struct nl_msg *m;
	char err[128];

	if (size < 1 || size > 65536)
		return 0;
	m = nlmsg_alloc_size(size + 64);
	if (!m)
		return 0;
	if (genlmsg_put(m, 0, 0, 0x20, 0, 0, data[0], 1) &&
	    !nlmsg_append(m, (void *)(data + 1), size - 1, 0) && !tsmh_event_decode(m, &ev, err)) {
		if (!ev.what || !ev.dev[0] || strlen(ev.dev) >= sizeof(ev.dev))
			__builtin_trap();
	}
	nlmsg_free(m);
	return 0;
}
