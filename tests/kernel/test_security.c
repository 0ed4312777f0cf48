// SPDX-License-Identifier: MIT
/*
 * Security properties of compiled filters (issue 7), one test each, checked against the running
 * kernel (filters installed in forked children through sck_test_bpf_kernel_run, which issues the
 * calls with raw syscall(2)) and against the emulator, and compared with the outcome the property
 * demands: the arch is checked before anything else; x32 numbers under the x86_64 audit arch do
 * not slip through an x86_64-only filter; nr == -1 takes the default path, not the kill path;
 * 64-bit < and > are right across the 32-bit word boundary; SCK_COND_LOW32 ignores a sign-extended
 * or garbage high word; ERRNO data above 4095 is capped at 4095; stacked filters follow the
 * kernel's precedence; a program over 4096 instructions is refused before it reaches the kernel;
 * an action value the kernel does not define kills the process.
 * Syscall numbers from 1000 up exist on no arch: an allowed call answers ENOSYS.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"
#include "sck_test_bpf.h"

#define NR 1000
#define ERR(n) (SECCOMP_RET_ERRNO | (n))
#define NCASES 64

static const struct sck_test_outcome o_enosys = {SCK_TEST_ERRNO, ENOSYS};

static struct sck_test_outcome o_errno(long e)
{
	return (struct sck_test_outcome){SCK_TEST_ERRNO, e};
}

static struct sck_filter *new_filter(uint32_t def, uint32_t bad_arch, unsigned int flags)
{
	struct sck_filter *f = NULL;
	SCK_OPTS(sck_filter_opts, o, .default_action = def, .bad_arch_action = bad_arch,
		 .flags = flags);

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	return f;
}

static void add_rule(struct sck_filter *f, int nr, uint32_t action, const struct sck_cond *c,
		     size_t nc)
{
	const struct sck_rule r = {.nr = nr, .action = action, .conds = c, .nconds = nc};

	cr_assert_eq(sck_filter_add_rule(f, &r), 0, "rule nr %d", nr);
}

static struct sck_filter_prog *compile(const struct sck_filter *f)
{
	struct sck_filter_prog *p = NULL;

	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	return p;
}

struct expect_case {
	struct sck_test_bpf_case c;
	struct sck_test_outcome want;
};

static bool same(struct sck_test_outcome a, struct sck_test_outcome b)
{
	return a.kind == b.kind && a.value == b.value;
}

/*
 * Run the cases in the kernel and in the emulator: both must give the outcome each case wants.
 */
static void run_cases(const char *what, struct expect_case *ec, size_t n)
{
	struct sck_test_bpf_case cases[NCASES];
	struct sck_test_outcome got[NCASES];

	cr_assert_leq(n, NCASES);
	for (size_t i = 0; i < n; i++)
		cases[i] = ec[i].c;
	cr_assert_eq(sck_test_bpf_kernel_run(cases, n, got), 0);
	for (size_t i = 0; i < n; i++) {
		struct sck_bpf_emu *emu[4] = {NULL};
		struct sck_test_outcome emu_out;
		struct seccomp_data d = cases[i].data;
		uint32_t ret;

		d.arch = sck_arch_native()->audit_arch;
		for (size_t j = 0; j < cases[i].n; j++)
			cr_assert_eq(sck_bpf_emu_new(cases[i].prog[j], cases[i].len[j], &emu[j]),
				     0);
		ret = sck_bpf_emu_run_stack((const struct sck_bpf_emu *const *)emu, cases[i].n, &d,
					    NULL);
		emu_out = sck_test_bpf_expect(sck_action_effective(ret));
		for (size_t j = 0; j < cases[i].n; j++)
			sck_bpf_emu_free(emu[j]);
		cr_expect(same(got[i], ec[i].want), "%s, case %zu (nr %d, arg0 0x%llx): kernel %s",
			  what, i, cases[i].data.nr, (unsigned long long)cases[i].data.args[0],
			  sck_test_outcome_str(got[i]));
		cr_expect(same(emu_out, ec[i].want),
			  "%s, case %zu (nr %d, arg0 0x%llx): emulator %s (raw 0x%08x)", what, i,
			  cases[i].data.nr, (unsigned long long)cases[i].data.args[0],
			  sck_test_outcome_str(emu_out), ret);
	}
}

static struct expect_case one(const struct sock_filter *prog, size_t len, int nr, uint64_t arg0,
			      struct sck_test_outcome want)
{
	struct expect_case e;

	memset(&e, 0, sizeof(e));
	e.c.prog[0] = prog;
	e.c.len[0] = len;
	e.c.n = 1;
	e.c.data.nr = nr;
	e.c.data.args[0] = arg0;
	e.want = want;
	return e;
}

static const struct sck_arch *native_or_skip(void)
{
	const struct sck_arch *a = sck_arch_native();

	if (!a)
		cr_skip_test("no native arch");
	return a;
}

/* The first thing a compiled filter does is load and check seccomp_data.arch; a call of any
 * other arch gets the bad-arch action whatever its number, even one a rule allows. */
Test(security, arch_checked_first)
{
	const struct sck_arch *native = native_or_skip();
	const struct sck_arch *foreign =
		sck_arch_from_name(native->id == SCK_ARCH_AARCH64 ? "x86_64" : "aarch64");
	struct sck_filter *f = new_filter(ERR(1), SECCOMP_RET_KILL_PROCESS, 0);
	struct sck_filter_prog *p;
	const struct sock_filter *insn;
	struct sck_bpf_emu *emu = NULL;
	size_t len;

	add_rule(f, 0, SECCOMP_RET_ALLOW, NULL, 0);
	add_rule(f, NR, SECCOMP_RET_ALLOW, NULL, 0);
	add_rule(f, NR + 1, SECCOMP_RET_TRAP, NULL, 0);
	p = compile(f);
	insn = sck_filter_prog_insns(p, &len);
	cr_assert(len >= 3);
	cr_expect_eq(insn[0].code, BPF_LD | BPF_W | BPF_ABS);
	cr_expect_eq(insn[0].k, offsetof(struct seccomp_data, arch), "first load: %u", insn[0].k);
	cr_expect_eq(BPF_CLASS(insn[1].code), BPF_JMP);
	cr_expect_eq(insn[1].k, native->audit_arch);
	cr_assert_eq(sck_bpf_emu_new(insn, len, &emu), 0);
	for (uint32_t nr = 0; nr < 1100; nr++) {
		struct seccomp_data d = {.nr = (int)nr, .arch = foreign->audit_arch};

		cr_assert_eq(sck_bpf_emu_run(emu, &d, NULL), SECCOMP_RET_KILL_PROCESS, "nr %u", nr);
		d.arch = 0;
		cr_assert_eq(sck_bpf_emu_run(emu, &d, NULL), SECCOMP_RET_KILL_PROCESS, "nr %u", nr);
	}
	{
		struct seccomp_data d = {.nr = NR, .arch = native->audit_arch};

		cr_expect_eq(sck_bpf_emu_run(emu, &d, NULL), SECCOMP_RET_ALLOW);
	}
	sck_bpf_emu_free(emu);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

/* x32 calls carry AUDIT_ARCH_X86_64 with nr | 0x40000000: a filter for x86_64 alone must not
 * let them through as the x86_64 call of the low bits (nor let the default apply to them). */
Test(security, x32_numbers_under_x86_64)
{
	const struct sck_arch *native = native_or_skip();
	struct sck_filter *f;
	struct sck_filter_prog *p;
	const struct sock_filter *insn;
	struct expect_case ec[6];
	size_t len;

	if (native->id != SCK_ARCH_X86_64)
		cr_skip_test("x32 exists under x86_64 only (native: %s)", native->name);
	f = new_filter(SECCOMP_RET_ALLOW, ERR(77), 0);
	cr_assert_eq(sck_filter_add_arch(f, native), 0);
	add_rule(f, NR, ERR(11), NULL, 0);
	add_rule(f, NR + 1, SECCOMP_RET_ALLOW, NULL, 0);
	p = compile(f);
	insn = sck_filter_prog_insns(p, &len);
	ec[0] = one(insn, len, NR, 0, o_errno(11));
	ec[1] = one(insn, len, NR + 1, 0, o_enosys);
	ec[2] = one(insn, len, (int)(0x40000000u | NR), 0, o_errno(77));
	ec[3] = one(insn, len, (int)(0x40000000u | (NR + 1)), 0, o_errno(77));
	ec[4] = one(insn, len, (int)0x40000000u, 0, o_errno(77));
	ec[5] = one(insn, len, (int)0x7ffffffe, 0, o_errno(77));
	run_cases("x86_64-only filter", ec, 6);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

/* nr == -1 (a tracer's skipped call, or what userspace passes): the kernel answers ENOSYS after
 * an ALLOW. A filter must give it its default action, not the bad-arch (kill) path, and no rule
 * on a large number may match it. */
Test(security, nr_minus_one)
{
	const struct sck_arch *native = native_or_skip();
	struct sck_filter *f = new_filter(SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, 0);
	struct sck_filter_prog *p;
	const struct sock_filter *insn;
	struct expect_case ec[3];
	size_t len;

	cr_assert_eq(sck_filter_add_arch(f, native), 0);
	if (native->id == SCK_ARCH_X86_64)
		cr_assert_eq(sck_filter_add_arch(f, sck_arch_from_name("x32")), 0);
	add_rule(f, NR, ERR(11), NULL, 0);
	add_rule(f, 0x7fffffff, ERR(12), NULL, 0);
	p = compile(f);
	insn = sck_filter_prog_insns(p, &len);
	ec[0] = one(insn, len, -1, 0, o_enosys);
	ec[1] = one(insn, len, NR, 0, o_errno(11));
	ec[2] = one(insn, len, -2, 0, o_enosys);
	run_cases("nr -1", ec, 3);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

/* 64-bit compares across the word boundary: 0xffffffff < 0x100000000, and a high word that
 * differs decides before the low word does. */
Test(security, compare_64bit_word_boundary)
{
	const struct sck_arch *native = native_or_skip();
	static const uint64_t probes[] = {0,
					  1,
					  0xfffffffeull,
					  0xffffffffull,
					  0x100000000ull,
					  0x100000001ull,
					  0x1ffffffffull,
					  0xffffffff00000000ull,
					  0xffffffffffffffffull,
					  0x80000000ull};
	static const struct {
		enum sck_cmp_op op;
		uint64_t v;
	} rules[] = {{SCK_CMP_GT, 0xffffffffull},
		     {SCK_CMP_LT, 0x100000000ull},
		     {SCK_CMP_GE, 0x100000000ull},
		     {SCK_CMP_LE, 0xffffffffull},
		     {SCK_CMP_GT, 0x100000000ull}};
	struct sck_filter *f;
	struct sck_filter_prog *p;
	const struct sock_filter *insn;
	struct expect_case ec[NCASES];
	size_t len, n = 0;

	if (native->bits != 64)
		cr_skip_test("32-bit arch: arguments are 32 bits");
	f = new_filter(SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, 0);
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		struct sck_cond c = {.arg = 0, .op = rules[r].op, .value = rules[r].v};

		add_rule(f, NR + (int)r, ERR(20 + (uint32_t)r), &c, 1);
	}
	p = compile(f);
	insn = sck_filter_prog_insns(p, &len);
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			uint64_t a = probes[i], v = rules[r].v;
			bool hit = rules[r].op == SCK_CMP_GT   ? a > v
				   : rules[r].op == SCK_CMP_LT ? a < v
				   : rules[r].op == SCK_CMP_GE ? a >= v
							       : a <= v;

			ec[n++] = one(insn, len, NR + (int)r, a,
				      hit ? o_errno(20 + (long)r) : o_enosys);
		}
	}
	run_cases("64-bit compare", ec, n);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

/* A 32-bit argument (int fd, unsigned flags) may reach the kernel sign-extended or with garbage
 * in the high word: SCK_COND_LOW32 compares the low word only; without it all 64 bits count. */
Test(security, low32_ignores_high_word)
{
	const struct sck_arch *native = native_or_skip();
	const struct sck_cond eq_low = {
		.arg = 0, .op = SCK_CMP_EQ, .flags = SCK_COND_LOW32, .value = 0xffffffffull};
	const struct sck_cond eq_wide = {.arg = 0, .op = SCK_CMP_EQ, .value = 0xffffffffull};
	const struct sck_cond lt_low = {
		.arg = 0, .op = SCK_CMP_LT, .flags = SCK_COND_LOW32, .value = 5};
	const struct sck_cond ge_low = {
		.arg = 0, .op = SCK_CMP_GE, .flags = SCK_COND_LOW32, .value = 0x80000000ull};
	struct sck_filter *f;
	struct sck_filter_prog *p;
	const struct sock_filter *insn;
	struct expect_case ec[16];
	size_t len, n = 0;

	if (native->bits != 64)
		cr_skip_test("32-bit arch: no high word");
	f = new_filter(SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, 0);
	add_rule(f, NR, ERR(31), &eq_low, 1);
	add_rule(f, NR + 1, ERR(32), &eq_wide, 1);
	add_rule(f, NR + 2, ERR(33), &lt_low, 1);
	add_rule(f, NR + 3, ERR(34), &ge_low, 1);
	p = compile(f);
	insn = sck_filter_prog_insns(p, &len);
	/* (int)-1 as the caller may pass it */
	ec[n++] = one(insn, len, NR, 0xffffffffffffffffull, o_errno(31));
	ec[n++] = one(insn, len, NR, 0x12345678ffffffffull, o_errno(31));
	ec[n++] = one(insn, len, NR, 0xffffffffull, o_errno(31));
	ec[n++] = one(insn, len, NR, 0xfffffffeull, o_enosys);
	ec[n++] = one(insn, len, NR + 1, 0xffffffffffffffffull, o_enosys);
	ec[n++] = one(insn, len, NR + 1, 0x12345678ffffffffull, o_enosys);
	ec[n++] = one(insn, len, NR + 1, 0xffffffffull, o_errno(32));
	ec[n++] = one(insn, len, NR + 2, 0xdead000000000003ull, o_errno(33));
	ec[n++] = one(insn, len, NR + 2, 0x0000000100000005ull, o_enosys);
	ec[n++] = one(insn, len, NR + 2, 0xfffffffffffffffcull, o_enosys); /* (int)-4: 0xfffffffc */
	ec[n++] = one(insn, len, NR + 3, 0xffffffff80000000ull, o_errno(34)); /* INT_MIN */
	ec[n++] = one(insn, len, NR + 3, 0xffffffff7fffffffull, o_enosys);
	run_cases("low 32 bits", ec, n);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

/* ERRNO data is 16 bits, but the kernel caps it at MAX_ERRNO (4095): the emulator agrees, for a
 * hand-written program and for a compiled rule. */
Test(security, errno_above_4095)
{
	struct sock_filter hand[SCK_TEST_GUARD_LEN + 1];
	struct sck_filter *f;
	struct sck_filter_prog *p;
	const struct sock_filter *insn;
	struct expect_case ec[4];
	size_t len;

	native_or_skip();
	sck_test_bpf_guard(hand);
	hand[SCK_TEST_GUARD_LEN] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, ERR(5000));
	f = new_filter(SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, 0);
	add_rule(f, NR, ERR(0xffff), NULL, 0);
	add_rule(f, NR + 1, ERR(4096), NULL, 0);
	p = compile(f);
	insn = sck_filter_prog_insns(p, &len);
	ec[0] = one(hand, SCK_TEST_GUARD_LEN + 1, NR, 0, o_errno(4095));
	ec[1] = one(insn, len, NR, 0, o_errno(4095));
	ec[2] = one(insn, len, NR + 1, 0, o_errno(4095));
	ec[3] = one(insn, len, NR + 2, 0, o_enosys);
	run_cases("errno cap", ec, 4);
	cr_expect_eq(sck_action_effective(ERR(5000)), ERR(4095));
	cr_expect_eq(sck_action_effective(ERR(4095)), ERR(4095));
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

static struct expect_case stack2(const struct sock_filter *older, size_t olen,
				 const struct sock_filter *newer, size_t nlen, int nr,
				 struct sck_test_outcome want)
{
	struct expect_case e = one(older, olen, nr, 0, want);

	e.c.prog[1] = newer;
	e.c.len[1] = nlen;
	e.c.n = 2;
	return e;
}

/* Stacked filters: every filter runs, the most restrictive action wins (KILL_PROCESS,
 * KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW), the newest among equals. */
Test(security, stacked_precedence)
{
	static const uint32_t acts[] = {SECCOMP_RET_ALLOW,
					ERR(5),
					ERR(6),
					SECCOMP_RET_TRAP | 9,
					SECCOMP_RET_TRACE | 1,
					SECCOMP_RET_LOG,
					SECCOMP_RET_KILL_THREAD};
	struct sock_filter progs[7][SCK_TEST_GUARD_LEN + 1];
	struct expect_case ec[NCASES];
	size_t n = 0;

	native_or_skip();
	for (size_t i = 0; i < 7; i++) {
		sck_test_bpf_guard(progs[i]);
		progs[i][SCK_TEST_GUARD_LEN] =
			(struct sock_filter)BPF_STMT(BPF_RET | BPF_K, acts[i]);
	}
	/* {older, newer, outcome} */
	static const struct {
		int older, newer;
		struct sck_test_outcome want;
	} t[] = {
		{1, 2, {SCK_TEST_ERRNO, 6}},	   /* equal: the newest wins */
		{2, 1, {SCK_TEST_ERRNO, 5}},	   /* equal: the newest wins */
		{1, 0, {SCK_TEST_ERRNO, 5}},	   /* a newer ALLOW does not undo an ERRNO */
		{0, 1, {SCK_TEST_ERRNO, 5}},	   /* nor an older one */
		{4, 1, {SCK_TEST_ERRNO, 5}},	   /* ERRNO beats TRACE */
		{1, 4, {SCK_TEST_ERRNO, 5}},	   /* whatever the order */
		{5, 0, {SCK_TEST_ERRNO, ENOSYS}},  /* LOG then ALLOW: the call runs */
		{1, 3, {SCK_TEST_TRAP, 9}},	   /* TRAP beats ERRNO */
		{3, 1, {SCK_TEST_TRAP, 9}},	   /* whatever the order */
		{3, 6, {SCK_TEST_THREAD_DEAD, 0}}, /* KILL_THREAD beats TRAP */
		{6, 0, {SCK_TEST_THREAD_DEAD, 0}}, /* and a newer ALLOW */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ec[n++] = stack2(progs[t[i].older], SCK_TEST_GUARD_LEN + 1, progs[t[i].newer],
				 SCK_TEST_GUARD_LEN + 1, NR, t[i].want);
	run_cases("stack", ec, n);
}

static int body_oversized(void *arg, int fd)
{
	const struct sock_filter *prog = arg;
	unsigned int filters = 99;
	int rc, mode;

	/* refused by the library, before seccomp(2) */
	rc = sck_set_mode_filter(prog, SCK_BPF_MAXINSNS + 1, 0);
	mode = sck_seccomp_mode(0, &filters);
	sck_test_report(fd, "%d %d", rc, mode);
	return 0;
}

/* More than 4096 instructions: the compiler refuses to produce it (-E2BIG), the loader refuses
 * to pass it to the kernel (-EINVAL), and the process stays unfiltered. */
Test(security, oversized_refused_before_load)
{
	static struct sock_filter big[SCK_BPF_MAXINSNS + 1];
	struct sck_filter *f;
	struct sck_filter_prog *p = NULL;
	struct sck_test_result r;
	int rc, mode = -1, lrc = 0;

	native_or_skip();
	f = new_filter(SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, 0);
	/* each rule needs its own compare and return: well over 4096 instructions */
	for (int i = 0; i < 3000; i++) {
		struct sck_cond c = {.arg = (unsigned int)(i % 6),
				     .op = SCK_CMP_EQ,
				     .value = (uint64_t)i * 0x100000001ull};

		add_rule(f, NR + i, ERR(1 + (uint32_t)(i % 4000)), &c, 1);
	}
	rc = sck_filter_compile(f, NULL, &p);
	cr_expect_eq(rc, -E2BIG, "optimizing compiler: %d", rc);
	cr_expect_null(p);
	{
		SCK_OPTS(sck_filter_compile_opts, o, .flags = SCK_COMPILE_LINEAR);
		rc = sck_filter_compile(f, &o, &p);
	}
	cr_expect_eq(rc, -E2BIG, "linear compiler: %d", rc);
	cr_expect_null(p);
	cr_expect_eq(sck_filter_load(f, 0), -E2BIG);
	sck_filter_free(f);

	for (size_t i = 0; i < SCK_BPF_MAXINSNS + 1; i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	cr_assert_eq(sck_test_run_child(body_oversized, big, 10000, &r), 0);
	cr_assert(r.exited && r.exit_code == 0);
	cr_assert_eq(sscanf(r.out, "%d %d", &lrc, &mode), 2, "%s", r.out);
	cr_expect_eq(lrc, -EINVAL);
	cr_expect_eq(mode, SECCOMP_MODE_DISABLED, "seccomp mode %d after a refused load", mode);
}

/* A return value whose action the kernel does not define kills the whole process (as
 * KILL_PROCESS); the compiler refuses to emit one. */
Test(security, unknown_action_kills)
{
	static const uint32_t bogus[] = {0x12340000u, 0x00010000u, 0x7ffe0000u, 0x30000000u};
	struct sock_filter progs[4][SCK_TEST_GUARD_LEN + 1];
	struct expect_case ec[4];
	const struct sck_test_outcome dead = {SCK_TEST_PROC_DEAD, 0};
	struct sck_filter *f;

	native_or_skip();
	for (size_t i = 0; i < 4; i++) {
		sck_test_bpf_guard(progs[i]);
		progs[i][SCK_TEST_GUARD_LEN] =
			(struct sock_filter)BPF_STMT(BPF_RET | BPF_K, bogus[i]);
		ec[i] = one(progs[i], SCK_TEST_GUARD_LEN + 1, NR, 0, dead);
		cr_expect_eq(sck_action_effective(bogus[i]), SECCOMP_RET_KILL_PROCESS);
	}
	run_cases("unknown action", ec, 4);
	f = new_filter(SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, 0);
	for (size_t i = 0; i < 4; i++) {
		const struct sck_rule r = {.nr = NR, .action = bogus[i]};

		cr_expect_eq(sck_filter_add_rule(f, &r), -EINVAL, "action 0x%08x", bogus[i]);
	}
	sck_filter_free(f);
	for (size_t i = 0; i < 4; i++) {
		struct sck_filter *g = NULL;
		SCK_OPTS(sck_filter_opts, o1, .default_action = bogus[i]);
		SCK_OPTS(sck_filter_opts, o2, .bad_arch_action = bogus[i]);

		cr_expect_eq(sck_filter_new(&o1, &g), -EINVAL, "default 0x%08x", bogus[i]);
		cr_expect_eq(sck_filter_new(&o2, &g), -EINVAL, "bad arch 0x%08x", bogus[i]);
		cr_expect_null(g);
	}
}
