// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the two certificate-chain caches of an attestation, on any
 * contents. (1) A cache directory (attest/attest.c dir_lookup/dir_store)
 * holding entries a hostile user could plant: files whose name is or is
 * not their digest, symlinks, directories, FIFOs, empty and oversized
 * files, and entries written by the cache itself. (2) The kernel's
 * evidence set (attest/attest_store.c kernel_lookup): any chain bytes in
 * any slot, some read as digests only (no data).
 *
 * Input: a hash byte (SHA-256/384/512), then entries, each a kind byte,
 * a 16-bit little-endian length and that many bytes of contents.
 * Kind (low 3 bits): 0 a file named by its digest, 1 a file named by
 * another digest, 2 a symlink named by the digest, 3 a directory, 4 a
 * FIFO, 5 the contents repeated past the 64 KiB chain limit, 6 stored
 * through the cache, 7 an empty file; bit 3: a digest-only slot in the
 * evidence set.
 *
 * Oracle: a directory lookup finds exactly the regular files (not
 * symlinks) whose first 64 KiB hash to their name, returns those bytes,
 * and a stored chain is found again; a kernel lookup returns the first
 * slot whose chain hashes to the digest, and nothing else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "attest_store.h"
#include "cert.h"
#include "hex.h"
#include "sig.h"
#include "spdm.h"

#define MAX_ENT 8
#define BIG	(SPDM_MAX_CHAIN + 4096)

static char dir[64] = "/tmp/tsmh-fuzz-cache-XXXXXX";
static int dfd = -1;
static uint8_t *big, *fbuf;

static void remove_dir(void);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	big = malloc(BIG);
	fbuf = malloc(SPDM_MAX_CHAIN);
	if (!big || !fbuf || !mkdtemp(dir))
		abort();
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		abort();
	atexit(remove_dir); /* the temporary directory goes with the process */
	return 0;
}

static void clean_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			if (unlinkat(dfd, e->d_name, 0))
				unlinkat(dfd, e->d_name, AT_REMOVEDIR);
	if (d)
		closedir(d);
}

static void remove_dir(void)
{
	clean_dir();
	rmdir(dir);
}

static void entry_name(uint32_t hash, const uint8_t *dg, char *out)
{
	char hx[2 * SPDM_MAX_HASH + 1];

	tsmh_hex_format(dg, spdm_hash_len(hash), hx);
	sprintf(out, "%s.spdmchain", hx);
}

/* What a directory lookup of @dg must find: 1 and the bytes in fbuf/@len, or 0. */
static int expect_dir(uint32_t hash, const uint8_t *dg, size_t *len)
{
	char name[2 * SPDM_MAX_HASH + 16];
	uint8_t h[SPDM_MAX_HASH];
	struct stat st;
	ssize_t n;
	int fd;

	entry_name(hash, dg, name);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode) || !st.st_size)
		return 0;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, fbuf, SPDM_MAX_CHAIN);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	tsmh_hash(hash, fbuf, (size_t)n, h);
	*len = (size_t)n;
	return !memcmp(h, dg, spdm_hash_len(hash));
}

static void check_dir(const struct tsmh_chain_cache *c, uint32_t hash, const uint8_t *dg)
{
	uint8_t *chain = NULL;
	size_t len = 0, elen = 0;
	int want = expect_dir(hash, dg, &elen);
	int ret = c->lookup(c->ctx, hash, dg, &chain, &len);

	if (ret ? (ret != -ENOENT || want) : (!want || len != elen || memcmp(chain, fbuf, len)))
		__builtin_trap();
	free(chain);
}

static void check_kernel(struct kernel_cache *kc, uint32_t hash, const uint8_t *dg)
{
	uint8_t *chain = NULL, h[SPDM_MAX_HASH];
	size_t len = 0;
	int s, ret = kc->cache.lookup(kc->cache.ctx, hash, dg, &chain, &len);

	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		const uint8_t *p = kc->ev.obj[TSMH_EV_CERT0 + s].data;
		size_t n = kc->ev.obj[TSMH_EV_CERT0 + s].len;

		if (p && n && tsmh_hash(hash, p, n, h) && !memcmp(h, dg, spdm_hash_len(hash)))
			break;
	}
	if (s == SPDM_MAX_SLOTS ? ret != -ENOENT
				: ret || len != kc->ev.obj[TSMH_EV_CERT0 + s].len ||
					  memcmp(chain, kc->ev.obj[TSMH_EV_CERT0 + s].data, len))
		__builtin_trap();
	free(chain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t hashes[] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512 };
	uint8_t dg[MAX_ENT][SPDM_MAX_HASH], other[SPDM_MAX_HASH];
	struct tsmh_evidence ev = { 0 };
	struct tsmh_chain_cache c;
	struct kernel_cache kc;
	char name[2 * SPDM_MAX_HASH + 16];
	uint32_t hash;
	int ne = 0, i;

	if (size < 1 || size > 1 << 17)
		return 0;
	hash = hashes[data[0] % 3];
	data++;
	size--;
	clean_dir();
	tsmh_chain_cache_dir(&c, dfd);
	while (size >= 3 && ne < MAX_ENT) {
		uint8_t kind = data[0] & 7, digest_only = data[0] & 8;
		size_t n = (size_t)data[1] | (size_t)data[2] << 8, k;
		const uint8_t *p = data + 3;
		int fd;

		if (n > size - 3)
			n = size - 3;
		data += 3 + n;
		size -= 3 + n;
		if (kind == 5 && n) {
			for (k = 0; k < BIG; k += n)
				memcpy(big + k, p, BIG - k < n ? BIG - k : n);
			p = big;
			n = BIG;
		}
		tsmh_hash(hash, p, n, dg[ne]);
		entry_name(hash, dg[ne], name);
		switch (kind) {
		case 1:
			memcpy(other, dg[ne], sizeof(other));
			other[0] ^= 1;
			entry_name(hash, other, name);
			/* fall through */
		case 0:
		case 5:
		case 7:
			fd = openat(dfd, name,
				    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW |
					    O_NONBLOCK,
				    0600);
			if (fd >= 0) {
				if (kind != 7 && write(fd, p, n) < 0)
					abort();
				close(fd);
			}
			break;
		case 2:
			fd = openat(dfd, "target",
				    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW |
					    O_NONBLOCK,
				    0600);
			if (fd >= 0) {
				if (write(fd, p, n) < 0)
					abort();
				close(fd);
			}
			symlinkat("target", dfd, name);
			break;
		case 3: mkdirat(dfd, name, 0700); break;
		case 4: mkfifoat(dfd, name, 0600); break;
		case 6: {
			struct stat st;
			int fresh = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0;
			uint8_t *chain = NULL;
			size_t len = 0;

			c.store(c.ctx, hash, dg[ne], p, n, NULL);
			/* a new entry the cache wrote is found again, byte for byte */
			if (fresh && n && n <= SPDM_MAX_CHAIN &&
			    (c.lookup(c.ctx, hash, dg[ne], &chain, &len) || len != n ||
			     memcmp(chain, p, n)))
				__builtin_trap();
			free(chain);
			break;
		}
		}
		if (n <= SPDM_MAX_CHAIN) {
			ev.obj[TSMH_EV_CERT0 + ne].len = n;
			if (!digest_only) {
				ev.obj[TSMH_EV_CERT0 + ne].data = malloc(n ? n : 1);
				if (!ev.obj[TSMH_EV_CERT0 + ne].data)
					abort();
				memcpy(ev.obj[TSMH_EV_CERT0 + ne].data, p, n);
			}
		}
		ne++;
	}
	kernel_cache_from(&kc, &ev);
	for (i = 0; i < ne; i++) {
		check_dir(&c, hash, dg[i]);
		check_kernel(&kc, hash, dg[i]);
	}
	/* a digest nothing has */
	memset(other, 0x5a, sizeof(other));
	check_dir(&c, hash, other);
	check_kernel(&kc, hash, other);
	kernel_cache_free(&kc);
	return 0;
}
