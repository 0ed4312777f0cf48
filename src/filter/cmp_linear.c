// SPDX-License-Identifier: MIT
/*
 * The reference code generator: rule by rule, in the order the rules were added, with the most
 * literal comparison sequences and no sharing. It is slow and long on purpose; the optimizing
 * generator (cmp_gen.c) is tested against it on random rule sets, so it must stay obviously
 * right rather than clever. It shares only the lowering of cmp_ir.c and the instruction emitter
 * (cmp_emit.h: its sticky error) with the optimizer; its returns are plain RET instructions.
 */
#include "filter/cmp_emit.h"
#include "filter/filter_int.h"
#include "seccomp_data_int.h"

#include <errno.h>

/* Fall through when @c holds, jump to @fail when not. */
static void cond(struct sck_emit *e, const struct sck_ir_cond *c, bool le, int fail)
{
	const int N = SCK_BPF_NEXT;
	uint32_t lo = sck_ir_arg_off(c->arg, false, le), hi = sck_ir_arg_off(c->arg, true, le);
	uint32_t vl = (uint32_t)c->value, vh = (uint32_t)(c->value >> 32);
	int ok;

	if (!c->wide) {
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, lo);
		switch (c->op) {
		case SCK_CMP_EQ:
			sck_emit_jump(e, BPF_JEQ, vl, N, fail);
			break;
		case SCK_CMP_NE:
			sck_emit_jump(e, BPF_JEQ, vl, fail, N);
			break;
		case SCK_CMP_GT:
			sck_emit_jump(e, BPF_JGT, vl, N, fail);
			break;
		case SCK_CMP_GE:
			sck_emit_jump(e, BPF_JGE, vl, N, fail);
			break;
		case SCK_CMP_LT:
			sck_emit_jump(e, BPF_JGE, vl, fail, N);
			break;
		case SCK_CMP_LE:
			sck_emit_jump(e, BPF_JGT, vl, fail, N);
			break;
		case SCK_CMP_MASKED_EQ:
			sck_emit_stmt(e, BPF_ALU | BPF_AND | BPF_K, (uint32_t)c->mask);
			sck_emit_jump(e, BPF_JEQ, vl, N, fail);
			break;
		}
		return;
	}
	switch (c->op) {
	case SCK_CMP_EQ:
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, hi);
		sck_emit_jump(e, BPF_JEQ, vh, N, fail);
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, lo);
		sck_emit_jump(e, BPF_JEQ, vl, N, fail);
		break;
	case SCK_CMP_NE:
		ok = sck_emit_label(e);
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, hi);
		sck_emit_jump(e, BPF_JEQ, vh, N, ok);
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, lo);
		sck_emit_jump(e, BPF_JEQ, vl, fail, N);
		sck_emit_bind(e, ok);
		break;
	case SCK_CMP_GT:
	case SCK_CMP_GE:
		ok = sck_emit_label(e);
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, hi);
		sck_emit_jump(e, BPF_JGT, vh, ok, N);
		sck_emit_jump(e, BPF_JEQ, vh, N, fail);
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, lo);
		sck_emit_jump(e, c->op == SCK_CMP_GT ? BPF_JGT : BPF_JGE, vl, N, fail);
		sck_emit_bind(e, ok);
		break;
	case SCK_CMP_LT:
	case SCK_CMP_LE:
		ok = sck_emit_label(e);
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, hi);
		sck_emit_jump(e, BPF_JGT, vh, fail, N);
		sck_emit_jump(e, BPF_JEQ, vh, N, ok);
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, lo);
		sck_emit_jump(e, c->op == SCK_CMP_LT ? BPF_JGE : BPF_JGT, vl, fail, N);
		sck_emit_bind(e, ok);
		break;
	case SCK_CMP_MASKED_EQ:
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, hi);
		sck_emit_stmt(e, BPF_ALU | BPF_AND | BPF_K, (uint32_t)(c->mask >> 32));
		sck_emit_jump(e, BPF_JEQ, vh, N, fail);
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS, lo);
		sck_emit_stmt(e, BPF_ALU | BPF_AND | BPF_K, (uint32_t)c->mask);
		sck_emit_jump(e, BPF_JEQ, vl, N, fail);
		break;
	}
}

int sck_gen_linear(const struct sck_ir *ir, struct sck_bpf_builder *b)
{
	/* no limit: the caller refuses a program that is too long */
	struct sck_emit e = {.b = b};
	int bad;

	bad = sck_emit_label(&e);
	sck_emit_stmt(&e, BPF_LD | BPF_W | BPF_ABS, SCK_DATA_OFF_ARCH);
	for (size_t i = 0; i < ir->ngroups; i++) {
		const struct sck_ir_group *g = &ir->groups[i];
		int next_group = sck_emit_label(&e), rules = sck_emit_label(&e);
		/* x86_64 and x32 share an audit arch; x32 numbers carry the selector bit */
		uint32_t sel = g->members[0]->nr_select;
		bool has64 = false, has32 = false;

		for (size_t m = 0; m < g->nmembers && sel; m++) {
			has64 |= !(g->members[m]->nr_base & sel);
			has32 |= (g->members[m]->nr_base & sel) != 0;
		}
		sck_emit_stmt(&e, BPF_LD | BPF_W | BPF_ABS, SCK_DATA_OFF_ARCH);
		sck_emit_jump(&e, BPF_JEQ, g->audit, SCK_BPF_NEXT, next_group);
		sck_emit_stmt(&e, BPF_LD | BPF_W | BPF_ABS, SCK_DATA_OFF_NR);
		if (has64 && !has32) {
			/* x32 numbers under an x86_64-only filter: bad arch, but nr -1 is not one */
			sck_emit_jump(&e, BPF_JGE, sel, SCK_BPF_NEXT, rules);
			sck_emit_jump(&e, BPF_JEQ, 0xffffffffU, rules, bad);
		} else if (has32 && !has64) {
			sck_emit_jump(&e, BPF_JGE, sel, rules, bad);
		}
		sck_emit_bind(&e, rules);
		/* overrides (runc's -ENOSYS stub) come before every rule; the last one added wins */
		for (size_t o = g->noverrides; o-- > 0;) {
			const struct sck_foverride *ov = &g->overrides[o];
			int nx = sck_emit_label(&e);
			sck_emit_stmt(&e, BPF_LD | BPF_W | BPF_ABS, SCK_DATA_OFF_NR);
			sck_emit_jump(&e, BPF_JGE, ov->lo, SCK_BPF_NEXT, nx);
			if (ov->hi != 0xffffffffU)
				sck_emit_jump(&e, BPF_JGT, ov->hi, nx, SCK_BPF_NEXT);
			sck_emit_stmt(&e, BPF_RET | BPF_K, ov->action);
			sck_emit_bind(&e, nx);
		}
		for (size_t k = 0; k < g->nentries; k++) {
			const struct sck_ir_entry *en = &g->entries[k];
			int nx = sck_emit_label(&e);
			sck_emit_stmt(&e, BPF_LD | BPF_W | BPF_ABS, SCK_DATA_OFF_NR);
			sck_emit_jump(&e, BPF_JEQ, en->nr, SCK_BPF_NEXT, nx);
			for (size_t c = 0; c < en->ncond; c++)
				cond(&e, &en->conds[c], g->little_endian, nx);
			sck_emit_stmt(&e, BPF_RET | BPF_K, en->action);
			sck_emit_bind(&e, nx);
		}
		sck_emit_stmt(&e, BPF_RET | BPF_K, ir->def_action);
		sck_emit_bind(&e, next_group);
	}
	sck_emit_bind(&e, bad);
	sck_emit_stmt(&e, BPF_RET | BPF_K, ir->bad_arch_action);
	sck_emit_fini(&e);
	return e.err;
}
