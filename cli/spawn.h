/* SPDX-License-Identifier: MIT */
/*
 * Running a command under a notifying filter, shared by the supervising subcommands (trace,
 * learn): resolve CMD as execvp would (126/127 up front), fork, install the filter from a second
 * thread of the child and hand the listener to sck from the first (so the filter needs no hole
 * for the hand-over), serve notifications until every traced process is gone, and turn CMD's
 * wait status into sck's exit status (code, 128+N, 126/127, 125).
 */
#ifndef SCK_CLI_SPAWN_H
#define SCK_CLI_SPAWN_H

#include "cli.h"

struct sck_cli_spawn {
	int pid;      /* the child running CMD */
	int listener; /* sck's copy of the listener */
	int errfd;    /* read end: the child's errno when setting up or exec failed */
	int status;   /* wait status of the child, once reaped */
};

/*
 * Start @cmd (argv, NULL-terminated) under @prog, installed with NEW_LISTENER and @flags (LOG,
 * SPEC_ALLOW; never TSYNC, which would put the hand-over thread under it). Returns 0 with
 * @sp filled, or the exit status sck should end with (125, 126, 127), the error printed as
 * "sck: VERB: ..." or "sck: CMD: ...".
 */
int sck_cli_spawn(const char *verb, const struct sock_filter *prog, size_t len, unsigned int flags,
		  char **cmd, struct sck_cli_spawn *sp);

/*
 * Serve @sp's listener with @fn until every process under the filter has exited (the child is
 * reaped into sp->status); SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to the child
 * meanwhile. Returns 0, or 125 with the error printed (the child killed).
 */
int sck_cli_spawn_supervise(const char *verb, struct sck_cli_spawn *sp,
			    int (*fn)(struct sck_notify *n, const struct seccomp_notif *req,
				      void *arg),
			    void *arg);

/* CMD's status as sck's exit status; prints the exec error for 126/127 (named after @cmd). */
int sck_cli_spawn_status(const struct sck_cli_spawn *sp, const char *cmd);

/*
 * Answer notification @id as sck_notify_respond does, calling again when a signal interrupts it
 * (the target would otherwise wait for good); 0 also when the call is gone (-ENOENT) or already
 * answered (-EINPROGRESS). Returns 0 or another negative errno, for a handler to return.
 */
int sck_cli_respond(struct sck_notify *n, uint64_t id, int64_t val, int error, unsigned int flags);

/* Close what @sp holds. */
void sck_cli_spawn_fini(struct sck_cli_spawn *sp);

/* The ABI of a notified call: its audit arch, x32 told apart by its number (sck_arch_from_audit_nr). */
const struct sck_arch *sck_cli_notif_arch(const struct seccomp_notif *req);

/*
 * Write notified call @req as `name(arg, ...)` into @buf (@cap bytes, NUL-terminated, cut when
 * too long); strings are read from the target through @n. Returns the length written.
 */
size_t sck_cli_format_call(struct sck_notify *n, const struct seccomp_notif *req, char *buf,
			   size_t cap);

/*
 * How the arguments of syscall @name print (decode.c's table, the same on every arch): one letter
 * per argument, s string, v string vector, f fd or dirfd, d int, u size, o mode, p pointer, x hex.
 * NULL for a call not listed.
 */
const char *sck_cli_arg_spec(const char *name);

/*
 * Where CMD is, as execvp would find it: its path (malloc'd) in *@path and 0; or 126 / 127 with
 * the reason in *@err.
 */
int sck_cli_resolve(const char *cmd, char **path, int *err);

#endif /* SCK_CLI_SPAWN_H */
