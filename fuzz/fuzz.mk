# libFuzzer harnesses (clang). Corpora live in fuzz/corpus/<name>/ and are
# kept in the tree; new finds are written back there by "make fuzz".
#   make -f fuzz/fuzz.mk            build
#   fuzz/run.sh SECONDS             run each harness for SECONDS
B := build/fuzz
CC := clang
PKG_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0)
PKG_LIBS := $(shell pkg-config --libs libnl-genl-3.0)
CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -Iinclude/uapi -Ilib -Idaemon/common -Idaemon/spdm -Idaemon/emu -Idaemon/verify \
	$(PKG_CFLAGS) -Wall -Wextra -Werror

all: $(B)/fuzz_pcicap $(B)/fuzz_doe_req $(B)/fuzz_emu $(B)/fuzz_devinfo $(B)/fuzz_spdm \
	$(B)/fuzz_chain $(B)/fuzz_evidence

$(B)/fuzz_pcicap: fuzz/fuzz_pcicap.c lib/pcicap.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^
$(B)/fuzz_doe_req: fuzz/fuzz_doe_req.c lib/doe_req.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^
$(B)/fuzz_emu: fuzz/fuzz_emu.c daemon/emu/responder.c daemon/emu/spdm_resp.c daemon/spdm/version.c \
		daemon/spdm/vca.c daemon/spdm/cert.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^
$(B)/fuzz_spdm: fuzz/fuzz_spdm.c daemon/spdm/version.c daemon/spdm/vca.c daemon/spdm/cert.c \
		daemon/spdm/requester.c daemon/spdm/why.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^
$(B)/fuzz_chain: fuzz/fuzz_chain.c daemon/emu/certgen.c daemon/verify/chain.c daemon/spdm/cert.c \
		daemon/spdm/version.c daemon/spdm/vca.c daemon/spdm/requester.c daemon/spdm/why.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ -lcrypto
$(B)/fuzz_devinfo: fuzz/fuzz_devinfo.c daemon/common/devinfo.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/fuzz_evidence: fuzz/fuzz_evidence.c daemon/common/evidence.c daemon/common/nl.c lib/ev_rules.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)
.PHONY: all
