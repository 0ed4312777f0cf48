// SPDX-License-Identifier: MIT
/*
 * The optimizing code generator. Layout: the arch dispatch (one JEQ per audit arch, the
 * bad-arch return), then one section per audit arch: `A = nr`, a search tree of JGE over the
 * ranges of numbers with one verdict, planned by cmp_tree.c for the least weighted mean depth
 * under a height limit, then the argument decisions (cmp_arg*.c) and the argument-check blocks
 * the tree's leaves reach (each distinct verdict once), then the section's returns (each action
 * once). Nothing on the way from the arch check to a constant verdict loads anything but arch
 * and nr, which is what the kernel's action cache needs. Long jumps are the builder's business.
 */
#include "filter/cmp_arg.h"
#include "filter/cmp_tree.h"
#include "filter/filter_int.h"
#include "seccomp_data_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Per program: the emitter and the IR; per section: the group, its plans and pending blocks. */
struct gen {
	struct sck_emit e;
	const struct sck_ir *ir;
	unsigned int pressure;
	struct sck_tree_plan *tree; /* the section's */
	/* per section */
	const struct sck_ir_group *g;
	struct sck_argplan *ap;
	int *block_labels; /* per verdict, -1: not referenced */
	size_t *pending;   /* blocks of rule chains to emit, in reference order */
	size_t npending;
};

static void stmt(struct gen *g, uint16_t code, uint32_t k)
{
	sck_emit_stmt(&g->e, code, k);
}

static void jump(struct gen *g, uint16_t op, uint32_t k, int jt, int jf)
{
	sck_emit_jump(&g->e, op, k, jt, jf);
}

static int label(struct gen *g)
{
	return sck_emit_label(&g->e);
}

static void bind(struct gen *g, int l)
{
	sck_emit_bind(&g->e, l);
}

static int ret_label(struct gen *g, uint32_t action)
{
	return sck_emit_ret(&g->e, action);
}

/* verdict_label for a verdict with entries: its argument decision's, or its block's. */
static __attribute__((noinline)) int decision_label(struct gen *g, size_t v)
{
	long root = sck_argplan_verdict(g->ap, v);

	if (root >= 0)
		return sck_argplan_ref(g->ap, &g->e, root);
	if (g->block_labels[v] < 0) {
		g->block_labels[v] = label(g);
		g->pending[g->npending++] = v;
	}
	return g->block_labels[v];
}

/* (inline: most verdicts the tree reaches are constants, whose label is a short lookup) */
static inline int verdict_label(struct gen *g, size_t v)
{
	const struct sck_ir_verdict *vd = &g->ir->verdicts[v];

	return sck_ir_verdict_const(vd) ? ret_label(g, vd->final) : decision_label(g, v);
}

/* ---- the search tree (planned by cmp_tree.c) ---- */

static void emit_tree(struct gen *g, size_t i, size_t j)
{
	const struct sck_ir_range *r = g->g->ranges;
	size_t k = sck_tree_root(g->tree, i, j);
	bool left_leaf, right_leaf;
	int jt, jf, lr = 0;

	if (k == SCK_TREE_CHAIN) {
		size_t order[SCK_TREE_CHAIN_MAX], v, m = sck_tree_chain(g->tree, i, j, order, &v);
		for (size_t p = 0; p < m; p++)
			jump(g, BPF_JEQ, r[order[p]].lo, verdict_label(g, r[order[p]].verdict),
			     p + 1 == m ? verdict_label(g, v) : SCK_BPF_NEXT);
		return;
	}
	left_leaf = k - 1 == i;
	right_leaf = k == j;
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
	int word;      /* what A holds on the fall-through path: arg*2+high, or -1 */
	int fail;      /* the entry's failure label */
	int fail_word; /* what A holds at every jump to it so far (-2: none yet, -1: unknown) */
};

/* A conditional jump of an argument check: notes what A holds when it goes to a->fail. */
static void cjump(struct gen *g, struct acc *a, uint16_t op, uint32_t k, int jt, int jf)
{
	if (jt == a->fail || jf == a->fail)
		a->fail_word = a->fail_word == -2 || a->fail_word == a->word ? a->word : -1;
	jump(g, op, k, jt, jf);
}

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
		cjump(g, a, BPF_JEQ, v, ok, fail);
	} else if (one_bit(m) && (v == m || v == 0)) {
		cjump(g, a, BPF_JSET, m, v ? ok : fail, v ? fail : ok);
	} else {
		stmt(g, BPF_ALU | BPF_AND | BPF_K, m);
		a->word = -1;
		cjump(g, a, BPF_JEQ, v, ok, fail);
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
			cjump(g, a, BPF_JEQ, vl, ok, fail);
			break;
		case SCK_CMP_NE:
			cjump(g, a, BPF_JEQ, vl, fail, ok);
			break;
		case SCK_CMP_GT:
			cjump(g, a, BPF_JGT, vl, ok, fail);
			break;
		case SCK_CMP_GE:
			cjump(g, a, BPF_JGE, vl, ok, fail);
			break;
		case SCK_CMP_LT:
			cjump(g, a, BPF_JGE, vl, fail, ok);
			break;
		case SCK_CMP_LE:
			cjump(g, a, BPF_JGT, vl, fail, ok);
			break;
		}
		return;
	}
	switch (c->op) {
	case SCK_CMP_EQ:
		load(g, a, c->arg, true);
		cjump(g, a, BPF_JEQ, vh, SCK_BPF_NEXT, fail);
		load(g, a, c->arg, false);
		cjump(g, a, BPF_JEQ, vl, ok, fail);
		break;
	case SCK_CMP_NE:
		load(g, a, c->arg, true);
		cjump(g, a, BPF_JEQ, vh, SCK_BPF_NEXT, ok);
		load(g, a, c->arg, false);
		cjump(g, a, BPF_JEQ, vl, fail, ok);
		break;
	case SCK_CMP_GT:
	case SCK_CMP_GE:
		/* hi > vh: true; hi == vh: compare the low words; else false */
		load(g, a, c->arg, true);
		if (vh != 0xffffffffU)
			cjump(g, a, BPF_JGT, vh, ok, SCK_BPF_NEXT);
		if (vh != 0) /* after hi <= 0 fails, hi == 0 */
			cjump(g, a, BPF_JEQ, vh, SCK_BPF_NEXT, fail);
		load(g, a, c->arg, false);
		cjump(g, a, c->op == SCK_CMP_GT ? BPF_JGT : BPF_JGE, vl, ok, fail);
		break;
	case SCK_CMP_LT:
	case SCK_CMP_LE:
		load(g, a, c->arg, true);
		if (vh != 0xffffffffU)
			cjump(g, a, BPF_JGT, vh, fail, SCK_BPF_NEXT);
		if (vh != 0)
			cjump(g, a, BPF_JEQ, vh, SCK_BPF_NEXT, ok);
		load(g, a, c->arg, false);
		cjump(g, a, c->op == SCK_CMP_LT ? BPF_JGE : BPF_JGT, vl, fail, ok);
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

	struct acc a = {.word = -1}; /* a block is entered from the tree: A holds nr */

	bind(g, g->block_labels[v]);
	for (size_t e = 0; e < vd->nentries; e++) {
		const struct sck_ir_entry *en = &vd->entries[e];
		bool last = e + 1 == vd->nentries;
		int fail = last ? ret_label(g, vd->final) : label(g);

		a.fail = fail;
		a.fail_word = -2;
		for (size_t c = 0; c < en->ncond; c++) {
			int ok = c + 1 == en->ncond ? ret_label(g, en->action) : SCK_BPF_NEXT;
			emit_cond(g, &a, &en->conds[c], ok, fail);
		}
		if (!last)
			bind(g, fail);
		/* the next entry starts where this one failed: reached only by those jumps
		 * (its last compare jumps either way), so A holds what they all left in it */
		a.word = a.fail_word >= 0 ? a.fail_word : -1;
	}
}

/*
 * The instructions the next stretch (the tree, a block) is assumed to run to before its dead
 * point: the returns are laid down early enough for it. A longer one costs the builder's
 * trampolines for the far jumps, never a wrong one.
 */
#define NEXT_STRETCH 64

static int emit_section(struct gen *g)
{
	const struct sck_ir_group *grp = g->g;
	int rc;

	g->npending = 0;
	for (size_t v = 0; v < g->ir->nverdicts; v++)
		g->block_labels[v] = -1;
	if (!g->ap) {
		rc = sck_argplan_new(g->ir, grp, &g->ap);
		if (rc)
			return rc;
		/* every decision of the section planned first, in the order of the ranges: what
		 * A holds entering each node (the IR noted them, unless overrides came after) */
		for (size_t i = 0; grp->ndecisions != SIZE_MAX && i < grp->ndecisions; i++)
			if (sck_argplan_verdict(g->ap, grp->decisions[i]) == -ENOMEM)
				return -ENOMEM;
		for (size_t i = 0; grp->ndecisions == SIZE_MAX && i < grp->nranges; i++) {
			size_t v = grp->ranges[i].verdict;
			if (sck_ir_verdict_const(&g->ir->verdicts[v]))
				continue;
			if (sck_argplan_verdict(g->ap, v) == -ENOMEM)
				return -ENOMEM;
		}
		sck_argplan_seal(g->ap);
	}
	sck_argplan_start(g->ap, g->pressure);
	stmt(g, BPF_LD | BPF_W | BPF_ABS, SCK_DATA_OFF_NR);
	if (grp->nranges == 1) {
		const struct sck_ir_verdict *vd = &g->ir->verdicts[grp->ranges[0].verdict];
		if (sck_ir_verdict_const(vd))
			stmt(g, BPF_RET | BPF_K, vd->final);
		else
			jump(g, BPF_JA, 0, verdict_label(g, grp->ranges[0].verdict), 0);
	} else {
		emit_tree(g, 0, grp->nranges - 1);
	}
	sck_emit_dead_point(&g->e, NEXT_STRETCH);
	sck_argplan_emit(g->ap, &g->e);
	for (size_t i = 0; i < g->npending; i++) {
		emit_block(g, g->pending[i]);
		sck_emit_dead_point(&g->e, NEXT_STRETCH);
	}
	sck_emit_flush(&g->e);
	return 0;
}

/*
 * The height limit: no path from the filter's first instruction to a verdict's block longer than
 * PATH_MAX_INSNS (docs/semantics.md), so weights cannot push a rare syscall far below the depth
 * of a balanced tree. Before section @i run the arch load, i + 1 arch compares and `A = nr`.
 */
#define PATH_MAX_INSNS 16
#define SECTION_ENTRY_INSNS(i) ((i) + 3)

static unsigned int tree_limit(size_t i)
{
	size_t entry = SECTION_ENTRY_INSNS(i);

	/* (a section past the limit still gets the flattest tree the weights allow) */
	return entry < PATH_MAX_INSNS ? (unsigned int)(PATH_MAX_INSNS - entry) : 1;
}

#define RESERVE_MIN 1024 /* the instructions a builder starts with */

/*
 * Room for the program in the builder from the start, past its first growth: its instructions
 * as the IR's size suggests (about two per range and per rule; a hint, never more than the
 * limit lets it append), and as many labels. A small program keeps the builder's own growth of
 * instructions; its labels, which start at fewer, get their room at once.
 */
static int reserve(const struct sck_ir *ir, struct sck_bpf_builder *b, size_t limit)
{
	size_t room = 0;

	for (size_t i = 0; i < ir->ngroups; i++)
		room += ir->groups[i].nranges;
	for (size_t v = 0; v < ir->nverdicts; v++)
		room += ir->verdicts[v].nentries;
	room = 2 * room < limit + 1 ? 2 * room : limit + 1;
	return sck_bpf_builder_reserve(b, room > RESERVE_MIN ? room : 0, room);
}

int sck_gen_opt(const struct sck_ir *ir, struct sck_bpf_builder *b, unsigned int pressure,
		bool merge, struct sck_argplan **plans, struct sck_tree_plan *trees,
		size_t *emitted)
{
	/* (several sections may repeat each other's code, which sck_bpf_dedup then merges) */
	size_t limit = merge && ir->ngroups > 1 ? SCK_GEN_DEDUP_MAX : SCK_BPF_MAXINSNS;
	struct gen g = {.e = {.b = b, .limit = limit}, .ir = ir, .pressure = pressure};
	int sec[SCK_FILTER_MAX_ARCH] = {0};
	int rc = 0;

	/* (one allocation: the pending blocks, then the labels, of smaller alignment) */
	g.pending = malloc((ir->nverdicts + 1) * (sizeof(*g.pending) + sizeof(*g.block_labels)));
	if (!g.pending) {
		rc = -ENOMEM;
		goto out;
	}
	g.block_labels = (int *)(void *)(g.pending + ir->nverdicts + 1);
	rc = reserve(ir, b, limit);
	if (rc)
		goto out;
	stmt(&g, BPF_LD | BPF_W | BPF_ABS, SCK_DATA_OFF_ARCH);
	for (size_t i = 0; i < ir->ngroups; i++) {
		sec[i] = label(&g);
		jump(&g, BPF_JEQ, ir->groups[i].audit, sec[i], SCK_BPF_NEXT);
	}
	stmt(&g, BPF_RET | BPF_K, ir->bad_arch_action);
	for (size_t i = 0; i < ir->ngroups && !g.e.err; i++) {
		g.g = &ir->groups[i];
		bind(&g, sec[i]);
		g.tree = &trees[i];
		if (!g.tree->planned) {
			rc = sck_tree_plan_run(g.tree, ir, g.g, tree_limit(i));
			if (!rc)
				rc = sck_tree_share(g.tree, tree_limit(i));
			if (rc)
				goto out;
			g.tree->planned = true;
		}
		g.ap = plans[i];
		rc = emit_section(&g);
		plans[i] = g.ap;
		if (rc)
			goto out;
	}
	rc = g.e.err;
	*emitted = g.e.pos - g.e.nlaid;
	if (!rc && sck_emit_over(&g.e))
		rc = -E2BIG;
out:
	sck_emit_fini(&g.e);
	free(g.pending);
	return rc;
}
