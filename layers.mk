# The userspace layers, included by build.mk and fuzz/fuzz.mk (O: where
# the objects and archives go). docs/design.md "Userspace layers" says what
# each layer is for.
#
# LAYERS is the dependency order, lowest first: a layer may use the layers
# before it and never one after it. Each is one folder (lib/ or daemon/X/)
# and one static archive $(O)/ar/libtsmh-X.a, and its objects are compiled with
# -I for include/uapi, its own folder and the folders of the layers below
# it only, so including a higher layer's header does not compile
# (tests/layers.sh proves it, "build/layers" in tests/run.sh).
#
# Above them all: the emulator library (daemon/emu/ minus its main, option
# parsing and sim-channel loop, used in-process by tests and fuzzers) and
# the three programs tsmd, tsmctl and tsmh-emu, each seeing every layer and
# its own folder but not another program's. Tests and fuzzers see every
# layer and the emulator library.
LAYERS := lib common spdm crypto transport verify policy attest
APPS := emu tsmd tsmctl

ldir = $(if $(filter lib,$(1)),lib,daemon/$(1))
reverse = $(if $(1),$(call reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
obj = $(patsubst %.c,$(O)/%.o,$(1))

# INC_<layer>: include/uapi and the folders of every layer up to <layer>
_inc := -Iinclude/uapi
$(foreach l,$(LAYERS),$(eval _inc += -I$(call ldir,$(l)))$(eval INC_$(l) := $(_inc)))
INC_ALL := $(_inc)
$(foreach a,$(APPS),$(eval INC_$(a) := $(INC_ALL) -I$(call ldir,$(a))))
INC_tests := $(INC_emu)

# which flags an object gets, by the folder of its source
$(foreach l,$(LAYERS) $(APPS),$(eval $(O)/$(call ldir,$(l))/%.o: LAYER_INC := $(INC_$(l))))
$(O)/tests/%.o: LAYER_INC := $(INC_tests)
$(O)/fuzz/%.o: LAYER_INC := $(INC_tests)

# the archives' members: every source of the folder (the emulator's but
# its program's own files)
EMU_MAIN := daemon/emu/main.c daemon/emu/opts.c daemon/emu/sim.c
$(foreach l,$(LAYERS),$(eval SRCS_$(l) := $(wildcard $(call ldir,$(l))/*.c)))
SRCS_emu := $(filter-out $(EMU_MAIN),$(wildcard daemon/emu/*.c))

# what every program, test and fuzzer links: the archives top layer first,
# so that one pass of the static linker resolves each layer's references
# downwards; only the members a program uses are linked, and
# --as-needed keeps the shared libraries no linked member uses off it
# (tsmd and tsmctl: LAYER_STACK, without the emulator library)
LAYER_STACK := $(foreach l,$(call reverse,$(LAYERS)),$(O)/ar/libtsmh-$(l).a)
STACK := $(O)/ar/libtsmh-emu.a $(LAYER_STACK)
LAYER_LIBS := -Wl,--as-needed $(shell pkg-config --libs libnl-genl-3.0 libcjson) -lcrypto \
	$(shell pkg-config --libs libsystemd libudev)

# an archive is rebuilt when one of its objects is
$(foreach l,$(LAYERS) emu,$(eval $(O)/ar/libtsmh-$(l).a: $(call obj,$(SRCS_$(l)))))
# and again when it holds a member whose source left the folder (moved to
# another layer), which would otherwise stay in it
$(foreach l,$(LAYERS) emu,$(if $(filter-out $(notdir $(call obj,$(SRCS_$(l)))),\
	$(shell $(AR) t $(O)/ar/libtsmh-$(l).a 2>/dev/null)),$(eval $(O)/ar/libtsmh-$(l).a: FORCE)))
$(O)/ar/libtsmh-%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)

# for tests/layers.sh: make -f build.mk print-var-LAYERS, print-var-INC_spdm, ...
print-var-%:
	@echo $($*)
FORCE:
.PHONY: FORCE
