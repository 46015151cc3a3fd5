/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The sim's BARs as tests/vm/lib.sh sim_tdi_layout prints them (docs/design.md
 * "Sim BARs"): function 0 of a three-function card (the DSM), function 1, and a
 * VF. Shared by the emulator's and the layout mapper's unit tests.
 */
#ifndef TSMH_TESTS_SIM_BARSPEC_H
#define TSMH_TESTS_SIM_BARSPEC_H

#define DSM_SPEC                                                            \
	"bar0=0x900000000:0x1000000:64:pref,bar2=0x40180000:0x10000:32:np," \
	"bar4=0x40000000:0x100000:64:np,msix=4:0x0:32:4:0x10000"
#define FN1_SPEC                                                        \
	"bar0=0x40240000:0x40000:32:pref,bar1=0x40284000:0x4000:32:np," \
	"bar2=0x900200000:0x200000:64:pref,msix=1:0x0:8:1:0x2000"
#define VF_SPEC \
	"bar0=0x900400000:0x100000:64:pref,bar2=0x40290000:0x4000:32:np,msix=2:0x0:4:2:0x2000"

#endif
