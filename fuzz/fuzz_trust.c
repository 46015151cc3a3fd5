// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: the trust-anchor loader (verify/chain.c load_trust(),
 * add_pem_file()) on any file contents and any directory of them, through
 * tsmh_verify_chain() with a real device chain, so the anchor selection
 * that follows runs on what was loaded.
 *
 * Input: a flags byte (bit 0: a directory, else the first file alone),
 * then entries, each a kind byte, a 16-bit little-endian length and that
 * many bytes of contents. In the contents "@R" stands for the chain's
 * root in PEM, "@O" for another root with the same subject name and
 * another key, "@I" for the chain's intermediate. Kinds (low 3 bits):
 * 0 NAME.pem, 1 NAME.crt, 2 NAME.txt (not an anchor file), 3 a directory
 * named NAME.pem, 4 a FIFO NAME.pem, 5 a symlink NAME.pem to the previous
 * entry, 6 a dangling symlink NAME.pem, 7 a short name "p.pe".
 *
 * Invariants: a failure says why; success needs the real root among the
 * anchors the loader reads (fail closed) and names the file it came from.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/pem.h>
#include "cert.h"
#include "certgen.h"
#include "chain.h"
#include "spdm.h"

#define MAX_FILES 12

static char dir[64] = "/tmp/tsmh-fuzz-trust-XXXXXX";
static struct emu_identity id, other;
static char *pem_root, *pem_other, *pem_int;
static const struct emu_chain *ch;

static char *to_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	if (!b || !PEM_write_bio_X509(b, x))
		abort();
	n = BIO_get_mem_data(b, &p);
	out = calloc(1, (size_t)n + 1);
	if (!out)
		abort();
	memcpy(out, p, (size_t)n);
	BIO_free(b);
	return out;
}

static void remove_dir(void);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct spdm_chain sc;
	const unsigned char *p;
	X509 *x;

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir) ||
	    emu_identity_make(&id, SPDM_ASYM_ECDSA_P384, 1, "Vendor=1b36:Device=1e10", 0) ||
	    emu_identity_make(&other, SPDM_ASYM_ECDSA_P384, 1, "Vendor=1b36:Device=1e10", 0))
		abort();
	ch = &id.chain[EMU_KEY_P384][0];
	if (spdm_chain_parse(ch->buf[1], ch->len[1], 48, &sc) || sc.nr < 3)
		abort();
	p = sc.cert[1];
	x = d2i_X509(NULL, &p, (long)sc.cert_len[1]);
	if (!x)
		abort();
	pem_root = to_pem(id.root);
	pem_other = to_pem(other.root);
	pem_int = to_pem(x);
	X509_free(x);
	atexit(remove_dir); /* the temporary directory goes with the process */
	return 0;
}

static void clean_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[256];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p))
			rmdir(p);
	}
	if (d)
		closedir(d);
}

static void remove_dir(void)
{
	clean_dir();
	rmdir(dir);
}

/* @c expanded into @f; 1 if the real root is in it */
static int write_contents(FILE *f, const uint8_t *c, size_t n)
{
	int root = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (c[i] == '@' && i + 1 < n && strchr("ROI", c[i + 1])) {
			fputs(c[i + 1] == 'R'	? pem_root
			      : c[i + 1] == 'O' ? pem_other
						: pem_int,
			      f);
			root |= c[i + 1] == 'R';
			i++;
		} else {
			fputc(c[i], f);
		}
	}
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[MAX_FILES][256], why[256], trust[256];
	int nf = 0, isdir, i, ret, root[MAX_FILES], rd[MAX_FILES];
	struct tsmh_leaf_info leaf;

	if (size < 1 || size > 1 << 16)
		return 0;
	isdir = data[0] & 1;
	data++;
	size--;
	clean_dir();
	while (size >= 3 && nf < MAX_FILES) {
		uint8_t kind = data[0] & 7;
		size_t n = (size_t)data[1] | (size_t)data[2] << 8;
		const char *ext = kind == 1 ? "crt" : kind == 2 ? "txt" : "pem";
		const uint8_t *c = data + 3;
		FILE *f;

		if (n > size - 3)
			n = size - 3;
		data += 3 + n;
		size -= 3 + n;
		if (kind == 7)
			snprintf(path[nf], sizeof(path[nf]), "%s/p%d.pe", dir, nf);
		else
			snprintf(path[nf], sizeof(path[nf]), "%s/a%02d.%s", dir, nf, ext);
		root[nf] = 0;
		switch (kind) {
		case 3: mkdir(path[nf], 0700); break;
		case 4: mkfifo(path[nf], 0600); break;
		case 5:
			/* the previous entry under this name too */
			if (nf && symlink(path[nf - 1], path[nf]))
				abort();
			root[nf] = nf && root[nf - 1];
			break;
		case 6: symlink("/nonexistent/x.pem", path[nf]); break;
		default:
			f = fopen(path[nf], "w");
			if (!f)
				abort();
			root[nf] = write_contents(f, c, n);
			fclose(f);
		}
		/* what the loader reads: the file given, or a directory's .pem and .crt files */
		rd[nf] = isdir ? kind <= 1 || kind == 5 : nf == 0;
		nf++;
	}
	if (isdir || !nf)
		snprintf(trust, sizeof(trust), "%s", dir);
	else
		snprintf(trust, sizeof(trust), "%s", path[0]);
	why[0] = 0;
	ret = tsmh_verify_chain(ch->buf[1], ch->len[1], SPDM_HASH_SHA384, ch->digest[1], trust,
				&leaf, why, sizeof(why));
	if (getenv("TSMH_FUZZ_DEBUG"))
		fprintf(stderr, "%s: %d %s\n", trust, ret, ret ? why : leaf.anchor);
	if (ret && !why[0])
		__builtin_trap(); /* a failure says why */
	if (!ret) {
		/* fail closed: only the real root, read from an anchor file, verifies */
		for (i = 0; i < nf; i++)
			if (root[i] && rd[i] && strstr(leaf.anchor, strrchr(path[i], '/') + 1))
				break;
		if (i == nf)
			__builtin_trap();
	}
	return 0;
}
