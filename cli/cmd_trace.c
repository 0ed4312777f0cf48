// SPDX-License-Identifier: MIT
/*
 * `sck trace [-o FILE] -- CMD [ARG...]`: run CMD under a filter that routes every system call of
 * CMD and its descendants to sck through user notification; print one line per call (thread id,
 * name, arguments with strings read from the target) and let the kernel run the call unchanged
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Exits with CMD's status, as env(1) and timeout(1) do.
 *
 * Hand-over without exemptions: the forked child starts a second thread that installs the
 * filter (on itself only, no TSYNC) and calls execve at once, where it blocks in its first
 * notification; the child's first thread, which has no filter, sends the listener to sck over a
 * socket pair. So the filter needs no hole for the sendmsg, and the trace starts with CMD's
 * execve. The exec kills the unfiltered thread; the new image keeps the filter.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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
	const struct sck_arch *native, *x32;
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
	const struct sck_arch *arch = sck_arch_from_audit(req->data.arch);
	const char *name = NULL, *spec;
	unsigned int ptr_size = sizeof(void *);
	struct line l;
	int nr = req->data.nr, rc;

	l.len = 0;
	/* x32 shares x86_64's audit arch: its numbers carry the 0x40000000 bit instead. */
	if (arch && arch->id == SCK_ARCH_X86_64 && (nr & 0x40000000) && t->x32)
		arch = t->x32;
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

/* Where CMD is: its path (malloc'd) in *path; 0, or 126 / 127 with the errno in *err. */
static int resolve(const char *cmd, char **path, int *err)
{
	const char *dirs = getenv("PATH");
	bool denied = false;
	struct stat st;

	if (strchr(cmd, '/')) {
		if (stat(cmd, &st) < 0) {
			*err = errno;
			return errno == ENOENT || errno == ENOTDIR ? 127 : 126;
		}
		if (S_ISDIR(st.st_mode) || access(cmd, X_OK) < 0) {
			*err = S_ISDIR(st.st_mode) ? EISDIR : EACCES;
			return 126;
		}
		*path = strdup(cmd);
		return *path ? 0 : (*err = ENOMEM, 126);
	}
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	while (*cmd) {
		const char *end = strchr(dirs, ':');
		size_t dl = end ? (size_t)(end - dirs) : strlen(dirs);
		char buf[PATH_MAX];

		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)dl, dl ? dirs : ".", "/", cmd) <
		    (int)sizeof(buf)) {
			if (stat(buf, &st) == 0 && !S_ISDIR(st.st_mode)) {
				if (access(buf, X_OK) == 0) {
					*path = strdup(buf);
					return *path ? 0 : (*err = ENOMEM, 126);
				}
				denied = true;
			}
		}
		if (!end)
			break;
		dirs = end + 1;
	}
	*err = denied ? EACCES : ENOENT;
	return denied ? 126 : 127;
}

/* The child's two threads share this. */
struct launch {
	const char *path;
	char **argv;
	int errfd;
	_Atomic int listener; /* INT_MIN until the filter is in; then the fd or -errno */
};

static void *filtered_thread(void *arg)
{
	/* One instruction: every call of every arch goes to the supervisor. See sck-trace(1) for
	 * why nothing needs an exemption. */
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct launch *ln = arg;
	int fd, e;

	fd = sck_set_mode_filter(prog, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	atomic_store(&ln->listener, fd);
	if (fd < 0)
		return NULL;
	execv(ln->path, ln->argv);
	/* Traced from here on: the supervisor holds the listener by now. */
	e = errno;
	(void)!write(ln->errfd, &e, sizeof(e));
	_exit(e == ENOENT || e == ENOTDIR ? SCK_EXIT_NOTFOUND : SCK_EXIT_NOEXEC);
}

static void child(int sock, int errfd, const char *path, char **argv)
{
	struct launch ln = {path, argv, errfd, INT_MIN};
	pthread_t th;
	int fd, e;

	if (sck_no_new_privs() < 0 || pthread_create(&th, NULL, filtered_thread, &ln) != 0)
		_exit(SCK_EXIT_FAILED);
	while ((fd = atomic_load(&ln.listener)) == INT_MIN) {
		struct timespec ts = {0, 100000};

		nanosleep(&ts, NULL);
	}
	if (fd < 0) {
		e = -fd;
		(void)!write(errfd, &e, sizeof(e));
		_exit(SCK_EXIT_FAILED);
	}
	if (sck_notify_listener_send(sock, fd) < 0)
		_exit(SCK_EXIT_FAILED);
	/* The other thread's execve ends this one. */
	for (;;)
		pause();
}

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int sck_cmd_trace(int argc, char **argv)
{
	const char *outpath = NULL;
	char tmp[PATH_MAX] = "", *path = NULL;
	struct trace *t = NULL;
	struct sck_supervisor *sup = NULL;
	int sv[2] = {-1, -1}, ep[2] = {-1, -1}, listener = -1, status = 0, err = 0, rc, opt;
	int ret = SCK_EXIT_FAILED;
	struct stat st;
	pid_t pid;

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
	rc = resolve(argv[optind], &path, &err);
	if (rc) {
		sck_cli_err(argv[optind], "%s", rc == 127 ? "command not found" : strerror(err));
		return rc;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		sck_cli_err("trace", "%s", strerror(ENOMEM));
		goto out;
	}
	t->native = sck_arch_native();
	t->x32 = sck_arch_from_id(SCK_ARCH_X32);
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
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(ep, O_CLOEXEC) < 0) {
		sck_cli_err("trace", "%s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		sck_cli_err("trace", "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		close(sv[0]);
		close(ep[0]);
		child(sv[1], ep[1], path, argv + optind);
	}
	child_pid = pid;
	close(sv[1]);
	close(ep[1]);
	sv[1] = ep[1] = -1;
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	signal(SIGQUIT, forward);
	listener = sck_notify_listener_recv(sv[0]);
	if (listener < 0) {
		int e = 0;

		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (read(ep[0], &e, sizeof(e)) == sizeof(e))
			sck_cli_err("trace", "cannot install the filter: %s", strerror(e));
		else
			sck_cli_err("trace", "no listener from the child: %s", strerror(-listener));
		goto out;
	}
	rc = sck_supervisor_new(0, &sup);
	if (rc == 0)
		rc = sck_supervisor_add(sup, listener, on_call, t);
	if (rc == 0)
		rc = sck_supervisor_add_child(sup, pid, &status);
	if (rc < 0) {
		kill(pid, SIGKILL);
		sck_cli_err("trace", "%s", strerror(-rc));
		goto out;
	}
	do
		rc = sck_supervisor_run(sup, -1);
	while (rc == -EINTR);
	if (rc < 0) {
		sck_cli_err("trace", "supervisor: %s", strerror(-rc));
		kill(pid, SIGKILL);
		goto out;
	}
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
	if (WIFEXITED(status)) {
		int e;

		ret = WEXITSTATUS(status);
		if ((ret == SCK_EXIT_NOEXEC || ret == SCK_EXIT_NOTFOUND) &&
		    read(ep[0], &e, sizeof(e)) == sizeof(e))
			sck_cli_err(argv[optind], "%s", strerror(e));
	} else if (WIFSIGNALED(status)) {
		ret = 128 + WTERMSIG(status);
	}
out:
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	sck_supervisor_free(sup);
	if (listener >= 0)
		close(listener);
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	if (t && t->out_fd > STDERR_FILENO)
		close(t->out_fd);
	if (tmp[0])
		unlink(tmp);
	free(t);
	free(path);
	return ret;
}
