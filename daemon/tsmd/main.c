// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd: entry, signals, systemd readiness and watchdog. See tsmd.h for
 * the process model and man/tsmd.8 for the behaviour.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include "policy.h"
#include "tsmd.h"

#define DEFAULT_CONF "/etc/tsmd/tsmd.conf"

static void status(struct tsmd *d)
{
	struct tsmd_dev *v;
	int held = 0, rel = 0;

	for (v = d->devs; v; v = v->next) {
		held += v->info.gate_state == TSMH_GATE_HELD;
		rel += v->info.gate_state == TSMH_GATE_RELEASED;
	}
	sd_notifyf(0, "STATUS=%d held, %d released, %d attesting%s", held, rel, d->running,
		   d->al_broken ? "; allow-list unreadable: releasing nothing" : "");
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *arg)
{
	struct tsmd *d = arg;
	char why[512];

	(void)s;
	if (si->ssi_signo == SIGHUP) {
		sd_notify(0, "RELOADING=1");
		if (tsmd_policy_reload(d, why, sizeof(why)))
			tsmd_log(LOG_ERR, NULL, "reload", "keeping the previous policy: %s", why);
		else
			tsmd_reevaluate_all(d, "policy reloaded");
		sd_notify(0, "READY=1");
		return 0;
	}
	tsmd_log(LOG_INFO, NULL, "stop", "signal %u: stopping; gated devices stay held",
		 si->ssi_signo);
	d->stopping = 1;
	sd_notify(0, "STOPPING=1");
	return sd_event_exit(d->ev, 0);
}

/* after every dispatch: keep systemd's status line current */
static int on_post(sd_event_source *s, void *arg)
{
	(void)s;
	status(arg);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: tsmd [-c CONFIG] [-v] [--no-bus]\n"
		   "  -c, --config FILE  policy file (default " DEFAULT_CONF ")\n"
		   "  -v, --verbose      log each step, not only decisions\n"
		   "      --no-bus       no D-Bus API (initramfs, tests)\n"
		   "  -h, --help         this text\n"
		   "      --version      print the version\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, 0, 'c' }, { "verbose", no_argument, 0, 'v' },
		{ "no-bus", no_argument, 0, 'B' },	 { "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },	 { 0, 0, 0, 0 }
	};
	struct tsmd d = { 0 };
	sd_event_source *post = NULL;
	const char *conf = DEFAULT_CONF;
	char why[512];
	sigset_t ss;
	int c, ret;

	/* nothing allocated before the options are read: every exit is clean (ASan) */
	while ((c = getopt_long(argc, argv, "c:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 'v': tsmd_verbose = 1; break;
		case 'B': d.no_bus = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V':
			printf("tsmd %s (netlink ABI %d)\n", TSMH_VERSION, TSMH_ABI_VERSION);
			return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	d.cfg.conf_path = strdup(conf);
	if (!d.cfg.conf_path) {
		tsmd_log(LOG_ERR, NULL, "start", "out of memory");
		return 1;
	}
	sigemptyset(&ss);
	sigaddset(&ss, SIGCHLD);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);

	/* without a readable policy nothing is decided, so nothing is released */
	if (tsmd_policy_reload(&d, why, sizeof(why))) {
		tsmd_log(LOG_ERR, NULL, "start", "%s; not starting (gated devices stay held)", why);
		tsmd_policy_free_all(&d);
		free(d.cfg.conf_path);
		return 1;
	}
	ret = sd_event_default(&d.ev);
	if (ret < 0)
		goto fail;
	if ((ret = sd_event_add_signal(d.ev, NULL, SIGTERM, on_signal, &d)) < 0 ||
	    (ret = sd_event_add_signal(d.ev, NULL, SIGINT, on_signal, &d)) < 0 ||
	    (ret = sd_event_add_signal(d.ev, NULL, SIGHUP, on_signal, &d)) < 0 ||
	    (ret = sd_event_add_post(d.ev, &post, on_post, &d)) < 0)
		goto fail;
	ret = tsmd_kernel_open(&d);
	if (ret < 0)
		goto out;
	ret = tsmd_udev_open(&d);
	if (ret < 0)
		goto out;
	if (!d.no_bus && tsmd_bus_open(&d) < 0)
		tsmd_log(LOG_WARNING, NULL, "start",
			 "no D-Bus API (system bus unavailable); gating continues");
	sd_event_set_watchdog(d.ev, 1);
	ret = tsmd_kernel_resync(&d);
	if (ret)
		goto out;
	tsmd_tdi_resync(&d);
	tsmd_pump(&d);
	tsmd_log(LOG_INFO, NULL, "start", "tsmd %s ready: policy %s, allow-list %s%s", TSMH_VERSION,
		 d.cfg.conf_path, d.cfg.allow_path,
		 d.al_broken ? " (UNREADABLE: nothing will be released)" : "");
	sd_notify(0, "READY=1");
	ret = sd_event_loop(d.ev);
	goto out;
fail:
	tsmd_log(LOG_ERR, NULL, "start", "event loop setup: %s", strerror(-ret));
out:
	d.stopping = 1;
	tsmd_dev_free_all(&d);
	tsmd_bus_close(&d);
	tsmd_udev_close(&d);
	tsmd_kernel_close(&d);
	sd_event_source_unref(post);
	sd_event_unref(d.ev);
	tsmd_policy_free_all(&d);
	free(d.cfg.conf_path);
	return ret < 0 ? 1 : 0;
}
