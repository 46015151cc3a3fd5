// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl tdi lock/start/stop/state through tsmd (host-native mode): when
 * tsmd's session keeper holds the DSM's SPDM session (or tsmd knows the
 * DSM and no --trust was given), tsmd performs the TDISP exchanges in
 * that session (D-Bus TdiLock/TdiStart/TdiStop/TdiState). The LOCK nonce
 * stays in tsmd's keeper, so "tdi start DEV" works as a separate command
 * here, and a lock outlives tsmctl (tsmd keeps the session until "tdi
 * stop"). The kernel's view of the TDI is printed after.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bus.h"
#include "tdi.h"
#include "tsmctl.h"

/* TdiLock's options: a{sv} */
static int lock_opts(sd_bus_message *m, const void *arg)
{
	const struct tsmh_tdi_opts *o = arg;
	int ret;

	ret = sd_bus_message_open_container(m, 'a', "{sv}");
	if (ret >= 0)
		ret = sd_bus_message_append(m, "{sv}", "lock_flags", "u", o->lock_flags);
	if (ret >= 0 && o->mmio_offset)
		ret = sd_bus_message_append(m, "{sv}", "mmio_offset", "t",
					    (uint64_t)o->mmio_offset);
	/* none given: tsmd uses the DSM's connection's stream */
	if (ret >= 0 && o->stream_id >= 0)
		ret = sd_bus_message_append(m, "{sv}", "default_stream", "i",
					    (int32_t)o->stream_id);
	if (ret >= 0)
		ret = sd_bus_message_close_container(m);
	return ret;
}

static int tdi_call(const char *method, const struct tsmh_tdi_opts *o, char *out, size_t len)
{
	return tsmd_call(method, o->dev, strcmp(method, "TdiLock") ? NULL : lock_opts, o, out, len);
}

int tdi_through_tsmd(const char *verb, const struct tsmh_tdi_opts *o)
{
	static const char *const methods[][2] = {
		{ "lock", "TdiLock" },
		{ "start", "TdiStart" },
		{ "stop", "TdiStop" },
		{ "state", "TdiState" },
	};
	struct tsmh_tdinl_list l = { 0 };
	const struct tsmh_tdinl_tdi *f;
	const char *method = NULL;
	struct tsmh_nl nl;
	char out[1024], s[192];
	unsigned int i;
	int ret;
	cJSON *j, *steps;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(verb, methods[i][0]))
			method = methods[i][1];
	if (!method)
		return EXIT_USAGE;
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "tdi", o->dev);
	cJSON_AddStringToObject(j, "operation", verb);
	cJSON_AddStringToObject(j, "through", "tsmd");
	steps = cJSON_AddArrayToObject(j, "results");
	if (!opt_json)
		printf("%s: tdi %s%s through tsmd (its session keeper holds the DSM's session)\n",
		       o->dev, verb, o->start ? " --start" : "");
	fflush(stdout);
	ret = tdi_call(method, o, out, sizeof(out));
	if (!ret && !opt_json)
		printf("  %s\n", out);
	cJSON_AddItemToArray(steps, cJSON_CreateString(out));
	if (!ret && o->start) {
		ret = tdi_call("TdiStart", o, out, sizeof(out));
		if (!ret && !opt_json)
			printf("  %s\n", out);
		cJSON_AddItemToArray(steps, cJSON_CreateString(out));
	}
	/* the kernel's view now */
	if (!nl_open_or_die(&nl)) {
		if (!tsmh_tdi_get(&nl, o->dev, &l) && (f = tsmh_tdinl_find(&l, o->dev))) {
			cJSON_AddItemToObject(j, "kernel", tdi_json(f));
			if (!opt_json)
				printf("  kernel: %s %s\n", o->dev,
				       tdi_state_summary(f, s, sizeof(s)));
		}
		tsmh_tdinl_list_free(&l);
		tsmh_nl_close(&nl);
	}
	cJSON_AddBoolToObject(j, "ok", !ret);
	if (ret)
		cJSON_AddStringToObject(j, "error", out);
	if (opt_json)
		json_print(j);
	else
		cJSON_Delete(j);
	if (ret) {
		fprintf(stderr, "tsmctl: tdi %s %s: %s\n", verb, o->dev, out);
		return EXIT_OPERR;
	}
	return 0;
}
