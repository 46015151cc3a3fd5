// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu --tdisp-layout-file: the TDIs' layouts from a file a test
 * writes once the PCI core has assigned the sim's BARs (tests/vm/lib.sh
 * tdi_layout_file), read again at every LOCK_INTERFACE_REQUEST. One TDI a
 * line, '#' to the end of a line a comment, blank lines ignored:
 *
 *   ADDR LAYOUT BARSPEC
 *
 * ADDR: DOMAIN:BUS:DEV.FN (as sysfs names the function; hex), BUS:DEV.FN,
 * or a function number 0-7. LAYOUT: simple, sparse or offset, laid onto
 * the BARs (tsmh_tdisp_layout_map()). BARSPEC: the TDI's BARs and MSI-X
 * capability (tsmh_tdisp_barspec_parse(), "-" for none).
 *
 * An INTERFACE_ID matches a line by its requester ID (bits 15:0) against
 * BUS:DEV.FN and its segment byte (23:16; 0 when the segment-valid bit 24
 * is clear) against the low byte of DOMAIN, as tsmh_core forms interface
 * IDs (the low byte of the PCI domain, bit 24 when it is not 0: the sim's
 * domain 10000 (hex) is segment 0, 10001 segment 1); BUS:DEV.FN matches
 * any segment, a bare function number the requester ID's low 3 bits. The
 * first matching line wins.
 * Every line is parsed on every read: one bad line fails the whole file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "emu.h"
#include "tdisp_req.h"

struct tdi_key {
	int kind; /* 0: function number; 1: BUS:DEV.FN; 2: DOMAIN:BUS:DEV.FN */
	uint32_t domain;
	uint16_t rid;
};

static int parse_key(const char *s, struct tdi_key *k)
{
	unsigned int dom, bus, dev, fn;
	char c;

	if (sscanf(s, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &c) == 4 && bus < 256 && dev < 32 &&
	    fn < 8) {
		*k = (struct tdi_key){ 2, dom, (uint16_t)(bus << 8 | dev << 3 | fn) };
		return 0;
	}
	if (sscanf(s, "%x:%x.%x%c", &bus, &dev, &fn, &c) == 3 && bus < 256 && dev < 32 && fn < 8) {
		*k = (struct tdi_key){ 1, 0, (uint16_t)(bus << 8 | dev << 3 | fn) };
		return 0;
	}
	if (s[0] >= '0' && s[0] <= '7' && !s[1]) {
		*k = (struct tdi_key){ 0, 0, (uint16_t)(s[0] - '0') };
		return 0;
	}
	return -1;
}

static int key_matches(const struct tdi_key *k, uint32_t fid)
{
	uint16_t rid = (uint16_t)(fid & TSMH_TDISP_FID_RID_MASK);

	switch (k->kind) {
	case 0: return (rid & 7) == k->rid;
	case 1: return rid == k->rid;
	default:
		return rid == k->rid &&
		       ((fid & TSMH_TDISP_FID_SEG_VALID) ? (fid >> TSMH_TDISP_FID_SEG_SHIFT) & 0xff
							 : 0) == (k->domain & 0xff);
	}
}

/* one line (comment cut): 1 and @out if it is @fid's, 0 if not (or blank), -EINVAL */
static int parse_line(char *line, uint32_t fid, int want, struct tsmh_tdisp_named *out, char *why,
		      size_t whylen)
{
	char *save = NULL, *addr, *name, *spec, *extra, b[256];
	struct tsmh_tdisp_layout l;
	struct tdi_key k;
	int ret;

	addr = strtok_r(line, " \t\r\n", &save);
	if (!addr)
		return 0;
	name = strtok_r(NULL, " \t\r\n", &save);
	spec = strtok_r(NULL, " \t\r\n", &save);
	extra = strtok_r(NULL, " \t\r\n", &save);
	if (!name || !spec || extra)
		return spdm_why(why, whylen, -EINVAL,
				"want three fields: ADDR LAYOUT BARSPEC (BARSPEC '-' for no BARs)");
	if (parse_key(addr, &k))
		return spdm_why(why, whylen, -EINVAL,
				"'%s': want DOMAIN:BUS:DEV.FN, BUS:DEV.FN or a function 0-7", addr);
	ret = tsmh_tdisp_barspec_parse(spec, &l, b, sizeof(b));
	if (ret)
		return spdm_why(why, whylen, ret, "BARSPEC: %s", b);
	ret = tsmh_tdisp_layout_map(name, &l, out, b, sizeof(b));
	if (ret == -ENOENT)
		return spdm_why(why, whylen, -EINVAL, "layout '%s': want one of %s", name,
				tsmh_tdisp_layout_names());
	if (ret)
		return spdm_why(why, whylen, ret, "layout %s on these BARs: %s", name, b);
	return want && key_matches(&k, fid);
}

int emu_tdisp_file_lookup(const char *path, uint32_t fid, struct tsmh_tdisp_named *out, char *why,
			  size_t whylen)
{
	struct tsmh_tdisp_named cand;
	char line[1024], b[400], *hash;
	unsigned int nr = 0;
	int found = 0, ret = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return spdm_why(why, whylen, -errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		nr++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = spdm_why(why, whylen, -EINVAL, "%s line %u: longer than %zu bytes",
				       path, nr, sizeof(line) - 2);
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		ret = parse_line(line, fid, !found, &cand, b, sizeof(b));
		if (ret < 0) {
			spdm_why(why, whylen, ret, "%s line %u: %s", path, nr, b);
			break;
		}
		if (ret) {
			*out = cand;
			found = 1;
		}
		ret = 0;
	}
	if (!ret && ferror(f))
		ret = spdm_why(why, whylen, -EIO, "%s: read error", path);
	fclose(f);
	if (ret)
		return ret;
	if (!found) {
		snprintf(why, whylen, "%s has no line for interface %#x", path, fid);
		return 1;
	}
	return 0;
}
