// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the requester's whole multi-message flow (daemon/attest:
 * VCA, digests, certificate reassembly, CHALLENGE, per-block measurements,
 * Busy/ResponseNotReady retries) against a transport the fuzzer controls.
 * Each exchange is first answered by the emulator's real responder (so the
 * flow gets deep), then the input says what to do to that answer: keep
 * it, flip a byte, cut it short, or replace it with input bytes.
 * Invariants: the flow ends (success or a reason) and a success is a
 * complete attestation. nanosleep is replaced so retries cost nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "attest.h"
#include "certgen.h"
#include "emu.h"

static struct emu_identity id;
static struct emu_dev_cfg cfg;
static struct emu_conn conn;
static char root_pem[64] = "/tmp/tsmh-fuzz-req-XXXXXX";
static const uint8_t *in;
static size_t in_len;
static unsigned int nx;

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	(void)req;
	(void)rem;
	return 0;
}

static int take(void *p, size_t n)
{
	if (in_len < n)
		return -1;
	memcpy(p, in, n);
	in += n;
	in_len -= n;
	return 0;
}

static int xchg(struct spdm_transport *t, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
		size_t *rsp_len)
{
	size_t n;
	uint8_t op = 0;
	uint16_t arg = 0;

	(void)t;
	if (++nx > 64)
		return -EIO; /* a flow that never ends is a finding elsewhere: stop here */
	n = emu_spdm_respond(&cfg, &conn, req, len, rsp, cap);
	if (!take(&op, 1) && !take(&arg, 2)) {
		switch (op & 3) {
		case 1:
			if (n)
				rsp[arg % n] ^= (uint8_t)(op | 1);
			break;
		case 2: n = arg % (n + 1); break;
		case 3: {
			size_t k = arg % 600;

			if (k > in_len)
				k = in_len;
			if (k > cap)
				k = cap;
			memcpy(rsp, in, k);
			in += k;
			in_len -= k;
			n = k;
			break;
		}
		default: break;
		}
	}
	*rsp_len = n;
	return n ? 0 : -EIO;
}

static int setup(void)
{
	int fd = mkstemp(root_pem);

	if (fd < 0)
		return -1;
	close(fd);
	if (emu_identity_make(&id, SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384, 2,
			      "Vendor=1b36:Device=1e10", 0) ||
	    emu_identity_export_root(&id, root_pem))
		return -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct spdm_transport t = { .exchange = xchg };
	struct tsmh_attest_opts o = { .trust = root_pem };
	struct tsmh_attest a = { 0 };
	char why[512] = "";
	int ret;

	if (!ready) {
		if (setup())
			abort();
		ready = 1;
	}
	if (!size)
		return 0;
	emu_conn_free(&conn);
	emu_cfg_defaults(&cfg);
	emu_cfg_use_chains(&cfg, (const struct emu_chain(*)[EMU_MAX_SLOTS])id.chain,
			   SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384, 0x03);
	/* the first byte picks the device: slot, faults that make it retry */
	cfg.faults = data[0] & 1 ? EMU_FAULT_BUSY : data[0] & 2 ? EMU_FAULT_NOT_READY : 0;
	o.slot = (data[0] >> 2) & 1;
	o.no_measurements = (data[0] >> 3) & 1;
	in = data + 1;
	in_len = size - 1;
	nx = 0;
	ret = tsmh_attest_run(&t, &o, &a, why, sizeof(why));
	if (ret && !why[0])
		__builtin_trap(); /* every failure says why */
	tsmh_attest_free(&a);
	return 0;
}
