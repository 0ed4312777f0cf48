/* SPDX-License-Identifier: MIT */
/*
 * The library's raw kernel calls that are not part of the public seed (src/sys.c): thin wrappers
 * that each turn -1/errno into -errno in one place, so that the modules above them (notify.c)
 * see plain negative errnos and never read errno. None retries an interrupted call: -EINTR comes
 * back to the caller, and only the CLI decides whether to call again (STYLE.md section 3).
 * Syscalls without a libc wrapper take their numbers from sck's own tables for the arch the
 * library was built for, not from numbers written here.
 */
#ifndef SCK_SYS_INT_H
#define SCK_SYS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct msghdr;
struct pollfd;

/* ioctl(@fd, @req, @arg) for a request that takes a pointer or a value: the result or -errno. */
int sck_sys_ioctl(int fd, unsigned long req, unsigned long arg);

/* pidfd_open(@pid, 0) (Linux 5.3): a pidfd (close-on-exec) or -errno; -ENOSYS where the
 * syscall is unknown to this arch's table or to the kernel. */
int sck_sys_pidfd_open(int pid);

/* pidfd_getfd(@pidfd, @fd, 0) (Linux 5.6): a copy of @fd (close-on-exec) or -errno. */
int sck_sys_pidfd_getfd(int pidfd, int fd);

/*
 * Copy what is readable of [@addr, @addr + @len) in process @pid into @buf: process_vm_readv, or
 * /proc/PID/mem where that syscall is missing or refused. Returns the bytes copied (> 0), -EFAULT
 * when nothing at @addr is readable, or -errno (-ESRCH, -EPERM, -EACCES, -EINTR ...).
 */
ssize_t sck_sys_mem_read(int pid, uint64_t addr, void *buf, size_t len);

/* sendmsg / recvmsg: bytes or -errno. */
ssize_t sck_sys_sendmsg(int sock, const struct msghdr *m, int flags);
ssize_t sck_sys_recvmsg(int sock, struct msghdr *m, int flags);

/* poll(@fds, @n, @timeout_ms): the number of ready fds or -errno. */
int sck_sys_poll(struct pollfd *fds, size_t n, int timeout_ms);

/* eventfd(0, close-on-exec, non-blocking): the fd or -errno. */
int sck_sys_eventfd(void);

/* Add @v to eventfd @fd (0, or -errno; a counter already at its maximum is not an error). */
int sck_sys_eventfd_add(int fd, uint64_t v);

/* Drain eventfd @fd (0 or -errno; an empty counter is not an error). */
int sck_sys_eventfd_drain(int fd);

/* waitpid(@pid, @status, WNOHANG): the pid when reaped, 0 when still running, or -errno. */
int sck_sys_reap(int pid, int *status);

#endif /* SCK_SYS_INT_H */
