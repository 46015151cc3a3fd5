# Userspace build, one variant per output directory. Driven by the
# top-level Makefile:  make -f build.mk B=build/rel  |  B=build/san SAN=1
VERSION ?= 0.1.0
B ?= build/rel
CC ?= gcc
PKGS := libnl-genl-3.0 libcjson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))

CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-D_GNU_SOURCE -DTSMH_VERSION=\"$(VERSION)\" \
	-Iinclude/uapi -Ilib -Idaemon/common -Idaemon/spdm -Idaemon/transport -Idaemon/emu \
	-Idaemon/verify -Idaemon/policy -Idaemon/tsmd \
	$(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS :=
ifeq ($(SAN),1)
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

LIB := lib/pcicap.c lib/doe_req.c lib/doe_mbox.c lib/ev_rules.c lib/names.c
COMMON := daemon/common/hex.c daemon/common/nl.c daemon/common/nl_policy.c daemon/common/devinfo.c \
	daemon/common/event.c daemon/common/evidence.c daemon/common/fileio.c
SPDM := daemon/spdm/version.c daemon/spdm/vca.c daemon/spdm/cert.c daemon/spdm/why.c daemon/spdm/names.c daemon/spdm/auth.c daemon/spdm/session_msg.c
TRANSPORT := daemon/transport/emu_sock.c
TSMCTL := $(wildcard daemon/tsmctl/*.c)
EMU := $(wildcard daemon/emu/*.c)
# sessions: DSP0277 framing and the OpenSSL key schedule (need -lcrypto)
SECURE := daemon/spdm/secured.c daemon/verify/keysched.c
# tsmd's policy logic: policy file, allow-list, verdict (needs libcjson, -lcrypto)
POLICY := daemon/policy/jutil.c daemon/policy/meas.c daemon/policy/policy.c \
	daemon/policy/allowlist.c daemon/policy/allowlist_parse.c \
	daemon/policy/allowlist_sets.c daemon/policy/allowlist_format.c daemon/policy/allowlist_file.c \
	daemon/policy/allowlist_edit.c daemon/policy/verdict.c daemon/policy/generate.c \
	daemon/common/hex.c daemon/common/fileio.c

obj = $(patsubst %.c,$(B)/%.o,$(1))

TSMD := $(wildcard daemon/tsmd/*.c)
PROGS := $(B)/tsmctl $(B)/tsmh-emu $(B)/tsmd
UNIT := $(B)/tests/unit/test_pcicap $(B)/tests/unit/test_doe \
	$(B)/tests/unit/test_devinfo $(B)/tests/unit/test_spdm $(B)/tests/unit/test_emu \
	$(B)/tests/unit/test_requester $(B)/tests/unit/test_cert $(B)/tests/unit/test_verify \
	$(B)/tests/unit/test_auth $(B)/tests/unit/test_attest $(B)/tests/unit/test_keysched \
	$(B)/tests/unit/test_secured $(B)/tests/unit/test_session \
	$(B)/tests/unit/test_evidence \
	$(B)/tests/unit/test_policy $(B)/tests/unit/test_allowlist $(B)/tests/unit/test_verdict \
	$(B)/tests/unit/test_summary $(B)/tests/unit/test_names $(B)/tests/unit/test_event
INTEG := $(B)/tests/integration/emu_client
VMTOOLS := $(B)/tests/vm/nlprobe $(B)/tests/vm/evput $(B)/tests/vm/aerinj $(B)/tests/vm/capexec

all: $(PROGS) $(UNIT) $(INTEG) $(VMTOOLS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# the attestation core tsmctl and tsmd share (through the kernel's DOE proxy)
ATTEST := $(COMMON) $(SPDM) daemon/spdm/requester.c $(TRANSPORT) daemon/transport/doe_proxy.c \
	daemon/verify/chain.c daemon/verify/sig.c daemon/verify/attest.c \
	daemon/verify/attest_store.c $(LIB)

$(B)/tsmctl: $(call obj,$(TSMCTL) daemon/tsmd/summary.c $(ATTEST) daemon/verify/secsession.c $(SECURE) $(POLICY))
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcrypto -lsystemd

$(B)/tsmd: $(call obj,$(TSMD) $(ATTEST) $(POLICY))
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcrypto $(shell pkg-config --libs libsystemd libudev)

$(B)/tsmh-emu: $(call obj,$(EMU) $(SPDM) $(TRANSPORT) $(LIB) daemon/verify/sig.c $(SECURE))
	$(CC) $(LDFLAGS) -o $@ $^ -lcrypto

# the emulator minus its main loop, for in-process tests (needs -lcrypto)
EMU_LIB := $(filter-out $(addprefix $(B)/daemon/emu/,main.o opts.o sim.o),$(call obj,$(EMU) daemon/verify/sig.c $(SECURE)))

$(B)/tests/unit/test_names: $(call obj,tests/unit/test_names.c lib/names.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka
$(B)/tests/unit/test_pcicap: $(call obj,tests/unit/test_pcicap.c lib/pcicap.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka
$(B)/tests/unit/test_doe: $(call obj,tests/unit/test_doe.c lib/doe_req.c lib/doe_mbox.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka
$(B)/tests/unit/test_event: $(call obj,tests/unit/test_event.c daemon/common/event.c daemon/common/devinfo.c daemon/common/nl_policy.c lib/names.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(PKG_LIBS)
$(B)/tests/unit/test_devinfo: $(call obj,tests/unit/test_devinfo.c daemon/common/devinfo.c daemon/common/nl_policy.c lib/names.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(PKG_LIBS)
$(B)/tests/unit/test_spdm: $(call obj,tests/unit/test_spdm.c $(SPDM) daemon/common/hex.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka
$(B)/tests/unit/test_emu: $(call obj,tests/unit/test_emu.c $(SPDM) $(LIB)) $(EMU_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lcrypto
$(B)/tests/unit/test_requester: $(call obj,tests/unit/test_requester.c $(SPDM) daemon/spdm/requester.c $(LIB)) $(EMU_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lcrypto
$(B)/tests/unit/test_cert: $(call obj,tests/unit/test_cert.c $(SPDM) daemon/spdm/requester.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka
$(B)/tests/unit/test_verify: $(call obj,tests/unit/test_verify.c daemon/emu/certgen.c daemon/verify/chain.c daemon/verify/sig.c $(SPDM))
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lcrypto
$(B)/tests/unit/test_auth: $(call obj,tests/unit/test_auth.c $(SPDM))
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka
$(B)/tests/unit/test_attest: $(call obj,tests/unit/test_attest.c $(SPDM) daemon/spdm/requester.c daemon/verify/chain.c daemon/verify/attest.c daemon/common/hex.c daemon/common/fileio.c $(LIB)) $(EMU_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lcrypto
$(B)/tests/unit/test_keysched: $(call obj,tests/unit/test_keysched.c $(SPDM) daemon/verify/keysched.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lcrypto
$(B)/tests/unit/test_secured: $(call obj,tests/unit/test_secured.c $(SPDM) $(SECURE))
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lcrypto
$(B)/tests/unit/test_session: $(call obj,tests/unit/test_session.c $(SPDM) daemon/spdm/requester.c daemon/verify/chain.c daemon/verify/attest.c daemon/verify/secsession.c daemon/common/hex.c daemon/common/fileio.c $(LIB)) $(EMU_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lcrypto
$(B)/tests/integration/emu_client: $(call obj,tests/integration/emu_client.c $(TRANSPORT) $(SPDM) $(LIB))
	$(CC) $(LDFLAGS) -o $@ $^
$(B)/tests/vm/nlprobe: $(call obj,tests/vm/nlprobe.c daemon/common/nl.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/tests/vm/evput: $(call obj,tests/vm/evput.c daemon/common/nl.c daemon/common/nl_policy.c daemon/common/evidence.c lib/ev_rules.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/tests/vm/aerinj: $(call obj,tests/vm/aerinj.c)
	$(CC) $(LDFLAGS) -o $@ $^
$(B)/tests/vm/capexec: $(call obj,tests/vm/capexec.c)
	$(CC) $(LDFLAGS) -o $@ $^
$(B)/tests/unit/test_evidence: $(call obj,tests/unit/test_evidence.c daemon/common/evidence.c daemon/common/nl.c daemon/common/nl_policy.c lib/ev_rules.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(PKG_LIBS)
$(B)/tests/unit/test_policy: $(call obj,tests/unit/test_policy.c $(POLICY))
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(PKG_LIBS) -lcrypto
$(B)/tests/unit/test_allowlist: $(call obj,tests/unit/test_allowlist.c $(POLICY))
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(PKG_LIBS) -lcrypto
$(B)/tests/unit/test_summary: $(call obj,tests/unit/test_summary.c daemon/tsmd/summary.c daemon/common/hex.c daemon/verify/sig.c $(SPDM))
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(PKG_LIBS) -lcrypto

$(B)/tests/unit/test_verdict: $(call obj,tests/unit/test_verdict.c $(POLICY))
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(PKG_LIBS) -lcrypto

-include $(shell find $(B) -name '*.d' 2>/dev/null)
.PHONY: all
