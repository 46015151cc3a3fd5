// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd attestation workers: one child process per device attestation.
 *
 * The child claims the device's DOE mailbox (its own netlink socket: the
 * claim dies with it), attests with the kernel's chains as the digest
 * cache (a device a verifier accepted before is re-attested against the
 * kernel's record of its chains: attest.h), commits the evidence to tsmh_core and writes a JSON summary
 * (summary.h) to a pipe. The main loop reads the pipe, reaps the child and
 * decides. A child that outlives attest_timeout_ms is killed; one that
 * crashes or writes garbage is a failed attestation, never an accepted
 * one. The child dies with tsmd (PR_SET_PDEATHSIG), so a killed tsmd
 * leaves no attestation behind to release anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "attest.h"
#include "attest_store.h"
#include "doe_proxy.h"
#include "fileio.h"
#include "safepath.h"
#include "tsmd.h"

#define OUT_MAX (1u << 20)

/* In the child: attest @dev and write the summary to @fd. Never returns. */
static void __attribute__((noreturn))
child_main(const char *dev, const char *trust, int reattest, int fd)
{
	struct tsmh_attest_opts o = { .trust = trust, .slot = 0, .reattest = reattest };
	struct tsmd_summary s;
	struct kernel_cache kc = { 0 };
	struct proxy_ctx pc;
	struct spdm_transport t;
	struct tsmh_attest a;
	struct tsmh_nl nl;
	uint64_t gen = 0;
	char why[512] = "", *j;
	const char *step = NULL;
	int ret;

	memset(&a, 0, sizeof(a));
	/*
	 * trust anchors another user could change are none (StrictModes,
	 * common/safepath.h); checked at every attestation, as files may be
	 * added to a trust directory at any time
	 */
	ret = trust ? tsmh_trust_secure(trust, geteuid(), 0, why, sizeof(why)) : 0;
	if (ret == -EPERM) {
		step = "trust anchors";
		goto report;
	}
	ret = tsmh_nl_open(&nl);
	if (ret) {
		snprintf(why, sizeof(why), "netlink: %s", nl.err[0] ? nl.err : strerror(-ret));
		step = "netlink";
		goto report;
	}
	ret = tsmh_doe_proxy_claim(&nl, dev, -1);
	if (ret) {
		snprintf(why, sizeof(why), "cannot claim the DOE mailbox: %s",
			 nl.err[0] ? nl.err : strerror(-ret));
		step = "claim";
		goto close;
	}
	pc = (struct proxy_ctx){ .nl = &nl, .dev = dev };
	spdm_transport_proxy(&t, &pc);
	if (!kernel_cache_load(&kc, &nl, dev, reattest, why, sizeof(why)))
		o.cache = &kc.cache;
	ret = tsmh_attest_run(&t, &o, &a, why, sizeof(why));
	kernel_cache_free(&kc);
	step = a.step;
	if (!ret) {
		ret = attest_store(&nl, dev, &a, &gen, why, sizeof(why));
		if (ret)
			step = "store evidence";
	}
close:
	tsmh_nl_close(&nl);
report:
	tsmd_summary_from_attest(&s, &a, o.slot, ret, step, why, gen);
	tsmh_attest_free(&a);
	j = tsmd_summary_encode(&s);
	if (!j || tsmh_write_all(fd, j, strlen(j)))
		_exit(3);
	free(j);
	_exit(0);
}

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct tsmd_dev *v = arg;

	(void)src, (void)revents;
	for (;;) {
		ssize_t n;

		if (v->out_cap - v->out_len < 4096) {
			size_t cap = v->out_cap ? 2 * v->out_cap : 8192;
			char *p;

			if (cap > OUT_MAX) { /* a worker does not talk this much */
				tsmd_worker_kill(v);
				break;
			}
			p = realloc(v->out, cap);
			if (!p)
				break;
			v->out = p;
			v->out_cap = cap;
		}
		n = read(fd, v->out + v->out_len, v->out_cap - v->out_len);
		if (n > 0) {
			v->out_len += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* EAGAIN, or EOF: the exit event finishes up */
		if (n == 0)
			v->io = sd_event_source_disable_unref(v->io);
		break;
	}
	return 0;
}

static void finish(struct tsmd_dev *v, const siginfo_t *si)
{
	char err[256];
	uint64_t elapsed = tsmd_now_us() - v->t_start;

	if (v->io)
		on_io(NULL, v->fd, 0, v); /* the child is gone: drain */
	v->io = sd_event_source_disable_unref(v->io);
	v->timer = sd_event_source_disable_unref(v->timer);
	v->child = sd_event_source_unref(v->child);
	close(v->fd);
	v->fd = -1;
	v->pid = 0;
	v->d->running--;
	v->attestations++;
	v->last_attest_us = elapsed;
	memset(&v->sum, 0, sizeof(v->sum));
	if (v->timed_out) {
		snprintf(v->sum.step, sizeof(v->sum.step), "timeout");
		snprintf(v->sum.why, sizeof(v->sum.why),
			 "attestation did not finish within %d ms (worker killed)",
			 v->d->cfg.timeout_ms);
	} else if (si->si_code != CLD_EXITED || si->si_status != 0) {
		snprintf(v->sum.step, sizeof(v->sum.step), "worker");
		snprintf(v->sum.why, sizeof(v->sum.why), "attestation worker %s %d",
			 si->si_code == CLD_EXITED ? "exited with status" : "killed by signal",
			 si->si_status);
	} else if (tsmd_summary_decode(v->out, v->out_len, &v->sum, err, sizeof(err))) {
		memset(&v->sum, 0, sizeof(v->sum));
		snprintf(v->sum.step, sizeof(v->sum.step), "worker");
		snprintf(v->sum.why, sizeof(v->sum.why), "%s", err);
	}
	v->have_summary = 1;
	/* decoded: an idle device keeps no buffer (8-32 KiB each, make bench) */
	free(v->out);
	v->out = NULL;
	v->out_len = v->out_cap = 0;
	v->phase = PH_IDLE;
	tsmd_log(LOG_DEBUG, v->name, "attested", "%s %s in %llu ms%s%s",
		 v->sum.reattested ? "re-attestation" : "attestation",
		 v->sum.ok ? "passed" : "failed", (unsigned long long)(elapsed / 1000),
		 v->sum.ok ? "" : ": ", v->sum.ok ? "" : v->sum.why);
	tsmd_dev_decide(v);
	if (v->again && !v->d->stopping) {
		v->again = 0;
		tsmd_dev_request(v, "requested again during the attestation");
	}
	tsmd_conn_idle(v);
	tsmd_pump(v->d);
}

static int on_exit_(sd_event_source *src, const siginfo_t *si, void *arg)
{
	(void)src;
	finish(arg, si);
	return 0;
}

static int on_timeout(sd_event_source *src, uint64_t usec, void *arg)
{
	struct tsmd_dev *v = arg;

	(void)src, (void)usec;
	v->timed_out = 1;
	tsmd_worker_kill(v);
	return 0;
}

void tsmd_worker_kill(struct tsmd_dev *v)
{
	if (v->pid > 0)
		kill(v->pid, SIGKILL);
}

pid_t tsmd_fork_child(int fds[2])
{
	pid_t pid, parent = getpid();
	sigset_t all;
	int ret;

	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid > 0) {
		close(fds[1]);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(4);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* nothing of the parent's (bus, netlink, udev) but the child's end */
	if (dup2(fds[1], 3) != 3)
		_exit(5);
	closefrom(4);
	return 0;
}

int tsmd_worker_start(struct tsmd_dev *v)
{
	struct tsmd *d = v->d;
	int p[2], ret;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = tsmd_fork_child(p);
	if (pid < 0)
		return pid;
	if (pid == 0)
		/* accepted before (the kernel keeps the acceptance): a re-attestation */
		child_main(v->name, d->cfg.trust, v->info.accept_len > 0, 3);
	v->pid = pid;
	v->fd = p[0];
	v->timed_out = 0;
	v->out_len = 0;
	v->t_start = tsmd_now_us();
	fcntl(v->fd, F_SETFL, O_NONBLOCK);
	ret = sd_event_add_io(d->ev, &v->io, v->fd, EPOLLIN, on_io, v);
	if (!ret)
		ret = sd_event_add_child(d->ev, &v->child, pid, WEXITED, on_exit_, v);
	if (!ret)
		ret = sd_event_add_time_relative(d->ev, &v->timer, CLOCK_MONOTONIC,
						 (uint64_t)d->cfg.timeout_ms * 1000u, 1000,
						 on_timeout, v);
	if (ret < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		v->io = sd_event_source_disable_unref(v->io);
		v->child = sd_event_source_unref(v->child);
		close(v->fd);
		v->fd = -1;
		v->pid = 0;
		return ret;
	}
	d->running++;
	v->phase = PH_ATTESTING;
	return 0;
}
