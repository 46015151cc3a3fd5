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

#define MAX_CLIENTS 16
/*
 * Socket clients are served side by side: each has its own SPDM state and
 * its own partly received frame, read as it arrives (never waiting for the
 * rest), so one that stalls mid-frame delays nobody else. One that leaves
 * a frame unfinished this long is dropped (its slot freed); an answer it
 * does not read within CLIENT_SEND_MS drops it too (the only wait).
 */
#define CLIENT_STALL_MS 10000
#define CLIENT_SEND_MS	2000

struct client {
	int fd; /* -1: free */
	struct emu_conn conn; /* SPDM state */
	struct emu_sock_rx rx; /* the frame arriving */
	uint8_t *buf; /* its payload, EMU_RECSZ */
	uint64_t since_ms; /* when its unfinished frame began */
};

struct server {
	struct emu_opts opt;
	struct emu_sim sim;
	int lfd; /* -1: no socket */
	struct client cl[MAX_CLIENTS];
	uint8_t *rxbuf, *txbuf;
	struct emu_identity identity, other; /* other: the unknown-root fault */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int reply(int fd, uint32_t cmd, uint32_t transport, const void *p, uint32_t len)
{
	return emu_sock_send_by(fd, cmd, transport, p, len, emu_sock_deadline(CLIENT_SEND_MS));
}

/* One whole frame @f (payload in @buf) from a socket client: 0 to keep it, <0 to close. */
static int handle_frame(struct server *sv, int fd, struct emu_conn *conn, struct emu_frame f,
			const uint8_t *buf)
{
	long n;

	switch (f.cmd) {
	case EMU_SOCK_CMD_TEST:
		return reply(fd, EMU_SOCK_CMD_TEST, f.transport, "Server Hello!", 14);
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
		reply(fd, f.cmd, f.transport, NULL, 0);
		return -ESHUTDOWN;
	case EMU_SOCK_CMD_NORMAL:
		if (f.transport != EMU_SOCK_TRANS_PCI_DOE) {
			fprintf(stderr,
				"tsmh-emu: socket client uses transport %u, only PCI_DOE (2) is served\n",
				f.transport);
			return reply(fd, EMU_SOCK_CMD_UNKNOWN, f.transport, NULL, 0);
		}
		n = emu_respond(emu_cfg_for(&sv->opt, 0), conn, buf, f.len, sv->txbuf,
				TSMH_SIM_OBJ_MAX);
		emu_logv(&sv->opt, "socket client: request %u bytes -> %ld\n", f.len, n);
		if (n == 0)
			return 0; /* silent */
		/* a mailbox Error has no socket encoding: an empty response */
		return reply(fd, EMU_SOCK_CMD_NORMAL, f.transport, sv->txbuf,
			     n < 0 ? 0 : (uint32_t)n);
	default: return reply(fd, EMU_SOCK_CMD_UNKNOWN, f.transport, NULL, 0);
	}
}

static void drop_client(struct client *k)
{
	close(k->fd);
	k->fd = -1;
	k->rx.got = 0;
	emu_idekm_free(&k->conn); /* a socket client is the device: its keys go with it */
	emu_conn_reset(&k->conn, 0);
}

/* @k's socket is readable: take what arrived, answer every whole frame. */
static void serve_client(struct server *sv, struct client *k)
{
	int ret;

	for (;;) {
		ret = emu_sock_rx_feed(k->fd, &k->rx, k->buf, EMU_RECSZ);
		if (ret <= 0)
			break;
		k->since_ms = 0;
		ret = handle_frame(sv, k->fd, &k->conn, k->rx.f, k->buf);
		if (ret) {
			if (ret == -ETIMEDOUT)
				fprintf(stderr,
					"tsmh-emu: socket client does not read its answers "
					"(%d ms): dropped\n",
					CLIENT_SEND_MS);
			drop_client(k);
			return;
		}
	}
	if (ret < 0) {
		if (ret == -EPIPE || ret == -EMSGSIZE)
			fprintf(stderr, "tsmh-emu: socket client: %s mid-frame: dropped\n",
				ret == -EPIPE ? "closed" : "frame too large");
		drop_client(k);
		return;
	}
	if (k->rx.got && !k->since_ms)
		k->since_ms = emu_now_ms();
	else if (!k->rx.got)
		k->since_ms = 0;
}

/* Drop the clients stalled mid-frame; the poll timeout until the next could be (-1: none). */
static int reap_stalled(struct server *sv)
{
	uint64_t now = emu_now_ms();
	int i, next = -1;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *k = &sv->cl[i];
		uint64_t due = k->since_ms + CLIENT_STALL_MS;

		if (k->fd < 0 || !k->since_ms)
			continue;
		if (now >= due) {
			fprintf(stderr,
				"tsmh-emu: socket client stalled mid-frame (%u of a frame's bytes in %d ms): dropped\n",
				k->rx.got, CLIENT_STALL_MS);
			drop_client(k);
			continue;
		}
		if (next < 0 || (int)(due - now) < next)
			next = (int)(due - now);
	}
	return next;
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
	int cfd = accept4(sv->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), k;

	for (k = 0; cfd >= 0 && k < MAX_CLIENTS; k++)
		if (sv->cl[k].fd < 0) {
			emu_conn_reset(&sv->cl[k].conn, 0);
			sv->cl[k].rx = (struct emu_sock_rx){ 0 };
			sv->cl[k].since_ms = 0;
			sv->cl[k].fd = cfd;
			cfd = -1;
		}
	if (cfd >= 0) {
		fprintf(stderr, "tsmh-emu: too many socket clients\n");
		close(cfd);
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
		if (sv->cl[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = sv->cl[i].fd, .events = POLLIN };
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
	int i, n, timeout, stall, ret = 0;

	while (!stop) {
		timeout = emu_sim_deliver_due(&sv->sim);
		stall = reap_stalled(sv);
		if (stall >= 0 && (timeout < 0 || stall < timeout))
			timeout = stall;
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
				for (int k = 0; k < MAX_CLIENTS; k++)
					if (sv->cl[k].fd == pfd[i].fd)
						serve_client(sv, &sv->cl[k]);
			}
		}
	}
	return ret;
}

/* The record buffers of the sim channel and of every client slot; 0 or -ENOMEM. */
static int server_alloc(struct server *sv)
{
	int i;

	sv->rxbuf = malloc(EMU_RECSZ);
	sv->txbuf = malloc(EMU_RECSZ);
	if (!sv->rxbuf || !sv->txbuf)
		return -ENOMEM;
	sv->sim.opt = &sv->opt;
	sv->sim.rxbuf = sv->rxbuf;
	sv->sim.txbuf = sv->txbuf;
	for (i = 0; i < MAX_CLIENTS; i++) {
		sv->cl[i].fd = -1;
		sv->cl[i].buf = malloc(EMU_RECSZ);
		if (!sv->cl[i].buf)
			return -ENOMEM;
	}
	return 0;
}

static void teardown(struct server *sv)
{
	int i;

	emu_sim_close(&sv->sim);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (sv->cl[i].fd >= 0)
			close(sv->cl[i].fd);
	if (sv->lfd >= 0)
		close(sv->lfd);
	free(sv->rxbuf);
	free(sv->txbuf);
	for (i = 0; i < MAX_CLIENTS; i++) {
		emu_conn_free(&sv->cl[i].conn);
		free(sv->cl[i].buf);
	}
	emu_identity_free(&sv->identity);
	emu_identity_free(&sv->other);
}

int main(int argc, char **argv)
{
	static struct server sv = { .lfd = -1, .sim.fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, waitmask;
	int ret;

	ret = emu_opts_parse(argc, argv, &sv.opt);
	if (ret >= 0)
		return ret;
	if (server_alloc(&sv))
		return 1;
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
