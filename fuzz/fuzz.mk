# libFuzzer harnesses (clang). Corpora live in fuzz/corpus/<name>/ and are
# kept in the tree; new finds are written back there by "make fuzz".
#   make -f fuzz/fuzz.mk            build
#   fuzz/run.sh SECONDS             run each harness for SECONDS
B := build/fuzz
CC := clang
PKG_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 libcjson)
PKG_LIBS := $(shell pkg-config --libs libnl-genl-3.0)
CJSON_LIBS := $(shell pkg-config --libs libcjson)
SPDM := daemon/spdm/version.c daemon/spdm/vca.c daemon/spdm/cert.c daemon/spdm/why.c \
	daemon/spdm/names.c daemon/spdm/auth.c daemon/spdm/session_msg.c
SECURE := daemon/spdm/secured.c daemon/verify/keysched.c
POLICY := daemon/policy/jutil.c daemon/policy/meas.c daemon/policy/policy.c \
	daemon/policy/allowlist.c daemon/policy/allowlist_parse.c \
	daemon/policy/allowlist_sets.c daemon/policy/allowlist_format.c daemon/policy/allowlist_file.c \
	daemon/policy/allowlist_edit.c daemon/policy/verdict.c daemon/policy/generate.c \
	daemon/common/hex.c daemon/common/fileio.c
CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -Iinclude/uapi -Ilib -Idaemon/common -Idaemon/spdm -Idaemon/emu -Idaemon/verify -Idaemon/policy \
	$(PKG_CFLAGS) -Wall -Wextra -Werror

all: $(B)/fuzz_pcicap $(B)/fuzz_doe_req $(B)/fuzz_emu $(B)/fuzz_devinfo $(B)/fuzz_spdm \
	$(B)/fuzz_chain $(B)/fuzz_session $(B)/fuzz_evidence $(B)/fuzz_policy $(B)/fuzz_allowlist \
	$(B)/fuzz_event

$(B)/fuzz_pcicap: fuzz/fuzz_pcicap.c lib/pcicap.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^
$(B)/fuzz_doe_req: fuzz/fuzz_doe_req.c lib/doe_req.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^
$(B)/fuzz_emu: fuzz/fuzz_emu.c daemon/emu/responder.c daemon/emu/spdm_resp.c \
		daemon/emu/session_resp.c daemon/emu/certgen.c daemon/verify/sig.c $(SECURE) $(SPDM)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ -lcrypto
$(B)/fuzz_spdm: fuzz/fuzz_spdm.c $(SPDM) daemon/spdm/requester.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^
$(B)/fuzz_chain: fuzz/fuzz_chain.c daemon/emu/certgen.c daemon/verify/chain.c daemon/verify/sig.c \
		$(SPDM) daemon/spdm/requester.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ -lcrypto
$(B)/fuzz_devinfo: fuzz/fuzz_devinfo.c daemon/common/devinfo.c daemon/common/nl_policy.c lib/names.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/fuzz_event: fuzz/fuzz_event.c daemon/common/event.c daemon/common/devinfo.c \
		daemon/common/nl_policy.c lib/names.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/fuzz_session: fuzz/fuzz_session.c $(SPDM) $(SECURE) daemon/verify/sig.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ -lcrypto
$(B)/fuzz_evidence: fuzz/fuzz_evidence.c daemon/common/evidence.c daemon/common/nl.c daemon/common/nl_policy.c lib/ev_rules.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/fuzz_policy: fuzz/fuzz_policy.c $(POLICY)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ $(CJSON_LIBS) -lcrypto
$(B)/fuzz_allowlist: fuzz/fuzz_allowlist.c $(POLICY)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ $(CJSON_LIBS) -lcrypto
.PHONY: all
