// SPDX-License-Identifier: MIT
/*
 * Compiled profiles in the kernel. Docker's profile (../shared) is compiled, loaded in a forked
 * child, and probed with harmless calls (denied ones, or allowed ones with invalid arguments):
 * what the kernel does must be what sck's emulator says the program returns. sck's built-in
 * default profile must let a shell, ls, cc and python3 (when present) run, and deny mount,
 * unshare and kexec_load with EPERM.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

struct probe {
	const char *what;
	long nr;
	uint64_t args[6];
};

static const struct probe probes[] = {
	{"getpid", SYS_getpid, {0}},
	{"close(-1)", SYS_close, {(uint64_t)-1}},
	{"kexec_load", SYS_kexec_load, {0}},
	{"mount", SYS_mount, {0}},
	{"umount2", SYS_umount2, {0}},
	{"unshare(CLONE_NEWUSER)", SYS_unshare, {CLONE_NEWUSER}},
	{"setns(-1)", SYS_setns, {(uint64_t)-1}},
	{"personality(0x12345)", SYS_personality, {0x12345}},
	{"personality(query)", SYS_personality, {0xffffffff}},
	{"socket(AF_VSOCK)", SYS_socket, {40, 1, 0}},
	{"socket(-1)", SYS_socket, {(uint64_t)-1, 1, 0}},
	{"clone3(NULL)", SYS_clone3, {0, 0}},
	{"bpf(-1)", SYS_bpf, {(uint64_t)-1}},
	{"perf_event_open", SYS_perf_event_open, {0}},
	{"add_key", SYS_add_key, {0}},
	{"init_module", SYS_init_module, {0}},
	{"reboot(0)", SYS_reboot, {0}},
	{"swapon", SYS_swapon, {0}},
	{"acct", SYS_acct, {0}},
	{"settimeofday(bad)", SYS_settimeofday, {1, 1}},
	{"open_by_handle_at", SYS_open_by_handle_at, {(uint64_t)-1, 0, 0}},
	{"userfaultfd(-1)", SYS_userfaultfd, {(uint64_t)-1}},
	{"number 1000", 1000, {0}},
};

struct load_arg {
	const struct sck_filter_prog *prog;
	size_t n;
};

static int probe_body(void *arg, int fd)
{
	const struct load_arg *la = arg;
	int rc = sck_filter_prog_load(la->prog, 0);

	if (rc < 0) {
		sck_test_report(fd, "load %d\n", rc);
		return 3;
	}
	for (size_t i = 0; i < la->n; i++) {
		const struct probe *p = &probes[i];
		long r;
		errno = 0;
		r = syscall(p->nr, p->args[0], p->args[1], p->args[2], p->args[3], p->args[4],
			    p->args[5]);
		sck_test_report(fd, "%ld %d\n", r, r < 0 ? errno : 0);
	}
	return 0;
}

static struct sck_filter_prog *compile_json(const char *json, size_t len)
{
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_diag d;
	int rc = sck_profile_parse(json, len, NULL, &f, NULL, &d);

	cr_assert_eq(rc, 0, "parse: %d %s", rc, d.msg);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	sck_filter_free(f);
	return p;
}

static void probe_profile(const char *json, size_t len)
{
	struct sck_filter_prog *p = compile_json(json, len);
	struct load_arg la = {p, sizeof(probes) / sizeof(probes[0])};
	struct sck_test_result res;
	struct sck_bpf_emu *emu;
	const struct sock_filter *insns;
	size_t n;
	char *line, *save = NULL;

	insns = sck_filter_prog_insns(p, &n);
	cr_assert_eq(sck_bpf_emu_new(insns, n, &emu), 0);
	cr_assert_eq(sck_test_run_child(probe_body, &la, 10000, &res), 0);
	cr_assert(res.exited && res.exit_code == 0, "child: exited %d code %d signal %d: %s",
		  res.exited, res.exit_code, res.signal, res.out);
	line = strtok_r(res.out, "\n", &save);
	for (size_t i = 0; i < la.n; i++, line = strtok_r(NULL, "\n", &save)) {
		const struct probe *pr = &probes[i];
		struct seccomp_data d = {.nr = (int)pr->nr, .arch = sck_arch_native()->audit_arch};
		uint32_t want;
		long r;
		int e;
		cr_assert(line, "missing result for %s", pr->what);
		cr_assert_eq(sscanf(line, "%ld %d", &r, &e), 2);
		memcpy(d.args, pr->args, sizeof(d.args));
		want = sck_action_effective(sck_bpf_emu_run(emu, &d, NULL));
		if ((want & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO) {
			cr_expect(r == -1 && e == (int)(want & SECCOMP_RET_DATA),
				  "%s: emulator ERRNO(%u), kernel %ld errno %d", pr->what,
				  want & SECCOMP_RET_DATA, r, e);
		} else {
			cr_expect_eq(want, SECCOMP_RET_ALLOW, "%s: %#x", pr->what, want);
			/* allowed: whatever the call says, but not the profile's EPERM default */
			if (pr->nr == SYS_getpid)
				cr_expect(r > 0, "getpid: %ld", r);
			if (pr->nr == SYS_close)
				cr_expect(r == -1 && e == EBADF, "close(-1): %ld %d", r, e);
		}
	}
	sck_bpf_emu_free(emu);
	sck_filter_prog_free(p);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

Test(kernel_profile, docker_probes)
{
	const char *path = sck_test_shared("profiles/docker-default.json");
	size_t len = 0;
	char *json;

	if (!path)
		cr_skip("../shared/profiles/docker-default.json absent");
	json = slurp(path, &len);
	cr_assert(json);
	probe_profile(json, len);
	free(json);
}

Test(kernel_profile, builtin_probes)
{
	size_t len;
	const char *json = sck_profile_builtin(&len);

	probe_profile(json, len);
}

/* ---- the built-in profile runs ordinary programs ---- */

struct exec_arg {
	const struct sck_filter_prog *prog;
	const char *script;
};

static int exec_body(void *arg, int fd)
{
	const struct exec_arg *ea = arg;
	int rc = sck_filter_prog_load(ea->prog, 0);

	(void)fd;
	if (rc < 0)
		return 3;
	execl("/bin/sh", "sh", "-c", ea->script, (char *)NULL);
	return 4;
}

static void run_under_builtin(const char *script)
{
	size_t len;
	const char *json = sck_profile_builtin(&len);
	struct sck_filter_prog *p = compile_json(json, len);
	struct exec_arg ea = {p, script};
	struct sck_test_result res;

	cr_assert_eq(sck_test_run_child(exec_body, &ea, 60000, &res), 0);
	cr_expect(res.exited && res.exit_code == 7,
		  "'%s' under the built-in profile: exited %d code %d signal %d", script,
		  res.exited, res.exit_code, res.signal);
	sck_filter_prog_free(p);
}

Test(kernel_profile, builtin_runs_shell_and_ls)
{
	run_under_builtin("ls / >/dev/null && echo hi | cat >/dev/null && exit 7");
}

Test(kernel_profile, builtin_runs_cc, .timeout = 120)
{
	if (access("/usr/bin/cc", X_OK) != 0)
		cr_skip("no cc");
	run_under_builtin("d=$(mktemp -d) && printf 'int main(void){return 7;}\\n' > $d/t.c && "
			  "cc -o $d/t $d/t.c && $d/t; r=$?; rm -rf $d; exit $r");
}

Test(kernel_profile, builtin_runs_python3, .timeout = 120)
{
	if (access("/usr/bin/python3", X_OK) != 0)
		cr_skip("no python3");
	run_under_builtin("python3 -c 'import os, json, subprocess, threading; "
			  "subprocess.run([\"true\"], check=True); raise SystemExit(7)'");
}

static int deny_body(void *arg, int fd)
{
	static const long nrs[] = {SYS_mount, SYS_unshare, SYS_kexec_load};
	static const uint64_t a0[] = {0, CLONE_NEWUSER, 0};
	int rc = sck_filter_prog_load(arg, 0);

	if (rc < 0)
		return 3;
	for (size_t i = 0; i < 3; i++) {
		long r = syscall(nrs[i], a0[i], 0, 0, 0, 0);
		if (r != -1 || errno != EPERM)
			return 10 + (int)i;
	}
	(void)fd;
	return 7;
}

Test(kernel_profile, builtin_denies)
{
	size_t len;
	const char *json = sck_profile_builtin(&len);
	struct sck_filter_prog *p = compile_json(json, len);
	struct sck_test_result res;

	/* mount, unshare(CLONE_NEWUSER) and kexec_load: EPERM under the built-in profile */
	cr_assert_eq(sck_test_run_child(deny_body, p, 10000, &res), 0);
	cr_expect(res.exited && res.exit_code == 7, "exited %d code %d signal %d", res.exited,
		  res.exit_code, res.signal);
	sck_filter_prog_free(p);
}
