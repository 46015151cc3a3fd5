// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * evput: drives the evidence store for the guest tests, one netlink socket
 * for all steps, which run in order; the first failing step ends the run
 * (exit 1) after printing the reason (the kernel's extended ACK included).
 *
 * Usage: evput DEV STEP...
 *   set:PROV:NAME=FILE[,NAME=FILE...]  whole set through tsmh_evidence_put()
 *   obj:NAME:FILE         upload FILE as object NAME (chunks, no local checks)
 *   chunk:TYPE:OFF:TOTAL:LEN  one raw chunk of LEN bytes (TYPE: name or number)
 *   commit:PROV[:keep=TYPE[+TYPE...]@GEN]  commit what this socket staged,
 *                         keeping those objects of generation GEN
 *   abort                 discard it
 *   get:DIR[:SLOWMS]      tsmh_evidence_get() into DIR/NAME files; with SLOWMS,
 *                         the first attempt sleeps SLOWMS per message and
 *                         touches DIR/.reading at its first message
 *   rawget:DIR:SLOWMS     the same, one attempt only (no retry on -EAGAIN)
 *   staged                print the bytes staged by all writers (GET_CAPS)
 *   sleep:MS
 * Prints "generation N" after a commit and "attempts N" after a get.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ev_rules.h"
#include "evidence.h"

static struct tsmh_nl nl;
static const char *dev;

static int fail(const char *step, int err, const char *why)
{
	printf("FAIL %s: %s%s%s\n", step, why && why[0] ? why : strerror(-err),
	       !(why && why[0]) && nl.err[0] ? ": " : "", !(why && why[0]) ? nl.err : "");
	return 1;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	int fd = open(path, O_RDONLY);
	ssize_t n;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = malloc(st.st_size ? (size_t)st.st_size : 1);
	while (p && got < (size_t)st.st_size) {
		n = read(fd, p + got, (size_t)st.st_size - got);
		if (n <= 0) {
			free(p);
			p = NULL;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return p;
}

static int parse_type(const char *s)
{
	char *end;
	long v = tsmh_ev_type_parse(s);

	if (v >= 0)
		return (int)v;
	v = strtol(s, &end, 0);
	return *end || end == s ? -1 : (int)v;
}

static int parse_prov(const char *s, uint32_t *prov)
{
	char *end;
	int v = tsmh_ev_prov_parse(s);

	if (v >= 0) {
		*prov = (uint32_t)v;
		return 0;
	}
	*prov = (uint32_t)strtoul(s, &end, 0); /* numbers pass unchecked: the kernel judges */
	return *end || end == s ? -1 : 0;
}

static int upload_file(const char *step, int type, const char *path)
{
	size_t len, off, n;
	uint8_t *p = slurp(path, &len);
	int ret = 0;

	if (!p) {
		printf("FAIL %s: cannot read %s\n", step, path);
		return 1;
	}
	for (off = 0; off < len && !ret; off += n) {
		n = len - off > TSMH_EV_CHUNK_MAX ? TSMH_EV_CHUNK_MAX : len - off;
		ret = tsmh_evidence_put_chunk(&nl, dev, (uint32_t)type, (uint32_t)off,
					      (uint32_t)len, p + off, n);
	}
	free(p);
	return ret ? fail(step, ret, NULL) : 0;
}

static int do_set(const char *step, char *arg)
{
	struct tsmh_evidence ev = { 0 };
	char *prov = strtok(arg, ":"), *list = strtok(NULL, ""), *item, *eq, why[320];
	uint64_t gen = 0;
	int t, ret = 0;

	if (!prov || !list || parse_prov(prov, &ev.provenance))
		return fail(step, -EINVAL, "usage: set:PROV:NAME=FILE,...");
	ev.spdm_version = 0x12;
	for (item = strtok(list, ","); item; item = strtok(NULL, ",")) {
		eq = strchr(item, '=');
		if (!eq)
			return fail(step, -EINVAL, "NAME=FILE expected");
		*eq = 0;
		t = tsmh_ev_type_parse(item);
		if (t < 0)
			return fail(step, -EINVAL, "unknown object name");
		ev.obj[t].data = slurp(eq + 1, &ev.obj[t].len);
		if (!ev.obj[t].data)
			return fail(step, -EIO, "cannot read file");
		ev.slot_mask |= t <= TSMH_EV_CERT7 ? 1U << t : 0;
	}
	ret = tsmh_evidence_put(&nl, dev, &ev, &gen, why, sizeof(why));
	for (t = 0; t < TSMH_EV_NR; t++)
		free(ev.obj[t].data);
	if (ret)
		return fail(step, ret, why);
	printf("generation %llu\n", (unsigned long long)gen);
	return 0;
}

struct slow {
	unsigned int ms;
	const char *mark;
	int marked;
	unsigned int attempt; /* the last one the library started */
};

static int slow_progress(void *arg, unsigned int attempt, uint64_t bytes)
{
	struct slow *s = arg;
	int fd;

	(void)bytes;
	s->attempt = attempt;
	if (attempt != 1 || !s->ms)
		return 0;
	if (s->mark && !s->marked) {
		fd = open(s->mark, O_WRONLY | O_CREAT, 0600);
		if (fd >= 0)
			close(fd);
		s->marked = 1;
	}
	usleep(s->ms * 1000);
	return 0;
}

static int do_get(const char *step, char *arg, int raw)
{
	struct tsmh_evidence_get_opts o = { 0 };
	struct tsmh_evidence ev;
	struct slow s = { 0 };
	char *dir = strtok(arg, ":"), *ms = strtok(NULL, ":");
	char path[512], why[320];
	int t, ret;
	FILE *f;

	if (ms) {
		s.ms = (unsigned int)atoi(ms);
		if (dir) {
			snprintf(path, sizeof(path), "%s/.reading", dir);
			s.mark = strdup(path);
		}
	}
	o.progress = slow_progress;
	o.arg = &s;
	if (raw)
		o.attempts = 1;
	ret = tsmh_evidence_get(&nl, dev, &o, &ev, why, sizeof(why));
	free((char *)s.mark);
	if (ret)
		return fail(step, ret, why);
	for (t = 0; dir && t < TSMH_EV_NR; t++) {
		if (!ev.obj[t].data)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, tsmh_ev_type_name((uint32_t)t));
		f = fopen(path, "wb");
		if (!f || fwrite(ev.obj[t].data, 1, ev.obj[t].len, f) != ev.obj[t].len) {
			if (f)
				fclose(f);
			tsmh_evidence_free(&ev);
			return fail(step, -EIO, "cannot write object file");
		}
		fclose(f);
	}
	printf("generation %llu\nattempts %u\n", (unsigned long long)ev.generation, s.attempt);
	tsmh_evidence_free(&ev);
	return 0;
}

static int parse_staged(struct nl_msg *m, void *arg)
{
	struct nlattr *tb[TSMH_A_MAX + 1];
	struct nla_policy pol[TSMH_A_MAX + 1] = { [TSMH_A_EV_STAGED] = { .type = NLA_U64 } };

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, TSMH_A_MAX, pol) || !tb[TSMH_A_EV_STAGED])
		return -EBADMSG;
	*(uint64_t *)arg = nla_get_u64(tb[TSMH_A_EV_STAGED]);
	return 0;
}

static int step(char *st)
{
	char copy[1024], *op, *a, *b, *c, *d;
	uint32_t prov;
	uint64_t gen, staged = 0;
	int type, ret;

	snprintf(copy, sizeof(copy), "%s", st);
	op = strtok(copy, ":");
	if (!op)
		return fail(st, -EINVAL, "empty step");
	if (!strcmp(op, "set"))
		return do_set(st, strtok(NULL, ""));
	if (!strcmp(op, "get") || !strcmp(op, "rawget"))
		return do_get(st, strtok(NULL, ""), !strcmp(op, "rawget"));
	if (!strcmp(op, "obj")) {
		a = strtok(NULL, ":");
		b = strtok(NULL, "");
		type = a ? parse_type(a) : -1;
		if (type < 0 || !b)
			return fail(st, -EINVAL, "usage: obj:NAME:FILE");
		return upload_file(st, type, b);
	}
	if (!strcmp(op, "chunk")) {
		uint8_t *buf;
		size_t len;

		a = strtok(NULL, ":");
		b = strtok(NULL, ":");
		c = strtok(NULL, ":");
		d = strtok(NULL, ":");
		type = a ? parse_type(a) : -1;
		if (type < 0 || !b || !c || !d)
			return fail(st, -EINVAL, "usage: chunk:TYPE:OFF:TOTAL:LEN");
		len = strtoul(d, NULL, 0);
		buf = calloc(1, len ? len : 1);
		if (!buf)
			return fail(st, -ENOMEM, NULL);
		memset(buf, 0x5a, len);
		ret = tsmh_evidence_put_chunk(&nl, dev, (uint32_t)type,
					      (uint32_t)strtoul(b, NULL, 0),
					      (uint32_t)strtoul(c, NULL, 0), buf, len);
		free(buf);
		return ret ? fail(st, ret, NULL) : 0;
	}
	if (!strcmp(op, "commit")) {
		struct tsmh_evidence meta = { 0 };

		a = strtok(NULL, ":");
		b = strtok(NULL, ":");
		if (!a || parse_prov(a, &prov))
			return fail(st, -EINVAL, "usage: commit:PROV[:keep=TYPE[+TYPE...]@GEN]");
		meta.provenance = prov;
		if (b) {
			char *at = strchr(b, '@'), *k;

			if (strncmp(b, "keep=", 5) || !at)
				return fail(st, -EINVAL,
					    "usage: commit:PROV:keep=TYPE[+TYPE...]@GEN");
			*at = 0;
			meta.keep_generation = strtoull(at + 1, NULL, 0);
			for (k = strtok(b + 5, "+"); k; k = strtok(NULL, "+")) {
				type = parse_type(k);
				if (type < 0)
					return fail(st, -EINVAL, "unknown type to keep");
				meta.keep_mask |= 1u << type;
			}
		}
		ret = tsmh_evidence_commit(&nl, dev, &meta, &gen);
		if (ret)
			return fail(st, ret, NULL);
		printf("generation %llu\n", (unsigned long long)gen);
		return 0;
	}
	if (!strcmp(op, "abort")) {
		ret = tsmh_evidence_abort(&nl, dev);
		return ret ? fail(st, ret, NULL) : 0;
	}
	if (!strcmp(op, "staged")) {
		struct nl_msg *m = tsmh_nl_msg(&nl, TSMH_CMD_GET_CAPS, 0);

		ret = m ? tsmh_nl_call(&nl, m, parse_staged, &staged) : -ENOMEM;
		if (ret)
			return fail(st, ret, NULL);
		printf("staged %llu\n", (unsigned long long)staged);
		return 0;
	}
	if (!strcmp(op, "sleep")) {
		a = strtok(NULL, ":");
		usleep((unsigned int)(a ? atoi(a) : 0) * 1000);
		return 0;
	}
	return fail(st, -EINVAL, "unknown step");
}

int main(int argc, char **argv)
{
	int i, ret;

	if (argc < 3) {
		fprintf(stderr, "usage: evput DEV STEP... (see the source)\n");
		return 2;
	}
	dev = argv[1];
	ret = tsmh_nl_open(&nl);
	if (ret) {
		printf("FAIL open: %s\n", nl.err);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 2; i < argc; i++) {
		ret = step(argv[i]);
		if (ret)
			break;
		printf("ok %s\n", argv[i]);
	}
	tsmh_nl_close(&nl);
	return ret;
}
