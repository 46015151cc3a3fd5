// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd logging: every decision goes to journald with structured fields
 * (TSMH_DEVICE, TSMH_ACTION, TSMH_VERDICT, TSMH_REASON, TSMH_DIGEST,
 * TSMH_IDENTITY, TSMH_SPKI_SHA384) so
 * `journalctl TSMH_ACTION=quarantine` finds them. Without a journal (an
 * initramfs, a test guest) the same line goes to stderr, fields appended.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <systemd/sd-journal.h>
#include "hex.h"
#include "tsmd.h"

int tsmd_verbose;

static int use_journal(void)
{
	static int v = -1;

	/* under systemd with journald: JOURNAL_STREAM is set for our stderr */
	if (v < 0)
		v = getenv("JOURNAL_STREAM") != NULL;
	return v;
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_DEBUG: return "debug";
	default: return "info";
	}
}

void tsmd_log(int prio, const char *dev, const char *action, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (prio == LOG_DEBUG && !tsmd_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (use_journal() &&
	    !sd_journal_send("MESSAGE=%s%s%s", dev ? dev : "", dev ? ": " : "", msg, "PRIORITY=%d",
			     prio, "SYSLOG_IDENTIFIER=tsmd", "TSMH_DEVICE=%s", dev ? dev : "",
			     "TSMH_ACTION=%s", action ? action : "", NULL))
		return;
	fprintf(stderr, "tsmd: %s: %s%s%s\n", prio_name(prio), dev ? dev : "", dev ? ": " : "",
		msg);
}

void tsmd_log_decision(const struct tsmd_dev *v, int prio, const char *action, const char *code,
		       const char *digest_hex, const char *reason)
{
	char spki[2 * 48 + 1] = "";

	if (v->have_summary && v->sum.ok)
		tsmh_hex_format(v->sum.spki_sha384, sizeof(v->sum.spki_sha384), spki);
	if (use_journal() &&
	    !sd_journal_send("MESSAGE=%s: %s: %s", v->name, action, reason, "PRIORITY=%d", prio,
			     "SYSLOG_IDENTIFIER=tsmd", "TSMH_DEVICE=%s", v->name, "TSMH_ACTION=%s",
			     action, "TSMH_VERDICT=%s", code ? code : "", "TSMH_REASON=%s", reason,
			     "TSMH_DIGEST=%s", digest_hex ? digest_hex : "", "TSMH_IDENTITY=%s",
			     v->have_summary ? v->sum.identity : "", "TSMH_SPKI_SHA384=%s", spki,
			     NULL))
		return;
	fprintf(stderr, "tsmd: %s: %s: %s: %s [TSMH_ACTION=%s TSMH_VERDICT=%s TSMH_DIGEST=%s]\n",
		prio_name(prio), v->name, action, reason, action, code ? code : "",
		digest_hex ? digest_hex : "");
}

uint64_t tsmd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void tsmd_scopy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}
