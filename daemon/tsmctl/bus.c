// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl allow and deny ask the running tsmd over D-Bus (it holds the last
 * attestation and is the allow-list's only writer).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "allowlist.h"
#include "bus.h"
#include "jutil.h"
#include "tsmctl.h"

static int bus_call(const char *method, sd_bus_message **reply, const char *types, ...)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus *bus = NULL;
	va_list ap;
	int ret;

	ret = sd_bus_open_system(&bus);
	if (ret < 0) {
		fprintf(stderr, "tsmctl: cannot reach the system bus: %s\n", strerror(-ret));
		return ret;
	}
	va_start(ap, types);
	{
		sd_bus_message *m = NULL;

		ret = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_IFACE,
						     method);
		if (ret >= 0 && types)
			ret = sd_bus_message_appendv(m, types, ap);
		if (ret >= 0)
			ret = sd_bus_call(bus, m, 0, &err, reply);
		sd_bus_message_unref(m);
	}
	va_end(ap);
	if (ret < 0) {
		if (sd_bus_error_has_name(&err, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
		    sd_bus_error_has_name(&err, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
			fprintf(stderr,
				"tsmctl: %s: tsmd is not running (%s is not on the system bus)\n",
				method, BUS_NAME);
		else if (sd_bus_error_has_name(&err, SD_BUS_ERROR_ACCESS_DENIED))
			fprintf(stderr,
				"tsmctl: %s: permission denied: only root may change tsmd's decisions (%s)\n",
				method, err.message ? err.message : "access denied");
		else
			fprintf(stderr, "tsmctl: %s: %s\n", method,
				err.message ? err.message : strerror(-ret));
	}
	sd_bus_error_free(&err);
	sd_bus_flush_close_unref(bus);
	return ret;
}

static void print_result(const char *dev, const char *msg)
{
	if (opt_json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "device", dev);
		cJSON_AddStringToObject(j, "result", msg);
		json_print(j);
	} else {
		puts(msg);
	}
}

/*
 * tsmctl allow DEV --measurements FILE: checked here first so a bad file
 * is named with its path; tsmd parses the text again (it trusts no caller).
 */
static int add_measurements(const char *dev, const char *file)
{
	sd_bus_message *r = NULL;
	struct tsmd_al_entry in;
	char why[512], *text;
	const char *msg;
	size_t len;
	int ret;

	ret = tsmd_read_file(file, TSMD_AL_FILE_MAX, &text, &len);
	if (ret) {
		tsmd_file_err(file, ret, TSMD_AL_FILE_MAX, why, sizeof(why));
		fprintf(stderr, "tsmctl: allow: %s\n", why);
		return EXIT_OPERR;
	}
	if (strlen(text) != len) {
		fprintf(stderr, "tsmctl: allow: %s: contains a NUL byte\n", file);
		free(text);
		return EXIT_OPERR;
	}
	ret = tsmd_al_sets_parse(text, len, file, &in, why, sizeof(why));
	if (ret < 0) {
		fprintf(stderr, "tsmctl: allow: %s\n", why);
		free(text);
		return EXIT_OPERR;
	}
	tsmd_al_entry_free(&in);
	ret = bus_call("AddMeasurements", &r, "ss", dev, text);
	free(text);
	if (ret < 0)
		return EXIT_OPERR;
	if (sd_bus_message_read(r, "s", &msg) >= 0)
		print_result(dev, msg);
	sd_bus_message_unref(r);
	return 0;
}

int allow_deny(int argc, char **argv, const char *method)
{
	static const struct option lo[] = { { "permanent", no_argument, 0, 'p' },
					    { "replace", no_argument, 0, 'r' },
					    { "measurements", required_argument, 0, 'm' },
					    { 0, 0, 0, 0 } };
	int allow = !strcmp(method, "Allow");
	const char *meas = NULL, *msg;
	sd_bus_message *r = NULL;
	int c, permanent = 0, replace = 0, ret;

	while ((c = getopt_long(argc, argv, allow ? "prm:" : "p", lo, NULL)) != -1) {
		switch (c) {
		case 'p': permanent = 1; break;
		case 'r': replace = 1; break;
		case 'm': meas = optarg; break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || (!allow && (replace || meas)))
		goto usage;
	if (meas && replace) {
		fprintf(stderr,
			"tsmctl: allow: --measurements adds sets; --replace retires all but "
			"the current one: one at a time\n");
		return EXIT_USAGE;
	}
	if (meas)
		return add_measurements(argv[optind], meas);
	if (replace)
		ret = bus_call("AllowCurrentOnly", &r, "s", argv[optind]);
	else
		ret = bus_call(method, &r, "sb", argv[optind], permanent);
	if (ret < 0)
		return EXIT_OPERR;
	if (sd_bus_message_read(r, "s", &msg) >= 0)
		print_result(argv[optind], msg);
	sd_bus_message_unref(r);
	return 0;
usage:
	fputs(allow ? usage_allow : usage_deny, stderr);
	return EXIT_USAGE;
}

/*
 * tsmctl show: the device's connection as the running tsmd keeps it
 * (GetDevice's "connection": session, heartbeat, stream). Quiet, 2 s at
 * most: show works the same without tsmd.
 */
int tsmd_connection(const char *dev, char *text, size_t len, cJSON **obj)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *r = NULL;
	sd_bus *bus = NULL;
	cJSON *j = NULL, *c = NULL;
	const cJSON *hb, *ago, *er;
	const char *s, *state;
	size_t n;

	*obj = NULL;
	if (sd_bus_open_system(&bus) < 0)
		return -ENOSYS;
	if (sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_IFACE, "GetDevice") >=
		    0 &&
	    sd_bus_message_append(m, "s", dev) >= 0 &&
	    sd_bus_call(bus, m, 2 * 1000000ULL, &err, &r) >= 0 &&
	    sd_bus_message_read(r, "s", &s) >= 0)
		j = cJSON_Parse(s);
	if (j)
		c = cJSON_DetachItemFromObject(j, "connection");
	/* the TDIs tsmd locked in that session (host-native TDISP) */
	if (c && cJSON_GetObjectItem(j, "tdis"))
		cJSON_AddItemToObject(c, "tdis", cJSON_DetachItemFromObject(j, "tdis"));
	cJSON_Delete(j);
	sd_bus_message_unref(r);
	sd_bus_message_unref(m);
	sd_bus_error_free(&err);
	sd_bus_flush_close_unref(bus);
	if (!c)
		return -ENOENT;
	hb = cJSON_GetObjectItem(c, "heartbeat_period_s");
	ago = cJSON_GetObjectItem(c, "last_heartbeat_s_ago");
	er = cJSON_GetObjectItem(c, "error");
	state = cJSON_GetStringValue(cJSON_GetObjectItem(c, "state"));
	if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "session")) ?: "", "up")) {
		if (cJSON_IsNumber(hb) && hb->valueint > 0)
			n = (size_t)snprintf(text, len, "up (tsmd, heartbeat every %d s",
					     hb->valueint);
		else
			n = (size_t)snprintf(text, len,
					     "up (tsmd, no heartbeat: the device asks for none");
		if (n < len && cJSON_IsNumber(ago))
			n += (size_t)snprintf(text + n, len - n, ", last %.0f s ago",
					      ago->valuedouble);
		if (n < len)
			snprintf(text + n, len - n, ")");
	} else {
		n = (size_t)snprintf(text, len, "down (tsmd: %s; it opens one when it needs one)",
				     state ? state : "no session");
		if (n < len && cJSON_IsString(er))
			snprintf(text + n, len - n, "; last error: %s", er->valuestring);
	}
	*obj = c;
	return 0;
}

int tsmd_holds_session(const char *dev)
{
	char text[256];
	cJSON *c = NULL;
	int up = 0;

	if (tsmd_connection(dev, text, sizeof(text), &c))
		return 0;
	up = !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "session")) ?: "", "up");
	cJSON_Delete(c);
	return up;
}

int tsmd_knows(const char *dev)
{
	char text[256];
	cJSON *c = NULL;

	if (tsmd_connection(dev, text, sizeof(text), &c))
		return 0;
	cJSON_Delete(c);
	return 1;
}

int tsmd_conn_call(const char *method, const char *dev, char *out, size_t len)
{
	return tsmd_call(method, dev, NULL, NULL, out, len);
}

int tsmd_call(const char *method, const char *dev,
	      int (*append)(sd_bus_message *m, const void *arg), const void *arg, char *out,
	      size_t len)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *r = NULL;
	sd_bus *bus = NULL;
	const char *s = NULL;
	int ret;

	ret = sd_bus_open_system(&bus);
	if (ret < 0) {
		snprintf(out, len, "cannot reach the system bus: %s", strerror(-ret));
		return ret;
	}
	ret = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_IFACE, method);
	if (ret >= 0)
		ret = sd_bus_message_append(m, "s", dev);
	if (ret >= 0 && append)
		ret = append(m, arg);
	/* the keeper's run: a session, the keys, the stream; well under 2 minutes */
	if (ret >= 0)
		ret = sd_bus_call(bus, m, 120 * 1000000ULL, &err, &r);
	if (ret >= 0)
		ret = sd_bus_message_read(r, "s", &s);
	if (ret >= 0)
		snprintf(out, len, "%s", s ? s : "");
	else if (sd_bus_error_has_name(&err, SD_BUS_ERROR_ACCESS_DENIED))
		snprintf(out, len, "tsmd: permission denied: only root may ask tsmd for %s (%s)",
			 method, err.message ? err.message : "access denied");
	else
		snprintf(out, len, "tsmd: %s", err.message ? err.message : strerror(-ret));
	sd_bus_message_unref(r);
	sd_bus_message_unref(m);
	sd_bus_error_free(&err);
	sd_bus_flush_close_unref(bus);
	return ret < 0 ? ret : 0;
}
