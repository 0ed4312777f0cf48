// SPDX-License-Identifier: MIT
/*
 * The validator on hand-written programs: every fault with the index it names, the order in
 * which the kernel finds faults (the classic pass over the whole program before seccomp's
 * whitelist), and the quirks of the kernel's scratch-memory check that decide what loads.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "sck.h"

#define S(c, k) ((struct sock_filter)BPF_STMT((c), (k)))
#define J(c, k, t, f) ((struct sock_filter)BPF_JUMP((c), (k), (t), (f)))
#define RET S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void expect(const struct sock_filter *p, size_t len, enum sck_bpf_fault fault, size_t at)
{
	struct sck_bpf_verdict v = {.fault = 99, .index = 99};
	int rc = sck_bpf_check(p, len, &v);

	cr_assert_eq(rc, fault == SCK_BPF_FAULT_NONE ? 0 : -EINVAL, "rc %d", rc);
	cr_assert_eq(v.fault, fault, "fault %d (%s), wanted %d", v.fault,
		     sck_bpf_fault_str(v.fault), fault);
	if (fault != SCK_BPF_FAULT_NONE)
		cr_assert_eq(v.index, at, "index %zu, wanted %zu", v.index, at);
}

#define EXPECT(arr, fault, at) expect((arr), N(arr), (fault), (at))

Test(bpf_check, accepts)
{
	struct sock_filter ok[] = {
		S(BPF_LD | BPF_W | BPF_ABS, 0),
		S(BPF_LD | BPF_W | BPF_ABS, 60),
		S(BPF_LD | BPF_W | BPF_LEN, 0),
		S(BPF_LDX | BPF_W | BPF_LEN, 0),
		S(BPF_LD | BPF_IMM, 1),
		S(BPF_LDX | BPF_IMM, 2),
		S(BPF_ST, 15),
		S(BPF_STX, 0),
		S(BPF_LD | BPF_MEM, 15),
		S(BPF_LDX | BPF_MEM, 0),
		S(BPF_MISC | BPF_TAX, 0),
		S(BPF_MISC | BPF_TXA, 0),
		S(BPF_ALU | BPF_ADD | BPF_K, 1),
		S(BPF_ALU | BPF_SUB | BPF_X, 0),
		S(BPF_ALU | BPF_MUL | BPF_K, 3),
		S(BPF_ALU | BPF_DIV | BPF_K, 3),
		S(BPF_ALU | BPF_DIV | BPF_X, 0),
		S(BPF_ALU | BPF_AND | BPF_K, 1),
		S(BPF_ALU | BPF_OR | BPF_X, 0),
		S(BPF_ALU | BPF_XOR | BPF_K, 1),
		S(BPF_ALU | BPF_LSH | BPF_K, 31),
		S(BPF_ALU | BPF_RSH | BPF_X, 0),
		S(BPF_ALU | BPF_NEG, 0),
		J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		J(BPF_JMP | BPF_JGE | BPF_X, 0, 1, 0),
		J(BPF_JMP | BPF_JGT | BPF_K, 0, 0, 0),
		J(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 1),
		S(BPF_JMP | BPF_JA, 1),
		S(BPF_RET | BPF_A, 0),
		RET,
	};

	EXPECT(ok, SCK_BPF_FAULT_NONE, 0);
	cr_assert_eq(sck_bpf_check(ok, N(ok), NULL), 0, "why is optional");
}

Test(bpf_check, length)
{
	struct sock_filter *big = calloc(SCK_BPF_MAXINSNS + 1, sizeof(*big));
	struct sck_bpf_verdict v;

	cr_assert(big);
	for (size_t i = 0; i <= SCK_BPF_MAXINSNS; i++)
		big[i] = RET;
	expect(big, SCK_BPF_MAXINSNS, SCK_BPF_FAULT_NONE, 0);
	expect(big, SCK_BPF_MAXINSNS + 1, SCK_BPF_FAULT_TOO_LONG, SCK_BPF_MAXINSNS + 1);
	expect(big, 0, SCK_BPF_FAULT_EMPTY, 0);
	cr_assert_eq(sck_bpf_check(NULL, 0, &v), -EINVAL);
	cr_assert_eq(sck_bpf_check(NULL, 3, NULL), -EINVAL);
	free(big);
}

Test(bpf_check, opcodes)
{
	/* classic opcodes seccomp refuses */
	static const uint16_t refused[] = {
		BPF_LD | BPF_H | BPF_ABS,  BPF_LD | BPF_B | BPF_ABS,  BPF_LD | BPF_W | BPF_IND,
		BPF_LD | BPF_H | BPF_IND,  BPF_LD | BPF_B | BPF_IND,  BPF_LDX | BPF_B | BPF_MSH,
		BPF_ALU | BPF_MOD | BPF_X, BPF_ALU | BPF_MOD | BPF_K, /* k below is 1 */
	};
	/* not classic BPF at all */
	static const uint16_t unknown[] = {
		BPF_RET | BPF_X,
		BPF_ALU | BPF_NEG | BPF_X,
		BPF_LDX | BPF_W | BPF_ABS,
		BPF_LD | BPF_B | BPF_LEN,
		BPF_JMP | BPF_JA | BPF_X,
		0x8006,
		0xff,
		0x0e,
	};

	for (size_t i = 0; i < N(refused); i++) {
		struct sock_filter p[] = {RET, S(refused[i], 1), RET};

		EXPECT(p, SCK_BPF_FAULT_OPCODE, 1);
	}
	for (size_t i = 0; i < N(unknown); i++) {
		struct sock_filter p[] = {RET, RET, S(unknown[i], 0), RET};

		EXPECT(p, SCK_BPF_FAULT_OPCODE, 2);
	}
}

Test(bpf_check, loads)
{
	for (uint32_t k = 0; k < 80; k++) {
		struct sock_filter p[] = {S(BPF_LD | BPF_W | BPF_ABS, k), RET};

		if (k < 64 && k % 4 == 0)
			EXPECT(p, SCK_BPF_FAULT_NONE, 0);
		else
			EXPECT(p, SCK_BPF_FAULT_LOAD, 0);
	}
	struct sock_filter anc[] = {RET, S(BPF_LD | BPF_W | BPF_ABS, (uint32_t)-0x1000 + 4), RET};
	struct sock_filter bad_anc[] = {RET, S(BPF_LD | BPF_W | BPF_ABS, (uint32_t)-0x1000 + 64),
					RET};

	EXPECT(anc, SCK_BPF_FAULT_LOAD, 1);
	EXPECT(bad_anc, SCK_BPF_FAULT_LOAD, 1);
}

Test(bpf_check, alu_constants)
{
	struct sock_filter div0[] = {S(BPF_ALU | BPF_DIV | BPF_K, 0), RET};
	struct sock_filter mod0[] = {RET, S(BPF_ALU | BPF_MOD | BPF_K, 0), RET};
	struct sock_filter lsh32[] = {S(BPF_ALU | BPF_LSH | BPF_K, 32), RET};
	struct sock_filter rsh99[] = {S(BPF_ALU | BPF_RSH | BPF_K, 99), RET};
	struct sock_filter divx[] = {S(BPF_ALU | BPF_DIV | BPF_X, 0), RET};

	EXPECT(div0, SCK_BPF_FAULT_DIV_ZERO, 0);
	EXPECT(mod0, SCK_BPF_FAULT_DIV_ZERO, 1);
	EXPECT(lsh32, SCK_BPF_FAULT_SHIFT, 0);
	EXPECT(rsh99, SCK_BPF_FAULT_SHIFT, 0);
	EXPECT(divx, SCK_BPF_FAULT_NONE, 0);
}

Test(bpf_check, memory_index)
{
	struct sock_filter st[] = {S(BPF_ST, 16), RET};
	struct sock_filter ldx[] = {S(BPF_ST, 0), S(BPF_LDX | BPF_MEM, 0xffffffff), RET};

	EXPECT(st, SCK_BPF_FAULT_MEM_INDEX, 0);
	EXPECT(ldx, SCK_BPF_FAULT_MEM_INDEX, 1);
}

Test(bpf_check, jumps)
{
	struct sock_filter ja_ok[] = {S(BPF_JMP | BPF_JA, 1), RET, RET};
	struct sock_filter ja_end[] = {S(BPF_JMP | BPF_JA, 2), RET, RET};
	struct sock_filter ja_huge[] = {S(BPF_JMP | BPF_JA, 0xffffffff), RET, RET};
	struct sock_filter jt_end[] = {J(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0), RET, RET};
	struct sock_filter jf_end[] = {RET, J(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1), RET};
	struct sock_filter j_ok[] = {J(BPF_JMP | BPF_JGT | BPF_K, 0, 1, 1), RET, RET};

	EXPECT(ja_ok, SCK_BPF_FAULT_NONE, 0);
	EXPECT(ja_end, SCK_BPF_FAULT_JUMP, 0);
	EXPECT(ja_huge, SCK_BPF_FAULT_JUMP, 0);
	EXPECT(jt_end, SCK_BPF_FAULT_JUMP, 0);
	EXPECT(jf_end, SCK_BPF_FAULT_JUMP, 1);
	EXPECT(j_ok, SCK_BPF_FAULT_NONE, 0);
}

Test(bpf_check, last_is_ret)
{
	struct sock_filter noret[] = {RET, S(BPF_LD | BPF_IMM, 0)};
	struct sock_filter retx[] = {RET, S(BPF_RET | BPF_X, 0)};
	struct sock_filter reta[] = {S(BPF_RET | BPF_A, 0)};

	EXPECT(noret, SCK_BPF_FAULT_NO_RET, 1);
	EXPECT(retx, SCK_BPF_FAULT_OPCODE, 1);
	EXPECT(reta, SCK_BPF_FAULT_NONE, 0);
}

Test(bpf_check, memory_flow)
{
	struct sock_filter uninit[] = {S(BPF_LD | BPF_MEM, 3), RET};
	struct sock_filter written[] = {S(BPF_STX, 3), S(BPF_LD | BPF_MEM, 3), RET};
	/* written on one branch only */
	struct sock_filter one_path[] = {
		J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		S(BPF_ST, 1),
		S(BPF_LDX | BPF_MEM, 1),
		RET,
	};
	/* written before the branch: valid on both */
	struct sock_filter both[] = {
		S(BPF_ST, 1), J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		S(BPF_ST, 2), S(BPF_LDX | BPF_MEM, 1),
		RET,
	};
	/* The kernel's walk does not reset after a RET: the cell written before the RET counts
	 * as written on the jump that lands after it only if written on that jump's path too. */
	struct sock_filter after_ret[] = {
		J(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
		S(BPF_ST, 4),
		RET,
		S(BPF_LD | BPF_MEM, 4),
		RET,
	};
	/* Dead code after a JA that nothing jumps to: every cell counts as written. */
	struct sock_filter dead[] = {S(BPF_JMP | BPF_JA, 1), S(BPF_LD | BPF_MEM, 9), RET};
	/* A RET that falls "through" keeps what was written before it: the kernel accepts a read
	 * that no path can reach uninitialised... and one it could not prove otherwise. */
	struct sock_filter ret_carry[] = {S(BPF_ST, 5), RET, S(BPF_LD | BPF_MEM, 5), RET};

	EXPECT(uninit, SCK_BPF_FAULT_MEM_UNINIT, 0);
	EXPECT(written, SCK_BPF_FAULT_NONE, 0);
	EXPECT(one_path, SCK_BPF_FAULT_MEM_UNINIT, 2);
	EXPECT(both, SCK_BPF_FAULT_NONE, 0);
	EXPECT(after_ret, SCK_BPF_FAULT_MEM_UNINIT, 3);
	EXPECT(dead, SCK_BPF_FAULT_NONE, 0);
	EXPECT(ret_carry, SCK_BPF_FAULT_NONE, 0);
}

Test(bpf_check, fault_order)
{
	/* A seccomp-only refusal at 0 loses to a classic fault at 1: the classic pass runs over
	 * the whole program first. */
	struct sock_filter a[] = {S(BPF_LD | BPF_H | BPF_ABS, 0), S(BPF_ALU | BPF_DIV | BPF_K, 0),
				  RET};
	/* ...and to a missing RET, and to an uninitialised read. */
	struct sock_filter b[] = {S(BPF_LD | BPF_B | BPF_IND, 0), RET, S(BPF_LD | BPF_IMM, 0)};
	struct sock_filter c[] = {S(BPF_LD | BPF_W | BPF_ABS, 2), S(BPF_LDX | BPF_MEM, 0), RET};
	/* unknown opcodes are classic faults: found in order with the others */
	struct sock_filter d[] = {S(BPF_RET | BPF_X, 0), S(BPF_ALU | BPF_LSH | BPF_K, 40), RET};

	EXPECT(a, SCK_BPF_FAULT_DIV_ZERO, 1);
	EXPECT(b, SCK_BPF_FAULT_NO_RET, 2);
	EXPECT(c, SCK_BPF_FAULT_MEM_UNINIT, 1);
	EXPECT(d, SCK_BPF_FAULT_OPCODE, 0);
}

Test(bpf_check, fault_strings)
{
	for (int f = 0; f <= 12; f++) {
		const char *s = sck_bpf_fault_str((enum sck_bpf_fault)f);

		cr_assert(s && *s);
	}
	cr_assert_str_eq(sck_bpf_fault_str(SCK_BPF_FAULT_DIV_ZERO), "division by constant zero");
}
