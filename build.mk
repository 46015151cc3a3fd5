# Userspace build, one variant per output directory. Driven by the
# top-level Makefile:  make -f build.mk B=build/rel  |  B=build/san SAN=1
VERSION ?= 0.1.0
B ?= build/rel
CC ?= gcc
PKGS := libnl-genl-3.0 libcjson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))

CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-D_GNU_SOURCE -DTSMH_VERSION=\"$(VERSION)\" \
	$(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS :=
ifeq ($(SAN),1)
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

# the layers, their archives and include paths (layers.mk)
O := $(B)
.DEFAULT_GOAL := all
include layers.mk

PROGS := $(B)/tsmctl $(B)/tsmh-emu $(B)/tsmd
UNIT := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/test_*.c))
# fixtures shared by the unit tests (tests/unit/*.c that are not a test)
UNIT_FIX := $(call obj,$(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c)))
INTEG := $(patsubst %.c,$(B)/%,$(wildcard tests/integration/*.c))
VMTOOLS := $(patsubst %.c,$(B)/%,$(wildcard tests/vm/*.c))

all: $(PROGS) $(UNIT) $(INTEG) $(VMTOOLS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LAYER_INC) -MMD -MP -c -o $@ $<

# a program: the objects of its folder (the emulator: those not in
# libtsmh-emu.a), then the archives top layer first
OBJS_tsmctl := $(call obj,$(wildcard daemon/tsmctl/*.c))
OBJS_tsmd := $(call obj,$(wildcard daemon/tsmd/*.c))
OBJS_tsmh-emu := $(call obj,$(EMU_MAIN))
STACK_tsmctl := $(LAYER_STACK)
STACK_tsmd := $(LAYER_STACK)
STACK_tsmh-emu := $(STACK)
LINK = $(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LAYER_LIBS)

.SECONDEXPANSION:
$(PROGS): $(B)/%: $$(OBJS_$$*) $$(STACK_$$*)
	$(LINK)
$(UNIT): $(B)/%: $(B)/%.o $(UNIT_FIX) $(STACK)
	$(LINK) -lcmocka
$(INTEG) $(VMTOOLS): $(B)/%: $(B)/%.o $(STACK)
	$(LINK)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
.PHONY: all
