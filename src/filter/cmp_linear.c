// SPDX-License-Identifier: MIT
/*
 * The reference code generator: rule by rule, in the order the rules were added, with the most
 * literal comparison sequences and no sharing. It is slow and long on purpose; the optimizing
 * generator (cmp_gen.c) is tested against it on random rule sets, so it must stay obviously
 * right rather than clever. It shares only the lowering of cmp_ir.c with the optimizer.
 */
#include "filter/filter_int.h"

#include <errno.h>

#define X32_BIT 0x40000000U

struct lin {
	struct sck_bpf_builder *b;
	int err;
};

static void st(struct lin *l, uint16_t code, uint32_t k)
{
	int rc = sck_bpf_stmt(l->b, code, k);
	if (rc < 0 && !l->err)
		l->err = rc;
}

static void jp(struct lin *l, uint16_t op, uint32_t k, int jt, int jf)
{
	int rc = sck_bpf_jump(l->b, BPF_JMP | op | BPF_K, k, jt, jf);
	if (rc < 0 && !l->err)
		l->err = rc;
}

static int lab(struct lin *l)
{
	int rc = sck_bpf_label(l->b, NULL);
	if (rc < 0 && !l->err)
		l->err = rc;
	return rc < 0 ? 0 : rc;
}

static void bnd(struct lin *l, int label)
{
	int rc = sck_bpf_bind(l->b, label);
	if (rc < 0 && !l->err)
		l->err = rc;
}

/* Fall through when @c holds, jump to @fail when not. */
static void cond(struct lin *l, const struct sck_ir_cond *c, bool le, int fail)
{
	const int N = SCK_BPF_NEXT;
	uint32_t lo = sck_ir_arg_off(c->arg, false, le), hi = sck_ir_arg_off(c->arg, true, le);
	uint32_t vl = (uint32_t)c->value, vh = (uint32_t)(c->value >> 32);
	int ok;

	if (!c->wide) {
		st(l, BPF_LD | BPF_W | BPF_ABS, lo);
		switch (c->op) {
		case SCK_CMP_EQ:
			jp(l, BPF_JEQ, vl, N, fail);
			break;
		case SCK_CMP_NE:
			jp(l, BPF_JEQ, vl, fail, N);
			break;
		case SCK_CMP_GT:
			jp(l, BPF_JGT, vl, N, fail);
			break;
		case SCK_CMP_GE:
			jp(l, BPF_JGE, vl, N, fail);
			break;
		case SCK_CMP_LT:
			jp(l, BPF_JGE, vl, fail, N);
			break;
		case SCK_CMP_LE:
			jp(l, BPF_JGT, vl, fail, N);
			break;
		case SCK_CMP_MASKED_EQ:
			st(l, BPF_ALU | BPF_AND | BPF_K, (uint32_t)c->mask);
			jp(l, BPF_JEQ, vl, N, fail);
			break;
		}
		return;
	}
	switch (c->op) {
	case SCK_CMP_EQ:
		st(l, BPF_LD | BPF_W | BPF_ABS, hi);
		jp(l, BPF_JEQ, vh, N, fail);
		st(l, BPF_LD | BPF_W | BPF_ABS, lo);
		jp(l, BPF_JEQ, vl, N, fail);
		break;
	case SCK_CMP_NE:
		ok = lab(l);
		st(l, BPF_LD | BPF_W | BPF_ABS, hi);
		jp(l, BPF_JEQ, vh, N, ok);
		st(l, BPF_LD | BPF_W | BPF_ABS, lo);
		jp(l, BPF_JEQ, vl, fail, N);
		bnd(l, ok);
		break;
	case SCK_CMP_GT:
	case SCK_CMP_GE:
		ok = lab(l);
		st(l, BPF_LD | BPF_W | BPF_ABS, hi);
		jp(l, BPF_JGT, vh, ok, N);
		jp(l, BPF_JEQ, vh, N, fail);
		st(l, BPF_LD | BPF_W | BPF_ABS, lo);
		jp(l, c->op == SCK_CMP_GT ? BPF_JGT : BPF_JGE, vl, N, fail);
		bnd(l, ok);
		break;
	case SCK_CMP_LT:
	case SCK_CMP_LE:
		ok = lab(l);
		st(l, BPF_LD | BPF_W | BPF_ABS, hi);
		jp(l, BPF_JGT, vh, fail, N);
		jp(l, BPF_JEQ, vh, N, ok);
		st(l, BPF_LD | BPF_W | BPF_ABS, lo);
		jp(l, c->op == SCK_CMP_LT ? BPF_JGE : BPF_JGT, vl, fail, N);
		bnd(l, ok);
		break;
	case SCK_CMP_MASKED_EQ:
		st(l, BPF_LD | BPF_W | BPF_ABS, hi);
		st(l, BPF_ALU | BPF_AND | BPF_K, (uint32_t)(c->mask >> 32));
		jp(l, BPF_JEQ, vh, N, fail);
		st(l, BPF_LD | BPF_W | BPF_ABS, lo);
		st(l, BPF_ALU | BPF_AND | BPF_K, (uint32_t)c->mask);
		jp(l, BPF_JEQ, vl, N, fail);
		break;
	}
}

int sck_gen_linear(const struct sck_ir *ir, struct sck_bpf_builder *b)
{
	struct lin l = {.b = b};
	int bad;

	bad = lab(&l);
	st(&l, BPF_LD | BPF_W | BPF_ABS, 4);
	for (size_t i = 0; i < ir->ngroups; i++) {
		const struct sck_ir_group *g = &ir->groups[i];
		int next_group = lab(&l), rules = lab(&l);
		bool has64 = false, has32 = false;

		for (size_t m = 0; m < g->nmembers; m++) {
			has64 |= g->members[m]->id == SCK_ARCH_X86_64;
			has32 |= g->members[m]->id == SCK_ARCH_X32;
		}
		st(&l, BPF_LD | BPF_W | BPF_ABS, 4);
		jp(&l, BPF_JEQ, g->audit, SCK_BPF_NEXT, next_group);
		st(&l, BPF_LD | BPF_W | BPF_ABS, 0);
		if (has64 && !has32) {
			/* x32 numbers under an x86_64-only filter: bad arch, but nr -1 is not one */
			jp(&l, BPF_JGE, X32_BIT, SCK_BPF_NEXT, rules);
			jp(&l, BPF_JEQ, 0xffffffffU, rules, bad);
		} else if (has32 && !has64) {
			jp(&l, BPF_JGE, X32_BIT, rules, bad);
		}
		bnd(&l, rules);
		/* overrides (runc's -ENOSYS stub) come before every rule; the last one added wins */
		for (size_t o = g->noverrides; o-- > 0;) {
			const struct sck_foverride *ov = &g->overrides[o];
			int nx = lab(&l);
			st(&l, BPF_LD | BPF_W | BPF_ABS, 0);
			jp(&l, BPF_JGE, ov->lo, SCK_BPF_NEXT, nx);
			if (ov->hi != 0xffffffffU)
				jp(&l, BPF_JGT, ov->hi, nx, SCK_BPF_NEXT);
			st(&l, BPF_RET | BPF_K, ov->action);
			bnd(&l, nx);
		}
		for (size_t e = 0; e < g->nentries; e++) {
			const struct sck_ir_entry *en = &g->entries[e];
			int nx = lab(&l);
			st(&l, BPF_LD | BPF_W | BPF_ABS, 0);
			jp(&l, BPF_JEQ, en->nr, SCK_BPF_NEXT, nx);
			for (size_t c = 0; c < en->ncond; c++)
				cond(&l, &en->conds[c], g->little_endian, nx);
			st(&l, BPF_RET | BPF_K, en->action);
			bnd(&l, nx);
		}
		st(&l, BPF_RET | BPF_K, ir->def_action);
		bnd(&l, next_group);
	}
	bnd(&l, bad);
	st(&l, BPF_RET | BPF_K, ir->bad_arch_action);
	return l.err;
}
