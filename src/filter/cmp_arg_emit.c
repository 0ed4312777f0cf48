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

#include <errno.h>
#include <stdlib.h>

#define U32_MAX 0xffffffffU

/*
 * Length pressure levels: the longest leaf chain (in ranges) and the tree's shape. Level 0
 * halves until two ranges remain (as deep as a binary search, about half as long); each next
 * level doubles the chains, then switches to a spine.
 */
static const struct {
	uint16_t chain;
	bool spine;
} levels[] = {
	{2, false}, {4, false}, {8, false}, {16, false}, {32, false},
	{48, true}, {64, true}, {96, true}, {128, true}, {176, true},
};

#define NLEVELS (sizeof(levels) / sizeof(levels[0]))
/* instructions a node's code may take before the next chance to lay down returns */
#define NODE_AHEAD 32
/* decisions with at most this many exceptions test zero first */
#define ZERO_FIRST_MAX 8

unsigned int sck_arg_pressure_max(void)
{
	return NLEVELS - 1;
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
	const uint32_t *x; /* the exceptions: indexes of ranges not deciding by the default */
	uint32_t dflt;	   /* the default child */
	unsigned int chain;
	bool spine;
};

/* A segment that needs no code: the label to jump to, else -1. */
static int direct(struct vt *t, size_t a, size_t b, uint32_t lo, uint32_t hi)
{
	if (a == b)
		return sck_argplan_ref(t->ap, t->e, t->dflt);
	if (b - a == 1 && t->r[t->x[a]].lo <= lo && t->r[t->x[a]].hi >= hi)
		return sck_argplan_ref(t->ap, t->e, t->r[t->x[a]].child);
	return -1;
}

/* Ascending tests of exceptions [a, b) in the segment [lo, hi]; none matching: the default. */
static void chain(struct vt *t, size_t a, size_t b, uint32_t lo, uint32_t hi)
{
	struct sck_emit *e = t->e;

	for (size_t i = a; i < b; i++) {
		const struct sck_vrange *r = &t->r[t->x[i]];
		bool two = r->lo != r->hi && r->lo > lo && r->hi < hi;
		int child = sck_argplan_ref(t->ap, e, r->child), nx = SCK_BPF_NEXT, skip = -1;
		if (i + 1 == b) {
			nx = sck_argplan_ref(t->ap, e, t->dflt);
		} else if (sck_emit_flush_due(e, two ? 3 : 2)) {
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
			int d = sck_argplan_ref(t->ap, e, t->dflt);
			sck_emit_jump(e, BPF_JGE, r->lo, SCK_BPF_NEXT, d);
			sck_emit_jump(e, BPF_JGT, r->hi, nx, child);
		}
		if (skip >= 0) {
			sck_emit_flush(e);
			sck_emit_bind(e, skip);
		}
	}
}

static void segment(struct vt *t, size_t a, size_t b, uint32_t lo, uint32_t hi)
{
	struct sck_emit *e = t->e;
	size_t k;
	uint32_t sv;
	int lt, rt, rl;

	if (b - a <= t->chain) {
		chain(t, a, b, lo, hi);
		return;
	}
	k = t->spine ? a + t->chain : a + (b - a) / 2;
	sv = t->r[t->x[k]].lo; /* values from here on go right */
	lt = direct(t, a, k, lo, sv - 1);
	rt = direct(t, k, b, sv, hi);
	if (lt >= 0 && rt >= 0) {
		sck_emit_jump(e, BPF_JGE, sv, rt, lt);
	} else if (lt >= 0) {
		sck_emit_jump(e, BPF_JGE, sv, SCK_BPF_NEXT, lt);
		segment(t, k, b, sv, hi);
	} else if (rt >= 0) {
		sck_emit_jump(e, BPF_JGE, sv, rt, SCK_BPF_NEXT);
		segment(t, a, k, lo, sv - 1);
	} else {
		rl = sck_emit_label(e);
		sck_emit_jump(e, BPF_JGE, sv, rl, SCK_BPF_NEXT);
		segment(t, a, k, lo, sv - 1);
		sck_emit_dead_point(e, NODE_AHEAD);
		sck_emit_bind(e, rl);
		segment(t, k, b, sv, hi);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/*
 * The default: the child whose ranges would cost the most to test as exceptions (a single value
 * is one JEQ, an interval two bound tests), so the chains test the cheap ones.
 */
static uint32_t default_child(struct sck_argplan *ap, const struct sck_anode *n)
{
	uint64_t *c = sck_argplan_alloc(ap, n->nr * sizeof(*c));
	uint64_t best = n->r[0].child, bc = 0;

	if (!c)
		return n->r[0].child;
	for (uint32_t i = 0; i < n->nr; i++)
		c[i] = (uint64_t)n->r[i].child << 2 | (n->r[i].lo == n->r[i].hi ? 1 : 2);
	qsort(c, n->nr, sizeof(*c), cmp_u64);
	for (uint32_t i = 0, j; i < n->nr; i = j) {
		uint64_t w = 0;
		for (j = i; j < n->nr && c[j] >> 2 == c[i] >> 2; j++)
			w += c[j] & 3;
		if (w > bc) {
			bc = w;
			best = c[i] >> 2;
		}
	}
	return (uint32_t)best;
}

static void emit_range(struct sck_argplan *ap, struct sck_emit *e, const struct sck_anode *n)
{
	uint32_t *x = sck_argplan_alloc(ap, n->nr * sizeof(*x));
	struct vt t = {.ap = ap, .e = e, .r = n->r, .x = x};
	unsigned int lv = ap->pressure < NLEVELS ? ap->pressure : NLEVELS - 1;
	size_t m = 0, a = 0;
	uint32_t lo = 0;

	if (!x) {
		if (!e->err)
			e->err = -ENOMEM;
		return;
	}
	t.dflt = default_child(ap, n);
	t.chain = levels[lv].chain;
	t.spine = levels[lv].spine;
	for (uint32_t i = 0; i < n->nr; i++)
		if (n->r[i].child != t.dflt)
			x[m++] = i;
	/*
	 * Zero is the most common argument value (flags, options): in a small decision where it
	 * would go through a tree, or through the whole chain as the default, one bound test
	 * decides it first.
	 */
	if (m <= ZERO_FIRST_MAX &&
	    (m > t.chain || (n->r[0].child == t.dflt && m >= 2 && x[0] > 0)) &&
	    n->r[0].hi != U32_MAX) {
		sck_emit_jump(e, BPF_JGT, n->r[0].hi, SCK_BPF_NEXT,
			      sck_argplan_ref(ap, e, n->r[0].child));
		lo = n->r[0].hi + 1;
		a = m && x[0] == 0 ? 1 : 0;
	}
	segment(&t, a, m, lo, U32_MAX);
}

static void emit_node(struct sck_argplan *ap, struct sck_emit *e, struct sck_anode *n)
{
	const struct sck_ir_group *g = ap->g;

	sck_emit_bind(e, n->label);
	if (n->state != n->word)
		sck_emit_stmt(e, BPF_LD | BPF_W | BPF_ABS,
			      sck_ir_arg_off(n->word >> 1, n->word & 1, g->little_endian));
	if (n->kind == SCK_AN_JSET) {
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
