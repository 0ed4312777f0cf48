// SPDX-License-Identifier: MIT
/*
 * `sck run [-p PROFILE] [--report] -- CMD [ARG...]`: run CMD under an OCI / Docker seccomp
 * profile (sck's built-in default without -p), compiled by libsck; exit with CMD's status as
 * env(1) and timeout(1) do (125 sck failed, 126 not executable, 127 not found, 128+N killed).
 *
 * --report: the compiled program is loaded with every ERRNO return turned into USER_NOTIF; sck
 * supervises, runs the original program in the emulator on each notified call to learn the exact
 * errno the profile gives, prints `sck: denied: NAME(ARGS) = -ERRNO [pid N]` and answers with that
 * errno, so CMD sees what it would have seen without --report. Other actions (KILL, TRAP, LOG)
 * stay the kernel's.
 *
 * Without -p (and without --report, which needs the rules), the built-in profile is not parsed
 * at all: the build compiled it for the native arch set (tools/gen_builtin.c) and sck loads that
 * program, which keeps `sck run` within a millisecond of the command itself.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* build/gen/builtin_prog.c (mk/builtin.mk); length 0: not embedded, compile at run time */
extern const struct sock_filter sck_builtin_insns[];
extern const size_t sck_builtin_len;
extern const unsigned int sck_builtin_load_flags;

static void on_warn(void *arg, const char *msg)
{
	sck_cli_err("run", "%s: %s", (const char *)arg, msg);
}

/* The profile compiled; 0, or an exit status with the error printed. */
static int compile(const char *file, struct sck_filter_prog **prog, unsigned int *load_flags)
{
	SCK_OPTS(sck_profile_opts, po, .flags = SCK_PROFILE_IGNORE_UNKNOWN, .warn = on_warn,
		 .warn_arg = (void *)(file ? file : "(builtin)"));
	struct sck_profile_info info = {.sz = sizeof(info)};
	struct sck_diag diag;
	struct sck_filter *f = NULL;
	int rc;

	memset(&diag, 0, sizeof(diag));
	if (!file) {
		size_t len;
		const char *json = sck_profile_builtin(&len);

		rc = sck_profile_parse(json, len, &po, &f, &info, &diag);
	} else {
		rc = sck_profile_parse_file(file, &po, &f, &info, &diag);
	}
	if (rc < 0) {
		if (diag.line)
			sck_cli_err("run", "%s:%u:%u: %s", file, diag.line, diag.col, diag.msg);
		else
			sck_cli_err("run", "%s: %s", file ? file : "(builtin)",
				    diag.msg[0] ? diag.msg : strerror(-rc));
		return SCK_EXIT_FAILED;
	}
	rc = sck_filter_compile(f, NULL, prog);
	sck_filter_free(f);
	if (rc < 0) {
		sck_cli_err("run", "%s: cannot compile: %s", file ? file : "(builtin)",
			    strerror(-rc));
		return SCK_EXIT_FAILED;
	}
	*load_flags = info.load_flags;
	return 0;
}

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

/* Without --report: fork, load @prog (or, NULL, the embedded built-in program), exec, wait. */
static int run_plain(const struct sck_filter_prog *prog, unsigned int load_flags, char **cmd)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa, old[4];
	char *path = NULL;
	int ep[2], err = 0, rc, st = 0, e;
	pid_t pid;

	rc = sck_cli_resolve(cmd[0], &path, &err);
	if (rc) {
		sck_cli_err(cmd[0], "%s", rc == 127 ? "command not found" : strerror(err));
		return rc;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		sck_cli_err("run", "%s", strerror(errno));
		free(path);
		return SCK_EXIT_FAILED;
	}
	fflush(NULL);
	/*
	 * vfork: the child only loads the filter (prctl, seccomp: it touches no memory the parent
	 * relies on; the filter binds to the child's own task) and execs, so no page tables are
	 * copied. Linux allows these calls in a vfork child; POSIX's stricter list is what the
	 * analyzer checks.
	 */
	// NOLINTBEGIN(clang-analyzer-security.insecureAPI.vfork,clang-analyzer-unix.Vfork)
	pid = vfork();
	if (pid < 0) {
		sck_cli_err("run", "fork: %s", strerror(errno));
		free(path);
		close(ep[0]);
		close(ep[1]);
		return SCK_EXIT_FAILED;
	}
	if (pid == 0) {
		close(ep[0]);
		if (prog) {
			rc = sck_filter_prog_load(prog, load_flags);
		} else {
			rc = sck_no_new_privs();
			if (rc == 0)
				rc = sck_set_mode_filter(sck_builtin_insns, sck_builtin_len,
							 load_flags);
		}
		if (rc < 0) {
			e = -rc;
			(void)!write(ep[1], &e, sizeof(e));
			_exit(SCK_EXIT_FAILED);
		}
		execv(path, cmd);
		e = errno; /* the profile may deny the write: then only the status tells */
		(void)!write(ep[1], &e, sizeof(e));
		_exit(e == ENOENT || e == ENOTDIR ? SCK_EXIT_NOTFOUND : SCK_EXIT_NOEXEC);
	}
	// NOLINTEND(clang-analyzer-security.insecureAPI.vfork,clang-analyzer-unix.Vfork)
	close(ep[1]);
	free(path);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	child_pid = pid;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	child_pid = 0;
	rc = SCK_EXIT_FAILED;
	if (WIFEXITED(st)) {
		rc = WEXITSTATUS(st);
		if (read(ep[0], &e, sizeof(e)) == sizeof(e))
			sck_cli_err(rc == SCK_EXIT_FAILED ? "run" : cmd[0], "%s%s",
				    rc == SCK_EXIT_FAILED ? "cannot load the filter: " : "",
				    strerror(e));
	} else if (WIFSIGNALED(st)) {
		rc = 128 + WTERMSIG(st);
	}
	close(ep[0]);
	return rc;
}

struct report {
	struct sck_bpf_emu *emu; /* the profile as compiled */
};

static const char *errno_name(int e, char *buf, size_t cap)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char *s = strerrorname_np(e);

	if (s)
		return s;
#endif
	snprintf(buf, cap, "%d", e);
	return buf;
}

static int on_denied(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	struct report *r = arg;
	uint32_t ret = sck_action_effective(sck_bpf_emu_run(r->emu, &req->data, NULL));
	char line[8192], ebuf[16];
	int e;

	if ((ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO) {
		/* Only ERRNO returns were turned into notifications; anything else (a USER_NOTIF
		 * of the profile itself) runs as if unsupervised. */
		return sck_cli_respond(n, req->id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	}
	e = (int)(ret & SECCOMP_RET_DATA);
	sck_cli_format_call(n, req, line, sizeof(line));
	if (e)
		fprintf(stderr, "sck: denied: %s = -%s [pid %u]\n", line,
			errno_name(e, ebuf, sizeof(ebuf)), req->pid);
	else
		fprintf(stderr, "sck: denied: %s = 0 [pid %u]\n", line, req->pid);
	fflush(stderr);
	/* ERRNO(0) makes the call return 0 without running it: so does a 0 answer. */
	return sck_cli_respond(n, req->id, 0, e, 0);
}

static int run_report(const struct sck_filter_prog *prog, unsigned int load_flags, char **cmd)
{
	struct sck_cli_spawn sp = {-1, -1, -1, 0};
	struct report r = {NULL};
	struct sock_filter *notif = NULL;
	const struct sock_filter *insns;
	size_t len = 0;
	int rc, ret = SCK_EXIT_FAILED;

	insns = sck_filter_prog_insns(prog, &len);
	rc = sck_bpf_emu_new(insns, len, &r.emu);
	notif = malloc(len * sizeof(*notif));
	if (rc < 0 || !notif) {
		sck_cli_err("run", "%s", strerror(rc < 0 ? -rc : ENOMEM));
		goto out;
	}
	memcpy(notif, insns, len * sizeof(*notif));
	for (size_t i = 0; i < len; i++)
		if (notif[i].code == (BPF_RET | BPF_K) &&
		    (notif[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
			notif[i].k = SECCOMP_RET_USER_NOTIF;
	/* TSYNC would reach the hand-over thread; the listener is sck's own. */
	load_flags &= SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	ret = sck_cli_spawn("run", notif, len, load_flags, cmd, &sp);
	if (ret)
		goto out;
	ret = sck_cli_spawn_supervise("run", &sp, on_denied, &r);
	if (ret == 0)
		ret = sck_cli_spawn_status(&sp, cmd[0]);
out:
	sck_cli_spawn_fini(&sp);
	sck_bpf_emu_free(r.emu);
	free(notif);
	return ret;
}

static const struct option longopts[] = {
	{"profile", required_argument, NULL, 'p'},
	{"report", no_argument, NULL, 'r'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int sck_cmd_run(int argc, char **argv)
{
	struct sck_filter_prog *prog = NULL;
	const char *profile = NULL;
	unsigned int load_flags = 0;
	bool report = false;
	int ret, opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			profile = optarg;
			break;
		case 'r':
			report = true;
			break;
		case 'h':
			return sck_cli_help("run");
		default:
			sck_cli_bad_option("run", "+p:h", argv);
			return SCK_EXIT_FAILED;
		}
	}
	if (optind >= argc) {
		sck_cli_usage("run", "missing CMD");
		return SCK_EXIT_FAILED;
	}
	if (!profile && !report && sck_builtin_len > 0)
		return run_plain(NULL, sck_builtin_load_flags, argv + optind);
	ret = compile(profile, &prog, &load_flags);
	if (ret)
		return ret;
	ret = report ? run_report(prog, load_flags, argv + optind)
		     : run_plain(prog, load_flags, argv + optind);
	sck_filter_prog_free(prog);
	return ret;
}
