// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aerinj: inject a PCIe AER error through aer_inject's /dev/aer_inject
 * (the kernel's struct aer_error_inj, drivers/pci/pcie/aer_inject.c), as
 * the aer-inject tool does, without its config-file parser.
 *
 * Usage: aerinj DOMAIN:BUS:DEV.FN cor|uncor STATUS
 *   STATUS: the error status bits (e.g. 0x4000: Completion Timeout);
 *   uncorrectable errors are fatal or not by the device's severity register.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the kernel's struct aer_error_inj (write() of exactly this size) */
struct aer_error_inj {
	uint8_t bus;
	uint8_t dev;
	uint8_t fn;
	uint32_t uncor_status;
	uint32_t cor_status;
	uint32_t header_log0;
	uint32_t header_log1;
	uint32_t header_log2;
	uint32_t header_log3;
	uint32_t domain;
};

int main(int argc, char **argv)
{
	struct aer_error_inj e;
	unsigned int dom, bus, dev, fn;
	unsigned long st;
	char *end;
	int fd;

	if (argc != 4 || sscanf(argv[1], "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4 ||
	    (strcmp(argv[2], "cor") && strcmp(argv[2], "uncor"))) {
		fprintf(stderr, "Usage: aerinj DOMAIN:BUS:DEV.FN cor|uncor STATUS\n");
		return 2;
	}
	st = strtoul(argv[3], &end, 0);
	if (*end || !st || st > UINT32_MAX) {
		fprintf(stderr, "aerinj: bad status '%s'\n", argv[3]);
		return 2;
	}
	memset(&e, 0, sizeof(e));
	e.domain = dom;
	e.bus = (uint8_t)bus;
	e.dev = (uint8_t)dev;
	e.fn = (uint8_t)fn;
	if (!strcmp(argv[2], "cor"))
		e.cor_status = (uint32_t)st;
	else
		e.uncor_status = (uint32_t)st;
	fd = open("/dev/aer_inject", O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "aerinj: /dev/aer_inject: %s\n", strerror(errno));
		return 1;
	}
	if (write(fd, &e, sizeof(e)) != (ssize_t)sizeof(e)) {
		fprintf(stderr, "aerinj: inject into %s: %s\n", argv[1], strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("injected %s %#lx into %s\n", argv[2], st, argv[1]);
	return 0;
}
