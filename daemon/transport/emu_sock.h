/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The DMTF spdm-emu socket protocol (spdm-emu spdm_emu_common/command.h),
 * so our requester and emulator interoperate with spdm_requester_emu and
 * spdm_responder_emu: each frame is three big-endian u32 (command,
 * transport type, payload size) followed by the payload. With transport
 * PCI_DOE the payload is a whole DOE data object (header included).
 */
#ifndef TSMH_EMU_SOCK_H
#define TSMH_EMU_SOCK_H

#include <stddef.h>
#include <stdint.h>

#define EMU_SOCK_DEFAULT_PORT 2323

#define EMU_SOCK_CMD_NORMAL   0x0001
#define EMU_SOCK_CMD_CONTINUE 0xfffd
#define EMU_SOCK_CMD_SHUTDOWN 0xfffe
#define EMU_SOCK_CMD_UNKNOWN  0xffff
#define EMU_SOCK_CMD_TEST     0xdead

#define EMU_SOCK_TRANS_NONE    0
#define EMU_SOCK_TRANS_MCTP    1
#define EMU_SOCK_TRANS_PCI_DOE 2
#define EMU_SOCK_TRANS_TCP     3

/* Largest payload we accept (a DOE object of 64 KiB + header). */
#define EMU_SOCK_MAX_PAYLOAD (65536 + 8)

struct emu_frame {
	uint32_t cmd;
	uint32_t transport;
	uint32_t len;
};

/*
 * Deadlines are absolute CLOCK_MONOTONIC milliseconds, -1 for none: one
 * deadline bounds a whole frame (or connect), not each byte, so a peer
 * that drips a byte at a time cannot stretch it.
 */
int64_t emu_sock_now_ms(void);
/* now + @timeout_ms, or -1 (none) for a negative @timeout_ms */
int64_t emu_sock_deadline(int timeout_ms);

/* Send one frame in a single write (no Nagle stall). 0 or -errno. */
int emu_sock_send(int fd, uint32_t cmd, uint32_t transport, const void *payload, uint32_t len);
/* The same, done by @deadline or -ETIMEDOUT (the stream is then out of step). */
int emu_sock_send_by(int fd, uint32_t cmd, uint32_t transport, const void *payload, uint32_t len,
		     int64_t deadline);
/*
 * Receive one frame into @buf (@cap bytes). 0, -ECONNRESET on orderly
 * close before a header, -EPIPE on a close inside a frame, -EMSGSIZE if
 * the peer announces more than @cap (the connection is then unusable),
 * or -errno.
 */
int emu_sock_recv(int fd, struct emu_frame *f, void *buf, uint32_t cap);
/*
 * The same, whole by @deadline or -ETIMEDOUT; *@got: the bytes (header
 * and payload) that did arrive, for the caller's message.
 */
int emu_sock_recv_by(int fd, struct emu_frame *f, void *buf, uint32_t cap, int64_t deadline,
		     size_t *got);

/* A frame arriving piecemeal on a non-blocking socket (a server with several clients). */
struct emu_sock_rx {
	uint8_t hdr[12];
	uint32_t got; /* bytes of this frame (header, then payload) so far; 0: between frames */
	struct emu_frame f;
};
/*
 * Read what @fd has now (never blocks) into @rx and @buf (@cap bytes):
 * 1 when a whole frame is there (rx->f says which, @buf holds its
 * payload; @rx is ready for the next), 0 when more is to come,
 * -ECONNRESET on a close between frames, -EPIPE on one inside a frame,
 * -EMSGSIZE, or -errno.
 */
int emu_sock_rx_feed(int fd, struct emu_sock_rx *rx, void *buf, uint32_t cap);
/*
 * End a session the way the protocol does (spdm_requester_emu at its
 * end): send @cmd (EMU_SOCK_CMD_SHUTDOWN or _CONTINUE, no payload) and
 * read the peer's answer, waiting at most @timeout_ms for it. 0 when the
 * peer echoed @cmd, -EPROTO when it answered something else, -ETIMEDOUT,
 * or -errno. The caller still closes @fd.
 */
int emu_sock_end(int fd, uint32_t cmd, uint32_t transport, int timeout_ms);
/* TCP connect to host:port with TCP_NODELAY; fd or -errno. */
int emu_sock_connect(const char *host, uint16_t port);
/* The same, connected by @deadline or -ETIMEDOUT (name resolution is not bounded). */
/*
 * After emu_sock_connect*() returned -ENXIO: why the host name did not
 * resolve ("cannot resolve HOST: Name or service not known"); "" otherwise.
 */
const char *emu_sock_resolve_error(void);
int emu_sock_connect_by(const char *host, uint16_t port, int64_t deadline);
/* Listening socket on addr:port (SO_REUSEADDR); fd or -errno. */
int emu_sock_listen(const char *addr, uint16_t port);

#endif
