// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tsmd and udev: a libudev monitor on the pci subsystem. udev rules carry
 * the admin's gate policy (udev/70-tsmh-gate.rules exempts devices through
 * the kernel's gate file; 80-tsmd.rules wakes tsmd); tsmd watches the
 * processed events so that a device's driver binding and removal are seen
 * after the rules ran, and refreshes its view from the kernel.
 */
#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <libudev.h>
#include "tsmd.h"

static int on_udev(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct tsmd *d = arg;
	struct udev_device *u;

	(void)s, (void)fd, (void)revents;
	while ((u = udev_monitor_receive_device(d->mon))) {
		const char *action = udev_device_get_action(u);
		const char *name = udev_device_get_sysname(u);
		struct tsmh_devinfo info;
		int ret;

		if (!action || !name) {
			udev_device_unref(u);
			continue;
		}
		if (!strcmp(action, "remove")) {
			tsmd_dev_removed(d, name);
		} else {
			ret = tsmd_kernel_dev_get(d, name, &info);
			if (!ret)
				tsmd_dev_update(d, &info);
			else if (ret != -ENODEV && ret != -ENOENT)
				tsmd_log(LOG_DEBUG, name, "udev", "%s: kernel lookup failed: %s",
					 action, d->nl.err[0] ? d->nl.err : strerror(-ret));
		}
		udev_device_unref(u);
	}
	tsmd_pump(d);
	return 0;
}

int tsmd_udev_open(struct tsmd *d)
{
	int ret;

	d->udev = udev_new();
	if (!d->udev)
		return -ENOMEM;
	d->mon = udev_monitor_new_from_netlink(d->udev, "udev");
	if (!d->mon) {
		tsmd_log(LOG_ERR, NULL, "start", "cannot open the udev monitor");
		return -ENOMEM;
	}
	ret = udev_monitor_filter_add_match_subsystem_devtype(d->mon, "pci", NULL);
	if (!ret)
		ret = udev_monitor_enable_receiving(d->mon);
	if (ret < 0) {
		tsmd_log(LOG_ERR, NULL, "start", "cannot start the udev monitor: %s",
			 strerror(-ret));
		return ret;
	}
	udev_monitor_set_receive_buffer_size(d->mon, 4 << 20);
	return sd_event_add_io(d->ev, &d->udev_src, udev_monitor_get_fd(d->mon), EPOLLIN, on_udev,
			       d);
}

void tsmd_udev_close(struct tsmd *d)
{
	d->udev_src = sd_event_source_disable_unref(d->udev_src);
	if (d->mon)
		udev_monitor_unref(d->mon);
	if (d->udev)
		udev_unref(d->udev);
	d->mon = NULL;
	d->udev = NULL;
}
