// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "spdm.h"

int spdm_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

/* what the last decoder that failed said, for the next spdm_why_decode() */
static __thread char detail[192];

int spdm_bad(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return err;
}

void spdm_bad_clear(void)
{
	detail[0] = 0;
}

int spdm_why_bad(char *why, size_t len, int ret, const char *what)
{
	spdm_why(why, len, ret, "%s: %s", what, detail[0] ? detail : "malformed");
	detail[0] = 0;
	return ret;
}

int spdm_why_decode(char *why, size_t len, const char *step, int ret, uint8_t code)
{
	if (ret == -EREMOTEIO) {
		detail[0] = 0;
		return spdm_why(why, len, ret, "%s: device answered ERROR %s (%#x)", step,
				spdm_error_name(code), code);
	}
	if (detail[0]) {
		spdm_why(why, len, ret, "%s: response breaks DSP0274: %s", step, detail);
		detail[0] = 0;
		return ret;
	}
	if (ret == -EBADMSG)
		return spdm_why(why, len, ret, "%s: truncated or inconsistent response", step);
	return spdm_why(why, len, ret,
			"%s: response breaks DSP0274 (wrong code, version, size or selection)",
			step);
}
