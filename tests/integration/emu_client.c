// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * emu_client: talks to a device emulator over the DMTF spdm-emu socket
 * protocol (as spdm_requester_emu --trans PCI_DOE would) and checks the
 * answers: TEST hello, DOE discovery, SPDM GET_VERSION, a wrong transport,
 * an oversized frame, SHUTDOWN. Prints PASS/FAIL lines; exit 1 on failure.
 * Usage: emu_client PORT [EXPECTED_VERSIONS]   e.g. emu_client 2323 1.2,1.3
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "doe.h"
#include "emu_sock.h"
#include "spdm.h"

static int failures;
static uint8_t buf[EMU_SOCK_MAX_PAYLOAD];

#define CHECK(cond, ...)                                 \
	do {                                             \
		printf("%s ", (cond) ? "PASS" : "FAIL"); \
		printf(__VA_ARGS__);                     \
		putchar('\n');                           \
		if (!(cond))                             \
			failures++;                      \
	} while (0)

static int doe(int fd, uint8_t type, const uint8_t *pl, uint32_t len, struct emu_frame *f)
{
	uint8_t obj[64] = { 0 };
	uint32_t dw = (len + 3) / 4 + 2;

	tsmh_put_le32(obj, tsmh_doe_hdr0(TSMH_DOE_VID_PCISIG, type));
	tsmh_put_le32(obj + 4, tsmh_doe_hdr1(dw));
	memcpy(obj + 8, pl, len);
	if (emu_sock_send(fd, EMU_SOCK_CMD_NORMAL, EMU_SOCK_TRANS_PCI_DOE, obj, 4 * dw))
		return -EIO;
	return emu_sock_recv(fd, f, buf, sizeof(buf));
}

int main(int argc, char **argv)
{
	const char *want = argc > 2 ? argv[2] : "1.2,1.3";
	struct spdm_ver v[SPDM_MAX_VERSIONS];
	struct emu_frame f;
	char got[64] = "";
	uint8_t idx[4] = { 0 }, code;
	int fd, n, i, ret, prots = 0;
	uint16_t vid;
	uint8_t type;

	if (argc < 2)
		return 2;
	fd = emu_sock_connect("127.0.0.1", (uint16_t)atoi(argv[1]));
	if (fd < 0) {
		printf("FAIL connect: %s\n", strerror(-fd));
		return 1;
	}
	ret = emu_sock_send(fd, EMU_SOCK_CMD_TEST, EMU_SOCK_TRANS_PCI_DOE, "Client Hello!", 14);
	ret = ret ? ret : emu_sock_recv(fd, &f, buf, sizeof(buf));
	CHECK(!ret && f.cmd == EMU_SOCK_CMD_TEST && f.len == 14 &&
		      !memcmp(buf, "Server Hello!", 14),
	      "TEST hello answered");

	do {
		struct tsmh_doe_disc_ent e;

		ret = doe(fd, TSMH_DOE_PROT_DISCOVERY, idx, 4, &f);
		if (ret || f.len != 12 || tsmh_doe_obj_check(buf, f.len, &vid, &type))
			break;
		tsmh_doe_disc_parse(tsmh_get_le32(buf + 8), &e);
		prots |= 1 << e.type;
		idx[0] = e.next;
	} while (idx[0] && prots < 256);
	CHECK(prots == 7, "DOE discovery lists discovery, CMA, secured CMA (mask %#x)", prots);

	ret = doe(fd, TSMH_DOE_PROT_CMA, (const uint8_t *)"\x10\x84\x00\x00", 4, &f);
	n = ret ? -1 : spdm_dec_version(buf + 8, f.len - 8, v, SPDM_MAX_VERSIONS, &code);
	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u.%u", i ? "," : "",
			 v[i].major, v[i].minor);
	CHECK(n > 0 && !strcmp(got, want), "GET_VERSION over the socket: %s (want %s)", got, want);

	ret = emu_sock_send(fd, EMU_SOCK_CMD_NORMAL, EMU_SOCK_TRANS_MCTP, "\x05\x10\x84\x00\x00",
			    5);
	ret = ret ? ret : emu_sock_recv(fd, &f, buf, sizeof(buf));
	CHECK(!ret && f.cmd == EMU_SOCK_CMD_UNKNOWN, "MCTP transport refused with UNKNOWN");

	ret = emu_sock_send(fd, EMU_SOCK_CMD_SHUTDOWN, EMU_SOCK_TRANS_PCI_DOE, NULL, 0);
	ret = ret ? ret : emu_sock_recv(fd, &f, buf, sizeof(buf));
	CHECK(!ret && f.cmd == EMU_SOCK_CMD_SHUTDOWN, "SHUTDOWN acknowledged");
	ret = emu_sock_recv(fd, &f, buf, sizeof(buf));
	CHECK(ret == -ECONNRESET, "connection closed after SHUTDOWN");
	close(fd);

	/* a peer announcing a frame larger than anything legal is cut off */
	fd = emu_sock_connect("127.0.0.1", (uint16_t)atoi(argv[1]));
	if (fd >= 0) {
		uint32_t h[3] = { htonl(EMU_SOCK_CMD_NORMAL), htonl(EMU_SOCK_TRANS_PCI_DOE),
				  htonl(0x7fffffff) };

		ret = (int)write(fd, h, sizeof(h));
		ret = emu_sock_recv(fd, &f, buf, sizeof(buf));
		CHECK(ret == -ECONNRESET, "oversized frame: connection dropped (%d)", ret);
		close(fd);
	}
	/* and the emulator still serves the next client */
	fd = emu_sock_connect("127.0.0.1", (uint16_t)atoi(argv[1]));
	ret = fd < 0 ? fd : doe(fd, TSMH_DOE_PROT_CMA, (const uint8_t *)"\x10\x84\x00\x00", 4, &f);
	CHECK(!ret && f.cmd == EMU_SOCK_CMD_NORMAL, "emulator still serving after a bad client");
	if (fd >= 0)
		close(fd);
	return failures ? 1 : 0;
}
