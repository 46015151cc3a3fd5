/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The names of the uapi enums, shared by the core module (log lines,
 * sysfs) and userspace (tsmctl output and JSON, tsmd): gate states,
 * reasons and actions, reset kinds, DOE backends and DOE protocols.
 * The words are part of the documented interface (man/tsmctl.8, the
 * sysfs "tsmh/gate" file): change them only together with the docs.
 *
 * Each accessor returns TSMH_NAME_UNKNOWN for a value it does not know,
 * never NULL. The TSMH_NAME_* macros exist for tables elsewhere that
 * list a subset (tsmctl's accepted words); lib/names.c is the only place
 * that maps the values to them.
 */
#ifndef TSMH_LIB_NAMES_H
#define TSMH_LIB_NAMES_H

#include "port.h"
#include "doe.h"
#ifdef __KERNEL__
#include <uapi/linux/tsmh.h>
#else
#include <linux/tsmh.h>
#endif

#define TSMH_NAME_UNKNOWN		"unknown"

/* enum tsmh_gate_state */
#define TSMH_NAME_GATE_NONE		"none"
#define TSMH_NAME_GATE_HELD		"held"
#define TSMH_NAME_GATE_RELEASED		"released"

/* enum tsmh_gate_reason */
#define TSMH_NAME_GATE_R_NONE		"none"
#define TSMH_NAME_GATE_R_NEW		"new"
#define TSMH_NAME_GATE_R_PRESENT	"present"
#define TSMH_NAME_GATE_R_ADMIN		"admin"
#define TSMH_NAME_GATE_R_ATTESTED	"attested"
#define TSMH_NAME_GATE_R_EXEMPT		"exempt"
#define TSMH_NAME_GATE_R_QUARANTINE	"quarantine"
#define TSMH_NAME_GATE_R_NOT_CMA	"not-cma"
#define TSMH_NAME_GATE_R_BYPASS		"bypass"
#define TSMH_NAME_GATE_R_RESET		"reset"
#define TSMH_NAME_GATE_R_POLICY		"policy"
#define TSMH_NAME_GATE_R_FUNCTION0		"function0"

/* enum tsmh_gate_action */
#define TSMH_NAME_GATE_ACT_UNSPEC	"unspec"
#define TSMH_NAME_GATE_ACT_HOLD		"hold"
#define TSMH_NAME_GATE_ACT_RELEASE	"release"
#define TSMH_NAME_GATE_ACT_QUARANTINE	"quarantine"

/* enum tsmh_reset_kind */
#define TSMH_NAME_RESET_UNKNOWN		"unknown"
#define TSMH_NAME_RESET_FLR		"flr"
#define TSMH_NAME_RESET_BUS		"bus"
#define TSMH_NAME_RESET_RECOVERY	"recovery"

/* enum tsmh_doe_backend */
#define TSMH_NAME_DOE_BACKEND_NONE	"none"
#define TSMH_NAME_DOE_BACKEND_KERNEL	"kernel"
#define TSMH_NAME_DOE_BACKEND_CFG	"cfg"

/* DOE protocols of the PCI-SIG vendor ID (lib/doe.h TSMH_DOE_PROT_*) */
#define TSMH_DOE_PCISIG_PROT_NR		(TSMH_DOE_PROT_SEC_CMA + 1)
#define TSMH_NAME_DOE_PROT_DISCOVERY	"discovery"
#define TSMH_NAME_DOE_PROT_CMA		"cma"
#define TSMH_NAME_DOE_PROT_SEC_CMA	"sec-cma"

const char *tsmh_gate_state_name(u32 state);
const char *tsmh_gate_reason_name(u32 reason);
const char *tsmh_gate_action_name(u32 action);
const char *tsmh_reset_kind_name(u32 kind);
const char *tsmh_doe_backend_name(u32 backend);
/* "discovery", "cma", "sec-cma"; TSMH_NAME_UNKNOWN for other protocols */
const char *tsmh_doe_prot_name(u16 vid, u8 type);
bool tsmh_doe_prot_known(u16 vid, u8 type);

#endif
