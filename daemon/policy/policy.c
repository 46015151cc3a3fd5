// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The policy file: parsing, validation and rule matching. See policy.h. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hex.h"
#include "jutil.h"
#include "policy.h"

static const char *const req_names[] = {
	"exempt", "deny", "certificate", "measurements", "ide", NULL,
};
static const char *const source_names[] = { "host-cma", "firmware-tsm", NULL };
static const char *const combine_names[] = { "all", "any", "host-cma", "firmware-tsm", NULL };
static const char *const present_names[] = { "apply-policy", "keep", "allow", NULL };

const char *tsmd_req_name(enum tsmd_req r)
{
	return r < TSMD_REQ_NR ? req_names[r] : "?";
}

const char *tsmd_source_name(enum tsmd_source s)
{
	return s < TSMD_SRC_NR ? source_names[s] : "?";
}

const char *tsmd_present_name(enum tsmd_present pr)
{
	return pr <= TSMD_PRESENT_ALLOW ? present_names[pr] : "?";
}

const char *tsmd_rule_name(const struct tsmd_rule *r, char *buf, size_t len)
{
	if (!r || r->index < 0)
		snprintf(buf, len, "the default");
	else
		snprintf(buf, len, "rule %d", r->index + 1);
	return buf;
}

static void rule_free(struct tsmd_rule *r)
{
	free(r->comment);
	free(r->match.slot);
	free(r->match.identity);
	memset(r, 0, sizeof(*r));
}

void tsmd_policy_free(struct tsmd_policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr_rules; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	free(p->trust_anchors);
	free(p->allow_list);
	rule_free(&p->def);
	memset(p, 0, sizeof(*p));
}

static int parse_class(const struct tsmd_jctx *c, const char *path, const char *s,
		       struct tsmd_match *m)
{
	int i;

	m->class_val = 0;
	m->class_mask = 0;
	if (strlen(s) != 6)
		return tsmd_jerr(c, path, "expected 6 hex digits or 'x' wildcards, got \"%.40s\"",
				 s);
	for (i = 0; i < 6; i++) {
		int ch = s[i], v;

		m->class_val <<= 4;
		m->class_mask <<= 4;
		if (ch == 'x' || ch == 'X')
			continue;
		v = tsmh_hex_digit((unsigned char)ch);
		if (v < 0)
			return tsmd_jerr(c, path, "'%c' is neither hex nor 'x' in \"%.40s\"", ch,
					 s);
		m->class_val |= (uint32_t)v;
		m->class_mask |= 0xf;
	}
	return 0;
}

static int parse_match(const struct tsmd_jctx *c, const char *path, const cJSON *o,
		       struct tsmd_match *m)
{
	static const char *const keys[] = { "vendor", "device", "class", "slot", "identity", NULL };
	char p[TSMD_JPATH_MAX];
	const char *s;
	int ret;

	ret = tsmd_jkeys(c, path, o, keys);
	if (ret)
		return ret;
	if (!o->child)
		return tsmd_jerr(c, path,
				 "empty match (leave \"match\" out to match every device)");
	ret = tsmd_jhex16(c, path, o, "vendor", &m->vendor, &m->has, TSMD_M_VENDOR);
	if (!ret)
		ret = tsmd_jhex16(c, path, o, "device", &m->device, &m->has, TSMD_M_DEVICE);
	if (ret)
		return ret;
	ret = tsmd_jstr(c, path, o, "class", 0, 6, &s);
	if (!ret && s) {
		tsmd_jpath(p, "%s.class", path);
		ret = parse_class(c, p, s, m);
		m->has |= TSMD_M_CLASS;
	}
	if (ret)
		return ret;
	ret = tsmd_jstrdup(c, path, o, "slot", 64, &m->slot);
	if (!ret)
		ret = tsmd_jstrdup(c, path, o, "identity", TSMD_IDENTITY_MAX, &m->identity);
	if (m->slot)
		m->has |= TSMD_M_SLOT;
	if (m->identity)
		m->has |= TSMD_M_IDENTITY;
	return ret;
}

static int parse_sources(const struct tsmd_jctx *c, const char *path, const cJSON *o,
			 struct tsmd_rule *r)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "sources"), *e;
	char p[TSMD_JPATH_MAX];
	const char *s = NULL;
	int i = 0, v, ret;

	r->sources = 1u << TSMD_SRC_HOST_CMA;
	if (a) {
		tsmd_jpath(p, "%s%ssources", path, *path ? "." : "");
		if (!cJSON_IsArray(a))
			return tsmd_jerr(c, p, "expected an array of source names");
		if (!a->child)
			return tsmd_jerr(c, p, "empty: name at least one source");
		r->sources = 0;
		cJSON_ArrayForEach(e, a)
		{
			tsmd_jpath(p, "%s%ssources[%d]", path, *path ? "." : "", i++);
			if (!cJSON_IsString(e))
				return tsmd_jerr(c, p, "expected a string");
			ret = tsmd_jenum(c, p, e->valuestring, source_names, &v);
			if (ret)
				return ret;
			if (r->sources & (1u << v))
				return tsmd_jerr(c, p, "\"%s\" listed twice", e->valuestring);
			r->sources |= 1u << v;
		}
	}
	r->combine = TSMD_COMBINE_ALL;
	ret = tsmd_jstr(c, path, o, "combine", 0, 32, &s);
	if (ret || !s)
		return ret;
	tsmd_jpath(p, "%s%scombine", path, *path ? "." : "");
	ret = tsmd_jenum(c, p, s, combine_names, &v);
	if (ret)
		return ret;
	if (v <= 1) {
		r->combine = v ? TSMD_COMBINE_ANY : TSMD_COMBINE_ALL;
		return 0;
	}
	r->combine = TSMD_COMBINE_NAMED;
	r->combine_source = (enum tsmd_source)(v - 2);
	if (!(r->sources & (1u << r->combine_source)))
		return tsmd_jerr(c, p, "\"%s\" is not in sources", s);
	return 0;
}

static int parse_req(const struct tsmd_jctx *c, const char *path, const cJSON *o, const char *key,
		     int required, struct tsmd_rule *r)
{
	char p[TSMD_JPATH_MAX];
	const char *s;
	int v, ret;

	ret = tsmd_jstr(c, path, o, key, required, 32, &s);
	if (ret || !s)
		return ret;
	tsmd_jpath(p, "%s%s%s", path, *path ? "." : "", key);
	ret = tsmd_jenum(c, p, s, req_names, &v);
	if (!ret)
		r->req = (enum tsmd_req)v;
	return ret;
}

static int parse_rule(const struct tsmd_jctx *c, int idx, const cJSON *o, struct tsmd_rule *r)
{
	static const char *const keys[] = { "comment", "match",	  "require",
					    "sources", "combine", NULL };
	char path[TSMD_JPATH_MAX], p[TSMD_JPATH_MAX];
	const cJSON *m;
	int ret;

	tsmd_jpath(path, "rules[%d]", idx);
	r->index = idx;
	ret = tsmd_jkeys(c, path, o, keys);
	if (ret)
		return ret;
	ret = tsmd_jstrdup(c, path, o, "comment", 1024, &r->comment);
	if (ret)
		return ret;
	m = cJSON_GetObjectItemCaseSensitive(o, "match");
	if (m) {
		tsmd_jpath(p, "%s.match", path);
		ret = parse_match(c, p, m, &r->match);
		if (ret)
			return ret;
	}
	ret = parse_req(c, path, o, "require", 1, r);
	if (ret)
		return ret;
	return parse_sources(c, path, o, r);
}

/* trust_anchors (required) and allow_list: absolute paths. */
static int parse_paths(const struct tsmd_jctx *c, const cJSON *j, struct tsmd_policy *p)
{
	const char *s;
	int ret;

	ret = tsmd_jstr(c, "", j, "trust_anchors", 1, 4095, &s);
	if (ret)
		return ret;
	if (s[0] != '/')
		return tsmd_jerr(c, "trust_anchors", "must be an absolute path");
	p->trust_anchors = strdup(s);
	ret = tsmd_jstr(c, "", j, "allow_list", 0, 4095, &s);
	if (ret)
		return ret;
	if (s && s[0] != '/')
		return tsmd_jerr(c, "allow_list", "must be an absolute path");
	p->allow_list = strdup(s ? s : TSMD_ALLOWLIST_PATH);
	if (!p->trust_anchors || !p->allow_list)
		return -ENOMEM;
	return 0;
}

/* default, present_devices, attest_timeout_ms, max_parallel, with their defaults. */
static int parse_settings(const struct tsmd_jctx *c, const cJSON *j, struct tsmd_policy *p)
{
	const char *s;
	long n;
	int ret, v;

	p->def.index = -1;
	p->def.req = TSMD_REQ_MEASUREMENTS;
	p->def.sources = 1u << TSMD_SRC_HOST_CMA;
	p->def.combine = TSMD_COMBINE_ALL;
	ret = parse_req(c, "", j, "default", 0, &p->def);
	if (ret)
		return ret;

	p->present = TSMD_PRESENT_APPLY;
	ret = tsmd_jstr(c, "", j, "present_devices", 0, 32, &s);
	if (!ret && s) {
		ret = tsmd_jenum(c, "present_devices", s, present_names, &v);
		p->present = (enum tsmd_present)v;
	}
	if (ret)
		return ret;

	n = 15000;
	ret = tsmd_jint(c, "", j, "attest_timeout_ms", 100, 600000, &n);
	if (ret)
		return ret;
	p->attest_timeout_ms = (unsigned)n;
	n = 8;
	ret = tsmd_jint(c, "", j, "max_parallel", 1, 256, &n);
	if (ret)
		return ret;
	p->max_parallel = (unsigned)n;
	return 0;
}

static int parse_rules(const struct tsmd_jctx *c, const cJSON *j, struct tsmd_policy *p)
{
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(j, "rules"), *e;
	int nr, ret, i = 0;

	if (!rules)
		return 0;
	nr = cJSON_GetArraySize(rules);
	if (!cJSON_IsArray(rules))
		return tsmd_jerr(c, "rules", "expected an array");
	if (nr > TSMD_POLICY_RULES_MAX)
		return tsmd_jerr(c, "rules", "more than %d rules", TSMD_POLICY_RULES_MAX);
	p->rules = calloc((size_t)nr + 1, sizeof(*p->rules));
	if (!p->rules)
		return -ENOMEM;
	cJSON_ArrayForEach(e, rules)
	{
		p->nr_rules = (size_t)i + 1;
		ret = parse_rule(c, i, e, &p->rules[i]);
		if (ret)
			return ret;
		i++;
	}
	return 0;
}

int tsmd_policy_parse(const char *text, size_t len, const char *file, struct tsmd_policy *p,
		      char *why, size_t whylen)
{
	static const char *const keys[] = { "comment",	    "trust_anchors",   "allow_list",
					    "default",	    "present_devices", "attest_timeout_ms",
					    "max_parallel", "rules",	       NULL };
	struct tsmd_jctx c = { file ? file : "(policy)", why, whylen };
	cJSON *j = NULL;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = tsmd_jparse(&c, text, len, &j);
	if (ret)
		return ret;
	ret = tsmd_jkeys(&c, "", j, keys);
	if (!ret)
		ret = parse_paths(&c, j, p);
	if (!ret)
		ret = parse_settings(&c, j, p);
	if (!ret)
		ret = parse_rules(&c, j, p);
	if (ret) {
		tsmd_policy_free(p);
		return tsmd_jfail(&c, j, ret);
	}
	cJSON_Delete(j);
	return 0;
}

int tsmd_policy_load(const char *path, struct tsmd_policy *p, char *why, size_t whylen)
{
	char *buf;
	size_t len;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!path)
		path = TSMD_POLICY_PATH;
	ret = tsmd_read_file(path, TSMD_POLICY_FILE_MAX, &buf, &len);
	if (ret)
		return tsmd_file_err(path, ret, TSMD_POLICY_FILE_MAX, why, whylen);
	ret = tsmd_policy_parse(buf, len, path, p, why, whylen);
	free(buf);
	return ret;
}

/* The keys other than identity: 1 if all given ones match. */
static int match_static(const struct tsmd_match *m, const struct tsmd_dev_facts *d)
{
	if ((m->has & TSMD_M_VENDOR) && m->vendor != d->vendor)
		return 0;
	if ((m->has & TSMD_M_DEVICE) && m->device != d->device)
		return 0;
	if ((m->has & TSMD_M_CLASS) && (d->class_code & m->class_mask) != m->class_val)
		return 0;
	if ((m->has & TSMD_M_SLOT) && (!d->name || fnmatch(m->slot, d->name, 0)))
		return 0;
	return 1;
}

int tsmd_policy_match(const struct tsmd_policy *p, const struct tsmd_dev_facts *d,
		      const char *identity, const struct tsmd_rule **rule)
{
	size_t i;

	for (i = 0; i < p->nr_rules; i++) {
		const struct tsmd_rule *r = &p->rules[i];

		if (!match_static(&r->match, d))
			continue;
		if (r->match.has & TSMD_M_IDENTITY) {
			if (!identity) {
				*rule = r;
				return TSMD_MATCH_ATTEST;
			}
			if (fnmatch(r->match.identity, identity, 0))
				continue;
		}
		*rule = r;
		return TSMD_MATCH_DECIDED;
	}
	*rule = &p->def;
	return TSMD_MATCH_DECIDED;
}
