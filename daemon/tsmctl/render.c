// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmctl: human tables and JSON for device information.
 */
#include <stdio.h>
#include <string.h>
#include "hex.h"
#include "pcicap.h"
#include "tsmctl.h"

void json_print(cJSON *j)
{
	char *s = cJSON_Print(j);

	if (s) {
		puts(s);
		cJSON_free(s);
	}
	cJSON_Delete(j);
}

const char *ide_summary(uint32_t cap, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", (cap & TSMH_IDE_CAP_LINK) ? "link " : "",
		 (cap & TSMH_IDE_CAP_SELECTIVE) ? "selective " : "",
		 (cap & TSMH_IDE_CAP_IDE_KM) ? "IDE_KM " : "",
		 (cap & TSMH_IDE_CAP_TEE_LIMITED) ? "TEE-limited" : "");
	return buf;
}

static const char *owner_kind(uint32_t o)
{
	switch (o) {
	case TSMH_OWNER_HOST: return "host";
	case TSMH_OWNER_FIRMWARE: return "firmware";
	default: return "none";
	}
}

static cJSON *ide_json(uint32_t cap, uint16_t off)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "offset", off);
	cJSON_AddNumberToObject(j, "capability", cap);
	cJSON_AddBoolToObject(j, "link", !!(cap & TSMH_IDE_CAP_LINK));
	cJSON_AddNumberToObject(j, "link_tcs", tsmh_ide_nr_link_tcs(cap));
	cJSON_AddBoolToObject(j, "selective", !!(cap & TSMH_IDE_CAP_SELECTIVE));
	cJSON_AddNumberToObject(j, "selective_streams", tsmh_ide_nr_sel_streams(cap));
	cJSON_AddBoolToObject(j, "ide_km", !!(cap & TSMH_IDE_CAP_IDE_KM));
	cJSON_AddBoolToObject(j, "tee_limited", !!(cap & TSMH_IDE_CAP_TEE_LIMITED));
	return j;
}

/* "held(new)", or "-" from a kernel without the gate */
const char *gate_summary(const struct tsmh_devinfo *d, char *buf, size_t len)
{
	if (!d->has_gate)
		snprintf(buf, len, "-");
	else if (d->gate_state == TSMH_GATE_NONE)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s(%s)", tsmh_gate_state_name(d->gate_state),
			 tsmh_gate_reason_name(d->gate_reason));
	return buf;
}

static void gate_json(cJSON *j, const struct tsmh_devinfo *d)
{
	char hex[2 * TSMH_ACCEPT_DIGEST_MAX + 1];
	cJSON *g, *f, *a;

	if (!d->has_gate)
		return;
	g = cJSON_AddObjectToObject(j, "gate");
	cJSON_AddStringToObject(g, "state", tsmh_gate_state_name(d->gate_state));
	cJSON_AddStringToObject(g, "reason", tsmh_gate_reason_name(d->gate_reason));
	if (d->gate_msg[0])
		cJSON_AddStringToObject(g, "msg", d->gate_msg);
	else
		cJSON_AddNullToObject(g, "msg");
	f = cJSON_AddArrayToObject(g, "flags");
	if (d->gate_flags & TSMH_GATE_F_REATTEST)
		cJSON_AddItemToArray(f, cJSON_CreateString("reattest"));
	if (d->gate_flags & TSMH_GATE_F_BME_OFF)
		cJSON_AddItemToArray(f, cJSON_CreateString("bme-off"));
	if (d->gate_flags & TSMH_GATE_F_POLICY)
		cJSON_AddItemToArray(f, cJSON_CreateString("policy"));
	if (d->gate_flags & TSMH_GATE_F_OVERRIDE_KEPT)
		cJSON_AddItemToArray(f, cJSON_CreateString("override-kept"));
	if (d->gate_flags & TSMH_GATE_F_OVERRIDE_CHANGED)
		cJSON_AddItemToArray(f, cJSON_CreateString("override-changed"));
	cJSON_AddBoolToObject(g, "reattest", !!(d->gate_flags & TSMH_GATE_F_REATTEST));
	cJSON_AddBoolToObject(g, "bme_off", !!(d->gate_flags & TSMH_GATE_F_BME_OFF));
	/* the digest goes to CAP_SYS_ADMIN only; the generation to everyone */
	if (d->accept_len || d->accept_gen) {
		a = cJSON_AddObjectToObject(g, "accepted");
		if (d->accept_len) {
			tsmh_hex_format(d->accept_digest, (size_t)d->accept_len, hex);
			cJSON_AddStringToObject(a, "digest", hex);
		} else {
			cJSON_AddNullToObject(a, "digest");
		}
		cJSON_AddNumberToObject(a, "generation", (double)d->accept_gen);
		cJSON_AddNumberToObject(a, "time_ns", (double)d->accept_time);
	} else {
		cJSON_AddNullToObject(g, "accepted");
	}
	cJSON_AddNumberToObject(j, "reset_count", (double)d->reset_count);
	if (d->reset_count)
		cJSON_AddStringToObject(j, "reset_kind", tsmh_reset_kind_name(d->reset_kind));
	else
		cJSON_AddNullToObject(j, "reset_kind");
	if (d->driver[0])
		cJSON_AddStringToObject(j, "driver", d->driver);
	else
		cJSON_AddNullToObject(j, "driver");
}

cJSON *devinfo_json(const struct tsmh_devinfo *d)
{
	cJSON *j = cJSON_CreateObject(), *mbs, *m, *p, *o;
	char buf[32];
	int i, k;

	cJSON_AddStringToObject(j, "name", d->name);
	snprintf(buf, sizeof(buf), "%04x", d->vendor);
	cJSON_AddStringToObject(j, "vendor", buf);
	snprintf(buf, sizeof(buf), "%04x", d->device);
	cJSON_AddStringToObject(j, "device", buf);
	snprintf(buf, sizeof(buf), "%06x", d->class_rev >> 8);
	cJSON_AddStringToObject(j, "class", buf);
	cJSON_AddStringToObject(j, "pcie_type", tsmh_exp_type_name(d->pcie_type));
	cJSON_AddBoolToObject(j, "tee_io", !!(d->flags & TSMH_DEV_F_TEE_IO));
	cJSON_AddBoolToObject(j, "discovered", !!(d->flags & TSMH_DEV_F_DISCOVERED));
	if (d->flags & TSMH_DEV_F_IDE)
		cJSON_AddItemToObject(j, "ide", ide_json(d->ide_cap, d->ide_off));
	else
		cJSON_AddNullToObject(j, "ide");
	if (d->has_serial) {
		snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)d->serial);
		cJSON_AddStringToObject(j, "serial", buf);
	}
	if (d->anomalies) {
		cJSON_AddNumberToObject(j, "config_anomalies", d->anomalies);
		cJSON_AddStringToObject(j, "config_anomaly", tsmh_caps_anomaly_str(d->anomalies));
	}
	mbs = cJSON_AddArrayToObject(j, "doe");
	for (i = 0; i < d->nr_mb; i++) {
		const struct tsmh_mbinfo *mb = &d->mb[i];

		m = cJSON_CreateObject();
		cJSON_AddNumberToObject(m, "offset", mb->off);
		p = cJSON_AddArrayToObject(m, "protocols");
		for (k = 0; k < mb->nr_prots; k++)
			cJSON_AddItemToArray(p, cJSON_CreateString(tsmh_prot_name(
							mb->prots[k].vid, mb->prots[k].type, buf)));
		if (mb->owner == TSMH_OWNER_NONE) {
			cJSON_AddNullToObject(m, "owner");
		} else {
			o = cJSON_AddObjectToObject(m, "owner");
			cJSON_AddStringToObject(o, "kind", owner_kind(mb->owner));
			cJSON_AddStringToObject(o, "name", mb->owner_name);
			if (mb->owner == TSMH_OWNER_HOST)
				cJSON_AddNumberToObject(o, "port", mb->owner_id);
		}
		cJSON_AddNumberToObject(m, "exchanges", (double)mb->exchanges);
		if (mb->disc_err)
			cJSON_AddStringToObject(m, "discovery_error", strerror(-mb->disc_err));
		cJSON_AddItemToArray(mbs, m);
	}
	gate_json(j, d);
	return j;
}

static void prots_str(const struct tsmh_mbinfo *mb, char *out, size_t len)
{
	char buf[16];
	size_t n = 0;
	int k;

	out[0] = 0;
	for (k = 0; k < mb->nr_prots; k++) {
		if (mb->prots[k].vid == 1 && mb->prots[k].type == 0)
			continue; /* discovery is implied */
		n += (size_t)snprintf(out + n, len > n ? len - n : 0, "%s%s", n ? "," : "",
				      tsmh_prot_name(mb->prots[k].vid, mb->prots[k].type, buf));
	}
	if (!out[0])
		snprintf(out, len, "%s", mb->disc_err ? "discovery-failed" : "-");
}

void devinfo_header(int with_spdm)
{
	printf("%-16s %-10s %-12s %-6s %-10s %-14s %-14s %-20s%s\n", "DEVICE", "ID", "TYPE",
	       "TEE-IO", "IDE", "DOE", "OWNER", "GATE", with_spdm ? " SPDM" : "");
}

void devinfo_row(const struct tsmh_devinfo *d, const char *spdm)
{
	char id[16], ide[16], doe[64] = "-", owner[48] = "-", gate[48];

	snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
	if (d->flags & TSMH_DEV_F_IDE)
		snprintf(ide, sizeof(ide), "sel:%u", tsmh_ide_nr_sel_streams(d->ide_cap));
	else
		snprintf(ide, sizeof(ide), "-");
	if (d->nr_mb) {
		prots_str(&d->mb[0], doe, sizeof(doe));
		if (d->mb[0].owner != TSMH_OWNER_NONE)
			snprintf(owner, sizeof(owner), "%s:%s", owner_kind(d->mb[0].owner),
				 d->mb[0].owner_name);
	}
	printf("%-16s %-10s %-12s %-6s %-10s %-14s %-14s %-20s%s%s\n", d->name, id,
	       tsmh_exp_type_name(d->pcie_type), (d->flags & TSMH_DEV_F_TEE_IO) ? "yes" : "no", ide,
	       doe, owner, gate_summary(d, gate, sizeof(gate)), spdm ? " " : "", spdm ? spdm : "");
}

void devinfo_print(const struct tsmh_devinfo *d)
{
	char buf[128];
	int i;

	printf("%s  %04x:%04x  %s  class %06x\n", d->name, d->vendor, d->device,
	       tsmh_exp_type_name(d->pcie_type), d->class_rev >> 8);
	printf("  TEE-IO:     %s\n", (d->flags & TSMH_DEV_F_TEE_IO) ? "supported" : "no");
	if (d->flags & TSMH_DEV_F_IDE)
		printf("  IDE:        cap at %#x: %s, %u selective stream(s), %u link TC(s)\n",
		       d->ide_off, ide_summary(d->ide_cap, buf, sizeof(buf)),
		       tsmh_ide_nr_sel_streams(d->ide_cap), tsmh_ide_nr_link_tcs(d->ide_cap));
	else
		printf("  IDE:        no\n");
	if (d->has_serial)
		printf("  Serial:     %016llx\n", (unsigned long long)d->serial);
	if (d->anomalies)
		printf("  Config:     malformed: %s\n", tsmh_caps_anomaly_str(d->anomalies));
	for (i = 0; i < d->nr_mb; i++) {
		const struct tsmh_mbinfo *mb = &d->mb[i];

		prots_str(mb, buf, sizeof(buf));
		printf("  DOE %#05x:  protocols %s; owner %s", mb->off, buf, owner_kind(mb->owner));
		if (mb->owner == TSMH_OWNER_HOST)
			printf(" (%s, netlink port %u)", mb->owner_name, mb->owner_id);
		else if (mb->owner != TSMH_OWNER_NONE)
			printf(" (%s)", mb->owner_name);
		printf("; %llu exchange(s)\n", (unsigned long long)mb->exchanges);
		if (mb->disc_err)
			printf("              discovery failed: %s\n", strerror(-mb->disc_err));
	}
	if (d->has_gate) {
		printf("  Gate:       %s", gate_summary(d, buf, sizeof(buf)));
		if (d->gate_msg[0])
			printf(": %s", d->gate_msg);
		if (d->gate_flags & TSMH_GATE_F_REATTEST)
			printf(" [reattest]");
		if (d->gate_flags & TSMH_GATE_F_BME_OFF)
			printf(" [bus mastering off]");
		if (d->gate_flags & TSMH_GATE_F_POLICY)
			printf(" [hold_ids]");
		if (d->gate_flags & TSMH_GATE_F_OVERRIDE_KEPT)
			printf(" [administrator's driver_override kept]");
		if (d->gate_flags & TSMH_GATE_F_OVERRIDE_CHANGED)
			printf(" [driver_override changed while held]");
		putchar('\n');
		if (d->accept_len || d->accept_gen) {
			char hex[2 * TSMH_ACCEPT_DIGEST_MAX + 1] = "(needs CAP_SYS_ADMIN)";

			if (d->accept_len)
				tsmh_hex_format(d->accept_digest, (size_t)d->accept_len, hex);
			printf("  Accepted:   generation %llu, digest %s\n",
			       (unsigned long long)d->accept_gen, hex);
		}
		printf("  Resets:     %llu", (unsigned long long)d->reset_count);
		if (d->reset_count)
			printf(" (last: %s)", tsmh_reset_kind_name(d->reset_kind));
		putchar('\n');
		printf("  Driver:     %s\n", d->driver[0] ? d->driver : "(none)");
	}
	if (!(d->flags & TSMH_DEV_F_DISCOVERED))
		printf("  (DOE discovery still running)\n");
}
