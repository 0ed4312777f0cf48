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
	char line[8192];
	size_t len;

	len = (size_t)snprintf(line, sizeof(line), "[pid %u] ", req->pid);
	if (arch != t->native)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "[%s] ",
					arch ? arch->name : "unknown-arch");
	len += sck_cli_format_call(n, req, line + len, sizeof(line) - len - 1);
	line[len++] = '\n';
	if (t->olen + len > sizeof(t->obuf))
		flush_out(t);
	memcpy(t->obuf + t->olen, line, len);
	t->olen += len;
	/* On a terminal or pipe the line goes out before the call runs, so that what CMD itself
	 * writes to the same place comes after it. */
	if (t->out_fd == STDERR_FILENO)
		flush_out(t);
	return sck_cli_respond(n, req->id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
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
			sck_cli_bad_option("trace", "+o:h", argv);
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
	ret = sck_cli_spawn("trace", prog, 1, 0, argv + optind, &sp);
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
