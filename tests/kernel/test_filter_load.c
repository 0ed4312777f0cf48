// SPDX-License-Identifier: MIT
/*
 * Compiled filters loaded in a forked child: harmless probes (ERRNO rules on calls that change
 * nothing, and a number no kernel has) must observe exactly the verdicts the emulator computes
 * on the same program; a rule that notifies makes the load return a listener.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))
#define NPROBES 16

struct probe {
	int nr;
	uint64_t args[6];
};

struct ctx {
	const struct sck_filter_prog *prog;
	struct probe probes[NPROBES];
	size_t nprobes;
};

static int child_probe(void *arg, int fd)
{
	struct ctx *c = arg;
	int rc = sck_filter_prog_load(c->prog, 0);

	if (rc < 0) {
		sck_test_report(fd, "load %d\n", rc);
		return 3;
	}
	for (size_t i = 0; i < c->nprobes; i++) {
		const struct probe *p = &c->probes[i];
		long r;
		errno = 0;
		r = syscall(p->nr, p->args[0], p->args[1], p->args[2], p->args[3], p->args[4],
			    p->args[5]);
		sck_test_report(fd, "%ld %d\n", r, r < 0 ? errno : 0);
	}
	return 0;
}

static struct sck_filter *probe_filter(const struct sck_arch *a)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ALLOW,
		 .bad_arch_action = ERRNO(47));
	struct sck_filter *f;
	struct sck_cond gt = {.arg = 0, .op = SCK_CMP_GT, .value = 0x100000005ULL};
	struct sck_cond eq = {.arg = 0, .op = SCK_CMP_EQ, .value = 12345};
	struct sck_cond me = {.arg = 1, .op = SCK_CMP_MASKED_EQ, .mask = 0xff, .value = 0x42};
	struct sck_rule rules[] = {
		{.name = "getppid", .action = ERRNO(42)},
		{.nr = 1000, .action = ERRNO(43)},
		{.name = "getpriority", .action = ERRNO(44), .conds = &gt, .nconds = 1},
		{.name = "dup", .action = ERRNO(45), .conds = &eq, .nconds = 1},
		{.name = "dup2", .action = ERRNO(46), .conds = &me, .nconds = 1},
	};

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, a), 0);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		cr_assert_eq(sck_filter_add_rule(f, &rules[i]), 0, "rule %zu", i);
	return f;
}

static void run_probes(unsigned int compile_flags)
{
	const struct sck_arch *a = sck_arch_native();
	SCK_OPTS(sck_filter_compile_opts, co, .flags = compile_flags);
	struct sck_filter *f;
	struct sck_filter_prog *p;
	struct sck_bpf_emu *emu;
	struct sck_test_result res;
	struct ctx c = {0};
	const struct sock_filter *in;
	size_t len;
	char *line;
	int getppid_nr, getprio, dup_nr, dup2_nr;

	if (!a)
		cr_skip("no native arch");
	getppid_nr = sck_syscall_nr(a, "getppid");
	getprio = sck_syscall_nr(a, "getpriority");
	dup_nr = sck_syscall_nr(a, "dup");
	dup2_nr = sck_syscall_nr(a, "dup2");
	if (getppid_nr < 0 || getprio < 0 || dup_nr < 0 || dup2_nr < 0)
		cr_skip("native arch lacks a probe syscall");
	f = probe_filter(a);
	cr_assert_eq(sck_filter_compile(f, &co, &p), 0);
	c.prog = p;
	c.probes[c.nprobes++] = (struct probe){getppid_nr, {0}};
	c.probes[c.nprobes++] = (struct probe){1000, {0}};
	c.probes[c.nprobes++] = (struct probe){(int)a->nr_base + 1001, {0}};
	c.probes[c.nprobes++] = (struct probe){getprio, {0x100000006ULL, 0}};
	c.probes[c.nprobes++] = (struct probe){getprio, {0x100000005ULL, 0}};
	c.probes[c.nprobes++] = (struct probe){getprio, {0x200000000ULL, 0}};
	c.probes[c.nprobes++] = (struct probe){getprio, {6, 0}};
	c.probes[c.nprobes++] = (struct probe){dup_nr, {12345}};
	c.probes[c.nprobes++] = (struct probe){dup_nr, {12346}};
	c.probes[c.nprobes++] = (struct probe){dup_nr, {12345 | (1ULL << 32)}};
	c.probes[c.nprobes++] = (struct probe){dup2_nr, {99999, 0x1142}};
	c.probes[c.nprobes++] = (struct probe){dup2_nr, {99999, 0x1143}};
	/* nr -1 (a tracer's skip) takes the default path, never the bad-arch one */
	c.probes[c.nprobes++] = (struct probe){-1, {0}};
	if (a->id == SCK_ARCH_X86_64) /* an x32 call under an x86_64-only filter: bad arch */
		c.probes[c.nprobes++] = (struct probe){0x40000000 | getppid_nr, {0}};
	cr_assert_eq(sck_test_run_child(child_probe, &c, 10000, &res), 0);
	cr_assert(res.exited && res.exit_code == 0, "child: exited %d code %d signal %d: %s",
		  res.exited, res.exit_code, res.signal, res.out);
	in = sck_filter_prog_insns(p, &len);
	cr_assert_eq(sck_bpf_emu_new(in, len, &emu), 0);
	line = res.out;
	for (size_t i = 0; i < c.nprobes; i++) {
		struct seccomp_data d = {.nr = c.probes[i].nr, .arch = a->audit_arch};
		uint32_t want;
		long r;
		int e;
		memcpy(d.args, c.probes[i].args, sizeof(d.args));
		want = sck_bpf_emu_run(emu, &d, NULL);
		cr_assert_eq(sscanf(line, "%ld %d", &r, &e), 2, "probe %zu: %s", i, line);
		if ((want & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
			cr_assert(r == -1 && e == (int)(want & SECCOMP_RET_DATA),
				  "probe %zu (nr %d): emulator ERRNO(%u), kernel %ld errno %d", i,
				  c.probes[i].nr, want & SECCOMP_RET_DATA, r, e);
		else
			cr_assert(want == SECCOMP_RET_ALLOW && (r >= 0 || e < 42 || e > 47),
				  "probe %zu (nr %d): emulator %#x, kernel %ld errno %d", i,
				  c.probes[i].nr, want, r, e);
		line = strchr(line, '\n');
		cr_assert_not_null(line);
		line++;
	}
	sck_bpf_emu_free(emu);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

Test(filter_load, probes_see_emulator_verdicts)
{
	run_probes(0);
}

Test(filter_load, linear_reference_probes)
{
	run_probes(SCK_COMPILE_LINEAR);
}

static int child_listener(void *arg, int fd)
{
	int lfd = sck_filter_prog_load(arg, 0);

	if (lfd < 0) {
		sck_test_report(fd, "load %d\n", lfd);
		return 3;
	}
	sck_test_report(fd, "%d %d\n", lfd, (fcntl(lfd, F_GETFD) & FD_CLOEXEC) ? 1 : 0);
	return 0;
}

Test(filter_load, notify_rule_gives_listener)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ALLOW);
	struct sck_rule r = {.nr = 1001, .action = SECCOMP_RET_USER_NOTIF};
	struct sck_filter *f;
	struct sck_filter_prog *p;
	struct sck_test_result res;
	int lfd = -1, cloexec = 0;

	if (!sck_action_avail(SECCOMP_RET_USER_NOTIF))
		cr_skip("kernel without SECCOMP_RET_USER_NOTIF");
	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	cr_assert_eq(sck_test_run_child(child_listener, p, 10000, &res), 0);
	cr_assert(res.exited && res.exit_code == 0, "%s", res.out);
	cr_assert_eq(sscanf(res.out, "%d %d", &lfd, &cloexec), 2);
	cr_assert_geq(lfd, 0);
	cr_assert_eq(cloexec, 1);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

static int child_tsync_listener(void *arg, int fd)
{
	/* TSYNC with a listener needs TSYNC_ESRCH: the load adds it */
	int lfd = sck_filter_prog_load(arg, SECCOMP_FILTER_FLAG_TSYNC);
	sck_test_report(fd, "%d\n", lfd);
	return lfd >= 0 ? 0 : 3;
}

Test(filter_load, tsync_with_listener)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ALLOW);
	struct sck_rule r = {.nr = 1001, .action = SECCOMP_RET_USER_NOTIF};
	struct sck_filter *f;
	struct sck_filter_prog *p;
	struct sck_test_result res;

	if (!sck_filter_flag_avail(SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		cr_skip("kernel without SECCOMP_FILTER_FLAG_TSYNC_ESRCH");
	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	cr_assert_eq(sck_test_run_child(child_tsync_listener, p, 10000, &res), 0);
	cr_assert(res.exited && res.exit_code == 0, "%s", res.out);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}
