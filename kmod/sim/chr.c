// SPDX-License-Identifier: GPL-2.0-only
/*
 * tsmh_sim: /dev/tsmh_sim, the channel to the userspace device emulator.
 * Record format in include/uapi/linux/tsmh_sim.h.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include "sim.h"

#define HDR_SIZE sizeof(struct tsmh_sim_msg)

void sim_wake(struct irq_work *w)
{
	struct tsmh_sim *sim = container_of(w, struct tsmh_sim, wake_work);

	wake_up_interruptible(&sim->wq);
}

void sim_kick(struct tsmh_sim *sim)
{
	lockdep_assert_held(&sim->lock);
	irq_work_queue(&sim->wake_work);
}

static bool has_event(struct tsmh_sim *sim)
{
	unsigned long flags;
	bool ret;
	int i;

	raw_spin_lock_irqsave(&sim->lock, flags);
	ret = sim->hello_pending;
	for (i = 0; !ret && i < sim->nr_ep; i++)
		ret = sim->ep[i].ev_req || sim->ep[i].ev_abort || sim->ep[i].ev_reset;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return ret;
}

/* Take one event into sim->rd_buf; returns its total size, or 0. */
static size_t take_event(struct tsmh_sim *sim)
{
	struct tsmh_sim_msg *m = (struct tsmh_sim_msg *)sim->rd_buf;
	unsigned long flags;
	size_t ret = 0;
	int n, i;

	raw_spin_lock_irqsave(&sim->lock, flags);
	if (sim->hello_pending) {
		sim->hello_pending = false;
		*m = (struct tsmh_sim_msg){ .kind = TSMH_SIM_MSG_HELLO,
					    .slot = sim->nr_ep,
					    .seq = TSMH_SIM_ABI_VERSION };
		ret = HDR_SIZE;
		goto out;
	}
	for (n = 0; n < sim->nr_ep; n++) {
		struct sim_fn *f;

		i = (sim->next_ev + n) % sim->nr_ep;
		f = &sim->ep[i];
		/* Order matters: a reset or abort precedes any newer request. */
		if (f->ev_reset) {
			f->ev_reset = false;
			*m = (struct tsmh_sim_msg){ .kind = TSMH_SIM_MSG_RESET, .slot = i };
		} else if (f->ev_abort) {
			f->ev_abort = false;
			*m = (struct tsmh_sim_msg){ .kind = TSMH_SIM_MSG_ABORT, .slot = i,
						    .seq = f->ev_abort_seq };
		} else if (f->ev_req) {
			u32 k;

			f->ev_req = false;
			if (!f->mb.pending)
				continue;
			*m = (struct tsmh_sim_msg){ .kind = TSMH_SIM_MSG_REQUEST, .slot = i,
						    .seq = f->mb.seq,
						    .len = f->mb.wlen * 4 };
			for (k = 0; k < f->mb.wlen; k++)
				tsmh_put_le32(sim->rd_buf + HDR_SIZE + 4 * k, f->mb.wbuf[k]);
		} else {
			continue;
		}
		sim->next_ev = i + 1;
		ret = HDR_SIZE + m->len;
		break;
	}
out:
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return ret;
}

static ssize_t sim_chr_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct tsmh_sim *sim = file->private_data;
	size_t len;
	int ret;

	if (count < HDR_SIZE + TSMH_SIM_OBJ_MAX)
		return -EINVAL; /* a record must always fit: see tsmh_sim.h */
	for (;;) {
		if (mutex_lock_interruptible(&sim->chr_lock))
			return -ERESTARTSYS;
		len = take_event(sim);
		if (len) {
			ret = copy_to_user(buf, sim->rd_buf, len) ? -EFAULT : len;
			mutex_unlock(&sim->chr_lock);
			return ret;
		}
		mutex_unlock(&sim->chr_lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(sim->wq, has_event(sim)))
			return -ERESTARTSYS;
	}
}

static int handle_record(struct tsmh_sim *sim, const struct tsmh_sim_msg *m,
			 const u8 *payload)
{
	unsigned long flags;
	struct sim_fn *f;
	int ret = 0;

	switch (m->kind) {
	case TSMH_SIM_MSG_RESPONSE:
	case TSMH_SIM_MSG_ERROR:
		if (m->slot >= sim->nr_ep)
			return -EINVAL;
		if (m->kind == TSMH_SIM_MSG_ERROR && m->len)
			return -EINVAL;
		f = &sim->ep[m->slot];
		raw_spin_lock_irqsave(&sim->lock, flags);
		if (!f->present)
			ret = -ENODEV;
		else if (m->kind == TSMH_SIM_MSG_RESPONSE)
			ret = tsmh_doe_mbox_complete(&f->mb, m->seq, payload, m->len);
		else
			ret = tsmh_doe_mbox_fail(&f->mb, m->seq);
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		return ret;
	case TSMH_SIM_MSG_IDE_KEYS:
		if (m->len != sizeof(struct tsmh_sim_ide_keys) || m->seq)
			return -EINVAL;
		raw_spin_lock_irqsave(&sim->lock, flags);
		ret = sim_ide_keys(sim, m->slot, (const struct tsmh_sim_ide_keys *)payload);
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		return ret;
	case TSMH_SIM_MSG_PLUG:
	case TSMH_SIM_MSG_UNPLUG:
		/* PLUG: seq holds flags */
		if (m->len || m->seq & ~(m->kind == TSMH_SIM_MSG_PLUG ? TSMH_SIM_PLUG_PLAIN : 0))
			return -EINVAL;
		if (m->slot != TSMH_SIM_SLOT_ALL && m->slot >= sim->nr_ep)
			return -EINVAL;
		raw_spin_lock_irqsave(&sim->lock, flags);
		for (int i = 0; i < sim->nr_ep; i++) {
			if (m->slot != TSMH_SIM_SLOT_ALL && m->slot != i)
				continue;
			f = &sim->ep[i];
			if (m->kind == TSMH_SIM_MSG_PLUG) {
				if (!f->present) { /* a newly inserted card starts fresh */
					f->plain = m->seq & TSMH_SIM_PLUG_PLAIN;
					sim_ep_reset(sim, f);
				}
				f->present = true;
				sim->rescan = true;
			} else {
				/* surprise removal: gone before the OS knows */
				f->present = false;
				sim_ide_ep_reset(sim, f);	/* its IDE keys go with it */
				tsmh_doe_mbox_reset(&f->mb);
				f->ev_req = false;
				f->ev_abort = false;
				f->ev_reset = false;
				set_bit(i, sim->unplug_mask);
			}
		}
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		schedule_work(&sim->rescan_work);
		return 0;
	default:
		return -EINVAL;
	}
}

static ssize_t sim_chr_write(struct file *file, const char __user *buf, size_t count,
			     loff_t *ppos)
{
	struct tsmh_sim *sim = file->private_data;
	struct tsmh_sim_msg *m = (struct tsmh_sim_msg *)sim->wr_buf;
	int ret;

	if (count < HDR_SIZE || count > HDR_SIZE + TSMH_SIM_OBJ_MAX)
		return -EINVAL;
	if (mutex_lock_interruptible(&sim->chr_lock))
		return -ERESTARTSYS;
	if (copy_from_user(sim->wr_buf, buf, count)) {
		ret = -EFAULT;
		goto out;
	}
	if (m->len != count - HDR_SIZE) {
		ret = -EINVAL;
		goto out;
	}
	ret = handle_record(sim, m, sim->wr_buf + HDR_SIZE);
	if (!ret)
		ret = count;
out:
	/* IDE keys do not stay in the bounce buffer */
	if (count >= HDR_SIZE && m->kind == TSMH_SIM_MSG_IDE_KEYS)
		memzero_explicit(sim->wr_buf, count);
	mutex_unlock(&sim->chr_lock);
	return ret;
}

static __poll_t sim_chr_poll(struct file *file, poll_table *wait)
{
	struct tsmh_sim *sim = file->private_data;

	poll_wait(file, &sim->wq, wait);
	return (has_event(sim) ? EPOLLIN | EPOLLRDNORM : 0) | EPOLLOUT | EPOLLWRNORM;
}

static int sim_chr_open(struct inode *inode, struct file *file)
{
	struct tsmh_sim *sim = sim_instance;
	unsigned long flags;

	if (test_and_set_bit(0, &sim->open))
		return -EBUSY;
	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->hello_pending = true;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	file->private_data = sim;
	return nonseekable_open(inode, file);
}

static int sim_chr_release(struct inode *inode, struct file *file)
{
	struct tsmh_sim *sim = file->private_data;

	/*
	 * Devices stay present: their mailboxes simply stop answering, as
	 * a hung device would, and the host times out.
	 */
	clear_bit(0, &sim->open);
	return 0;
}

static const struct file_operations sim_chr_fops = {
	.owner = THIS_MODULE,
	.open = sim_chr_open,
	.release = sim_chr_release,
	.read = sim_chr_read,
	.write = sim_chr_write,
	.poll = sim_chr_poll,
	.llseek = noop_llseek,
};

static struct miscdevice sim_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = TSMH_SIM_DEVNAME,
	.fops = &sim_chr_fops,
	.mode = 0600,
};

int sim_chr_init(struct tsmh_sim *sim)
{
	return misc_register(&sim_misc);
}

void sim_chr_exit(struct tsmh_sim *sim)
{
	misc_deregister(&sim_misc);
}
