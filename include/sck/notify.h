/* SPDX-License-Identifier: MIT */
/*
 * User notification (SECCOMP_RET_USER_NOTIF, Linux 5.0): a supervisor receives the system calls a
 * filter routes to its listener fd, and answers each with a value, an errno, or "continue in the
 * kernel". This module wraps the listener's ioctls with buffers sized from the kernel's answer to
 * SECCOMP_GET_NOTIF_SIZES, reads the target's memory for pointer arguments (then re-checks that
 * the notification is still live), hands listener fds between processes, and runs a poll loop
 * over several listeners that ends when the last target is gone.
 *
 * Two outcomes are normal and not failures: -ENOENT (the target died, or a signal interrupted the
 * blocked call, which the kernel may then restart and notify again) and -EINTR (a signal
 * interrupted the supervisor). Every other negative value is an error.
 *
 * Never make a security decision from memory read in the target and then answer CONTINUE: the
 * target's other threads can rewrite the arguments between the read and the kernel's own read
 * (seccomp_unotify(2), NOTES). Continuing is for tracing and for calls the kernel checks itself.
 */
#ifndef SCK_NOTIFY_H
#define SCK_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/ioctl.h>
#include <linux/seccomp.h>

#include "sck/sys.h"

#ifndef SCK_API
#define SCK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Kernel constants, defined here when the build machine's <linux/seccomp.h> is older. */
#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0) /* Linux 5.5 */
#endif
#ifndef SECCOMP_ADDFD_FLAG_SETFD
#define SECCOMP_ADDFD_FLAG_SETFD (1UL << 0) /* Linux 5.9 */
#endif
#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1) /* Linux 5.14 */
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0) /* Linux 6.6 */
#endif
#ifndef SECCOMP_IOC_MAGIC
#define SECCOMP_IOC_MAGIC '!'
#endif
#ifndef SECCOMP_IOCTL_NOTIF_RECV
#define SECCOMP_IOCTL_NOTIF_RECV _IOWR(SECCOMP_IOC_MAGIC, 0, struct seccomp_notif)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SEND
#define SECCOMP_IOCTL_NOTIF_SEND _IOWR(SECCOMP_IOC_MAGIC, 1, struct seccomp_notif_resp)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_ID_VALID
#define SECCOMP_IOCTL_NOTIF_ID_VALID _IOW(SECCOMP_IOC_MAGIC, 2, __u64)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_ADDFD
/* struct seccomp_notif_addfd arrived with the ioctl (Linux 5.9); the layout is the kernel's. */
struct seccomp_notif_addfd {
	__u64 id;
	__u32 flags;
	__u32 srcfd;
	__u32 newfd;
	__u32 newfd_flags;
};
#define SECCOMP_IOCTL_NOTIF_ADDFD _IOW(SECCOMP_IOC_MAGIC, 3, struct seccomp_notif_addfd)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS _IOW(SECCOMP_IOC_MAGIC, 4, __u64) /* Linux 6.6 */
#endif

/*
 * A listener as the supervisor sees it: the listener fd (borrowed, never closed by sck), the
 * kernel's structure sizes, and one receive buffer. Receiving through one handle is not
 * thread-safe (the buffer is shared; use sck_notify_recv_into with buffers from
 * sck_notify_alloc for several receiving threads); responding, id checks, add-fd and memory
 * reads are, since the kernel serialises them.
 */
struct sck_notify;

/* Flags of sck_notify_new. */
enum {
	/* Leave the listener's flags alone: no synchronous wake-up (see sck_notify_new). */
	SCK_NOTIFY_NO_SYNC_WAKE_UP = 1 << 0,
};

/*
 * sck_notify_new - wrap listener fd @listener (from sck_set_mode_filter with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, or received from the process that installed the filter).
 * Unless @flags has SCK_NOTIFY_NO_SYNC_WAKE_UP, sets SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP on the
 * listener (Linux 6.6; see sck_notify_set_flags): round trips get several times faster. The flag
 * belongs to the listener, so it stays set for every handle and process using it. On a kernel
 * without it (EINVAL or ENOTTY from SECCOMP_IOCTL_NOTIF_SET_FLAGS) the handle works as before;
 * sck_notify_sync_wake_up tells which.
 * @flags: 0 or SCK_NOTIFY_NO_SYNC_WAKE_UP.
 * @out:   receives the handle on success; untouched on failure. Free with sck_notify_free; the
 *         fd stays open and the caller's.
 * Returns 0, -EINVAL (@listener < 0, @out NULL, an unknown flag), -ENOMEM, the -errno of
 * SECCOMP_GET_NOTIF_SIZES (-EINVAL before Linux 5.0), or of SECCOMP_IOCTL_NOTIF_SET_FLAGS other
 * than EINVAL and ENOTTY: -EBADF (@listener is not open), -EINTR (a signal interrupted it).
 */
SCK_API int sck_notify_new(int listener, unsigned int flags, struct sck_notify **out);

/*
 * sck_notify_sync_wake_up - whether SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP was set through @n (by
 * sck_notify_new, or by sck_notify_set_flags, which also clears it). False for NULL, with
 * SCK_NOTIFY_NO_SYNC_WAKE_UP, and on kernels before 6.6. Thread-safe.
 */
SCK_API bool sck_notify_sync_wake_up(const struct sck_notify *n);

/* sck_notify_free - release @n (NULL is a no-op); the listener fd is not closed. */
SCK_API void sck_notify_free(struct sck_notify *n);

/* sck_notify_fd - the listener fd of @n, or -EINVAL for NULL. */
SCK_API int sck_notify_fd(const struct sck_notify *n);

/*
 * sck_notify_alloc - allocate zeroed notification buffers of the sizes the running kernel uses
 * (at least the sizes of this build's structs): a request for sck_notify_recv_into and a response
 * for callers that issue SECCOMP_IOCTL_NOTIF_SEND themselves.
 * @req, @resp: each receives a malloc'd buffer the caller frees with free(); either may be NULL
 *              when not wanted (not both). Untouched on failure.
 * Returns 0, -EINVAL (both NULL; a kernel before 5.0), -ENOMEM. Thread-safe (the sizes are asked
 * once and cached).
 */
SCK_API int sck_notify_alloc(struct seccomp_notif **req, struct seccomp_notif_resp **resp);

/*
 * sck_notify_recv - receive the next notification (SECCOMP_IOCTL_NOTIF_RECV), blocking until one
 * is pending (poll the fd first to avoid blocking).
 * @req: receives a pointer to @n's buffer, valid until the next receive on @n or its free.
 *       Untouched on failure.
 * Returns 0; the normal outcomes -ENOENT (the target died or its call was interrupted between
 * the wake-up and the receive) and -EINTR (a signal interrupted the wait); -EINVAL (NULL
 * argument); -EBADF/-ENOTTY (not a listener); other -errno from the kernel unchanged.
 * Beware: on kernels where nothing is left to notify, a blocking receive may never return
 * (seccomp_unotify(2), BUGS): poll for POLLIN, and POLLHUP when every target has exited.
 */
SCK_API int sck_notify_recv(struct sck_notify *n, const struct seccomp_notif **req);

/*
 * sck_notify_recv_into - as sck_notify_recv, into @req, a buffer from sck_notify_alloc (which the
 * call zeroes first, as the kernel requires). Thread-safe. Same return values.
 */
SCK_API int sck_notify_recv_into(struct sck_notify *n, struct seccomp_notif *req);

/*
 * sck_notify_respond - answer notification @id (SECCOMP_IOCTL_NOTIF_SEND).
 * @val:   the return value the target sees when @error is 0.
 * @error: 0, or a positive errno (EPERM ...) the target's call fails with (-1, errno = @error).
 * @flags: 0, or SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5: run the call in the kernel; @val and
 *         @error must then be 0); other bits are passed to the kernel, which refuses unknown ones.
 * Returns 0; the normal outcome -ENOENT (stale @id: the target died, was interrupted, or was
 * answered and has resumed); -EINVAL (NULL @n, @error outside 0..4095, or the kernel refused
 * @flags or CONTINUE with a value); -EINPROGRESS (@id not received yet, or answered and the
 * target not yet resumed); -EINTR; other -errno unchanged. Thread-safe.
 */
SCK_API int sck_notify_respond(struct sck_notify *n, uint64_t id, int64_t val, int error,
			       unsigned int flags);

/* sck_notify_continue - sck_notify_respond(n, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
SCK_API int sck_notify_continue(struct sck_notify *n, uint64_t id);

/*
 * sck_notify_id_valid - whether notification @id is still pending: the target is alive and still
 * blocked in that call (SECCOMP_IOCTL_NOTIF_ID_VALID). Check it after reading anything about the
 * target through its pid (/proc, its memory) and before trusting what was read.
 * Returns 0 when valid, -ENOENT when not (normal), -EINVAL for NULL @n, -EINTR, other -errno
 * unchanged. Thread-safe.
 */
SCK_API int sck_notify_id_valid(struct sck_notify *n, uint64_t id);

/*
 * sck_notify_addfd - install a duplicate of the supervisor's @srcfd in the target of notification
 * @id (SECCOMP_IOCTL_NOTIF_ADDFD, Linux 5.9).
 * @newfd:       the target's fd number with SECCOMP_ADDFD_FLAG_SETFD (closed first if open);
 *               must be 0 without it.
 * @newfd_flags: 0 or O_CLOEXEC, for the target's fd.
 * @flags:       0, SECCOMP_ADDFD_FLAG_SETFD, SECCOMP_ADDFD_FLAG_SEND (Linux 5.14: also answer
 *               @id with the new fd number, atomically; no sck_notify_respond afterwards), or
 *               both; other bits go to the kernel, which refuses them.
 * Returns the fd number in the target (>= 0); the normal outcome -ENOENT (target gone or
 * interrupted); -EINVAL (NULL @n, negative @srcfd or @newfd, or the kernel refused the flags);
 * -EINPROGRESS (@id not received yet, or already answered); -EBADF (bad @srcfd, or the target's
 * RLIMIT_NOFILE); -EMFILE (@newfd above nr_open); -EBUSY (SEND while other add-fd requests are
 * queued); -EINTR; other -errno unchanged. Thread-safe.
 */
SCK_API int sck_notify_addfd(struct sck_notify *n, uint64_t id, int srcfd, int newfd,
			     unsigned int newfd_flags, unsigned int flags);

/*
 * sck_notify_set_flags - set listener flags (SECCOMP_IOCTL_NOTIF_SET_FLAGS, Linux 6.6), replacing
 * the ones set before: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP asks the kernel to wake the supervisor
 * on the target's CPU and the target on the supervisor's, which shortens round trips when one
 * supervisor thread serves the listener; 0 clears it. sck_notify_new sets it already.
 * Returns 0, -EINVAL (NULL @n or a flag the kernel refuses), -ENOTTY before Linux 6.6, -EINTR.
 */
SCK_API int sck_notify_set_flags(struct sck_notify *n, uint64_t flags);

/*
 * sck_notify_mem_read - copy @len bytes at address @addr of the target of @req into @buf
 * (process_vm_readv, or /proc/PID/mem where that is unavailable), then check that @req is still
 * pending (ID_VALID) so that the bytes came from the right process (the pid may have been reused
 * once the target died). The bytes are a snapshot: the target's other threads may change them.
 * Returns the number of bytes copied (short when the range runs into unmapped memory); -EFAULT
 * when nothing at @addr is readable; the normal outcome -ENOENT (the notification is no longer
 * pending: discard @buf); -EINVAL (NULL argument, @len 0 or above INT_MAX); -ESRCH; -EPERM /
 * -EACCES (the supervisor may not read the target's memory); -EINTR (a signal interrupted the
 * read or the check: call again); other -errno unchanged. Thread-safe.
 */
SCK_API int sck_notify_mem_read(struct sck_notify *n, const struct seccomp_notif *req,
				uint64_t addr, void *buf, size_t len);

/*
 * sck_notify_mem_read_str - read the NUL-terminated string at @addr of the target of @req into
 * @buf of @cap bytes (at most @cap - 1 characters, then a NUL), then check @req is still pending.
 * Returns the string's length; -ERANGE when it does not fit (@buf then holds its first @cap - 1
 * bytes and a NUL); -EFAULT when unreadable (also when it runs into unmapped memory before its
 * NUL); -ENOENT (normal: the notification is gone); -EINVAL (NULL argument, @cap 0 or above
 * INT_MAX); -ESRCH, -EPERM, -EACCES, -EINTR as sck_notify_mem_read. Thread-safe.
 */
SCK_API int sck_notify_mem_read_str(struct sck_notify *n, const struct seccomp_notif *req,
				    uint64_t addr, char *buf, size_t cap);

/*
 * sck_notify_listener_send - pass @listener to the process at the other end of unix socket @sock
 * (one byte of data and an SCM_RIGHTS message). Used by the child that installed the filter: the
 * filter must let this sendmsg through (or be installed by another thread, see sck-trace(1)).
 * Returns 0, -EINVAL (negative fd), or the -errno of sendmsg (-EPIPE: the peer is gone; -EINTR:
 * a signal interrupted it, call again). Async-signal-safe.
 */
SCK_API int sck_notify_listener_send(int sock, int listener);

/*
 * sck_notify_listener_recv - receive a listener fd sent by sck_notify_listener_send on @sock.
 * Returns the new fd (O_CLOEXEC, the caller's); -ENODATA when the peer closed the socket without
 * sending one; -EBADMSG when a message came without exactly one fd (any fds it carried are
 * closed); -EINVAL (negative @sock); -EINTR; other -errno of recvmsg unchanged.
 */
SCK_API int sck_notify_listener_recv(int sock);

/*
 * sck_notify_listener_getfd - take a copy of fd @fd of process @pid (pidfd_open + pidfd_getfd,
 * Linux 5.6): the alternative to a socket when the supervisor knows the listener's number in the
 * target. Needs ptrace access to @pid (PTRACE_MODE_ATTACH_REALCREDS).
 * Returns the new fd (O_CLOEXEC, the caller's); -EINVAL (@pid <= 0 or @fd < 0); -ESRCH (no such
 * process); -EBADF (no such fd in @pid); -EPERM; -ENOSYS before 5.6; other -errno unchanged.
 */
SCK_API int sck_notify_listener_getfd(int pid, int fd);

/*
 * A supervisor: a poll loop over several listeners (one per target or filter), each with its
 * handler, plus optional children to reap. Not thread-safe, except sck_supervisor_stop.
 * It polls even with a single listener: a thread blocked in SECCOMP_IOCTL_NOTIF_RECV would miss
 * a stop request and the exit of a child that still holds the filter (it measured about 10 %
 * faster than poll with synchronous wake-ups; sck_notify_recv blocks that way for callers that
 * wait for nothing else).
 */
struct sck_supervisor;

/* Flags of sck_supervisor_new. */
enum {
	/* Create its handles with SCK_NOTIFY_NO_SYNC_WAKE_UP. */
	SCK_SUPERVISOR_NO_SYNC_WAKE_UP = 1 << 0,
};

/*
 * sck_supervisor_new - an empty supervisor. @flags: 0 or SCK_SUPERVISOR_NO_SYNC_WAKE_UP (by
 * default, listeners get synchronous wake-ups as from sck_notify_new).
 * Returns 0, -EINVAL (NULL @out, an unknown flag), -ENOMEM, -EMFILE, -ENFILE.
 */
SCK_API int sck_supervisor_new(unsigned int flags, struct sck_supervisor **out);

/* sck_supervisor_free - release @s and its notify handles (NULL is a no-op); closes no listener. */
SCK_API void sck_supervisor_free(struct sck_supervisor *s);

/*
 * sck_supervisor_add - watch @listener (borrowed: the caller closes it after the loop). Each
 * notification is received by the loop and passed to @fn with a handle for the listener and
 * @arg. @fn must answer it (sck_notify_respond, _continue, or addfd with SEND), treating -ENOENT
 * as normal; it returns 0 to go on, or a negative errno that stops sck_supervisor_run, which
 * returns it. The @req pointer is valid during the call only.
 * The listener leaves the loop when the kernel reports POLLHUP: every task using its filter
 * has exited and been reaped.
 * Returns 0, -EINVAL (NULL @s or @fn, negative @listener), -ENOMEM, or as sck_notify_new
 * (-EINTR: call again).
 */
SCK_API int sck_supervisor_add(struct sck_supervisor *s, int listener,
			       int (*fn)(struct sck_notify *n, const struct seccomp_notif *req,
					 void *arg),
			       void *arg);

/*
 * sck_supervisor_add_child - reap child @pid when it exits, storing its wait status (as
 * waitpid(2) gives it) in *@status. A target's filter is released only when the target is reaped,
 * so a supervisor that is also the target's parent adds it here or the loop never ends.
 * Returns 0, -EINVAL (NULL argument, @pid <= 0), -ENOMEM, or the -errno of pidfd_open (-ESRCH).
 */
SCK_API int sck_supervisor_add_child(struct sck_supervisor *s, int pid, int *status);

/*
 * sck_supervisor_run - serve notifications until every listener has hung up and every child has
 * been reaped (returns 0), for at most @timeout_ms milliseconds (-1: no limit; then -ETIMEDOUT).
 * Notifications that vanish before they are received (-ENOENT) are skipped.
 * Returns 0; -ETIMEDOUT; -ECANCELED (sck_supervisor_stop was called); -EINTR (a signal arrived:
 * call again to go on); a handler's negative return; -EBADF (a listener fd was closed under the
 * loop); -EINVAL (NULL @s); other -errno of poll or receive. Can be called again after any of
 * these to go on.
 */
SCK_API int sck_supervisor_run(struct sck_supervisor *s, int timeout_ms);

/*
 * sck_supervisor_stop - make a running (or the next) sck_supervisor_run return -ECANCELED.
 * Async-signal-safe and thread-safe. Returns 0, -EINVAL for NULL, or the -errno of write.
 */
SCK_API int sck_supervisor_stop(struct sck_supervisor *s);

/* sck_supervisor_count - listeners still in the loop (0 for NULL). */
SCK_API size_t sck_supervisor_count(const struct sck_supervisor *s);

#ifdef __cplusplus
}
#endif

#endif /* SCK_NOTIFY_H */
