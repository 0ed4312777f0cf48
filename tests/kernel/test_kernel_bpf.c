// SPDX-License-Identifier: MIT
/*
 * Kernel semantics the BPF modules rely on, pinned with hand-written sock_filter arrays that go
 * through no sck code path (installed with the raw syscall in a forked child): the ERRNO cap at
 * 4095, undefined actions killing the process, the 4096-instruction limit, LD|W|ABS alignment and
 * bounds, LEN reading 64, division by a zero X, shift counts masked, and the precedence of two
 * stacked filters. Each case also asserts that the emulator agrees.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

#define NR 1500 /* no such syscall: any call is harmless */
#define S(c, k) ((struct sock_filter)BPF_STMT((c), (k)))
#define J(c, k, t, f) ((struct sock_filter)BPF_JUMP((c), (k), (t), (f)))
#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))
#define ALLOW S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
/* The first three instructions of every program here: other syscalls pass. */
#define GUARD S(BPF_LD | BPF_W | BPF_ABS, 0), J(BPF_JMP | BPF_JEQ | BPF_K, NR, 1, 0), ALLOW
#define N(a) (sizeof(a) / sizeof((a)[0]))

struct prog {
	const struct sock_filter *p;
	size_t len;
};

struct job {
	struct prog f[2]; /* f[0] installed first */
	size_t n;
};

static long install(const struct sock_filter *p, size_t len)
{
	struct sock_fprog fp = {(unsigned short)len, (struct sock_filter *)p};

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0 ? -errno : 0;
}

/* Install the job's filters, call NR; report "errno E" or "ret R"; exit 10+k if install k fails. */
static int body(void *arg, int fd)
{
	struct job *j = arg;
	struct rlimit nocore = {0, 0};
	long r;

	setrlimit(RLIMIT_CORE, &nocore);
	for (size_t i = 0; i < j->n; i++)
		if (install(j->f[i].p, j->f[i].len) < 0)
			return 10 + (int)i;
	r = syscall(NR, 1, 2, 3, 4, 5, 6);
	if (r < 0)
		sck_test_report(fd, "errno %d", errno);
	else
		sck_test_report(fd, "ret %ld", r);
	return 0;
}

static void run_job(struct job *j, struct sck_test_result *res)
{
	cr_assert_eq(sck_test_run_child(body, j, 10000, res), 0);
	cr_assert(!res->timed_out);
}

/* What the emulator makes of the same stack (effective action). */
static uint32_t emulate(const struct job *j)
{
	struct sck_bpf_emu *e[2] = {NULL, NULL};
	const struct sck_bpf_emu *s[2];
	struct seccomp_data d;
	uint32_t r;

	memset(&d, 0, sizeof(d));
	d.nr = NR;
	d.arch = sck_arch_native()->audit_arch;
	for (int i = 0; i < 6; i++)
		d.args[i] = (uint64_t)i + 1;
	for (size_t i = 0; i < j->n; i++) {
		cr_assert_eq(sck_bpf_emu_new(j->f[i].p, j->f[i].len, &e[i]), 0);
		s[i] = e[i];
	}
	r = sck_action_effective(sck_bpf_emu_run_stack(s, j->n, &d, NULL));
	for (size_t i = 0; i < j->n; i++)
		sck_bpf_emu_free(e[i]);
	return r;
}

static void expect_out(const struct sock_filter *p, size_t len, const char *want, uint32_t want_eff)
{
	struct job j = {{{p, len}}, 1};
	struct sck_test_result res;

	run_job(&j, &res);
	cr_assert(res.exited && res.exit_code == 0, "exit %d signal %d", res.exit_code, res.signal);
	cr_assert_str_eq(res.out, want);
	cr_assert_eq(emulate(&j), want_eff, "emulator: %#x", emulate(&j));
}

Test(kernel_bpf, errno_cap)
{
	struct sock_filter big[] = {GUARD, S(BPF_RET | BPF_K, ERRNO(5000))};
	struct sock_filter max[] = {GUARD, S(BPF_RET | BPF_K, ERRNO(0xffff))};
	struct sock_filter at[] = {GUARD, S(BPF_RET | BPF_K, ERRNO(4095))};
	struct sock_filter zero[] = {GUARD, S(BPF_RET | BPF_K, ERRNO(0))};

	expect_out(big, N(big), "errno 4095", ERRNO(4095));
	expect_out(max, N(max), "errno 4095", ERRNO(4095));
	expect_out(at, N(at), "errno 4095", ERRNO(4095));
	expect_out(zero, N(zero), "ret 0", ERRNO(0));
}

static void expect_killed(struct job *j)
{
	struct sck_test_result res;

	run_job(j, &res);
	cr_assert(!res.exited, "exited %d: %s", res.exit_code, res.out);
	cr_assert_eq(res.signal, SIGSYS);
	cr_assert_eq(res.out_len, 0);
}

Test(kernel_bpf, unknown_actions_kill)
{
	static const uint32_t unknown[] = {0x00010000, 0x00040000, 0x7ffe0000, 0x12340005,
					   0x80010000};

	for (size_t i = 0; i < N(unknown); i++) {
		struct sock_filter p[] = {GUARD, S(BPF_RET | BPF_K, unknown[i])};
		struct job j = {{{p, N(p)}}, 1};

		expect_killed(&j);
		cr_assert_eq(emulate(&j), SECCOMP_RET_KILL_PROCESS);
	}
}

static int install_only(void *arg, int fd)
{
	const struct prog *p = arg;

	(void)fd;
	return (int)-install(p->p, p->len);
}

static int kernel_verdict(const struct sock_filter *p, size_t len)
{
	struct prog pr = {p, len};
	struct sck_test_result res;

	cr_assert_eq(sck_test_run_child(install_only, &pr, 10000, &res), 0);
	cr_assert(res.exited);
	return res.exit_code;
}

Test(kernel_bpf, size_limits)
{
	struct sock_filter *p = calloc(SCK_BPF_MAXINSNS + 1, sizeof(*p));

	cr_assert(p);
	for (size_t i = 0; i <= SCK_BPF_MAXINSNS; i++)
		p[i] = ALLOW;
	cr_assert_eq(kernel_verdict(p, SCK_BPF_MAXINSNS), 0);
	cr_assert_eq(kernel_verdict(p, SCK_BPF_MAXINSNS + 1), EINVAL);
	cr_assert_eq(sck_bpf_check(p, SCK_BPF_MAXINSNS, NULL), 0);
	cr_assert_eq(sck_bpf_check(p, SCK_BPF_MAXINSNS + 1, NULL), -EINVAL);
	free(p);
}

Test(kernel_bpf, load_alignment)
{
	for (uint32_t k = 0; k <= 68; k++) {
		struct sock_filter p[] = {S(BPF_LD | BPF_W | BPF_ABS, k), ALLOW};
		int want = (k % 4 == 0 && k < 64) ? 0 : EINVAL;

		cr_assert_eq(kernel_verdict(p, N(p)), want, "k %u", k);
		cr_assert_eq(sck_bpf_check(p, N(p), NULL), -want, "k %u", k);
	}
	struct sock_filter half[] = {S(BPF_LD | BPF_H | BPF_ABS, 0), ALLOW};

	cr_assert_eq(kernel_verdict(half, N(half)), EINVAL);
}

Test(kernel_bpf, len_is_64)
{
	struct sock_filter p[] = {GUARD, S(BPF_LD | BPF_W | BPF_LEN, 0),
				  S(BPF_ALU | BPF_OR | BPF_K, ERRNO(0)), S(BPF_RET | BPF_A, 0)};
	struct sock_filter x[] = {GUARD, S(BPF_LDX | BPF_W | BPF_LEN, 0), S(BPF_MISC | BPF_TXA, 0),
				  S(BPF_ALU | BPF_ADD | BPF_K, ERRNO(1)), S(BPF_RET | BPF_A, 0)};

	expect_out(p, N(p), "errno 64", ERRNO(64));
	expect_out(x, N(x), "errno 65", ERRNO(65));
}

Test(kernel_bpf, shift_by_x_masked)
{
	/* 3 << (33 & 31) = 6 */
	struct sock_filter p[] = {GUARD,
				  S(BPF_LDX | BPF_IMM, 33),
				  S(BPF_LD | BPF_IMM, 3),
				  S(BPF_ALU | BPF_LSH | BPF_X, 0),
				  S(BPF_ALU | BPF_OR | BPF_K, ERRNO(0)),
				  S(BPF_RET | BPF_A, 0)};

	expect_out(p, N(p), "errno 6", ERRNO(6));
}

Test(kernel_bpf, div_by_zero_x)
{
	/* X is 0 at the start: the division ends the program with 0, KILL_THREAD, and the only
	 * thread takes the process with it. */
	struct sock_filter p[] = {GUARD, S(BPF_LD | BPF_IMM, 10), S(BPF_ALU | BPF_DIV | BPF_X, 0),
				  S(BPF_RET | BPF_K, ERRNO(1))};
	struct job j = {{{p, N(p)}}, 1};

	expect_killed(&j);
	cr_assert_eq(emulate(&j), SECCOMP_RET_KILL_THREAD);
}

static void expect_stack(uint32_t older, uint32_t newer, const char *want)
{
	struct sock_filter a[] = {GUARD, S(BPF_RET | BPF_K, older)};
	struct sock_filter b[] = {GUARD, S(BPF_RET | BPF_K, newer)};
	struct job j = {{{a, N(a)}, {b, N(b)}}, 2};
	struct sck_test_result res;
	uint32_t eff = emulate(&j);

	if (!want) {
		expect_killed(&j);
		cr_assert(eff == SECCOMP_RET_KILL_PROCESS || eff == SECCOMP_RET_KILL_THREAD);
		return;
	}
	run_job(&j, &res);
	cr_assert(res.exited && res.exit_code == 0, "exit %d signal %d", res.exit_code, res.signal);
	cr_assert_str_eq(res.out, want, "older %#x newer %#x", older, newer);
	if ((eff & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO) {
		char buf[32];

		snprintf(buf, sizeof(buf), "errno %u", eff & SECCOMP_RET_DATA);
		cr_assert_str_eq(buf, want);
	} else {
		cr_assert_str_eq("errno 38", want); /* ALLOW, LOG: no such syscall */
	}
}

Test(kernel_bpf, stack_precedence)
{
	expect_stack(ERRNO(1), ERRNO(2), "errno 2");	      /* equals: newest wins */
	expect_stack(ERRNO(3), SECCOMP_RET_ALLOW, "errno 3"); /* older more restrictive */
	expect_stack(SECCOMP_RET_ALLOW, ERRNO(4), "errno 4");
	expect_stack(SECCOMP_RET_LOG, SECCOMP_RET_ALLOW | 9, "errno 38");
	expect_stack(ERRNO(5), SECCOMP_RET_TRACE, "errno 5"); /* TRACE ranks above ERRNO */
	expect_stack(SECCOMP_RET_KILL_PROCESS, ERRNO(1), NULL);
	expect_stack(ERRNO(1), SECCOMP_RET_KILL_THREAD, NULL);
	expect_stack(0x00010000, ERRNO(1), NULL);      /* undefined, below ERRNO: kills */
	expect_stack(ERRNO(6), 0x7ffe0000, "errno 6"); /* undefined, above ERRNO: ERRNO wins */
}

/* The scratch-memory walk's quirks, as the validator reproduces them: the kernel decides. */
Test(kernel_bpf, memory_walk_quirks)
{
	/* read after a RET, reached by a jump whose path wrote nothing: refused */
	struct sock_filter after_ret[] = {
		J(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
		S(BPF_ST, 4),
		ALLOW,
		S(BPF_LD | BPF_MEM, 4),
		ALLOW,
	};
	/* dead code after a JA: anything goes */
	struct sock_filter dead[] = {S(BPF_JMP | BPF_JA, 1), S(BPF_LD | BPF_MEM, 9), ALLOW};
	/* a RET does not reset what was written: the unreachable read passes */
	struct sock_filter ret_carry[] = {S(BPF_ST, 5), ALLOW, S(BPF_LD | BPF_MEM, 5), ALLOW};
	/* written on one branch only */
	struct sock_filter one_path[] = {
		J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		S(BPF_ST, 1),
		S(BPF_LDX | BPF_MEM, 1),
		ALLOW,
	};
	/* a seccomp-only opcode before a classic fault: refused either way */
	struct sock_filter order[] = {S(BPF_LD | BPF_H | BPF_ABS, 0),
				      S(BPF_ALU | BPF_DIV | BPF_K, 0), ALLOW};

	cr_assert_eq(kernel_verdict(after_ret, N(after_ret)), EINVAL);
	cr_assert_eq(sck_bpf_check(after_ret, N(after_ret), NULL), -EINVAL);
	cr_assert_eq(kernel_verdict(dead, N(dead)), 0);
	cr_assert_eq(sck_bpf_check(dead, N(dead), NULL), 0);
	cr_assert_eq(kernel_verdict(ret_carry, N(ret_carry)), 0);
	cr_assert_eq(sck_bpf_check(ret_carry, N(ret_carry), NULL), 0);
	cr_assert_eq(kernel_verdict(one_path, N(one_path)), EINVAL);
	cr_assert_eq(sck_bpf_check(one_path, N(one_path), NULL), -EINVAL);
	cr_assert_eq(kernel_verdict(order, N(order)), EINVAL);
}
