// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: certificate chain verification (SPDM framing, DER, X.509 via
 * OpenSSL, the CMA leaf rules) on arbitrary chains, against a real root.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "certgen.h"
#include "chain.h"
#include "spdm.h"

static char root[64] = "/tmp/tsmh-fuzz-root-XXXXXX";
static struct emu_identity id;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	close(mkstemp(root));
	if (emu_identity_make(&id, SPDM_ASYM_ECDSA_P384, 1, "Vendor=1b36:Device=1e10", 0) ||
	    emu_identity_export_root(&id, root))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmh_leaf_info leaf;
	char why[256];

	if (!tsmh_verify_chain(data, size, SPDM_HASH_SHA384, NULL, root, &leaf, why, sizeof(why))) {
		/* only a chain our root signed can pass */
		if (leaf.nr_certs < 1 || !leaf.identity[0])
			__builtin_trap();
	}
	return 0;
}
