// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer: tsmh-emu's own loop (daemon/emu/main.c serve(), its socket
 * clients' frame assembly and dispatch, and sim.c's device channel with
 * its held-response queue), not only the responder behind it: whatever
 * the kernel sim sends on /dev/tsmh_sim and whatever two spdm-emu socket
 * clients send, at once, through socketpairs. main.c, sim.c and opts.c
 * are compiled into this harness (main renamed) so their static
 * functions run exactly as in the program.
 *
 * Input: a configuration byte (bits 0-2: a fault, 3-4: --delay-ms 0/0/1/4,
 * 5: --fault-slot 1, 6-7: --plug all/none/"0,1"/"5"), then chunks, each a
 * target byte (mod 3: 0 one sim record as the kernel writes it, 1 and 2
 * bytes of client A's and B's streams), a 16-bit little-endian length and
 * the bytes. Everything is written first, then each writer closes; the
 * loop runs until the sim channel ends.
 *
 * Invariants: the loop ends (no hang: libFuzzer's -timeout) and does not
 * crash; what it sends a client is whole spdm-emu frames of a known
 * command echoing the transport, then an orderly close; what it sends
 * the kernel is whole records of a kind the ABI knows.
 */
#define main tsmh_emu_main
#include "main.c" /* daemon/emu/, on the include path */
#undef main
#include "opts.c"
#include "sim.c"

#include <arpa/inet.h>
#include <pthread.h>

static struct server sv = { .lfd = -1, .sim.fd = -1 };
static struct emu_opts base;
static sigset_t waitmask;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *args[] = { "tsmh-emu", "--sim=/dev/null", "--slots=2", NULL };

	(void)argc;
	(void)argv;
	optind = 1;
	if (emu_opts_parse(3, args, &sv.opt) >= 0)
		abort();
	if (server_alloc(&sv))
		abort();
	if (setup_identity(&sv))
		abort();
	base = sv.opt;
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_SETMASK, NULL, &waitmask);
	/* the emulator's messages (fd 2 stays for the sanitizers and libFuzzer) */
	if (!getenv("TSMH_FUZZ_DEBUG"))
		stderr = fopen("/dev/null", "w");
	return 0;
}

/* A client's side: every frame the emulator sends, checked, until it closes. */
static void *read_client(void *arg)
{
	int fd = (int)(intptr_t)arg, ret;
	struct emu_frame f;
	static __thread uint8_t buf[EMU_SOCK_MAX_PAYLOAD];

	for (;;) {
		ret = emu_sock_recv(fd, &f, buf, sizeof(buf));
		if (ret == -ECONNRESET)
			return NULL; /* closed between frames */
		if (ret)
			__builtin_trap(); /* a cut or oversized frame */
		if (f.cmd != EMU_SOCK_CMD_TEST && f.cmd != EMU_SOCK_CMD_NORMAL &&
		    f.cmd != EMU_SOCK_CMD_UNKNOWN && f.cmd != EMU_SOCK_CMD_SHUTDOWN &&
		    f.cmd != EMU_SOCK_CMD_CONTINUE)
			__builtin_trap();
	}
}

/* The kernel's side: whole records of the kinds tsmh_sim understands. */
static void *read_sim(void *arg)
{
	int fd = (int)(intptr_t)arg;
	static __thread uint8_t buf[EMU_RECSZ + 16];
	struct tsmh_sim_msg m;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		memcpy(&m, buf, sizeof(m));
		if ((size_t)n < sizeof(m) || (size_t)n != sizeof(m) + m.len ||
		    m.len > TSMH_SIM_OBJ_MAX)
			__builtin_trap();
		if (m.kind != TSMH_SIM_MSG_RESPONSE && m.kind != TSMH_SIM_MSG_ERROR &&
		    m.kind != TSMH_SIM_MSG_PLUG && m.kind != TSMH_SIM_MSG_UNPLUG)
			__builtin_trap();
	}
	return NULL;
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			abort();
		p += w;
		n -= (size_t)w;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int faults[] = { 0,
					       EMU_FAULT_DOE_ERROR,
					       EMU_FAULT_BAD_LENGTH | EMU_FAULT_WRONG_PROT,
					       EMU_FAULT_UNPLUG,
					       EMU_FAULT_NOT_READY | EMU_FAULT_BUSY,
					       EMU_FAULT_NO_CMA,
					       EMU_FAULT_SILENT,
					       EMU_FAULT_TRUNCATED | EMU_FAULT_WRONG_SIG };
	static const unsigned int delays[] = { 0, 0, 1, 4 };
	static const char *const plugs[] = { "all", "none", "0,1", "5" };
	static uint8_t stream[2][48 * 1024];
	size_t slen[2] = { 0, 0 };
	int sim[2], cl[2][2], i, nrec = 0;
	pthread_t th[3];
	uint8_t cfg;

	if (size < 1 || size > 48 * 1024)
		return 0;
	cfg = data[0];
	sv.opt = base;
	sv.opt.cfg.faults = faults[cfg & 7];
	sv.opt.delay_ms = delays[(cfg >> 3) & 3];
	sv.opt.fault_slot = cfg & 0x20 ? 1 : -1;
	sv.opt.plug = plugs[cfg >> 6];
	data++;
	size--;

	/* the sim character device hands out one record per read: a SEQPACKET pair */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sim))
		abort();
	fcntl(sim[0], F_SETFL, O_NONBLOCK);
	sv.sim.fd = sim[0];
	for (i = 0; i < 2; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cl[i]))
			abort();
		fcntl(cl[i][0], F_SETFL, O_NONBLOCK); /* as accept4(SOCK_NONBLOCK) gives it */
		emu_conn_reset(&sv.cl[i].conn, 0);
		sv.cl[i].rx = (struct emu_sock_rx){ 0 };
		sv.cl[i].since_ms = 0;
		sv.cl[i].fd = cl[i][0];
	}
	/*
	 * written before the loop starts, so all of it is there at once: a
	 * client's stream in one write, at most 64 sim records (each its own
	 * buffer in the socket: more could fill it)
	 */
	while (size >= 3) {
		uint8_t to = data[0] % 3;
		size_t n = (size_t)data[1] | (size_t)data[2] << 8;

		if (n > size - 3)
			n = size - 3;
		if (to == 0) {
			if (nrec++ < 64 && write(sim[1], data + 3, n) < 0)
				abort();
		} else {
			memcpy(stream[to - 1] + slen[to - 1], data + 3, n);
			slen[to - 1] += n;
		}
		data += 3 + n;
		size -= 3 + n;
	}
	write_all(cl[0][1], stream[0], slen[0]);
	write_all(cl[1][1], stream[1], slen[1]);
	shutdown(sim[1], SHUT_WR);
	shutdown(cl[0][1], SHUT_WR);
	shutdown(cl[1][1], SHUT_WR);
	pthread_create(&th[0], NULL, read_sim, (void *)(intptr_t)sim[1]);
	pthread_create(&th[1], NULL, read_client, (void *)(intptr_t)cl[0][1]);
	pthread_create(&th[2], NULL, read_client, (void *)(intptr_t)cl[1][1]);

	stop = 0;
	serve(&sv, &waitmask);

	for (i = 0; i < MAX_CLIENTS; i++)
		if (sv.cl[i].fd >= 0)
			drop_client(&sv.cl[i]);
	emu_sim_close(&sv.sim);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	close(sim[1]);
	close(cl[0][1]);
	close(cl[1][1]);
	return 0;
}
