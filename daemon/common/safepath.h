/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Is a file safe to trust, or a directory safe to write into? The checks
 * of sshd's StrictModes: the file (symlinks resolved, as sshd does) and
 * every directory above it up to / must be owned by root or by the user
 * (@uid) and writable by nobody else: no group or other write bit, and
 * no owner but those two. Used for tsmd's configuration, allow-list and
 * trust anchors (@uid: the user tsmd runs as, root) and for tsmctl's
 * --trust and output directories (@uid: the caller).
 *
 * /tmp and other sticky, world-writable directories: sshd refuses any
 * file under them, and so does tsmd (its files belong in /etc/tsmd and
 * /var/lib/tsmd). Paths that a tsmctl user names on the command line may
 * have TSMH_SAFE_STICKY_PARENTS: a sticky directory ABOVE the file or
 * output directory is then accepted, since others can neither rename nor
 * replace the entries the user owns there (mktemp -d under /tmp); the
 * file or output directory itself must still be the user's (or root's)
 * and writable by nobody else.
 */
#ifndef TSMH_SAFEPATH_H
#define TSMH_SAFEPATH_H

#include <stddef.h>
#include <sys/types.h>

#define TSMH_SAFE_STICKY_PARENTS 1u

/*
 * @path and each directory above it as the header says: 0; -EPERM with
 * @why naming @path, the offending file or directory, what is wrong and
 * the command that fixes it; or -errno (@path cannot be resolved or
 * examined, named in @why).
 */
int tsmh_path_secure(const char *path, uid_t uid, unsigned flags, char *why, size_t whylen);

/*
 * Trust anchors: @path as tsmh_path_secure(), and when it is a directory
 * also each *.pem and *.crt file in it (the files the chain verifier
 * reads). Same returns.
 */
int tsmh_trust_secure(const char *path, uid_t uid, unsigned flags, char *why, size_t whylen);

/*
 * An output directory: made (mode 0700) when missing and @create, checked
 * as tsmh_path_secure() with TSMH_SAFE_STICKY_PARENTS for the caller
 * (geteuid()), then opened (O_DIRECTORY) and checked again on the open
 * descriptor, so what is written through it (tsmh_write_atomic_at()) lands
 * in the directory that was checked. A descriptor, or -errno with @why
 * naming the directory and the reason.
 */
int tsmh_outdir_open(const char *dir, int create, char *why, size_t whylen);

#endif
