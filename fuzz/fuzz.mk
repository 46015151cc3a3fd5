# libFuzzer harnesses (clang). Corpora live in fuzz/corpus/<name>/ and are
# kept in the tree; new finds are written back there by "make fuzz".
#   make -f fuzz/fuzz.mk            build
#   fuzz/run.sh SECONDS             run each harness for SECONDS
# Each harness fuzz/fuzz_NAME.c links the layers' archives (layers.mk),
# built here with the fuzzing instrumentation in $(O).
B := build/fuzz
O := $(B)/obj
CC := clang
PKG_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 libcjson)
CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE $(PKG_CFLAGS) -Wall -Wextra -Werror

.DEFAULT_GOAL := all
include layers.mk

FUZZ := $(patsubst fuzz/%.c,$(B)/%,$(wildcard fuzz/fuzz_*.c))

all: $(FUZZ)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LAYER_INC) -MMD -MP -c -o $@ $<

$(FUZZ): $(B)/%: $(O)/fuzz/%.o $(STACK)
	$(CC) $(CFLAGS) -o $@ $< $(STACK) $(LAYER_LIBS)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
.PHONY: all
