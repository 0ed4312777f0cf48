// SPDX-License-Identifier: MIT
/*
 * One notified call as text, `name(arg, ...)`, for `sck trace` and `sck run --report`: the name
 * from the caller's ABI table, strings and execve's argv read from the target (then checked
 * still pending, see sck_notify_mem_read), other arguments by a small per-name signature table.
 */
#include "spawn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * How to print each argument of the calls sck decodes, by name (the same on every arch):
 * s string (a path or a name, read from the target), v string vector (execve's argv),
 * f fd or dirfd (AT_FDCWD by name), d signed int, u unsigned size, o octal mode, p pointer (NULL
 * or hex), x hex (flags, anything else; 0 as "0"). A call not listed prints its six arguments
 * in hex.
 */
struct sig {
	const char *name;
	const char *args;
};

static const struct sig sigs[] = {
	{"_llseek", "fuuxd"},
	{"accept", "fxx"},
	{"accept4", "fxxx"},
	{"access", "so"},
	{"acct", "s"},
	{"alarm", "u"},
	{"arch_prctl", "xx"},
	{"bind", "fxu"},
	{"brk", "p"},
	{"chdir", "s"},
	{"chmod", "so"},
	{"chown", "sdd"},
	{"chown32", "sdd"},
	{"chroot", "s"},
	{"clock_gettime", "dx"},
	{"clock_nanosleep", "dxxx"},
	{"clone", "xxxxx"},
	{"clone3", "xu"},
	{"close", "f"},
	{"close_range", "uux"},
	{"connect", "fxu"},
	{"creat", "so"},
	{"delete_module", "sx"},
	{"dup", "f"},
	{"dup2", "ff"},
	{"dup3", "ffx"},
	{"epoll_create1", "x"},
	{"epoll_ctl", "fdfx"},
	{"epoll_pwait", "fxddxu"},
	{"epoll_wait", "fxdd"},
	{"eventfd2", "ux"},
	{"execve", "svx"},
	{"execveat", "fsvxx"},
	{"exit", "d"},
	{"exit_group", "d"},
	{"faccessat", "fso"},
	{"faccessat2", "fsox"},
	{"fadvise64", "fddd"},
	{"fallocate", "fxdd"},
	{"fchdir", "f"},
	{"fchmod", "fo"},
	{"fchmodat", "fso"},
	{"fchown", "fdd"},
	{"fchownat", "fsddx"},
	{"fcntl", "fdx"},
	{"fcntl64", "fdx"},
	{"fdatasync", "f"},
	{"fgetxattr", "fsxu"},
	{"flock", "fx"},
	{"fork", ""},
	{"fstat", "fx"},
	{"fstat64", "fx"},
	{"fstatat64", "fsxx"},
	{"fstatfs", "fx"},
	{"fsync", "f"},
	{"ftruncate", "fd"},
	{"futex", "xdxxxx"},
	{"getcwd", "xu"},
	{"getdents", "fxu"},
	{"getdents64", "fxu"},
	{"getegid", ""},
	{"geteuid", ""},
	{"getgid", ""},
	{"getpgrp", ""},
	{"getpid", ""},
	{"getppid", ""},
	{"getrandom", "xux"},
	{"gettid", ""},
	{"getuid", ""},
	{"getxattr", "ssxu"},
	{"inotify_add_watch", "fsx"},
	{"inotify_init", ""},
	{"ioctl", "fxx"},
	{"kill", "dd"},
	{"lchown", "sdd"},
	{"lgetxattr", "ssxu"},
	{"link", "ss"},
	{"linkat", "fsfsx"},
	{"listen", "fd"},
	{"listxattr", "sxu"},
	{"llistxattr", "sxu"},
	{"lseek", "fdd"},
	{"lsetxattr", "ssxux"},
	{"lstat", "sx"},
	{"lstat64", "sx"},
	{"madvise", "xud"},
	{"memfd_create", "sx"},
	{"mkdir", "so"},
	{"mkdirat", "fso"},
	{"mknod", "sox"},
	{"mknodat", "fsox"},
	{"mmap", "puxxfx"},
	{"mmap2", "puxxfx"},
	{"mount", "sssxp"},
	{"mprotect", "xux"},
	{"mremap", "xuuxx"},
	{"munmap", "xu"},
	{"name_to_handle_at", "fsxxx"},
	{"nanosleep", "xx"},
	{"newfstatat", "fsxx"},
	{"open", "sxo"},
	{"open_tree", "fsx"},
	{"openat", "fsxo"},
	{"openat2", "fsxu"},
	{"pause", ""},
	{"pipe", "x"},
	{"pipe2", "xx"},
	{"pivot_root", "ss"},
	{"poll", "xud"},
	{"ppoll", "xuxxu"},
	{"prctl", "dxxxx"},
	{"pread64", "fxud"},
	{"prlimit64", "ddxx"},
	{"pwrite64", "fxud"},
	{"read", "fxu"},
	{"readlink", "sxu"},
	{"readlinkat", "fsxu"},
	{"readv", "fxu"},
	{"recvfrom", "fxuxxx"},
	{"recvmsg", "fxx"},
	{"removexattr", "ss"},
	{"rename", "ss"},
	{"renameat", "fsfs"},
	{"renameat2", "fsfsx"},
	{"restart_syscall", ""},
	{"rmdir", "s"},
	{"rseq", "xuxx"},
	{"rt_sigaction", "dxxu"},
	{"rt_sigprocmask", "dxxu"},
	{"rt_sigreturn", ""},
	{"sched_getaffinity", "dux"},
	{"sched_yield", ""},
	{"sendmsg", "fxx"},
	{"sendto", "fxuxxu"},
	{"set_robust_list", "xu"},
	{"set_tid_address", "x"},
	{"setgid", "d"},
	{"sethostname", "su"},
	{"setns", "fx"},
	{"setpgid", "dd"},
	{"setsid", ""},
	{"setuid", "d"},
	{"setxattr", "ssxux"},
	{"sigreturn", ""},
	{"socket", "ddd"},
	{"socketpair", "dddx"},
	{"stat", "sx"},
	{"stat64", "sx"},
	{"statfs", "sx"},
	{"statx", "fsxxx"},
	{"swapoff", "s"},
	{"swapon", "sx"},
	{"symlink", "ss"},
	{"symlinkat", "sfs"},
	{"sync", ""},
	{"sysinfo", "x"},
	{"tgkill", "ddd"},
	{"tkill", "dd"},
	{"truncate", "sd"},
	{"umask", "o"},
	{"umount", "s"},
	{"umount2", "sx"},
	{"uname", "x"},
	{"unlink", "s"},
	{"unlinkat", "fsx"},
	{"unshare", "x"},
	{"uselib", "s"},
	{"utime", "sx"},
	{"utimensat", "fsxx"},
	{"utimes", "sx"},
	{"vfork", ""},
	{"vhangup", ""},
	{"wait4", "dxxx"},
	{"waitid", "ddxxx"},
	{"write", "fxu"},
	{"writev", "fxu"},
};

static int sig_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sig *)elem)->name);
}

const char *sck_cli_arg_spec(const char *name)
{
	const struct sig *s;

	if (!name)
		return NULL;
	s = bsearch(name, sigs, sizeof(sigs) / sizeof(sigs[0]), sizeof(sigs[0]), sig_cmp);
	return s ? s->args : NULL;
}

/* A growable line buffer. */
struct line {
	char buf[8192];
	size_t len;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < sizeof(l->buf) - l->len ? (size_t)n
							      : sizeof(l->buf) - l->len - 1;
}

#define STR_MAX 256 /* characters of a string argument shown before "..." */

/* Print the string at @addr of the target, quoted and escaped, or the pointer if unreadable. */
static void put_str(struct line *l, struct sck_notify *n, const struct seccomp_notif *req,
		    uint64_t addr)
{
	char s[STR_MAX + 1];
	int rc;

	if (addr == 0) {
		put(l, "NULL");
		return;
	}
	do /* the library leaves retrying an interrupted read to its caller */
		rc = sck_notify_mem_read_str(n, req, addr, s, sizeof(s));
	while (rc == -EINTR);
	if (rc < 0 && rc != -ERANGE) {
		put(l, "0x%llx", (unsigned long long)addr);
		return;
	}
	put(l, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			put(l, "\\%c", *p);
		else if (*p == '\n')
			put(l, "\\n");
		else if (*p == '\t')
			put(l, "\\t");
		else if (*p < 0x20 || *p >= 0x7f)
			put(l, "\\x%02x", *p);
		else
			put(l, "%c", *p);
	}
	put(l, rc == -ERANGE ? "\"..." : "\"");
}

/* execve's argv: an array of pointers of the target ABI's width, NULL-terminated. */
static void put_strv(struct line *l, struct sck_notify *n, const struct seccomp_notif *req,
		     uint64_t addr, unsigned int ptr_size)
{
	unsigned char ptrs[16 * 8];
	size_t max = sizeof(ptrs) / ptr_size, count;
	int rc;

	if (addr == 0) {
		put(l, "NULL");
		return;
	}
	do
		rc = sck_notify_mem_read(n, req, addr, ptrs, max * ptr_size);
	while (rc == -EINTR);
	if (rc < (int)ptr_size) {
		put(l, "0x%llx", (unsigned long long)addr);
		return;
	}
	count = (size_t)rc / ptr_size;
	put(l, "[");
	for (size_t i = 0; i < count; i++) {
		uint64_t p = 0;

		if (ptr_size == 8) {
			memcpy(&p, ptrs + i * 8, 8);
		} else {
			uint32_t p32;

			memcpy(&p32, ptrs + i * 4, 4);
			p = p32;
		}
		if (p == 0) {
			put(l, "]");
			return;
		}
		if (i)
			put(l, ", ");
		put_str(l, n, req, p);
	}
	put(l, ", ...]");
}

size_t sck_cli_format_call(struct sck_notify *n, const struct seccomp_notif *req, char *buf,
			   size_t cap)
{
	const struct sck_arch *arch = sck_cli_notif_arch(req);
	const char *name = NULL, *spec;
	unsigned int ptr_size = sizeof(void *);
	struct line l;
	int nr = req->data.nr;

	l.len = 0;
	if (arch) {
		name = sck_syscall_name(arch, nr);
		ptr_size = arch->long_bits / 8; /* x32 and mips n32: 4 under a 64-bit audit arch */
	}
	if (name)
		put(&l, "%s(", name);
	else
		put(&l, "syscall_%d(", nr);
	spec = sck_cli_arg_spec(name);
	for (int i = 0; i < (spec ? (int)strlen(spec) : 6); i++) {
		uint64_t a = req->data.args[i];
		char c = spec ? spec[i] : 'x';

		if (i)
			put(&l, ", ");
		switch (c) {
		case 's':
			put_str(&l, n, req, a);
			break;
		case 'v':
			put_strv(&l, n, req, a, ptr_size);
			break;
		case 'f':
			if ((int32_t)a == -100)
				put(&l, "AT_FDCWD");
			else
				put(&l, "%d", (int32_t)a);
			break;
		case 'd':
			put(&l, "%d", (int32_t)a);
			break;
		case 'u':
			put(&l, "%llu", (unsigned long long)a);
			break;
		case 'o':
			put(&l, "%#llo", (unsigned long long)a);
			break;
		case 'p':
			if (a == 0)
				put(&l, "NULL");
			else
				put(&l, "0x%llx", (unsigned long long)a);
			break;
		default:
			if (a == 0)
				put(&l, "0");
			else
				put(&l, "0x%llx", (unsigned long long)a);
			break;
		}
	}
	put(&l, ")");
	if (cap == 0)
		return 0;
	if (l.len >= cap)
		l.len = cap - 1;
	memcpy(buf, l.buf, l.len);
	buf[l.len] = '\0';
	return l.len;
}
