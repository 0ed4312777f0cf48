// SPDX-License-Identifier: MIT
/*
 * The optimizing code generator. Layout: the arch dispatch (one JEQ per audit arch, the
 * bad-arch return), then one section per audit arch: `A = nr`, a search tree of JGE over the
 * ranges of numbers with one verdict, shaped by dynamic programming for the least weighted mean
 * depth (Knuth's O(n^2) algorithm for optimal alphabetic trees), then the argument-check blocks
 * the tree's leaves reach (each distinct verdict once), then the section's returns (each action
 * once). Nothing on the way from the arch check to a constant verdict loads anything but arch
 * and nr, which is what the kernel's action cache needs. Long jumps are the builder's business.
 */
#include "filter/filter_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct gen {
	struct sck_bpf_builder *b;
	const struct sck_ir *ir;
	const struct sck_ir_group *g;
	/* per section */
	uint32_t rets[256];
	int ret_labels[256];
	size_t nrets;
	int *block_labels; /* per verdict, -1: not referenced */
	size_t *pending;   /* blocks to emit, in reference order */
	size_t npending;
	/* tree */
	size_t n;
	size_t *root; /* n*n */
	int err;
};

static void stmt(struct gen *g, uint16_t code, uint32_t k)
{
	int rc = sck_bpf_stmt(g->b, code, k);
	if (rc < 0 && !g->err)
		g->err = rc;
}

static void jump(struct gen *g, uint16_t op, uint32_t k, int jt, int jf)
{
	int rc = sck_bpf_jump(g->b, BPF_JMP | op | BPF_K, k, jt, jf);
	if (rc < 0 && !g->err)
		g->err = rc;
}

static int label(struct gen *g)
{
	int l = sck_bpf_label(g->b, NULL);
	if (l < 0 && !g->err)
		g->err = l;
	return l < 0 ? 0 : l;
}

static void bind(struct gen *g, int l)
{
	int rc = sck_bpf_bind(g->b, l);
	if (rc < 0 && !g->err)
		g->err = rc;
}

static int ret_label(struct gen *g, uint32_t action)
{
	for (size_t i = 0; i < g->nrets; i++)
		if (g->rets[i] == action)
			return g->ret_labels[i];
	if (g->nrets == 256) {
		g->err = -E2BIG;
		return 0;
	}
	g->rets[g->nrets] = action;
	g->ret_labels[g->nrets] = label(g);
	return g->ret_labels[g->nrets++];
}

static int verdict_label(struct gen *g, size_t v)
{
	const struct sck_ir_verdict *vd = &g->ir->verdicts[v];

	if (sck_ir_verdict_const(vd))
		return ret_label(g, vd->final);
	if (g->block_labels[v] < 0) {
		g->block_labels[v] = label(g);
		g->pending[g->npending++] = v;
	}
	return g->block_labels[v];
}

/* ---- the search tree ---- */

static int plan_tree(struct gen *g)
{
	const struct sck_ir_range *r = g->g->ranges;
	size_t n = g->g->nranges;
	double *cost = NULL, *w = NULL;
	int rc = 0;

	g->n = n;
	g->root = calloc(n * n, sizeof(*g->root));
	cost = calloc(n * n, sizeof(*cost));
	w = calloc(n + 1, sizeof(*w));
	if (!g->root || !cost || !w) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		w[i + 1] = w[i] + r[i].weight;
	for (size_t len = 2; len <= n; len++) {
		for (size_t i = 0; i + len <= n; i++) {
			size_t j = i + len - 1;
			size_t lo = len == 2 ? i + 1 : g->root[i * n + j - 1];
			size_t hi = len == 2 ? j : g->root[(i + 1) * n + j];
			double best = -1;
			size_t bk;
			if (hi < lo) { /* (ties can cross Knuth's bounds) */
				size_t t = lo;
				lo = hi;
				hi = t;
			}
			bk = lo;
			/* root k: left [i, k-1], right [k, j]; the test is nr >= ranges[k].lo */
			for (size_t k = lo; k <= hi; k++) {
				double c = cost[i * n + k - 1] + cost[k * n + j];
				if (best < 0 || c < best) {
					best = c;
					bk = k;
				}
			}
			cost[i * n + j] = best + (w[j + 1] - w[i]);
			g->root[i * n + j] = bk;
		}
	}
out:
	free(cost);
	free(w);
	return rc;
}

static void emit_tree(struct gen *g, size_t i, size_t j)
{
	const struct sck_ir_range *r = g->g->ranges;
	size_t k = g->root[i * g->n + j];
	bool left_leaf = k - 1 == i, right_leaf = k == j;
	int jt, jf, lr = 0;

	jt = right_leaf ? verdict_label(g, r[k].verdict) : (lr = label(g));
	jf = left_leaf ? verdict_label(g, r[i].verdict) : SCK_BPF_NEXT;
	jump(g, BPF_JGE, r[k].lo, jt, jf);
	if (!left_leaf)
		emit_tree(g, i, k - 1);
	if (!right_leaf) {
		bind(g, lr);
		emit_tree(g, k, j);
	}
}

/* ---- argument checks ---- */

struct acc {
	int word; /* what A holds on the fall-through path: arg*2+high, or -1 */
};

static void load(struct gen *g, struct acc *a, unsigned int arg, bool high)
{
	int word = (int)(arg * 2 + high);
	if (a->word == word)
		return;
	stmt(g, BPF_LD | BPF_W | BPF_ABS, sck_ir_arg_off(arg, high, g->g->little_endian));
	a->word = word;
}

static bool one_bit(uint32_t m)
{
	return m && !(m & (m - 1));
}

/* (word & m) == v on one 32-bit word, m != 0 */
static void masked32(struct gen *g, struct acc *a, unsigned int arg, bool high, uint32_t m,
		     uint32_t v, int ok, int fail)
{
	load(g, a, arg, high);
	if (m == 0xffffffffU) {
		jump(g, BPF_JEQ, v, ok, fail);
	} else if (one_bit(m) && (v == m || v == 0)) {
		jump(g, BPF_JSET, m, v ? ok : fail, v ? fail : ok);
	} else {
		stmt(g, BPF_ALU | BPF_AND | BPF_K, m);
		a->word = -1;
		jump(g, BPF_JEQ, v, ok, fail);
	}
}

static void emit_cond1(struct gen *g, struct acc *a, const struct sck_ir_cond *c, int ok, int fail);

/*
 * Emit @c: jump to @ok when it holds (SCK_BPF_NEXT: fall through past the whole comparison),
 * to @fail when not. A 64-bit comparison can decide on its high word, so "the next instruction"
 * is made a label bound after the comparison, where A's content is then unknown.
 */
static void emit_cond(struct gen *g, struct acc *a, const struct sck_ir_cond *c, int ok, int fail)
{
	if (ok == SCK_BPF_NEXT && c->wide && c->op != SCK_CMP_EQ) {
		int l = label(g);
		emit_cond1(g, a, c, l, fail);
		bind(g, l);
		a->word = -1;
		return;
	}
	emit_cond1(g, a, c, ok, fail);
}

static void emit_cond1(struct gen *g, struct acc *a, const struct sck_ir_cond *c, int ok, int fail)
{
	uint32_t vl = (uint32_t)c->value, vh = (uint32_t)(c->value >> 32);
	uint32_t ml = (uint32_t)c->mask, mh = (uint32_t)(c->mask >> 32);

	if (!c->wide) {
		if (c->op == SCK_CMP_MASKED_EQ) {
			masked32(g, a, c->arg, false, ml, vl, ok, fail);
			return;
		}
		load(g, a, c->arg, false);
		switch (c->op) {
		case SCK_CMP_EQ:
			jump(g, BPF_JEQ, vl, ok, fail);
			break;
		case SCK_CMP_NE:
			jump(g, BPF_JEQ, vl, fail, ok);
			break;
		case SCK_CMP_GT:
			jump(g, BPF_JGT, vl, ok, fail);
			break;
		case SCK_CMP_GE:
			jump(g, BPF_JGE, vl, ok, fail);
			break;
		case SCK_CMP_LT:
			jump(g, BPF_JGE, vl, fail, ok);
			break;
		case SCK_CMP_LE:
			jump(g, BPF_JGT, vl, fail, ok);
			break;
		}
		return;
	}
	switch (c->op) {
	case SCK_CMP_EQ:
		load(g, a, c->arg, true);
		jump(g, BPF_JEQ, vh, SCK_BPF_NEXT, fail);
		load(g, a, c->arg, false);
		jump(g, BPF_JEQ, vl, ok, fail);
		break;
	case SCK_CMP_NE:
		load(g, a, c->arg, true);
		jump(g, BPF_JEQ, vh, SCK_BPF_NEXT, ok);
		load(g, a, c->arg, false);
		jump(g, BPF_JEQ, vl, fail, ok);
		break;
	case SCK_CMP_GT:
	case SCK_CMP_GE:
		/* hi > vh: true; hi == vh: compare the low words; else false */
		load(g, a, c->arg, true);
		if (vh != 0xffffffffU)
			jump(g, BPF_JGT, vh, ok, SCK_BPF_NEXT);
		if (vh != 0) /* after hi <= 0 fails, hi == 0 */
			jump(g, BPF_JEQ, vh, SCK_BPF_NEXT, fail);
		load(g, a, c->arg, false);
		jump(g, c->op == SCK_CMP_GT ? BPF_JGT : BPF_JGE, vl, ok, fail);
		break;
	case SCK_CMP_LT:
	case SCK_CMP_LE:
		load(g, a, c->arg, true);
		if (vh != 0xffffffffU)
			jump(g, BPF_JGT, vh, fail, SCK_BPF_NEXT);
		if (vh != 0)
			jump(g, BPF_JEQ, vh, SCK_BPF_NEXT, ok);
		load(g, a, c->arg, false);
		jump(g, c->op == SCK_CMP_LT ? BPF_JGE : BPF_JGT, vl, fail, ok);
		break;
	case SCK_CMP_MASKED_EQ:
		if (mh)
			masked32(g, a, c->arg, true, mh, vh, ml ? SCK_BPF_NEXT : ok, fail);
		if (ml)
			masked32(g, a, c->arg, false, ml, vl, ok, fail);
		break;
	}
}

static void emit_block(struct gen *g, size_t v)
{
	const struct sck_ir_verdict *vd = &g->ir->verdicts[v];

	bind(g, g->block_labels[v]);
	for (size_t e = 0; e < vd->nentries; e++) {
		const struct sck_ir_entry *en = &vd->entries[e];
		bool last = e + 1 == vd->nentries;
		int fail = last ? ret_label(g, vd->final) : label(g);
		struct acc a = {.word = -1};

		for (size_t c = 0; c < en->ncond; c++) {
			int ok = c + 1 == en->ncond ? ret_label(g, en->action) : SCK_BPF_NEXT;
			emit_cond(g, &a, &en->conds[c], ok, fail);
		}
		if (!last)
			bind(g, fail);
	}
}

static void emit_section(struct gen *g)
{
	const struct sck_ir_group *grp = g->g;

	g->nrets = 0;
	g->npending = 0;
	for (size_t v = 0; v < g->ir->nverdicts; v++)
		g->block_labels[v] = -1;
	stmt(g, BPF_LD | BPF_W | BPF_ABS, 0); /* A = nr */
	if (grp->nranges == 1) {
		const struct sck_ir_verdict *vd = &g->ir->verdicts[grp->ranges[0].verdict];
		if (sck_ir_verdict_const(vd))
			stmt(g, BPF_RET | BPF_K, vd->final);
		else
			jump(g, BPF_JA, 0, verdict_label(g, grp->ranges[0].verdict), 0);
	} else {
		emit_tree(g, 0, grp->nranges - 1);
	}
	for (size_t i = 0; i < g->npending; i++)
		emit_block(g, g->pending[i]);
	for (size_t i = 0; i < g->nrets; i++) {
		bind(g, g->ret_labels[i]);
		stmt(g, BPF_RET | BPF_K, g->rets[i]);
	}
}

int sck_gen_opt(const struct sck_ir *ir, struct sck_bpf_builder *b)
{
	struct gen g = {.b = b, .ir = ir};
	int sec[SCK_FILTER_MAX_ARCH] = {0};
	int rc = 0;

	g.block_labels = malloc((ir->nverdicts + 1) * sizeof(*g.block_labels));
	g.pending = malloc((ir->nverdicts + 1) * sizeof(*g.pending));
	if (!g.block_labels || !g.pending) {
		rc = -ENOMEM;
		goto out;
	}
	stmt(&g, BPF_LD | BPF_W | BPF_ABS, 4); /* A = arch */
	for (size_t i = 0; i < ir->ngroups; i++) {
		sec[i] = label(&g);
		jump(&g, BPF_JEQ, ir->groups[i].audit, sec[i], SCK_BPF_NEXT);
	}
	stmt(&g, BPF_RET | BPF_K, ir->bad_arch_action);
	for (size_t i = 0; i < ir->ngroups && !g.err; i++) {
		g.g = &ir->groups[i];
		bind(&g, sec[i]);
		rc = plan_tree(&g);
		if (rc)
			goto out;
		emit_section(&g);
		free(g.root);
		g.root = NULL;
	}
	rc = g.err;
out:
	free(g.root);
	free(g.block_labels);
	free(g.pending);
	return rc;
}
