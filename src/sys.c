// SPDX-License-Identifier: MIT
/*
 * The seed's functions and every raw seccomp/prctl call of the library. Each kernel call turns
 * -1/errno into -errno here and nowhere else; callers above see plain negative errnos.
 */
#include "sck/sys.h"
#include "sck/arch.h"
#include "sck/syscalls.h"
#include "seccomp_data_int.h"
#include "sys_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif
#ifndef PR_SET_SECCOMP
#define PR_SET_SECCOMP 22
#endif

static long raw_seccomp(unsigned int op, unsigned int flags, void *arg)
{
#ifdef SYS_seccomp
	long rc = syscall(SYS_seccomp, op, flags, arg);
	return rc < 0 ? -errno : rc;
#else
	(void)op;
	(void)flags;
	(void)arg;
	return -ENOSYS;
#endif
}

static int raw_prctl(int option, unsigned long a2, unsigned long a3)
{
	int rc = prctl(option, a2, a3, 0UL, 0UL);
	return rc < 0 ? -errno : rc;
}

bool sck_arch_is_64bit(const char *arch)
{
	const struct sck_arch *a = sck_arch_from_name(arch);
	return a && a->bits == 64;
}

bool sck_arch_is_little_endian(const char *arch)
{
	const struct sck_arch *a = sck_arch_from_name(arch);
	return a && a->little_endian;
}

uint32_t sck_audit_arch(const char *arch)
{
	const struct sck_arch *a = sck_arch_from_name(arch);
	return a ? a->audit_arch : 0;
}

/* Offset of a seccomp_data field by name; 64-bit fields report their first byte. */
static int field_offset(const char *field, bool *wide)
{
	static const struct {
		const char *seed, *kernel;
		unsigned int off;
	} fields[] = {
		{"Number", "nr", SCK_DATA_OFF_NR},
		{"Arch", "arch", SCK_DATA_OFF_ARCH},
		{"InstructionPointer", "instruction_pointer", SCK_DATA_OFF_IP},
		{"Arg0", "args[0]", SCK_DATA_OFF_ARG(0)},
		{"Arg1", "args[1]", SCK_DATA_OFF_ARG(1)},
		{"Arg2", "args[2]", SCK_DATA_OFF_ARG(2)},
		{"Arg3", "args[3]", SCK_DATA_OFF_ARG(3)},
		{"Arg4", "args[4]", SCK_DATA_OFF_ARG(4)},
		{"Arg5", "args[5]", SCK_DATA_OFF_ARG(5)},
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(field, fields[i].seed) == 0 || strcmp(field, fields[i].kernel) == 0) {
			*wide = fields[i].off >= SCK_DATA_OFF_IP;
			return (int)fields[i].off;
		}
	}
	return -EINVAL;
}

int sck_load_data_field(const char *field, bool high_word, const char *arch,
			struct sock_filter *out)
{
	const struct sck_arch *a = sck_arch_from_name(arch);
	bool wide = false;
	int off;

	if (!field || !a || !out)
		return -EINVAL;
	off = field_offset(field, &wide);
	if (off < 0)
		return off;
	/*
	 * A 64-bit field is stored in the ABI's byte order: the low word comes first on
	 * little-endian arches and second on big-endian ones (see populate_seccomp_data() and
	 * the BPF examples in Documentation/userspace-api/seccomp_filter.rst).
	 */
	if (wide && high_word == a->little_endian)
		off += SCK_DATA_WORD;
	*out = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)off);
	return 0;
}

int sck_no_new_privs(void)
{
	return raw_prctl(PR_SET_NO_NEW_PRIVS, 1, 0);
}

bool sck_action_avail(uint32_t action)
{
	/* The kernel reads a u32 (the Go seed passed a 64-bit value, wrong on big-endian). */
	uint32_t act = action;
	return raw_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &act) == 0;
}

int sck_set_mode_filter(const struct sock_filter *prog, size_t len, unsigned int flags)
{
	struct sock_fprog fprog;
	long rc;

	/* Checked here: struct sock_fprog.len is 16 bits, and a silent truncation would load a
	 * different program than the caller's. */
	if (!prog || len == 0 || len > SCK_BPF_MAXINSNS || (flags & ~SCK_FILTER_FLAGS_ALL))
		return -EINVAL;
	fprog.len = (unsigned short)len;
	fprog.filter = (struct sock_filter *)prog;

	rc = raw_seccomp(SECCOMP_SET_MODE_FILTER, flags, &fprog);
	if (rc == -ENOSYS && flags == 0)
		rc = raw_prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, (unsigned long)&fprog);
	if (rc > 0 && (flags & SECCOMP_FILTER_FLAG_TSYNC) &&
	    !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		/* TSYNC without TSYNC_ESRCH answers with the id of the thread that could not
		 * be synchronised, and nothing was installed. */
		return -ESRCH;
	if (rc < 0)
		return (int)rc;
	return (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? (int)rc : 0;
}

int sck_set_mode_strict(void)
{
	long rc = raw_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL);
	if (rc == -ENOSYS)
		rc = raw_prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0);
	return rc < 0 ? (int)rc : 0;
}

bool sck_filter_flag_avail(unsigned int flag)
{
	unsigned int flags = flag;

	if (flag == 0 || (flag & (flag - 1)) != 0)
		return false;
	if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	/* Flags are validated before the program is copied in: a known flag with a NULL program
	 * fails with EFAULT, an unknown one with EINVAL, and nothing is installed either way. */
	return raw_seccomp(SECCOMP_SET_MODE_FILTER, flags, NULL) == -EFAULT;
}

int sck_get_notif_sizes(struct sck_notif_sizes *out)
{
	struct seccomp_notif_sizes sizes;
	long rc;

	if (!out)
		return -EINVAL;
	memset(&sizes, 0, sizeof(sizes));
	rc = raw_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
	if (rc < 0)
		return (int)rc;
	out->seccomp_notif = sizes.seccomp_notif;
	out->seccomp_notif_resp = sizes.seccomp_notif_resp;
	out->seccomp_data = sizes.seccomp_data;
	return 0;
}

int sck_seccomp_mode(int pid, unsigned int *filters)
{
	char path[64], line[256];
	unsigned int nfilters = 0;
	int mode = -ENODATA;
	FILE *f;

	if (pid < 0)
		return -EINVAL;
	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/status");
	else
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Seccomp:", 8) == 0)
			mode = (int)strtol(line + 8, NULL, 10);
		else if (strncmp(line, "Seccomp_filters:", 16) == 0)
			nfilters = (unsigned int)strtoul(line + 16, NULL, 10);
	}
	fclose(f);
	if (mode >= 0 && filters)
		*filters = nfilters;
	return mode;
}

const char *sck_action_name(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		return "KILL_PROCESS";
	case SECCOMP_RET_KILL_THREAD:
		return "KILL_THREAD";
	case SECCOMP_RET_TRAP:
		return "TRAP";
	case SECCOMP_RET_ERRNO:
		return "ERRNO";
	case SECCOMP_RET_USER_NOTIF:
		return "USER_NOTIF";
	case SECCOMP_RET_TRACE:
		return "TRACE";
	case SECCOMP_RET_LOG:
		return "LOG";
	case SECCOMP_RET_ALLOW:
		return "ALLOW";
	default:
		return NULL;
	}
}

int sck_action_format(uint32_t ret, char *buf, size_t cap)
{
	const char *name = sck_action_name(ret);
	uint32_t act = ret & SECCOMP_RET_ACTION_FULL;
	int n;

	if (!buf)
		return -EINVAL;
	if (!name)
		n = snprintf(buf, cap, "UNKNOWN(0x%08x)", (unsigned int)ret);
	else if (act == SECCOMP_RET_ERRNO || act == SECCOMP_RET_TRAP || act == SECCOMP_RET_TRACE)
		n = snprintf(buf, cap, "%s(%u)", name, (unsigned int)(ret & SECCOMP_RET_DATA));
	else
		n = snprintf(buf, cap, "%s", name);
	if (n < 0 || (size_t)n >= cap)
		return -ERANGE;
	return n;
}

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

static long raw_ptrace(long req, pid_t pid, unsigned long addr, unsigned long data)
{
	long rc = syscall(SYS_ptrace, req, pid, addr, data);
	return rc < 0 ? -errno : rc;
}

/*
 * Wait for @pid (a tracee of ours) to stop; -ESRCH when it died instead. *sig receives the
 * signal to hand back on detach: a signal-delivery-stop (event 0) would otherwise swallow it.
 */
static int wait_stopped(pid_t pid, int *sig)
{
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, __WALL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (WIFSTOPPED(status)) {
			*sig = (status >> 16) == 0 ? WSTOPSIG(status) : 0;
			return 0;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return -ESRCH;
	}
}

int sck_dump_filter_alloc(int pid, unsigned int index, struct sock_filter **prog, size_t *len)
{
	struct sock_filter *buf = NULL;
	unsigned int nfilters = 0;
	long n;
	int rc, mode, sig = 0;

	if (!prog || !len || pid <= 0 || pid == getpid())
		return -EINVAL;
	/* The kernel answers EINVAL for a process outside filter mode; say it precisely. */
	mode = sck_seccomp_mode(pid, &nfilters);
	if (mode >= 0 && mode != SECCOMP_MODE_FILTER)
		return -EMEDIUMTYPE;
	/*
	 * PTRACE_SECCOMP_GET_FILTER needs a stopped tracee. SEIZE + INTERRUPT stops it without
	 * a signal it could see, and detaching resumes it as it was (Linux 3.4).
	 */
	rc = (int)raw_ptrace(PTRACE_SEIZE, pid, 0, 0);
	if (rc < 0)
		return rc;
	rc = (int)raw_ptrace(PTRACE_INTERRUPT, pid, 0, 0);
	if (rc == 0)
		rc = wait_stopped(pid, &sig);
	if (rc < 0)
		goto out;
	n = raw_ptrace(PTRACE_SECCOMP_GET_FILTER, pid, index, 0);
	if (n < 0) {
		rc = (int)n;
		goto out;
	}
	if (n == 0 || n > SCK_BPF_MAXINSNS) {
		rc = -EIO;
		goto out;
	}
	buf = calloc((size_t)n, sizeof(*buf));
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	n = raw_ptrace(PTRACE_SECCOMP_GET_FILTER, pid, index, (unsigned long)buf);
	if (n < 0) {
		rc = (int)n;
		goto out;
	}
	*prog = buf;
	*len = (size_t)n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	raw_ptrace(PTRACE_DETACH, pid, 0, (unsigned long)sig);
	return rc;
}

/* The internal calls of sys_int.h. */

int sck_sys_ioctl(int fd, unsigned long req, unsigned long arg)
{
	int rc = ioctl(fd, req, arg);
	return rc < 0 ? -errno : rc;
}

/*
 * The number of syscall @name for the ABI this library was built for, from sck's tables: libc's
 * SYS_ constants are missing where its headers are older than the syscall, and a number written
 * here by hand would be x86's (mips, for one, numbers them from 4000, 5000 or 6000).
 */
static long native_nr(const char *name)
{
	int nr = sck_syscall_nr(sck_arch_native(), name);
	return nr < 0 ? -ENOSYS : nr;
}

int sck_sys_pidfd_open(int pid)
{
	long nr = native_nr("pidfd_open"), rc;

	if (nr < 0)
		return (int)nr;
	rc = syscall(nr, pid, 0);
	return rc < 0 ? -errno : (int)rc;
}

int sck_sys_pidfd_getfd(int pidfd, int fd)
{
	long nr = native_nr("pidfd_getfd"), rc;

	if (nr < 0)
		return (int)nr;
	rc = syscall(nr, pidfd, fd, 0);
	return rc < 0 ? -errno : (int)rc;
}

/* Read through /proc/PID/mem: where process_vm_readv is missing or refused by policy. */
static ssize_t read_proc_mem(int pid, uint64_t addr, void *buf, size_t len)
{
	char path[40];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = pread(fd, buf, len, (off_t)addr);
	if (r < 0)
		r = -errno;
	else if (r == 0)
		r = -EFAULT; /* unmapped address or a process without memory */
	close(fd);
	return r;
}

ssize_t sck_sys_mem_read(int pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t r;

	if (addr > UINTPTR_MAX)
		return -EFAULT;
	r = process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0);
	if (r > 0)
		return r;
	if (r == 0)
		return -EFAULT;
	if (errno == ENOSYS || errno == EPERM)
		return read_proc_mem(pid, addr, buf, len);
	return -errno;
}

ssize_t sck_sys_sendmsg(int sock, const struct msghdr *m, int flags)
{
	ssize_t r = sendmsg(sock, m, flags);
	return r < 0 ? -errno : r;
}

ssize_t sck_sys_recvmsg(int sock, struct msghdr *m, int flags)
{
	ssize_t r = recvmsg(sock, m, flags);
	return r < 0 ? -errno : r;
}

int sck_sys_poll(struct pollfd *fds, size_t n, int timeout_ms)
{
	int rc = poll(fds, (nfds_t)n, timeout_ms);
	return rc < 0 ? -errno : rc;
}

int sck_sys_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int sck_sys_eventfd_add(int fd, uint64_t v)
{
	if (write(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

int sck_sys_eventfd_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

int sck_sys_reap(int pid, int *status)
{
	pid_t r = waitpid((pid_t)pid, status, WNOHANG);
	return r < 0 ? -errno : (int)r;
}
