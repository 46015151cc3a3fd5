# tsm-host top-level Makefile.
#
#   make            userspace programs (build/rel: tsmctl, tsmh-emu, test tools)
#   make demo       install deps, build the modules with DKMS for Debian 12's
#                   kernel, boot it in QEMU with two emulated TEE-IO endpoints
#                   and show tsmctl listing them (SPDM VERSION via the DOE proxy)
#   make check      the whole suite: unit (ASan/UBSan), integration, lint,
#                   DKMS builds and VM tests on Debian 12 / 13 / sid kernels
#   make check-fast everything but the kernels and VMs
#   make bench      attestation timings: socket and kernel proxy, full and cached;
#                   IDE: ide km beside attest --session (socket), connect,
#                   disconnect, ide refresh through the kernel;
#                   tsmd add->bound and FLR->restored for 1 and 64 devices
#   make fuzz       libFuzzer harnesses, 300 s each (TSMH_FUZZ_SECONDS)
#   make modules    kbuild in-tree against KDIR (default: Debian 12 headers)
#   make dkms-install  copy the module sources to /usr/src/tsm-host-VERSION
#   make install    tsmd, tsmctl, tsmh-emu, man pages, tsmctl's bash completion
#                   under PREFIX (default /usr/local); the unit, udev rules,
#                   bus policy and example /etc/tsmd/tsmd.conf where systemd,
#                   udevd and dbus read them
#   make deb        Debian packages tsm-host and tsm-host-dkms (debian/), built
#                   with dpkg-buildpackage from a copy of the tracked files and
#                   checked with lintian, into build/deb/ (scripts/deb.sh)
#   make nlgen      regenerate the netlink policies (kmod/core/nl_gen.h,
#                   daemon/common/nl_policy.[ch]) from docs/netlink/tsmh.yaml
#   make units      the systemd units for SBINDIR (default PREFIX/sbin) in
#                   UNITS_OUT (default build/units): systemd/*.service.in name
#                   the programs' directory as @SBINDIR@
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UNITS_OUT ?= build/units
DESTDIR ?=
KVER ?= $(shell scripts/kernels.sh version deb12 2>/dev/null || uname -r)
KDIR ?= /lib/modules/$(KVER)/build

all:
	$(MAKE) -f build.mk B=build/rel VERSION=$(VERSION)

san:
	$(MAKE) -f build.mk B=build/san SAN=1 VERSION=$(VERSION)

deps:
	scripts/deps.sh

kernels: deps
	scripts/kernels.sh prepare

check: deps
	tests/run.sh

check-fast: deps
	TSMH_NO_VM=1 tests/run.sh

# longer fuzzing; new corpus entries are kept in fuzz/corpus
fuzz: deps
	fuzz/run.sh $${TSMH_FUZZ_SECONDS:-300} --keep

bench: deps
	$(MAKE) all
	bench/run.sh

demo: deps
	scripts/kernels.sh prepare deb12
	$(MAKE) all
	scripts/dkms-build.sh deb12 build/kmod/deb12
	@mkdir -p build/vm
	scripts/vm/mkinitramfs.sh deb12 build/kmod/deb12 build/rel build/vm/deb12-demo.cpio
	@scripts/vm/run.sh deb12 build/vm/deb12-demo.cpio build/vm/demo demo; rc=$$?; \
	 sed -n 's/^\[demo\] //p' build/vm/demo/deb12.log; exit $$rc

nlgen:
	scripts/nlgen.py

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) TSMH_WERROR=1 modules

modules-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

dkms-install:
	install -d $(DESTDIR)/usr/src/tsm-host-$(VERSION)
	tar -cf - Kbuild dkms.conf kmod lib include | tar -xf - -C $(DESTDIR)/usr/src/tsm-host-$(VERSION)

# always regenerated: SBINDIR may differ from the last run's
units:
	@mkdir -p $(UNITS_OUT)
	@for u in systemd/*.service.in; do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' $$u >$(UNITS_OUT)/$$(basename $$u .in) || exit 1; \
	done

deb: deps
	scripts/deb.sh build/deb

install: all units
	install -D -m 0755 build/rel/tsmctl $(DESTDIR)$(SBINDIR)/tsmctl
	install -D -m 0755 build/rel/tsmh-emu $(DESTDIR)$(SBINDIR)/tsmh-emu
	install -D -m 0755 build/rel/tsmd $(DESTDIR)$(SBINDIR)/tsmd
	install -D -m 0644 udev/60-tsmh.rules $(DESTDIR)/etc/udev/rules.d/60-tsmh.rules
	install -D -m 0644 udev/70-tsmh-gate.rules $(DESTDIR)/etc/udev/rules.d/70-tsmh-gate.rules
	install -D -m 0644 udev/80-tsmd.rules $(DESTDIR)/etc/udev/rules.d/80-tsmd.rules
	install -D -m 0644 $(UNITS_OUT)/tsmd.service $(DESTDIR)/etc/systemd/system/tsmd.service
	install -D -m 0644 dbus/org.tsmhost.tsmd1.conf $(DESTDIR)/usr/share/dbus-1/system.d/org.tsmhost.tsmd1.conf
	install -d -m 0700 $(DESTDIR)/etc/tsmd
	[ -e $(DESTDIR)/etc/tsmd/tsmd.conf ] || install -m 0600 etc/tsmd/tsmd.conf $(DESTDIR)/etc/tsmd/tsmd.conf
	install -D -m 0644 man/tsmd.8 $(DESTDIR)$(PREFIX)/share/man/man8/tsmd.8
	install -D -m 0644 man/tsmd.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/tsmd.conf.5
	install -D -m 0644 man/tsmctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/tsmctl.8
	install -D -m 0644 man/tsmh-emu.8 $(DESTDIR)$(PREFIX)/share/man/man8/tsmh-emu.8
	install -D -m 0644 completion/tsmctl $(DESTDIR)$(PREFIX)/share/bash-completion/completions/tsmctl
	install -D -m 0644 include/uapi/linux/tsmh.h $(DESTDIR)$(PREFIX)/include/linux/tsmh.h
	install -D -m 0644 include/uapi/linux/tsmh_sim.h $(DESTDIR)$(PREFIX)/include/linux/tsmh_sim.h

clean:
	rm -rf build
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1

.PHONY: all san deps kernels check check-fast fuzz bench demo nlgen modules modules-clean dkms-install units deb install clean
