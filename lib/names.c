// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Names of the uapi enums, shared by the core module and userspace.
 * Tables are indexed by the enum values (designated initializers only);
 * tests/unit/test_names.c checks that every value has a distinct name.
 */
#include "names.h"

static const char *const gate_state_names[__TSMH_GATE_STATE_NR] = {
	[TSMH_GATE_NONE] = TSMH_NAME_GATE_NONE,
	[TSMH_GATE_HELD] = TSMH_NAME_GATE_HELD,
	[TSMH_GATE_RELEASED] = TSMH_NAME_GATE_RELEASED,
};

static const char *const gate_reason_names[__TSMH_GATE_R_NR] = {
	[TSMH_GATE_R_NONE] = TSMH_NAME_GATE_R_NONE,
	[TSMH_GATE_R_NEW] = TSMH_NAME_GATE_R_NEW,
	[TSMH_GATE_R_PRESENT] = TSMH_NAME_GATE_R_PRESENT,
	[TSMH_GATE_R_ADMIN] = TSMH_NAME_GATE_R_ADMIN,
	[TSMH_GATE_R_ATTESTED] = TSMH_NAME_GATE_R_ATTESTED,
	[TSMH_GATE_R_EXEMPT] = TSMH_NAME_GATE_R_EXEMPT,
	[TSMH_GATE_R_QUARANTINE] = TSMH_NAME_GATE_R_QUARANTINE,
	[TSMH_GATE_R_NOT_CMA] = TSMH_NAME_GATE_R_NOT_CMA,
	[TSMH_GATE_R_BYPASS] = TSMH_NAME_GATE_R_BYPASS,
	[TSMH_GATE_R_RESET] = TSMH_NAME_GATE_R_RESET,
	[TSMH_GATE_R_POLICY] = TSMH_NAME_GATE_R_POLICY,
	[TSMH_GATE_R_FUNCTION0] = TSMH_NAME_GATE_R_FUNCTION0,
};

static const char *const gate_action_names[__TSMH_GATE_ACT_NR] = {
	[TSMH_GATE_ACT_UNSPEC] = TSMH_NAME_GATE_ACT_UNSPEC,
	[TSMH_GATE_ACT_HOLD] = TSMH_NAME_GATE_ACT_HOLD,
	[TSMH_GATE_ACT_RELEASE] = TSMH_NAME_GATE_ACT_RELEASE,
	[TSMH_GATE_ACT_QUARANTINE] = TSMH_NAME_GATE_ACT_QUARANTINE,
};

static const char *const reset_kind_names[__TSMH_RESET_NR] = {
	[TSMH_RESET_UNKNOWN] = TSMH_NAME_RESET_UNKNOWN,
	[TSMH_RESET_FLR] = TSMH_NAME_RESET_FLR,
	[TSMH_RESET_BUS] = TSMH_NAME_RESET_BUS,
	[TSMH_RESET_RECOVERY] = TSMH_NAME_RESET_RECOVERY,
};

static const char *const doe_backend_names[__TSMH_DOE_BACKEND_NR] = {
	[TSMH_DOE_BACKEND_NONE] = TSMH_NAME_DOE_BACKEND_NONE,
	[TSMH_DOE_BACKEND_KERNEL] = TSMH_NAME_DOE_BACKEND_KERNEL,
	[TSMH_DOE_BACKEND_CFG] = TSMH_NAME_DOE_BACKEND_CFG,
};

static const char *const doe_pcisig_prot_names[TSMH_DOE_PCISIG_PROT_NR] = {
	[TSMH_DOE_PROT_DISCOVERY] = TSMH_NAME_DOE_PROT_DISCOVERY,
	[TSMH_DOE_PROT_CMA] = TSMH_NAME_DOE_PROT_CMA,
	[TSMH_DOE_PROT_SEC_CMA] = TSMH_NAME_DOE_PROT_SEC_CMA,
};

static const char *pick(const char *const *names, u32 nr, u32 v)
{
	return v < nr && names[v] ? names[v] : TSMH_NAME_UNKNOWN;
}

#define PICK(table, v) pick(table, sizeof(table) / sizeof((table)[0]), v)

const char *tsmh_gate_state_name(u32 state)
{
	return PICK(gate_state_names, state);
}

const char *tsmh_gate_reason_name(u32 reason)
{
	return PICK(gate_reason_names, reason);
}

const char *tsmh_gate_action_name(u32 action)
{
	return PICK(gate_action_names, action);
}

const char *tsmh_reset_kind_name(u32 kind)
{
	return PICK(reset_kind_names, kind);
}

const char *tsmh_doe_backend_name(u32 backend)
{
	return PICK(doe_backend_names, backend);
}

bool tsmh_doe_prot_known(u16 vid, u8 type)
{
	return vid == TSMH_DOE_VID_PCISIG && type < TSMH_DOE_PCISIG_PROT_NR &&
	       doe_pcisig_prot_names[type];
}

const char *tsmh_doe_prot_name(u16 vid, u8 type)
{
	if (!tsmh_doe_prot_known(vid, type))
		return TSMH_NAME_UNKNOWN;
	return doe_pcisig_prot_names[type];
}
