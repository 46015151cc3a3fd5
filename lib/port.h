/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Portability shim for the pure-logic sources in lib/: the same files are
 * compiled into the kernel modules and into the userspace programs, unit
 * tests and fuzzers. Only fixed-width types, memcpy/memset and errno
 * values are used by lib/; nothing here may allocate or sleep.
 */
#ifndef TSMH_LIB_PORT_H
#define TSMH_LIB_PORT_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/bits.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#ifndef BIT
#define BIT(n) (1UL << (n))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
/* the kernel's __printf(), for the format checks of lib/ helpers */
#define TSMH_ATTR(x) __attribute__(x)
#ifndef __printf
#define __printf(a, b) TSMH_ATTR((format(printf, a, b)))
#endif
#endif

/*
 * Little-endian fields, as PCIe, DOE and SPDM put them on the wire; the
 * one copy every codec uses, in the kernel and in userspace.
 */
static inline u16 tsmh_get_le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline void tsmh_put_le16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

/* 24-bit fields (e.g. SPDM MEASUREMENTS' MeasurementRecordLength) */
static inline u32 tsmh_get_le24(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16;
}

static inline void tsmh_put_le24(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
}

static inline u32 tsmh_get_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline void tsmh_put_le32(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

#endif
