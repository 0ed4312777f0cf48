// SPDX-License-Identifier: MIT
/*
 * The argument planner (cmp_arg.h), code half: each node of the decision DAG once, where it is
 * first referenced. A range node loads its word unless every way into it leaves that word in A,
 * then finds the value's range with a tree of JGE whose leaves are short ascending chains of
 * JEQ (single values) and bound tests (intervals); the most common outcome is what the chains
 * fall through to. Under length pressure the chains grow and the tree becomes a spine (a skip
 * list: one JGE per chain), which is what fits a several-thousand-value allowlist in the
 * kernel's 4096 instructions while still bounding the path.
 */
#include "filter/cmp_arg.h"

#include <stdlib.h>

#define U32_MAX 0xffffffffU

/*
 * Length pressure levels. A tree level gives the longest leaf chain (in ranges): level 0 halves
 * until two ranges remain (as deep as a binary search, about half as long), and each next level
 * doubles the chains. A spine level gives the number of chains on the spine (a skip list: one
 * JGE per chain), fewer at each level. On a spine the value reaching chain i has passed i
 * JGE, so the chains shorten by one along it: every path is about as long as the first chain.
 */
static const struct {
	uint16_t chain; /* tree: the longest leaf chain */
	uint16_t segs;	/* spine: how many chains (0: a tree) */
} levels[] = {
	{2, 0},	 {4, 0},  {8, 0},  {16, 0}, {32, 0}, {0, 96}, {0, 64}, {0, 48}, {0, 40},
	{0, 36}, {0, 32}, {0, 28}, {0, 24}, {0, 20}, {0, 16}, {0, 12}, {0, 8},	{0, 4},
};

#define NLEVELS (sizeof(levels) / sizeof(levels[0]))
/* instructions a node's code may take before the next chance to lay down returns */
#define NODE_AHEAD 32
/* instructions between two places where the section's returns are laid down, about */
#define RET_EVERY 230
/* decisions with at most this many exceptions test zero first */
#define ZERO_FIRST_MAX 8

unsigned int sck_arg_pressure_max(void)
{
	return NLEVELS - 1;
}

/* What a range node's code takes at @level: its exceptions, the splits, the load. */
static size_t node_size(const struct sck_anode *n, unsigned int level)
{
	size_t leaves = levels[level].segs
				? levels[level].segs
				: (n->nx + levels[level].chain - 1) / levels[level].chain;

	if (leaves > n->nx)
		leaves = n->nx;

	return n->xcost + (leaves ? leaves - 1 : 0) + 1 + (n->mask != U32_MAX);
}

/*
 * The lowest level above @level at which programs whose code at @level took @total instructions
 * (without returns and trampolines) are expected to fit @limit.
 */
unsigned int sck_arg_pressure_fit(struct sck_argplan *const *plans, size_t nplans,
				  unsigned int level, size_t total, size_t limit)
{
	size_t base = total, at[NLEVELS] = {0};

	for (size_t p = 0; p < nplans; p++) {
		if (!plans[p])
			continue;
		for (size_t i = 0; i < plans[p]->nnodes; i++) {
			const struct sck_anode *n = &plans[p]->nodes[i];
			if (n->kind != SCK_AN_RANGE || !n->emitted)
				continue;
			for (unsigned int l = 0; l < NLEVELS; l++)
				at[l] += node_size(n, l);
		}
	}
	/* @total has no returns; they are laid down along the way, about two per reach of a
	 * jump (RET_EVERY) */
	base = total > at[level] ? total - at[level] : 0;
	for (unsigned int l = level + 1; l < NLEVELS; l++) {
		size_t est = base + at[l] + 2 * (base + at[l]) / RET_EVERY;
		if (est <= limit)
			return l;
	}
	return NLEVELS - 1;
}

void sck_argplan_start(struct sck_argplan *ap, unsigned int pressure)
{
	ap->pressure = pressure;
	for (size_t i = 0; i < ap->nnodes; i++) {
		ap->nodes[i].label = -1;
		ap->nodes[i].emitted = false;
	}
}

int sck_argplan_ref(struct sck_argplan *ap, struct sck_emit *e, long node)
{
	struct sck_anode *n = &ap->nodes[node];

	if (n->kind == SCK_AN_CONST)
		return sck_emit_ret(e, n->action);
	if (n->label < 0)
		n->label = sck_emit_label(e);
	return n->label;
}

struct vt {
	struct sck_argplan *ap;
	struct sck_emit *e;
	const struct sck_vrange *r;
	const struct sck_vrange *x; /* the exceptions: the ranges not deciding by the default */
	uint32_t dflt;		    /* the default child */
	unsigned int chain;	    /* tree: the longest leaf chain; spine: the first chain */
	bool spine;
	/* the last node referenced + 1 (0: none) and its label, and the default's label (-1:
	 * not asked), until returns are laid down */
	uint32_t cnode;
	int clabel;
	int dlabel;
};

/* Returns were laid down: the labels of constants change. */
static void forget(struct vt *t)
{
	t->cnode = 0;
	t->dlabel = -1;
}

/* sck_argplan_ref, remembering the last answer (most exceptions share their child). */
static int ref(struct vt *t, uint32_t node)
{
	if (t->cnode != node + 1) {
		t->clabel = sck_argplan_ref(t->ap, t->e, node);
		t->cnode = node + 1;
	}
	return t->clabel;
}

/* ref of the default, kept apart (the chains alternate between it and their children's). */
static int ref_dflt(struct vt *t)
{
	if (t->dlabel < 0)
		t->dlabel = sck_argplan_ref(t->ap, t->e, t->dflt);
	return t->dlabel;
}

/* Lay down the pending returns if due: then the labels of constants change. */
static void dead_point(struct vt *t, size_t ahead)
{
	if (sck_emit_flush_due(t->e, ahead)) {
		sck_emit_flush(t->e);
		forget(t);
	}
}

/* A segment that needs no code: the label to jump to, else -1. */
static inline int direct(struct vt *t, size_t a, size_t b, uint32_t lo, uint32_t hi)
{
	if (a == b)
		return ref_dflt(t);
	if (b - a == 1 && t->x[a].lo <= lo && t->x[a].hi >= hi)
		return ref(t, t->x[a].child);
	return -1;
}

/*
 * The JEQ tests of the single values x[i], x[i + 1] ... before @end that go to x[i]'s child
 * (label @child, referenced) and fall through, up to where returns fall due: what chain emits
 * for each of them, without asking again for the child or the returns. Returns how many.
 */
static __attribute__((noinline)) size_t jeq_run(struct vt *t, size_t i, size_t end, int child)
{
	struct sck_emit *e = t->e;
	const struct sck_vrange *x = t->x;
	uint32_t c = x[i].child;
	size_t room = sck_emit_due_in(e, 2), j = i + 1, lim;
	struct sck_bpf_binsn *in;

	/* (no return is pended in the run: the child's label is known, and nothing else is
	 * referenced) */
	if (room < end - i)
		end = i + room;
	if (sck_emit_over(e)) {
		while (j < end && x[j].lo == x[j].hi && x[j].child == c)
			j++;
		e->pos += j - i; /* past the limit, only counted */
		return j - i;
	}
	/* written straight to the builder while it has room, then one by one */
	lim = sck_emit_jump_room(e, child);
	lim = lim < end - i ? i + lim : end;
	in = sck_emit_slots(e);
	for (const struct sck_vrange *p = x + i, *pe = x + lim;
	     p < pe && p->lo == p->hi && p->child == c; p++, in++)
		*in = (struct sck_bpf_binsn){.code = BPF_JMP | BPF_JEQ | BPF_K,
					     .k = p->lo,
					     .jt = child,
					     .jf = SCK_BPF_NEXT};
	j = i + (size_t)(in - sck_emit_slots(e));
	sck_emit_commit(e, j - i);
	if (j == lim) /* the builder must grow, or the limit is near */
		while (j < end && x[j].lo == x[j].hi && x[j].child == c)
			sck_emit_jump(e, BPF_JEQ, x[j++].lo, child, SCK_BPF_NEXT);
	return j - i;
}

/* Ascending tests of exceptions [a, b) in the segment [lo, hi]; none matching: the default. */
static void chain(struct vt *t, size_t a, size_t b, uint32_t lo, uint32_t hi)
{
	struct sck_emit *e = t->e;

	if (b - a == 2 && t->x[a].lo == t->x[a].hi && t->x[a + 1].lo == t->x[a + 1].hi) {
		/* two single values, a binary tree's leaf: what the loop emits for them */
		int c = ref(t, t->x[a].child);
		if (!sck_emit_flush_due(e, 2)) {
			sck_emit_jump(e, BPF_JEQ, t->x[a].lo, c, SCK_BPF_NEXT);
			c = ref(t, t->x[a + 1].child);
			sck_emit_jump(e, BPF_JEQ, t->x[a + 1].lo, c, ref_dflt(t));
			return;
		}
	}
	for (size_t i = a; i < b; i++) {
		const struct sck_vrange *r = &t->x[i];
		int child = ref(t, r->child), nx = SCK_BPF_NEXT, skip = -1;
		if (i + 1 == b) {
			nx = ref_dflt(t);
		} else if (i + 2 < b && r->lo == r->hi && !sck_emit_flush_due(e, 2)) {
			/* (a run of at least two before the last: the spine's long chains) */
			i += jeq_run(t, i, b - 1, child) - 1;
			continue;
		} else if (sck_emit_flush_due(e, 3) &&
			   (sck_emit_flush_due(e, 2) ||
			    (r->lo != r->hi && r->lo > lo && r->hi < hi))) {
			/* (due for this test's 2 or 3 instructions: asked for 3 first, since
			 * returns fall due rarely) */
			/* returns laid down between two tests: the first jumps over them */
			skip = sck_emit_label(e);
			nx = skip;
		}
		if (r->lo == r->hi) {
			sck_emit_jump(e, BPF_JEQ, r->lo, child, nx);
		} else if (r->lo <= lo) {
			sck_emit_jump(e, BPF_JGT, r->hi, nx, child);
		} else if (r->hi >= hi) {
			sck_emit_jump(e, BPF_JGE, r->lo, child, nx);
		} else {
			/* below this interval nothing later can match either: the default */
			int d = ref_dflt(t);
			sck_emit_jump(e, BPF_JGE, r->lo, SCK_BPF_NEXT, d);
			sck_emit_jump(e, BPF_JGT, r->hi, nx, child);
		}
		if (skip >= 0) {
			sck_emit_flush(e);
			forget(t);
			sck_emit_bind(e, skip);
		}
	}
}

/*
 * Exceptions [a, b) of the segment [lo, hi]: chains of at most @lim under a tree of JGE (a
 * spine takes one chain of @lim off the front at each JGE, the next one shorter by one).
 */
static void segment(struct vt *t, size_t a, size_t b, uint32_t lo, uint32_t hi, unsigned int lim)
{
	struct sck_emit *e = t->e;
	unsigned int rlim = t->spine && lim > 1 ? lim - 1 : lim;
	size_t k;
	uint32_t sv;
	int lt, rt, rl;

	if (b - a <= lim) {
		chain(t, a, b, lo, hi);
		return;
	}
	k = t->spine ? a + lim : a + (b - a) / 2;
	sv = t->x[k].lo; /* values from here on go right */
	lt = direct(t, a, k, lo, sv - 1);
	rt = direct(t, k, b, sv, hi);
	if (lt >= 0 && rt >= 0) {
		sck_emit_jump(e, BPF_JGE, sv, rt, lt);
	} else if (lt >= 0) {
		sck_emit_jump(e, BPF_JGE, sv, SCK_BPF_NEXT, lt);
		segment(t, k, b, sv, hi, rlim);
	} else if (rt >= 0) {
		sck_emit_jump(e, BPF_JGE, sv, rt, SCK_BPF_NEXT);
		segment(t, a, k, lo, sv - 1, lim);
	} else {
		rl = sck_emit_label(e);
		sck_emit_jump(e, BPF_JGE, sv, rl, SCK_BPF_NEXT);
		segment(t, a, k, lo, sv - 1, lim);
		dead_point(t, NODE_AHEAD);
		sck_emit_bind(e, rl);
		segment(t, k, b, sv, hi, rlim);
	}
}

/* Child @c of @n: after @n's argument, one more when @c tests another. */
static void pass_depth(struct sck_argplan *ap, const struct sck_anode *n, uint32_t c)
{
	struct sck_anode *ch = &ap->nodes[c];
	unsigned int d = n->argdepth + (ch->kind != SCK_AN_CONST && ch->word >> 1 != n->word >> 1);

	if (d > ch->argdepth)
		ch->argdepth = (uint8_t)(d > 255 ? 255 : d);
}

/*
 * The exceptions of @n (its ranges not deciding by the default, copied in a row by the planner);
 * each child met along them passes @n's depth on.
 */
static const struct sck_vrange *exceptions(struct sck_argplan *ap, struct sck_anode *n)
{
	if (n->xchild != UINT32_MAX) {
		if (n->nx)
			pass_depth(ap, n, n->xchild);
		return n->xs;
	}
	for (uint32_t i = 0, last = n->dflt; i < n->nx; i++)
		if (n->xs[i].child != last)
			pass_depth(ap, n, last = n->xs[i].child);
	return n->xs;
}

static void emit_range(struct sck_argplan *ap, struct sck_emit *e, struct sck_anode *n)
{
	struct vt t = {.ap = ap, .e = e, .r = n->r, .dlabel = -1};
	unsigned int lv = ap->pressure < NLEVELS ? ap->pressure : NLEVELS - 1;
	size_t m = n->nx, a = 0;
	const struct sck_vrange *x;
	uint32_t lo = 0;

	pass_depth(ap, n, n->dflt);
	x = t.x = exceptions(ap, n);
	t.dflt = n->dflt;
	t.chain = levels[lv].chain;
	t.spine = levels[lv].segs > 0;
	/*
	 * Zero is the most common argument value (flags, options): in a small decision where it
	 * would go through a tree, or through the whole chain as the default, one bound test
	 * decides it first. Only in the first argument a syscall's rules test: a later one is
	 * reached after an earlier argument matched a listed value, on the filter's longest
	 * paths, where that test would be one more compare for every other value.
	 */
	if (m >= 2 && m <= ZERO_FIRST_MAX && n->r[0].hi != U32_MAX && n->argdepth == 0 &&
	    ((!t.spine && m > t.chain) || (n->r[0].child == t.dflt && x[0].lo > 0))) {
		sck_emit_jump(e, BPF_JGT, n->r[0].hi, SCK_BPF_NEXT,
			      sck_argplan_ref(ap, e, n->r[0].child));
		lo = n->r[0].hi + 1;
		a = m && x[0].lo == 0 ? 1 : 0; /* (the first exception is the first range) */
	}
	if (t.spine) {
		/* s chains of c, c - 1, ... c - s + 1 ranges hold the m - a exceptions */
		size_t sg = levels[lv].segs < m - a ? levels[lv].segs : m - a;
		t.chain = sg ? (unsigned int)((m - a + sg * (sg - 1) / 2 + sg - 1) / sg) : 1;
	}
	segment(&t, a, m, lo, U32_MAX, t.chain);
}

static void emit_node(struct sck_argplan *ap, struct sck_emit *e, struct sck_anode *n)
{
	const struct sck_ir_group *g = ap->g;

	sck_emit_bind(e, n->label);
	if (n->state != n->word)
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS,
			      sck_ir_arg_off(n->word >> 1, n->word & 1, g->little_endian));
	if (n->kind == SCK_AN_JSET) {
		pass_depth(ap, n, n->t);
		pass_depth(ap, n, n->f);
		int t = sck_argplan_ref(ap, e, n->t);
		int f = sck_argplan_ref(ap, e, n->f);
		sck_emit_jump(e, BPF_JSET, n->mask, t, f);
	} else {
		if (n->mask != U32_MAX)
			sck_emit_stmt(e, BPF_ALU | BPF_AND | BPF_K, n->mask);
		emit_range(ap, e, n);
	}
	sck_emit_dead_point(e, NODE_AHEAD);
}

void sck_argplan_emit(struct sck_argplan *ap, struct sck_emit *e)
{
	/*
	 * Children are made before their parents, so every parent of a node has a larger index:
	 * emitting the referenced nodes from the largest index down puts each after all the
	 * jumps to it (BPF jumps only go forward).
	 */
	for (size_t i = ap->nnodes; i-- > 0 && !e->err;) {
		struct sck_anode *n = &ap->nodes[i];
		if (n->label >= 0 && n->kind != SCK_AN_CONST && !n->emitted) {
			n->emitted = true;
			emit_node(ap, e, n);
		}
	}
}
