/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * tsmh-emu: the device emulator. It answers DOE data objects for emulated
 * TEE-IO endpoints, reaching it either through the sim module's character
 * device (/dev/tsmh_sim) or over the DMTF spdm-emu socket protocol.
 */
#ifndef TSMH_EMU_H
#define TSMH_EMU_H

#include <stddef.h>
#include <stdint.h>
#include "auth.h"
#include "spdm.h"

/* Fault menu (selectable per run; more arrive with full SPDM). */
enum {
	EMU_FAULT_SILENT = 1u << 0, /* never answer (host times out) */
	EMU_FAULT_DOE_ERROR = 1u << 1, /* set the DOE Error bit instead */
	EMU_FAULT_BAD_LENGTH = 1u << 2, /* DOE length field disagrees with data */
	EMU_FAULT_WRONG_PROT = 1u << 3, /* answer with another protocol's header */
	EMU_FAULT_UNPLUG = 1u << 4, /* drop off the bus on a CMA request (sim only) */
	EMU_FAULT_BAD_SAN = 1u << 5, /* leaf identity under the wrong SAN OID */
	EMU_FAULT_UNKNOWN_ROOT = 1u << 6, /* export a root that did not sign the chain */
	EMU_FAULT_WRONG_SIG = 1u << 7, /* CHALLENGE_AUTH/MEASUREMENTS signatures corrupted */
	EMU_FAULT_TRUNCATED = 1u << 8, /* CHALLENGE_AUTH/MEASUREMENTS cut short */
	EMU_FAULT_NOT_READY = 1u << 9, /* ERROR ResponseNotReady first, then RESPOND_IF_READY */
	EMU_FAULT_BUSY = 1u << 10, /* ERROR Busy to every other CHALLENGE/GET_MEASUREMENTS */
	EMU_FAULT_MEAS_CHANGE = 1u << 11, /* firmware measurement changes at every reset */
	EMU_FAULT_NO_CMA = 1u << 12, /* DOE offers discovery only; sim: plugged without TEE-IO */
	EMU_FAULT_NO_HBEAT = 1u << 13, /* HBEAT_CAP not advertised (HEARTBEAT unsupported) */
	EMU_FAULT_NO_KEY_UPD = 1u << 14, /* KEY_UPD_CAP not advertised (KEY_UPDATE unsupported) */
	EMU_FAULT_HBEAT_ERROR = 1u << 15, /* HEARTBEAT in a session answered ERROR Unspecified */
	EMU_FAULT_OPAQUE_FMT0 = 1u << 16, /* select opaque data format 0 (DSP0277's table) */
	EMU_FAULT_KP_ACK_ERROR = 1u << 17, /* KEY_PROG answered KP_ACK UNSPECIFIED_FAILURE */
	EMU_FAULT_IDEKM_SILENT = 1u << 18, /* no answer to any IDE_KM request */
	EMU_FAULT_IDEKM_WRONG_PORT = 1u << 19, /* IDE_KM answers name another port index */
	EMU_FAULT_NEVER_SECURE = 1u << 20, /* keys and GO accepted, stream never SECURE (sim) */
	EMU_FAULT_TDISP_REPORT_LONG = 1u << 21, /* report: 16 bytes fewer announced than sent */
	EMU_FAULT_TDISP_OVERLAP = 1u << 22, /* report: an extra range overlapping range 0 */
	EMU_FAULT_TDISP_BEYOND_BAR = 1u << 23, /* report: the last range runs past its BAR */
	EMU_FAULT_TDISP_STATE_LIE = 1u << 24, /* GET_DEVICE_INTERFACE_STATE: RUN when LOCKED */
	EMU_FAULT_TDISP_ANY_NONCE = 1u << 25, /* START_INTERFACE accepts a wrong nonce */
	EMU_FAULT_TDISP_ERROR = 1u << 26, /* LOCK answered TDISP_ERROR (extended error data) */
};

#define EMU_MAX_SLOTS 8
enum { EMU_KEY_P256, EMU_KEY_P384, EMU_KEY_RSA3072, EMU_NR_KEYS };
enum { EMU_H256, EMU_H384, EMU_NR_HASH };

/* One provisioned slot for one key kind: its chain per hash and private key. */
struct emu_chain {
	const uint8_t *buf[EMU_NR_HASH]; /* SPDM chain format, RootHash per hash */
	size_t len[EMU_NR_HASH];
	uint8_t digest[EMU_NR_HASH][48];
	void *key; /* EVP_PKEY */
};

struct emu_dev_cfg {
	struct spdm_ver vers[SPDM_MAX_VERSIONS];
	int nr_vers;
	unsigned int faults;
	uint32_t cap_flags; /* CAPABILITIES flags advertised */
	uint32_t asym, hash; /* algorithms the device could sign/hash with */
	uint16_t dhe, aead; /* session algorithms it supports (with KEY_EX_CAP) */
	unsigned int sm_mask; /* DSP0277 versions it selects from (SPDM_SM_BIT), 0: all */
	/* [key kind][slot]: certificate chains and keys, NULL: none */
	const struct emu_chain (*chains)[EMU_MAX_SLOTS];
	uint8_t slot_mask; /* provisioned slots */
	const char *fw_version; /* what the firmware measurement covers */
	const char *tdisp_layout; /* TDISP MMIO layout (tdisp_req.h), NULL: simple */
	const char *tdisp_layout_file; /* per-TDI layouts (tdisp_file.c), NULL: tdisp_layout */
	int tdisp_need_ide; /* LOCK only with the default stream's IDE keys in use */
};

#define EMU_DATA_TRANSFER_SIZE 4608 /* 0x1200: libspdm and spdm-emu default */

/* SPDM connection state of one device (one per slot / socket client). */
enum emu_conn_state { EMU_CONN_NONE, EMU_CONN_VERSION, EMU_CONN_CAPS, EMU_CONN_NEGOTIATED };

struct emu_conn {
	enum emu_conn_state state;
	uint8_t ver; /* negotiated (0 before GET_CAPABILITIES) */
	struct spdm_caps req_caps;
	struct spdm_algs sel;
	/* transcripts: VCA; digests/certificates + challenge; measurements */
	struct spdm_tx vca, m, l;
	unsigned int resets; /* resets seen (survives emu_conn_reset) */
	unsigned int faulted; /* requests the busy/not-ready faults answered */
	uint8_t deferred[512]; /* request held by ResponseNotReady (KEY_EXCHANGE fits) */
	size_t deferred_len;
	uint8_t token;
	struct emu_session *sess; /* the SPDM session (session_resp.c), NULL if none */
	/*
	 * IDE_KM keys (idekm_resp.c), NULL if none: the device's, as an IDE
	 * engine holds them, so they outlive the session that programmed them
	 * (END_SESSION, a new KEY_EXCHANGE or GET_VERSION keep them: the
	 * kernel keeps the stream and a later session refreshes or stops its
	 * keys); wiped by K_SET_STOP (that key), a reset (emu_conn_reset(c,
	 * 1)), a socket client leaving and emu_conn_free()
	 */
	struct emu_idekm *ide;
	int silent; /* the last request is not to be answered (idekm-silent) */
	unsigned int ide_gen; /* bumped by each K_SET_GO/K_SET_STOP (the sim re-reads keys) */
	struct emu_tdisp *tdisp; /* TDI states (tdisp_resp.c), NULL: all CONFIG_UNLOCKED */
};

struct emu_session;
struct emu_idekm;
struct emu_tdisp;

/* --verbose: emu_note() lines go to stderr ("tsmh-emu: ..."); never keys */
extern int emu_verbose;
void emu_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * IDE_KM (idekm_resp.c): a VENDOR_DEFINED_REQUEST inside an established
 * session; the response's length in @rsp, or 0 with c->silent set when it
 * is not to be answered.
 */
size_t emu_vdm_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
		       size_t len, uint8_t *rsp, size_t cap);
/*
 * TDISP (tdisp_resp.c): the TDISP message @p (after the protocol ID) of
 * a VENDOR_DEFINED_REQUEST inside an established session; the response.
 */
size_t emu_tdisp_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *p,
			 size_t len, uint8_t *out, size_t cap);
/*
 * --tdisp-layout-file (tdisp_file.c): the layout of interface @fid from
 * the file @path, read now: 0 with @out; 1 when no line matches @fid; or
 * -errno when the file cannot be read or a line is bad; @why says which
 * (the file, and the line and what is wrong with it).
 */
struct tsmh_tdisp_named;
int emu_tdisp_file_lookup(const char *path, uint32_t fid, struct tsmh_tdisp_named *out, char *why,
			  size_t whylen);
/* The session ended: CONFIG_LOCKED and RUN TDIs go to ERROR. */
void emu_tdisp_session_end(struct emu_conn *c);
/* Forget every TDI (reset, the connection's end): CONFIG_UNLOCKED. */
void emu_tdisp_free(struct emu_conn *c);
/* The state of TDI @fn (enum tsmh_tdisp_state). */
int emu_tdisp_state(const struct emu_conn *c, unsigned int fn);
/* Wipe and drop every IDE_KM key of @c (the session ended). */
void emu_idekm_free(struct emu_conn *c);
/*
 * For the sim's IDE registers (sim.c sends them as TSMH_SIM_MSG_IDE_KEYS
 * after a K_SET_GO/K_SET_STOP): the key and IFV KEY_PROG
 * stored for @stream_id and key_sub_stream @kss: 0, or -1 if none; the key
 * set K_SET_GO made active on @stream_id (all six of its keys programmed
 * and started), or -1; whether the never-secure fault is on.
 */
int emu_idekm_key(const struct emu_conn *c, uint8_t stream_id, uint8_t kss, const uint8_t **key,
		  const uint8_t **ifv);
int emu_idekm_active_set(const struct emu_conn *c, uint8_t stream_id);
int emu_idekm_never_secure(const struct emu_dev_cfg *d);

/* End the SPDM connection (GET_VERSION, FLR); @reset counts a device reset. */
void emu_conn_reset(struct emu_conn *c, int reset);
void emu_conn_free(struct emu_conn *c);

/*
 * Answer one request data object (DOE header included).
 * Returns the response object length, 0 for "no answer" (silent), or -1
 * for "the mailbox reports Error".
 */
long emu_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req, size_t len,
		 uint8_t *rsp, size_t cap);
/* The SPDM responder: returns the response message length (> 0). */
size_t emu_spdm_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			size_t len, uint8_t *rsp, size_t cap);
/*
 * Before a request that needs VCA, in libspdm's order: a header version
 * other than the negotiated one: VersionMismatch; a capability the device
 * does not advertise at that version (@rsp_flag) or, for session
 * requests, one the Requester did not advertise (@req_flag, 0: none
 * needed): UnsupportedRequest with the request code. Before VCA completed:
 * UnexpectedRequest (libspdm says VersionMismatch there, having no version
 * to compare with; DSP0274 calls it out of sequence), or
 * UnsupportedRequest if the device serves it at no version. 0 to go on,
 * else the ERROR's length in @rsp.
 */
size_t emu_check_request(const struct emu_dev_cfg *d, const struct emu_conn *c, const uint8_t *req,
			 uint32_t rsp_flag, uint32_t req_flag, uint8_t *rsp);
/* KEY_EXCHANGE (in the clear): the response message length. */
size_t emu_key_exchange(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			size_t len, uint8_t *rsp, size_t cap);
/*
 * One secured CMA payload (DSP0277 message) in, the secured response out:
 * its length, or 0 when nothing can be said in the session (the mailbox
 * then flags Error).
 */
size_t emu_secured_respond(const struct emu_dev_cfg *d, struct emu_conn *c, const uint8_t *req,
			   size_t len, uint8_t *rsp, size_t cap);
void emu_session_free(struct emu_conn *c);
/* The session's state (enum spdm_sess_state), 0 without a session. */
int emu_session_state(const struct emu_conn *c);
/* The chain of @slot for the negotiated algorithms, NULL if none. */
const struct emu_chain *emu_chain_of(const struct emu_dev_cfg *d, const struct emu_conn *c,
				     uint8_t slot);
/* Measurement summary hash of @type (TCB or ALL) into @out; 0 or -1. */
int emu_meas_summary(const struct emu_dev_cfg *d, const struct emu_conn *c, uint8_t type,
		     uint8_t *out);

/*
 * The defaults: SPDM 1.2 and 1.3, SHA-256/384; signing algorithms and
 * CERT/CHAL/MEAS capabilities come with the chains (emu_cfg_use_chains).
 */
void emu_cfg_defaults(struct emu_dev_cfg *d);
/* Serve @chains (as made by certgen) for the kinds in @asym, slots in @mask. */
void emu_cfg_use_chains(struct emu_dev_cfg *d, const struct emu_chain (*chains)[EMU_MAX_SLOTS],
			uint32_t asym, uint8_t mask);
/*
 * The CAPABILITIES flags @d advertises at SPDM version @ver (0: any):
 * cap_flags less what its faults take away. Sessions are served from 1.2
 * only (our requester refuses them below 1.2 too), so at 1.1 KEY_EX_CAP,
 * ENCRYPT_CAP, MAC_CAP, HBEAT_CAP and KEY_UPD_CAP are not advertised.
 */
uint32_t emu_caps(const struct emu_dev_cfg *d, uint8_t ver);
/*
 * The DSP0274 rule the Requester's GET_CAPABILITIES at @ver (Param1
 * @param1, decoded fields @rc) breaks, or NULL (req_caps.c).
 */
const char *emu_req_caps_check(uint8_t ver, uint8_t param1, const struct spdm_caps *rc);
/* Parse "silent,doe-error,..."; 0 or -1 with *bad set to the bad word. */
int emu_faults_parse(const char *s, unsigned int *faults, const char **bad);

#endif
