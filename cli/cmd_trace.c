// SPDX-License-Identifier: MIT
/*
 * `sck trace [-o FILE] -- CMD [ARG...]`: run CMD under a filter that routes every system call of
 * CMD and its descendants to sck through user notification; print one line per call (thread id,
 * name, arguments with strings read from the target) and let the kernel run the call unchanged
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Exits with CMD's status, as env(1) and timeout(1) do.
 * The hand-over of the listener is spawn.c's.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * How to print each argument of the calls sck decodes, by name (the same on every arch):
 * s string (a path or a name, read from the target), v string vector (execve's argv),
 * f fd or dirfd (AT_FDCWD by name), d signed int, u unsigned size, o octal mode, x hex (flags,
 * pointers, anything else). A call not listed prints its six arguments in hex.
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
	{"brk", "x"},
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
	{"mmap", "xuxxfx"},
	{"mmap2", "xuxxfx"},
	{"mount", "sssxx"},
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

static const char *arg_spec(const char *name)
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
	rc = sck_notify_mem_read_str(n, req, addr, s, sizeof(s));
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
	rc = sck_notify_mem_read(n, req, addr, ptrs, max * ptr_size);
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

struct trace {
	int out_fd; /* where lines go: stderr or the temporary file */
	const struct sck_arch *native;
	char obuf[65536]; /* lines waiting to be written to a file */
	size_t olen;
	int werr; /* first write error */
};

static void flush_out(struct trace *t)
{
	size_t off = 0;

	while (off < t->olen) {
		ssize_t w = write(t->out_fd, t->obuf + off, t->olen - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			if (!t->werr)
				t->werr = -errno;
			break;
		}
		off += (size_t)w;
	}
	t->olen = 0;
}

static int on_call(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	struct trace *t = arg;
	const struct sck_arch *arch = sck_cli_notif_arch(req);
	const char *name = NULL, *spec;
	unsigned int ptr_size = sizeof(void *);
	struct line l;
	int nr = req->data.nr, rc;

	l.len = 0;
	if (arch) {
		name = sck_syscall_name(arch, nr);
		ptr_size = arch->bits == 64 && arch->id != SCK_ARCH_X32 &&
					   arch->id != SCK_ARCH_MIPS64N32 &&
					   arch->id != SCK_ARCH_MIPSEL64N32
				   ? 8
				   : 4;
	}
	put(&l, "[pid %u] ", req->pid);
	if (arch != t->native)
		put(&l, "[%s] ", arch ? arch->name : "unknown-arch");
	if (name)
		put(&l, "%s(", name);
	else
		put(&l, "syscall_%d(", nr);
	spec = arg_spec(name);
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
		default:
			put(&l, "0x%llx", (unsigned long long)a);
			break;
		}
	}
	put(&l, ")\n");
	if (l.len >= sizeof(l.buf) - 1)
		l.buf[sizeof(l.buf) - 2] = '\n';
	if (t->olen + l.len > sizeof(t->obuf))
		flush_out(t);
	memcpy(t->obuf + t->olen, l.buf, l.len);
	t->olen += l.len;
	/* On a terminal or pipe the line goes out before the call runs, so that what CMD itself
	 * writes to the same place comes after it. */
	if (t->out_fd == STDERR_FILENO)
		flush_out(t);
	rc = sck_notify_continue(n, req->id);
	return rc == -ENOENT || rc == -EINPROGRESS ? 0 : rc;
}

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int sck_cmd_trace(int argc, char **argv)
{
	/* One instruction: every call of every ABI goes to sck. sck-trace(1) says why no call
	 * needs an exemption. */
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	const char *outpath = NULL;
	char tmp[PATH_MAX] = "";
	struct sck_cli_spawn sp = {-1, -1, -1, 0};
	struct trace *t = NULL;
	int ret = SCK_EXIT_FAILED, opt;
	struct stat st;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			return sck_cli_help("trace");
		default:
			sck_cli_usage("trace", "bad option");
			return SCK_EXIT_FAILED;
		}
	}
	if (optind >= argc) {
		sck_cli_usage("trace", "missing CMD");
		return SCK_EXIT_FAILED;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		sck_cli_err("trace", "%s", strerror(ENOMEM));
		return SCK_EXIT_FAILED;
	}
	t->native = sck_arch_native();
	t->out_fd = STDERR_FILENO;
	if (outpath && stat(outpath, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A device or a fifo (-o /dev/null, /dev/stderr): written in place, never replaced. */
		t->out_fd = open(outpath, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (t->out_fd < 0) {
			sck_cli_err(outpath, "%s", strerror(errno));
			goto out;
		}
	} else if (outpath && strcmp(outpath, "-") != 0) {
		/* A result file: written as the trace goes, renamed into place at the end. */
		if (snprintf(tmp, sizeof(tmp), "%s.sck-XXXXXX", outpath) >= (int)sizeof(tmp)) {
			sck_cli_err(outpath, "%s", strerror(ENAMETOOLONG));
			goto out;
		}
		t->out_fd = mkostemp(tmp, O_CLOEXEC);
		if (t->out_fd < 0) {
			sck_cli_err(outpath, "%s", strerror(errno));
			tmp[0] = '\0';
			goto out;
		}
	} else if (outpath) {
		t->out_fd = STDOUT_FILENO;
	}
	ret = sck_cli_spawn("trace", prog, 1, argv + optind, &sp);
	if (ret)
		goto out;
	ret = sck_cli_spawn_supervise("trace", &sp, on_call, t);
	if (ret)
		goto out;
	ret = SCK_EXIT_FAILED;
	flush_out(t);
	if (t->werr) {
		sck_cli_err(outpath ? outpath : "trace", "write: %s", strerror(-t->werr));
		goto out;
	}
	if (tmp[0]) {
		if (fchmod(t->out_fd, 0644) < 0 || fsync(t->out_fd) < 0 ||
		    rename(tmp, outpath) < 0) {
			sck_cli_err(outpath, "%s", strerror(errno));
			goto out;
		}
		tmp[0] = '\0';
	}
	ret = sck_cli_spawn_status(&sp, argv[optind]);
out:
	sck_cli_spawn_fini(&sp);
	if (t->out_fd > STDERR_FILENO)
		close(t->out_fd);
	if (tmp[0])
		unlink(tmp);
	free(t);
	return ret;
}
