// SPDX-License-Identifier: MIT
/*
 * The emulator on hand-written programs: every instruction, instruction counts, LEN reading 64,
 * division by a zero X, shift counts masked to 5 bits; stacks with the kernel's precedence;
 * sck_action_effective; and the action-cache predicate on programs it must and must not cover.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"

#define S(c, k) ((struct sock_filter)BPF_STMT((c), (k)))
#define J(c, k, t, f) ((struct sock_filter)BPF_JUMP((c), (k), (t), (f)))
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))
#define RETA S(BPF_RET | BPF_A, 0)

static struct seccomp_data data(int nr)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = AUDIT_ARCH_X86_64;
	d.instruction_pointer = 0x1122334455667788ull;
	for (int i = 0; i < 6; i++)
		d.args[i] = 0x100000000ull * (uint64_t)(i + 1) + (uint64_t)(10 * i + 1);
	return d;
}

static uint32_t run1(const struct sock_filter *p, size_t len, const struct seccomp_data *d,
		     uint32_t *cnt)
{
	struct sck_bpf_emu *emu = NULL;
	uint32_t r;

	cr_assert_eq(sck_bpf_emu_new(p, len, &emu), 0);
	r = sck_bpf_emu_run(emu, d, cnt);
	sck_bpf_emu_free(emu);
	return r;
}

#define RUN(arr, d, cnt) run1((arr), N(arr), (d), (cnt))

Test(bpf_emu, loads)
{
	struct seccomp_data d = data(42);
	struct sock_filter nr[] = {S(BPF_LD | BPF_W | BPF_ABS, 0), RETA};
	struct sock_filter arch[] = {S(BPF_LD | BPF_W | BPF_ABS, 4), RETA};
	struct sock_filter ip_lo[] = {S(BPF_LD | BPF_W | BPF_ABS, 8), RETA};
	struct sock_filter arg5[] = {S(BPF_LD | BPF_W | BPF_ABS, 56), RETA};
	struct sock_filter arg5_hi[] = {S(BPF_LD | BPF_W | BPF_ABS, 60), RETA};
	struct sock_filter len[] = {S(BPF_LD | BPF_W | BPF_LEN, 0), RETA};
	struct sock_filter lenx[] = {S(BPF_LDX | BPF_W | BPF_LEN, 0), S(BPF_MISC | BPF_TXA, 0),
				     RETA};
	struct sock_filter imm[] = {S(BPF_LDX | BPF_IMM, 7), S(BPF_LD | BPF_IMM, 9),
				    S(BPF_ALU | BPF_ADD | BPF_X, 0), RETA};
	struct sock_filter mem[] = {S(BPF_LD | BPF_IMM, 5),	     S(BPF_ST, 15),
				    S(BPF_LDX | BPF_IMM, 6),	     S(BPF_STX, 0),
				    S(BPF_LD | BPF_MEM, 0),	     S(BPF_LDX | BPF_MEM, 15),
				    S(BPF_ALU | BPF_MUL | BPF_X, 0), RETA};
	struct sock_filter initial[] = {S(BPF_MISC | BPF_TXA, 0),
					S(BPF_ALU | BPF_OR | BPF_K, 0x50000), RETA};
	uint32_t cnt;

	cr_assert_eq(RUN(nr, &d, &cnt), 42);
	cr_assert_eq(cnt, 2);
	cr_assert_eq(RUN(arch, &d, NULL), AUDIT_ARCH_X86_64);
	cr_assert_eq(RUN(ip_lo, &d, NULL), 0x55667788);
	cr_assert_eq(RUN(arg5, &d, NULL), 51, "low word first on little endian");
	cr_assert_eq(RUN(arg5_hi, &d, NULL), 6);
	cr_assert_eq(RUN(len, &d, NULL), 64, "seccomp's LEN is sizeof(struct seccomp_data)");
	cr_assert_eq(RUN(lenx, &d, NULL), 64);
	cr_assert_eq(RUN(imm, &d, NULL), 16);
	cr_assert_eq(RUN(mem, &d, &cnt), 30);
	cr_assert_eq(cnt, 8);
	cr_assert_eq(RUN(initial, &d, NULL), 0x50000, "A and X start at 0");
}

struct alu_case {
	uint16_t op;
	uint32_t a, k, want;
};

Test(bpf_emu, alu)
{
	static const struct alu_case cases[] = {
		{BPF_ADD, 0xffffffff, 2, 1},	      {BPF_SUB, 1, 2, 0xffffffff},
		{BPF_MUL, 0x10000, 0x10001, 0x10000}, {BPF_DIV, 100, 7, 14},
		{BPF_DIV, 0xffffffff, 2, 0x7fffffff}, {BPF_AND, 0xf0f0, 0xff00, 0xf000},
		{BPF_OR, 0xf0f0, 0x0f00, 0xfff0},     {BPF_XOR, 0xff, 0x0f, 0xf0},
		{BPF_LSH, 1, 31, 0x80000000},	      {BPF_RSH, 0x80000000, 31, 1},
	};

	for (size_t i = 0; i < N(cases); i++) {
		const struct alu_case *c = &cases[i];
		struct seccomp_data d = data(0);
		struct sock_filter k[] = {S(BPF_LD | BPF_IMM, c->a),
					  S(BPF_ALU | c->op | BPF_K, c->k), RETA};
		struct sock_filter x[] = {S(BPF_LDX | BPF_IMM, c->k), S(BPF_LD | BPF_IMM, c->a),
					  S(BPF_ALU | c->op | BPF_X, 0), RETA};

		cr_assert_eq(RUN(k, &d, NULL), c->want, "op %#x K", c->op);
		cr_assert_eq(RUN(x, &d, NULL), c->want, "op %#x X", c->op);
	}
	struct seccomp_data d = data(0);
	struct sock_filter neg[] = {S(BPF_LD | BPF_IMM, 5), S(BPF_ALU | BPF_NEG, 0), RETA};
	/* eBPF masks a shift count by X to its low 5 bits */
	struct sock_filter lsh33[] = {S(BPF_LDX | BPF_IMM, 33), S(BPF_LD | BPF_IMM, 3),
				      S(BPF_ALU | BPF_LSH | BPF_X, 0), RETA};
	struct sock_filter rsh32[] = {S(BPF_LDX | BPF_IMM, 32), S(BPF_LD | BPF_IMM, 3),
				      S(BPF_ALU | BPF_RSH | BPF_X, 0), RETA};

	cr_assert_eq(RUN(neg, &d, NULL), (uint32_t)-5);
	cr_assert_eq(RUN(lsh33, &d, NULL), 6);
	cr_assert_eq(RUN(rsh32, &d, NULL), 3);
}

Test(bpf_emu, div_by_zero_x)
{
	struct seccomp_data d = data(0);
	struct sock_filter p[] = {S(BPF_LD | BPF_IMM, 10), S(BPF_ALU | BPF_DIV | BPF_X, 0),
				  S(BPF_RET | BPF_K, ERRNO(1))};
	uint32_t cnt;

	cr_assert_eq(RUN(p, &d, &cnt), 0, "the program ends with 0 (KILL_THREAD)");
	cr_assert_eq(cnt, 2);
}

Test(bpf_emu, jumps)
{
	struct seccomp_data d = data(10);
	struct sock_filter p[] = {
		S(BPF_LD | BPF_W | BPF_ABS, 0),
		J(BPF_JMP | BPF_JGT | BPF_K, 10, 5, 0), /* 10 > 10: no */
		J(BPF_JMP | BPF_JGE | BPF_K, 10, 0, 4), /* 10 >= 10: yes */
		J(BPF_JMP | BPF_JSET | BPF_K, 4, 0, 3), /* 10 & 4 = 0: no */
		S(BPF_LDX | BPF_IMM, 10),		/* skipped */
		S(BPF_JMP | BPF_JA, 1),			/* skipped */
		S(BPF_RET | BPF_K, ERRNO(1)),		/* skipped */
		J(BPF_JMP | BPF_JEQ | BPF_K, 10, 0, 3), /* yes */
		S(BPF_LDX | BPF_IMM, 10),
		J(BPF_JMP | BPF_JEQ | BPF_X, 0, 2, 0), /* yes */
		S(BPF_RET | BPF_K, ERRNO(2)),
		S(BPF_RET | BPF_K, ERRNO(3)),
		S(BPF_RET | BPF_K, ERRNO(4)),
	};
	uint32_t cnt;

	cr_assert_eq(RUN(p, &d, &cnt), ERRNO(4));
	cr_assert_eq(cnt, 8);
	d.nr = 11;
	cr_assert_eq(RUN(p, &d, &cnt), ERRNO(3));
	d.nr = 9;
	cr_assert_eq(RUN(p, &d, &cnt), ERRNO(3), "9 >= 10 fails, then 9 != 10");
	cr_assert_eq(cnt, 5);
}

Test(bpf_emu, new_errors)
{
	struct sock_filter bad[] = {S(BPF_LD | BPF_W | BPF_ABS, 2), RETA};
	struct sock_filter ok[] = {RETA};
	struct sck_bpf_emu *emu = (struct sck_bpf_emu *)&emu;

	cr_assert_eq(sck_bpf_emu_new(bad, N(bad), &emu), -EINVAL);
	cr_assert_eq(emu, (struct sck_bpf_emu *)&emu, "out untouched on failure");
	cr_assert_eq(sck_bpf_emu_new(ok, 0, &emu), -EINVAL);
	cr_assert_eq(sck_bpf_emu_new(ok, 1, NULL), -EINVAL);
	sck_bpf_emu_free(NULL);
}

static struct sck_bpf_emu *ret_emu(uint32_t v)
{
	struct sock_filter p[] = {S(BPF_RET | BPF_K, v)};
	struct sck_bpf_emu *e;

	cr_assert_eq(sck_bpf_emu_new(p, 1, &e), 0);
	return e;
}

static uint32_t stack2(uint32_t older, uint32_t newer)
{
	struct sck_bpf_emu *e[2] = {ret_emu(older), ret_emu(newer)};
	const struct sck_bpf_emu *s[2] = {e[0], e[1]};
	struct seccomp_data d = data(0);
	uint32_t cnt, r = sck_bpf_emu_run_stack(s, 2, &d, &cnt);

	cr_assert_eq(cnt, 2);
	sck_bpf_emu_free(e[0]);
	sck_bpf_emu_free(e[1]);
	return r;
}

Test(bpf_emu, stack)
{
	struct seccomp_data d = data(0);
	uint32_t cnt = 99;

	cr_assert_eq(sck_bpf_emu_run_stack(NULL, 0, &d, &cnt), SECCOMP_RET_ALLOW);
	cr_assert_eq(cnt, 0);
	/* same action: the newest filter's data wins */
	cr_assert_eq(stack2(ERRNO(1), ERRNO(2)), ERRNO(2));
	/* a more restrictive older one wins */
	cr_assert_eq(stack2(SECCOMP_RET_TRAP | 7, ERRNO(2)), SECCOMP_RET_TRAP | 7);
	cr_assert_eq(stack2(ERRNO(2), SECCOMP_RET_TRAP | 7), SECCOMP_RET_TRAP | 7);
	cr_assert_eq(stack2(SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP), SECCOMP_RET_KILL_THREAD);
	/* KILL_PROCESS is the most restrictive: signed comparison */
	cr_assert_eq(stack2(SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD),
		     SECCOMP_RET_KILL_PROCESS);
	cr_assert_eq(stack2(SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS), SECCOMP_RET_KILL_PROCESS);
	cr_assert_eq(stack2(SECCOMP_RET_LOG, SECCOMP_RET_ALLOW), SECCOMP_RET_LOG);
	cr_assert_eq(stack2(SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE | 1), SECCOMP_RET_USER_NOTIF);
	/* ALLOW with data never beats the starting ALLOW */
	cr_assert_eq(stack2(SECCOMP_RET_ALLOW | 5, SECCOMP_RET_ALLOW | 6), SECCOMP_RET_ALLOW);
	/* an undefined action ranks by its bits too */
	cr_assert_eq(stack2(0x00010000, ERRNO(1)), 0x00010000);
	cr_assert_eq(stack2(ERRNO(1), 0x7ffe0000), ERRNO(1));
}

Test(bpf_emu, effective)
{
	cr_assert_eq(sck_action_effective(ERRNO(1)), ERRNO(1));
	cr_assert_eq(sck_action_effective(ERRNO(4095)), ERRNO(4095));
	cr_assert_eq(sck_action_effective(ERRNO(4096)), ERRNO(4095));
	cr_assert_eq(sck_action_effective(ERRNO(0xffff)), ERRNO(4095));
	cr_assert_eq(sck_action_effective(SECCOMP_RET_TRAP | 0xffff), SECCOMP_RET_TRAP | 0xffff);
	cr_assert_eq(sck_action_effective(SECCOMP_RET_ALLOW | 3), SECCOMP_RET_ALLOW | 3);
	cr_assert_eq(sck_action_effective(SECCOMP_RET_KILL_THREAD), SECCOMP_RET_KILL_THREAD);
	cr_assert_eq(sck_action_effective(0x00010000), SECCOMP_RET_KILL_PROCESS);
	cr_assert_eq(sck_action_effective(0x7ffe0005), SECCOMP_RET_KILL_PROCESS);
	cr_assert_eq(sck_action_effective(0x80010000), SECCOMP_RET_KILL_PROCESS);
}

/* ---- the action cache ---- */

static int bitmap(const struct sock_filter *p, size_t len, uint8_t *bm, size_t nbits)
{
	return sck_bpf_cache_bitmap(p, len, sck_arch_from_name("x86_64"), bm, nbits);
}

static bool bit(const uint8_t *bm, unsigned nr)
{
	return bm[nr / 8] & (1u << (nr % 8));
}

Test(bpf_cache, typical)
{
	/* arch check, allow 0..9 and 20, errno for the rest; arg checks for 30 */
	struct sock_filter p[] = {
		S(BPF_LD | BPF_W | BPF_ABS, 4),
		J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		S(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		S(BPF_LD | BPF_W | BPF_ABS, 0),
		J(BPF_JMP | BPF_JEQ | BPF_K, 30, 4, 0),
		J(BPF_JMP | BPF_JGT | BPF_K, 9, 0, 2),
		J(BPF_JMP | BPF_JEQ | BPF_K, 20, 1, 0),
		S(BPF_RET | BPF_K, ERRNO(1)),
		S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		S(BPF_LD | BPF_W | BPF_ABS, 16),
		J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		S(BPF_RET | BPF_K, ERRNO(2)),
	};
	uint8_t bm[64];

	memset(bm, 0xaa, sizeof(bm));
	cr_assert_eq(bitmap(p, N(p), bm, 500), 11);
	for (unsigned nr = 0; nr < 500; nr++)
		cr_assert_eq(bit(bm, nr), nr <= 9 || nr == 20, "nr %u", nr);
	cr_assert_eq(bm[63], 0xaa, "bits past nbits untouched");
	/* another arch: the arch check fails for all */
	cr_assert_eq(sck_bpf_cache_bitmap(p, N(p), sck_arch_from_name("aarch64"), bm, 500), 0);
}

Test(bpf_cache, what_defeats_it)
{
	uint8_t bm[8];
	/* ALLOW with data is not ALLOW */
	struct sock_filter allow_data[] = {S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW | 1)};
	/* LOG is not ALLOW */
	struct sock_filter log[] = {S(BPF_RET | BPF_K, SECCOMP_RET_LOG)};
	/* RET A, even of a known ALLOW */
	struct sock_filter reta[] = {S(BPF_LD | BPF_IMM, SECCOMP_RET_ALLOW), RETA};
	/* X compares, other ALU, LEN, scratch memory */
	struct sock_filter jx[] = {J(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0),
				   S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter add[] = {S(BPF_LD | BPF_W | BPF_ABS, 0), S(BPF_ALU | BPF_ADD | BPF_K, 1),
				    S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter len[] = {S(BPF_LD | BPF_W | BPF_LEN, 0),
				    S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	/* an arg load on the path, even if the result does not depend on it */
	struct sock_filter arg[] = {S(BPF_LD | BPF_W | BPF_ABS, 24),
				    S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	/* AND, JSET, JGE and JA are followed */
	struct sock_filter fold[] = {
		S(BPF_LD | BPF_W | BPF_ABS, 0),
		S(BPF_ALU | BPF_AND | BPF_K, 0xf),
		J(BPF_JMP | BPF_JSET | BPF_K, 8, 2, 0),
		J(BPF_JMP | BPF_JGE | BPF_K, 4, 0, 2),
		S(BPF_JMP | BPF_JA, 1),
		S(BPF_RET | BPF_K, ERRNO(1)),
		S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	cr_assert_eq(bitmap(allow_data, N(allow_data), bm, 64), 0);
	cr_assert_eq(bitmap(log, N(log), bm, 64), 0);
	cr_assert_eq(bitmap(reta, N(reta), bm, 64), 0);
	cr_assert_eq(bitmap(jx, N(jx), bm, 64), 0);
	cr_assert_eq(bitmap(add, N(add), bm, 64), 0);
	cr_assert_eq(bitmap(len, N(len), bm, 64), 0);
	cr_assert_eq(bitmap(arg, N(arg), bm, 64), 0);
	/* allowed unless nr & 8: JSET 8 leads to the errno, both JGE ways to ALLOW */
	cr_assert_eq(bitmap(fold, N(fold), bm, 64), 64 - 32);
	for (unsigned nr = 0; nr < 64; nr++)
		cr_assert_eq(bit(bm, nr), !((nr & 0xf) & 8), "nr %u", nr);
}

Test(bpf_cache, errors)
{
	struct sock_filter ok[] = {S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter bad[] = {S(BPF_LD | BPF_IMM, 0)};
	uint8_t bm[2];

	cr_assert_eq(bitmap(ok, 1, bm, 16), 16);
	cr_assert_eq(bitmap(bad, 1, bm, 16), -EINVAL);
	cr_assert_eq(bitmap(NULL, 1, bm, 16), -EINVAL);
	cr_assert_eq(bitmap(ok, 1, NULL, 16), -EINVAL);
	cr_assert_eq(bitmap(ok, 1, NULL, 0), 0);
	cr_assert_eq(sck_bpf_cache_bitmap(ok, 1, NULL, bm, 16), -EINVAL);
}

/* sck_bpf_emu_run_path: the same verdict as sck_bpf_emu_run, and the indices run, in order. */
Test(bpf_emu, run_path)
{
	const struct sock_filter p[] = {
		S(BPF_LD | BPF_W | BPF_ABS, 0),	       J(BPF_JMP | BPF_JEQ | BPF_K, 39, 2, 0),
		S(BPF_LD | BPF_W | BPF_ABS, 16),       J(BPF_JMP | BPF_JA, 1, 0, 0),
		S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), S(BPF_RET | BPF_K, ERRNO(2)),
	};
	static const uint16_t want[] = {0, 1, 2, 3, 5};
	struct seccomp_data d = data(1);
	struct sck_bpf_emu *emu = NULL;
	uint16_t path[8] = {0}, shortp[2] = {0};
	uint32_t cnt = 0;

	cr_assert_eq(sck_bpf_emu_new(p, N(p), &emu), 0);
	cr_expect_eq(sck_bpf_emu_run_path(emu, &d, path, N(path), &cnt), ERRNO(2));
	cr_expect_eq(cnt, 5u);
	cr_expect_arr_eq(path, want, sizeof(want));
	/* a short buffer holds the start of the path; the count is the whole run's */
	cr_expect_eq(sck_bpf_emu_run_path(emu, &d, shortp, N(shortp), &cnt), ERRNO(2));
	cr_expect_eq(cnt, 5u);
	cr_expect(shortp[0] == 0 && shortp[1] == 1);
	/* no buffer at all, no count */
	d = data(39);
	cr_expect_eq(sck_bpf_emu_run_path(emu, &d, NULL, 0, NULL), SECCOMP_RET_ALLOW);
	cr_expect_eq(sck_bpf_emu_run_path(emu, &d, path, N(path), &cnt),
		     sck_bpf_emu_run(emu, &d, NULL));
	cr_expect(cnt == 3 && path[0] == 0 && path[1] == 1 && path[2] == 4);
	sck_bpf_emu_free(emu);
}
