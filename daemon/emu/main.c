// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmh-emu: device emulator main loop.
 *
 * Process model: one thread, one poll() loop over the sim character device
 * (sim.c), the listening socket and its clients. SIGINT/SIGTERM end the
 * loop cleanly. main() sequences the phases: options (opts.c), identity,
 * transports, the serve loop, teardown.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include "certgen.h"
#include "emu_main.h"
#include "emu_sock.h"

#define MAX_CLIENTS 8

struct server {
	struct emu_opts opt;
	struct emu_sim sim;
	int lfd; /* -1: no socket */
	int clients[MAX_CLIENTS];
	struct emu_conn client_conn[MAX_CLIENTS]; /* SPDM state per socket client */
	uint8_t *rxbuf, *txbuf;
	struct emu_identity identity, other; /* other: the unknown-root fault */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One frame from a socket client; returns 0 to keep it, <0 to close. */
static int handle_client(struct server *sv, int fd, struct emu_conn *conn)
{
	struct emu_frame f;
	long n;
	int ret;

	ret = emu_sock_recv(fd, &f, sv->rxbuf, EMU_RECSZ);
	if (ret)
		return ret;
	switch (f.cmd) {
	case EMU_SOCK_CMD_TEST:
		return emu_sock_send(fd, EMU_SOCK_CMD_TEST, f.transport, "Server Hello!", 14);
	case EMU_SOCK_CMD_SHUTDOWN:
	case EMU_SOCK_CMD_CONTINUE:
		/*
		 * The end of this client's session: answered with the same
		 * command, then the connection is closed (and its SPDM state
		 * dropped). spdm_responder_emu stops serving after SHUTDOWN;
		 * tsmh-emu goes on serving later clients after either, as
		 * the integration tests and make bench run many tsmctl
		 * against one emulator (tsmh-emu(8)).
		 */
		emu_logv(&sv->opt, "socket client ended its session (%s)\n",
			 f.cmd == EMU_SOCK_CMD_SHUTDOWN ? "SHUTDOWN" : "CONTINUE");
		emu_sock_send(fd, f.cmd, f.transport, NULL, 0);
		return -ESHUTDOWN;
	case EMU_SOCK_CMD_NORMAL:
		if (f.transport != EMU_SOCK_TRANS_PCI_DOE) {
			fprintf(stderr,
				"tsmh-emu: socket client uses transport %u, only PCI_DOE (2) is served\n",
				f.transport);
			return emu_sock_send(fd, EMU_SOCK_CMD_UNKNOWN, f.transport, NULL, 0);
		}
		n = emu_respond(emu_cfg_for(&sv->opt, 0), conn, sv->rxbuf, f.len, sv->txbuf,
				TSMH_SIM_OBJ_MAX);
		emu_logv(&sv->opt, "socket client: request %u bytes -> %ld\n", f.len, n);
		if (n == 0)
			return 0; /* silent */
		/* a mailbox Error has no socket encoding: an empty response */
		return emu_sock_send(fd, EMU_SOCK_CMD_NORMAL, f.transport, sv->txbuf,
				     n < 0 ? 0 : (uint32_t)n);
	default: return emu_sock_send(fd, EMU_SOCK_CMD_UNKNOWN, f.transport, NULL, 0);
	}
}

/*
 * The device's certificate chain: made fresh with OpenSSL at every start.
 * With the unknown-root fault the exported root belongs to another chain.
 */
static int setup_identity(struct server *sv)
{
	static const char cma[] = "Vendor=1b36:Device=1e10:CC=120000:REV=01:SSVID=1b36:SSID=1e10";
	struct emu_opts *o = &sv->opt;
	const struct emu_identity *exported = &sv->identity;

	if (o->no_certs)
		return 0;
	if (emu_identity_make(&sv->identity, o->asym, o->slots, cma,
			      !!(o->cfg.faults & EMU_FAULT_BAD_SAN))) {
		fprintf(stderr, "tsmh-emu: cannot create the device certificate chain (OpenSSL)\n");
		return -1;
	}
	if (o->cfg.faults & EMU_FAULT_UNKNOWN_ROOT) {
		if (emu_identity_make(&sv->other, SPDM_ASYM_ECDSA_P384, 1, cma, 0))
			return -1;
		exported = &sv->other;
	}
	if (o->export_root && emu_identity_export_root(exported, o->export_root)) {
		fprintf(stderr, "tsmh-emu: cannot write %s: %s\n", o->export_root, strerror(errno));
		return -1;
	}
	emu_cfg_use_chains(&o->cfg, (const struct emu_chain(*)[EMU_MAX_SLOTS])sv->identity.chain,
			   sv->identity.asym, (uint8_t)((1u << o->slots) - 1));
	return 0;
}

/* --listen: the socket, and the port it got when 0 was asked for. */
static int setup_listen(struct server *sv)
{
	struct emu_opts *o = &sv->opt;

	sv->lfd = emu_sock_listen(o->listen_addr, (uint16_t)o->listen_port);
	if (sv->lfd < 0) {
		fprintf(stderr, "tsmh-emu: cannot listen on %s:%d: %s\n", o->listen_addr,
			o->listen_port, strerror(-sv->lfd));
		return -1;
	}
	if (o->listen_port == 0) {
		struct sockaddr_in sin;
		socklen_t sl = sizeof(sin);

		if (getsockname(sv->lfd, (struct sockaddr *)&sin, &sl) == 0 &&
		    sin.sin_family == AF_INET)
			o->listen_port = ntohs(sin.sin_port);
	}
	fprintf(stderr, "tsmh-emu: serving spdm-emu socket protocol on %s:%d\n", o->listen_addr,
		o->listen_port);
	return 0;
}

/* /dev/tsmh_sim and/or the socket, then the ready file. */
static int setup_transports(struct server *sv)
{
	if (sv->opt.sim_path && emu_sim_open(&sv->sim))
		return -1;
	if (sv->opt.listen_port >= 0 && setup_listen(sv))
		return -1;
	if (sv->opt.ready_file) {
		int fd = open(sv->opt.ready_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static void accept_client(struct server *sv)
{
	int cfd = accept4(sv->lfd, NULL, NULL, SOCK_CLOEXEC), k;

	for (k = 0; cfd >= 0 && k < MAX_CLIENTS; k++)
		if (sv->clients[k] < 0) {
			emu_conn_reset(&sv->client_conn[k], 0);
			sv->clients[k] = cfd;
			cfd = -1;
		}
	if (cfd >= 0) {
		fprintf(stderr, "tsmh-emu: too many socket clients\n");
		close(cfd);
	}
}

static void serve_client(struct server *sv, int fd)
{
	for (int k = 0; k < MAX_CLIENTS; k++) {
		if (sv->clients[k] != fd)
			continue;
		if (handle_client(sv, sv->clients[k], &sv->client_conn[k])) {
			close(sv->clients[k]);
			sv->clients[k] = -1;
		}
	}
}

/* The descriptors to wait on: the sim channel, the listener, the clients. */
static int poll_set(const struct server *sv, struct pollfd *pfd)
{
	int i, n = 0;

	if (sv->sim.fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = sv->sim.fd, .events = POLLIN };
	if (sv->lfd >= 0)
		pfd[n++] = (struct pollfd){ .fd = sv->lfd, .events = POLLIN };
	for (i = 0; i < MAX_CLIENTS; i++)
		if (sv->clients[i] >= 0)
			pfd[n++] = (struct pollfd){ .fd = sv->clients[i], .events = POLLIN };
	return n;
}

/*
 * Until a signal or a broken sim channel: 0, or 1 on an error. SIGINT and
 * SIGTERM are blocked outside ppoll(), which unblocks them (@waitmask)
 * only while it waits: a signal landing between the check of "stop" and
 * the wait would otherwise leave a plain poll() with no timeout asleep for
 * good (seen as a VM test whose stop_emu hung).
 */
static int serve(struct server *sv, const sigset_t *waitmask)
{
	struct pollfd pfd[2 + MAX_CLIENTS];
	struct timespec ts, *tsp;
	int i, n, timeout, ret = 0;

	while (!stop) {
		timeout = emu_sim_deliver_due(&sv->sim);
		n = poll_set(sv, pfd);
		tsp = NULL;
		if (timeout >= 0) {
			ts.tv_sec = timeout / 1000;
			ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
			tsp = &ts;
		}
		if (ppoll(pfd, (nfds_t)n, tsp, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			perror("tsmh-emu: poll");
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (pfd[i].fd == sv->sim.fd) {
				int r = emu_sim_handle(&sv->sim);

				if (r) {
					fprintf(stderr, "tsmh-emu: sim channel: %s\n",
						strerror(-r));
					stop = 1;
					ret = 1;
				}
			} else if (pfd[i].fd == sv->lfd) {
				accept_client(sv);
			} else {
				serve_client(sv, pfd[i].fd);
			}
		}
	}
	return ret;
}

static void teardown(struct server *sv)
{
	int i;

	emu_sim_close(&sv->sim);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (sv->clients[i] >= 0)
			close(sv->clients[i]);
	if (sv->lfd >= 0)
		close(sv->lfd);
	free(sv->rxbuf);
	free(sv->txbuf);
	for (i = 0; i < MAX_CLIENTS; i++)
		emu_conn_free(&sv->client_conn[i]);
	emu_identity_free(&sv->identity);
	emu_identity_free(&sv->other);
}

int main(int argc, char **argv)
{
	static struct server sv = { .lfd = -1, .sim.fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, waitmask;
	int i, ret;

	ret = emu_opts_parse(argc, argv, &sv.opt);
	if (ret >= 0)
		return ret;
	sv.rxbuf = malloc(EMU_RECSZ);
	sv.txbuf = malloc(EMU_RECSZ);
	if (!sv.rxbuf || !sv.txbuf)
		return 1;
	sv.sim.opt = &sv.opt;
	sv.sim.rxbuf = sv.rxbuf;
	sv.sim.txbuf = sv.txbuf;
	for (i = 0; i < MAX_CLIENTS; i++)
		sv.clients[i] = -1;
	/* blocked but while serve() waits (a signal before then ends it at once) */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (setup_identity(&sv) || setup_transports(&sv))
		return 1;
	ret = serve(&sv, &waitmask);
	teardown(&sv);
	return ret;
}
