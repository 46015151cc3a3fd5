// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* libFuzzer: decoding of device attributes as a (hostile) kernel sends them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "devinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_devinfo d;
	char err[128];
	void *copy;

	if (size > 65536)
		return 0;
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (!tsmh_devinfo_parse(copy, (int)size, &d, err)) {
		if (d.nr_mb > DEVINFO_MAX_MB || !d.name[0] || strlen(d.name) >= sizeof(d.name))
			__builtin_trap();
	}
	free(copy);
	return 0;
}
