// SPDX-License-Identifier: MIT
/*
 * The program builder: labels (named and anonymous), forward jumps, JA trampolines for targets
 * more than 255 instructions away (300- and 1000-instruction gaps, both targets far, chains that
 * only settle after several layout rounds), every error code; results checked with the validator
 * and the emulator, and on random symbolic programs against a direct interpretation.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))

static uint32_t run(const struct sock_filter *p, size_t len, int nr, uint32_t *cnt)
{
	struct seccomp_data d = {.nr = nr, .arch = 0xc000003e};
	struct sck_bpf_emu *emu = NULL;
	uint32_t r;

	cr_assert_eq(sck_bpf_emu_new(p, len, &emu), 0);
	r = sck_bpf_emu_run(emu, &d, cnt);
	sck_bpf_emu_free(emu);
	return r;
}

static size_t count_ja(const struct sock_filter *p, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i].code == (BPF_JMP | BPF_JA);
	return n;
}

Test(bpf_build, labels_and_next)
{
	struct sck_bpf_builder *b;
	struct sock_filter *p;
	size_t len;
	int yes, no;

	cr_assert_eq(sck_bpf_builder_new(&b), 0);
	yes = sck_bpf_label(b, "yes");
	no = sck_bpf_label(b, NULL);
	cr_assert_geq(yes, 0);
	cr_assert_geq(no, 0);
	cr_assert_neq(yes, no);
	cr_assert_eq(sck_bpf_label(b, "yes"), yes, "a name gives the same id every time");
	cr_assert_neq(sck_bpf_label(b, NULL), no, "anonymous labels are all new");
	cr_assert_eq(sck_bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, 0), 0);
	cr_assert_eq(sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 1, yes, SCK_BPF_NEXT), 1);
	cr_assert_eq(sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 2, yes, no), 2);
	cr_assert_eq(sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(3)), 3);
	cr_assert_eq(sck_bpf_bind(b, no), 0);
	cr_assert_eq(sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(2)), 4);
	cr_assert_eq(sck_bpf_bind(b, yes), 0);
	cr_assert_eq(sck_bpf_bind(b, yes), -EEXIST);
	cr_assert_eq(sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(1)), 5);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), 0);
	cr_assert_eq(len, 6);
	cr_assert_eq(p[1].jt, 3);
	cr_assert_eq(p[1].jf, 0);
	cr_assert_eq(p[2].jt, 2);
	cr_assert_eq(p[2].jf, 1);
	cr_assert_eq(sck_bpf_check(p, len, NULL), 0);
	cr_assert_eq(run(p, len, 1, NULL), ERRNO(1));
	cr_assert_eq(run(p, len, 2, NULL), ERRNO(1));
	cr_assert_eq(run(p, len, 7, NULL), ERRNO(2));
	free(p);
	/* the builder stays usable: more instructions, finish again */
	cr_assert_eq(sck_bpf_stmt(b, BPF_RET | BPF_K, 0), 6);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), 0);
	cr_assert_eq(len, 7);
	free(p);
	sck_bpf_builder_free(b);
	sck_bpf_builder_free(NULL);
}

Test(bpf_build, ja_far)
{
	struct sck_bpf_builder *b;
	struct sock_filter *p;
	size_t len;
	int end;

	cr_assert_eq(sck_bpf_builder_new(&b), 0);
	end = sck_bpf_label(b, "end");
	cr_assert_eq(sck_bpf_jump(b, BPF_JMP | BPF_JA, 0, end, 12345), 0, "JA ignores jf");
	for (int i = 0; i < 3000; i++)
		sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(1));
	sck_bpf_bind(b, end);
	sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(2));
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), 0);
	cr_assert_eq(len, 3002);
	cr_assert_eq(p[0].k, 3000, "JA offsets are 32 bits: no trampoline");
	cr_assert_eq(run(p, len, 0, NULL), ERRNO(2));
	free(p);
	sck_bpf_builder_free(b);
}

/* LD nr; JEQ 5 -> far; @gap fillers; RET ERRNO(1); far: RET ERRNO(2). */
static void gap_test(int gap, bool far_true, bool both)
{
	struct sck_bpf_builder *b;
	struct sock_filter *p;
	struct sck_bpf_verdict v;
	size_t len;
	int far, far2;
	uint32_t cnt;

	cr_assert_eq(sck_bpf_builder_new(&b), 0);
	far = sck_bpf_label(b, NULL);
	far2 = sck_bpf_label(b, NULL);
	sck_bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, 0);
	if (both)
		sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 5, far, far2);
	else if (far_true)
		sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 5, far, SCK_BPF_NEXT);
	else
		sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 5, SCK_BPF_NEXT, far);
	for (int i = 0; i < gap; i++)
		sck_bpf_stmt(b, BPF_ALU | BPF_ADD | BPF_K, 0);
	sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(1));
	sck_bpf_bind(b, far2);
	for (int i = 0; i < gap; i++)
		sck_bpf_stmt(b, BPF_ALU | BPF_ADD | BPF_K, 0);
	sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(3));
	sck_bpf_bind(b, far);
	sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(2));
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), 0);
	cr_assert_eq(sck_bpf_check(p, len, &v), 0, "fault %d at %zu", v.fault, v.index);
	cr_assert_eq(count_ja(p, len), both ? 2 : 1);
	cr_assert_eq(len, 2 + 2 * (size_t)gap + 3 + count_ja(p, len));
	if (both) {
		cr_assert_eq(run(p, len, 5, &cnt), ERRNO(2));
		cr_assert_eq(cnt, 4, "LD, JEQ, JA, RET");
		cr_assert_eq(run(p, len, 6, NULL), ERRNO(3));
	} else if (far_true) {
		cr_assert_eq(run(p, len, 5, &cnt), ERRNO(2));
		cr_assert_eq(cnt, 4);
		cr_assert_eq(run(p, len, 6, NULL), ERRNO(1));
	} else {
		cr_assert_eq(run(p, len, 5, NULL), ERRNO(1));
		cr_assert_eq(run(p, len, 6, NULL), ERRNO(2));
	}
	free(p);
	sck_bpf_builder_free(b);
}

Test(bpf_build, trampoline_300)
{
	gap_test(300, true, false);
	gap_test(300, false, false);
	gap_test(300, false, true);
}

Test(bpf_build, trampoline_1000)
{
	gap_test(1000, true, false);
	gap_test(1000, false, false);
	gap_test(1000, false, true);
}

Test(bpf_build, trampoline_boundary)
{
	struct sck_bpf_builder *b;
	struct sock_filter *p;
	size_t len;

	/* 255 away: direct; 256 away: trampoline */
	for (int gap = 254; gap <= 256; gap++) {
		int far;

		cr_assert_eq(sck_bpf_builder_new(&b), 0);
		far = sck_bpf_label(b, NULL);
		sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 0, far, SCK_BPF_NEXT);
		for (int i = 0; i < gap; i++)
			sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(1));
		sck_bpf_bind(b, far);
		sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(2));
		cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), 0);
		cr_assert_eq(count_ja(p, len), gap > 255 ? 1 : 0, "gap %d", gap);
		cr_assert_eq(run(p, len, 0, NULL), ERRNO(2));
		free(p);
		sck_bpf_builder_free(b);
	}
	/* the same target both ways, far: one trampoline serves both */
	cr_assert_eq(sck_bpf_builder_new(&b), 0);
	int far = sck_bpf_label(b, NULL);
	sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 0, far, far);
	for (int i = 0; i < 400; i++)
		sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(1));
	sck_bpf_bind(b, far);
	sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(2));
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), 0);
	cr_assert_eq(count_ja(p, len), 1);
	cr_assert_eq(len, 403);
	cr_assert_eq(run(p, len, 0, NULL), ERRNO(2));
	cr_assert_eq(run(p, len, 1, NULL), ERRNO(2));
	free(p);
	sck_bpf_builder_free(b);
}

/*
 * A chain: jump i targets a label 250 instructions ahead, interleaved so that each trampoline
 * pushes the next jump's target over the limit; the layout needs several rounds.
 */
Test(bpf_build, trampoline_fixpoint)
{
	struct sck_bpf_builder *b;
	struct sock_filter *p;
	size_t len;
	int lab[40];

	cr_assert_eq(sck_bpf_builder_new(&b), 0);
	sck_bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, 0);
	for (int i = 0; i < 40; i++)
		lab[i] = sck_bpf_label(b, NULL);
	for (int i = 0; i < 40; i++) {
		sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)i, lab[i], SCK_BPF_NEXT);
		for (int j = 0; j < 6; j++)
			sck_bpf_stmt(b, BPF_ALU | BPF_ADD | BPF_K, 0);
	}
	for (int j = 0; j < 10; j++)
		sck_bpf_stmt(b, BPF_ALU | BPF_ADD | BPF_K, 0);
	sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(4000));
	for (int i = 0; i < 40; i++) {
		sck_bpf_bind(b, lab[i]);
		sck_bpf_stmt(b, BPF_RET | BPF_K, ERRNO(100 + i));
	}
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), 0);
	cr_assert_eq(sck_bpf_check(p, len, NULL), 0);
	cr_assert_gt(count_ja(p, len), 0);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(run(p, len, i, NULL), ERRNO(100 + (uint32_t)i));
	cr_assert_eq(run(p, len, 40, NULL), ERRNO(4000));
	free(p);
	sck_bpf_builder_free(b);
}

Test(bpf_build, errors)
{
	struct sck_bpf_builder *b;
	struct sock_filter *p = NULL;
	size_t len = 0;
	int l;

	cr_assert_eq(sck_bpf_builder_new(NULL), -EINVAL);
	cr_assert_eq(sck_bpf_label(NULL, "x"), -EINVAL);
	cr_assert_eq(sck_bpf_bind(NULL, 0), -EINVAL);
	cr_assert_eq(sck_bpf_stmt(NULL, BPF_RET | BPF_K, 0), -EINVAL);
	cr_assert_eq(sck_bpf_jump(NULL, BPF_JMP | BPF_JA, 0, SCK_BPF_NEXT, SCK_BPF_NEXT), -EINVAL);
	cr_assert_eq(sck_bpf_builder_finish_alloc(NULL, &p, &len), -EINVAL);
	cr_assert_eq(sck_bpf_builder_new(&b), 0);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), -ENODATA);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, NULL, &len), -EINVAL);
	cr_assert_eq(sck_bpf_bind(b, 0), -EINVAL, "no such label");
	cr_assert_eq(sck_bpf_bind(b, -1), -EINVAL);
	cr_assert_eq(sck_bpf_stmt(b, BPF_JMP | BPF_JA, 0), -EINVAL, "jumps go through _jump");
	cr_assert_eq(sck_bpf_jump(b, BPF_RET | BPF_K, 0, SCK_BPF_NEXT, SCK_BPF_NEXT), -EINVAL);
	cr_assert_eq(sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 7, SCK_BPF_NEXT), -EINVAL);
	cr_assert_eq(sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 0, SCK_BPF_NEXT, -5), -EINVAL);
	/* a label never bound */
	l = sck_bpf_label(b, "nowhere");
	cr_assert_eq(sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 0, l, SCK_BPF_NEXT), 0);
	cr_assert_eq(sck_bpf_stmt(b, BPF_RET | BPF_K, 0), 1);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), -EINVAL);
	/* bound at the end, where no instruction follows */
	cr_assert_eq(sck_bpf_bind(b, l), 0);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), -EINVAL);
	cr_assert_null(p, "out untouched on failure");
	sck_bpf_builder_free(b);
	/* bound behind its jump */
	cr_assert_eq(sck_bpf_builder_new(&b), 0);
	l = sck_bpf_label(b, NULL);
	sck_bpf_bind(b, l);
	sck_bpf_stmt(b, BPF_LD | BPF_IMM, 0);
	sck_bpf_jump(b, BPF_JMP | BPF_JA, 0, l, 0);
	sck_bpf_stmt(b, BPF_RET | BPF_K, 0);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), -EINVAL);
	sck_bpf_builder_free(b);
	/* too long for the kernel: 4096 is fine, 4097 is not */
	cr_assert_eq(sck_bpf_builder_new(&b), 0);
	for (int i = 0; i < SCK_BPF_MAXINSNS; i++)
		sck_bpf_stmt(b, BPF_RET | BPF_K, 0);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), 0);
	cr_assert_eq(len, SCK_BPF_MAXINSNS);
	free(p);
	p = NULL;
	sck_bpf_stmt(b, BPF_RET | BPF_K, 0);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), -E2BIG);
	cr_assert_null(p);
	/* the builder's own limit */
	for (int i = SCK_BPF_MAXINSNS + 1; i < 65535; i++)
		cr_assert_geq(sck_bpf_stmt(b, BPF_RET | BPF_K, 0), 0);
	cr_assert_eq(sck_bpf_stmt(b, BPF_RET | BPF_K, 0), -E2BIG);
	sck_bpf_builder_free(b);
}

/*
 * Random symbolic programs with far targets: the finished program must be valid and compute the
 * same as a direct interpretation of the symbolic one.
 */
struct sym {
	uint16_t code;
	uint32_t k;
	int jt, jf; /* symbolic: index of the target instruction */
};

static uint32_t sym_run(const struct sym *s, size_t n, uint32_t nr)
{
	uint32_t a = nr;

	for (size_t pc = 0; pc < n;) {
		const struct sym *i = &s[pc];

		switch (BPF_CLASS(i->code)) {
		case BPF_ALU:
			a += i->k;
			pc++;
			break;
		case BPF_RET:
			return i->k;
		default:
			if (BPF_OP(i->code) == BPF_JA)
				pc = (size_t)i->jt;
			else if (BPF_OP(i->code) == BPF_JGT)
				pc = (size_t)(a > i->k ? i->jt : i->jf);
			else
				pc = (size_t)((a & i->k) ? i->jt : i->jf);
			break;
		}
	}
	return 0xdead;
}

Test(bpf_build, random_far_jumps)
{
	uint64_t rng = sck_test_seed("bpf_build/random_far_jumps");

	for (int round = 0; round < 60; round++) {
		size_t n = 100 + sck_test_rand(&rng) % 2000;
		struct sym *s = calloc(n, sizeof(*s));
		struct sck_bpf_builder *b;
		struct sock_filter *p;
		size_t len;
		int *lab = calloc(n, sizeof(int));

		cr_assert(s && lab);
		cr_assert_eq(sck_bpf_builder_new(&b), 0);
		for (size_t i = 0; i < n; i++)
			lab[i] = sck_bpf_label(b, NULL);
		for (size_t i = 0; i < n; i++) {
			uint64_t r = sck_test_rand(&rng) % 10;
			size_t left = n - i - 1;

			if (i == n - 1 || r == 0) {
				s[i] = (struct sym){BPF_RET | BPF_K, ERRNO((uint32_t)i % 4000 + 1),
						    0, 0};
			} else if (r < 4) {
				s[i] = (struct sym){BPF_ALU | BPF_ADD | BPF_K,
						    (uint32_t)sck_test_rand(&rng), 0, 0};
			} else {
				uint16_t op = r < 5 ? BPF_JA : r < 8 ? BPF_JGT : BPF_JSET;

				s[i].code = BPF_JMP | op | BPF_K;
				s[i].k = (uint32_t)sck_test_rand(&rng);
				s[i].jt = (int)(i + 1 + sck_test_rand(&rng) % left);
				s[i].jf =
					(int)(i + 1 +
					      (sck_test_rand(&rng) % 3 ? sck_test_rand(&rng) % left
								       : 0));
			}
		}
		sck_bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, 0); /* A = nr, as sym_run starts */
		for (size_t i = 0; i < n; i++) {
			sck_bpf_bind(b, lab[i]);
			if (BPF_CLASS(s[i].code) == BPF_JMP)
				cr_assert_geq(sck_bpf_jump(b, s[i].code, s[i].k, lab[s[i].jt],
							   s[i].jf == (int)i + 1 ? SCK_BPF_NEXT
										 : lab[s[i].jf]),
					      0);
			else
				cr_assert_geq(sck_bpf_stmt(b, s[i].code, s[i].k), 0);
		}
		int rc = sck_bpf_builder_finish_alloc(b, &p, &len);

		if (rc == -E2BIG) {
			cr_assert_gt(n, 1300, "only long programs may outgrow 4096");
		} else {
			struct sck_bpf_verdict v;

			cr_assert_eq(rc, 0);
			cr_assert_eq(sck_bpf_check(p, len, &v), 0, "fault %d at %zu", v.fault,
				     v.index);
			for (int t = 0; t < 50; t++) {
				uint32_t nr = (uint32_t)sck_test_rand(&rng);

				cr_assert_eq(run(p, len, (int)nr, NULL), sym_run(s, n, nr));
			}
			free(p);
		}
		sck_bpf_builder_free(b);
		free(s);
		free(lab);
	}
}
