// SPDX-License-Identifier: MIT
/*
 * The syscall-number tree planner (cmp_tree.h). The tree over a section's ranges [0, n): an
 * interval of ranges is either split by `nr >= ranges[k].lo` (left [i, k-1], right [k, j]) or,
 * when all its ranges but those of one verdict V are single numbers, tested by a chain of at most
 * SCK_TREE_CHAIN_MAX `nr == x` (then V): the chain is what makes an isolated exception in a run
 * of one verdict cost one compare instead of two. Costs are weighted depths (a compare costs the
 * weight of everything below it). The dynamic programming is Knuth's O(n^2) algorithm for optimal
 * alphabetic trees; reshaping the weights then pulls leaves past the height limit up, and for
 * x86_64 + x32 a search over the shared nodes keeps the second arch's mean near the first's.
 */
#include "filter/cmp_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHAIN_SPAN (2 * SCK_TREE_CHAIN_MAX + 1)
#define INF 1e30
/* A chain replaces a split only when cheaper beyond float rounding: ties keep the split. */
#define CHAIN_TIE (1 - 1e-9)
/*
 * Leaves whose block runs HEAVY instructions or more start HEAVY_MULT times heavier: the height
 * limit usually wants them up, and a second round of the dynamic programming costs as much as
 * the first.
 */
#define HEAVY 4
#define HEAVY_MULT 8
/* Rounds of reshaping, and the factor a leaf past the height limit grows by in each. */
#define RESHAPE_ROUNDS 8
#define RESHAPE_MULT 16

/* Interval [i, j] in the packed upper triangle, row by row; and the same, column by column. */
static inline size_t row_index(size_t n, size_t i, size_t j)
{
	return i * n - (i * (i + 1)) / 2 + j;
}

static inline size_t col_index(size_t i, size_t j)
{
	return j * (j + 1) / 2 + i;
}

static double leaf_weight(const struct sck_tree_plan *t, size_t k)
{
	return t->leaf_weight[k];
}

/* Cost of testing [i, j] by a chain; INF when it cannot. @order receives the exceptions. */
static double chain_cost(const struct sck_tree_plan *t, size_t i, size_t j, size_t *order,
			 size_t *m_out, size_t *v_out)
{
	const struct sck_ir_range *r = t->grp->ranges;
	size_t v = SIZE_MAX, m = 0;
	double wv = 0, cost = 0;

	if (j - i + 1 > CHAIN_SPAN)
		return INF;
	for (size_t k = i; k <= j; k++) {
		if (r[k].lo == r[k].hi)
			continue;
		if (v == SIZE_MAX)
			v = r[k].verdict;
		else if (v != r[k].verdict)
			return INF;
	}
	if (v == SIZE_MAX) { /* all single numbers: V is the heaviest verdict */
		double best = -1;
		for (size_t k = i; k <= j; k++) {
			double s = 0;
			for (size_t q = i; q <= j; q++)
				if (r[q].verdict == r[k].verdict)
					s += leaf_weight(t, q);
			if (s > best) {
				best = s;
				v = r[k].verdict;
			}
		}
	}
	for (size_t k = i; k <= j; k++) {
		if (r[k].verdict == v) {
			wv += leaf_weight(t, k);
			continue;
		}
		if (m == SCK_TREE_CHAIN_MAX)
			return INF;
		/* insertion by weight, heaviest first */
		size_t p = m++;
		while (p > 0 && leaf_weight(t, order[p - 1]) < leaf_weight(t, k)) {
			order[p] = order[p - 1];
			p--;
		}
		order[p] = k;
	}
	if (m == 0)
		return INF;
	for (size_t k = 0; k < m; k++)
		cost += (double)(k + 1) * leaf_weight(t, order[k]);
	cost += (double)m * wv;
	*m_out = m;
	*v_out = v;
	return cost;
}

size_t sck_tree_chain(const struct sck_tree_plan *t, size_t i, size_t j,
		      size_t order[SCK_TREE_CHAIN_MAX], size_t *verdict)
{
	size_t m = 0, v = 0;

	(void)chain_cost(t, i, j, order, &m, &v);
	*verdict = v;
	return m;
}

size_t sck_tree_root(const struct sck_tree_plan *t, size_t i, size_t j)
{
	return t->root[t->row_start[i] + j];
}

/* The compares a chain with exceptions @order[0 .. m) runs for range @q. */
static unsigned int chain_depth(const size_t *order, size_t m, size_t q)
{
	for (size_t e = 0; e < m; e++)
		if (order[e] == q)
			return (unsigned int)e + 1;
	return (unsigned int)m;
}

/* The best split of [i, j] within [lo, hi]: cost_row holds row i, col column j; the first wins. */
static inline size_t best_split(const float *restrict cost_row, const float *restrict col,
				size_t lo, size_t hi, float *best)
{
	float best_f = cost_row[lo - 1] + col[lo];
	size_t best_k = lo;

	for (size_t k = lo + 1; k <= hi; k++) {
		float fc = cost_row[k - 1] + col[k];
		bool lt = fc < best_f;
		best_f = lt ? fc : best_f;
		best_k = lt ? k : best_k;
	}
	*best = best_f;
	return best_k;
}

/*
 * Rows from the last up, each left to right: [i, j] needs [i, k-1] (this row, to its left) and
 * [k, j] (column j, rows below), all known by then; the row pointers stay put along a row.
 */
static void run_dp(struct sck_tree_plan *t)
{
	size_t n = t->n;
	float *restrict cost_by_col = t->interval_cost_by_col;
	float *restrict cost_row = t->row_cost; /* (only [i, j'] with j' < j is read at j) */
	const double *w = t->prefix_weight;
	const uint32_t *multi_pairs = t->multi_pairs;

	for (size_t i = n; i-- > 0;) {
		uint16_t *root_row = &t->root[t->row_start[i]];
		const uint16_t *root_below = i + 1 < n ? &t->root[t->row_start[i + 1]] : NULL;
		double wi = w[i];
		size_t col_start = col_index(0, i + 1); /* column j = i + 1 starts here */
		/* a chain needs a span of at most CHAIN_SPAN and no two adjacent multi-number
		 * ranges of different verdicts (multi_pairs is nondecreasing: one bound per row) */
		size_t chain_to = i + CHAIN_SPAN - 1;

		for (size_t j = i + 1; j <= chain_to && j < n; j++)
			if (multi_pairs[j] != multi_pairs[i]) {
				chain_to = j - 1;
				break;
			}
		size_t left_root = 0; /* the root of [i, j - 1], as root_row[j - 1] holds it */

		cost_row[i] = 0;
		cost_by_col[col_index(i, i)] = 0;
		root_row[i] = 0;
		/* spans a chain can test: roots may be chains, Knuth's bounds may not hold */
		size_t j = i + 1;
		for (; j < n && j <= i + CHAIN_SPAN; col_start += ++j) {
			size_t lo = i + 1, hi = j, best_k;
			double best;
			const float *col = &cost_by_col[col_start];
			float best_f;

			if (j > i + 1) {
				size_t ra = left_root, rb = root_below[j];
				if (ra != SCK_TREE_CHAIN && rb != SCK_TREE_CHAIN) {
					/* (chains and ties can cross Knuth's bounds) */
					lo = ra < rb ? ra : rb;
					hi = ra < rb ? rb : ra;
				}
			}
			best_k = best_split(cost_row, col, lo, hi, &best_f);
			best = (double)best_f + (w[j + 1] - wi);
			if (j <= chain_to) {
				size_t order[SCK_TREE_CHAIN_MAX] = {0}, m = 0, v = 0;
				double c = chain_cost(t, i, j, order, &m, &v);
				if (c < best * CHAIN_TIE) {
					best = c;
					best_k = SCK_TREE_CHAIN;
				}
			}
			cost_row[j] = (float)best;
			cost_by_col[col_start + i] = (float)best;
			root_row[j] = (uint16_t)best_k;
			left_root = best_k;
		}
		/* longer spans: no chain, neither at this interval nor at the two it is bounded by */
		for (; j < n; col_start += ++j) {
			size_t ra = left_root, rb = root_below[j], best_k;
			float best_f;

			best_k = best_split(cost_row, &cost_by_col[col_start], ra < rb ? ra : rb,
					    ra < rb ? rb : ra, &best_f);
			best_f = (float)((double)best_f + (w[j + 1] - wi));
			cost_row[j] = best_f;
			cost_by_col[col_start + i] = best_f;
			root_row[j] = (uint16_t)best_k;
			left_root = best_k;
		}
	}
}

/* Instructions a leaf's block runs with every argument 0 (an estimate from above), plus its RET. */
static unsigned int leaf_cost(const struct sck_ir *ir, size_t verdict)
{
	const struct sck_ir_verdict *vd = &ir->verdicts[verdict];
	unsigned int c = 1;

	for (size_t e = 0; e < vd->nentries; e++) {
		const struct sck_ir_entry *en = &vd->entries[e];
		bool all = true;
		for (size_t k = 0; k < en->ncond && all; k++) {
			const struct sck_ir_cond *cd = &en->conds[k];
			c += cd->wide ? 4 : 3;
			switch (cd->op) {
			case SCK_CMP_EQ:
			case SCK_CMP_LE:
			case SCK_CMP_GE:
				all = cd->op == SCK_CMP_GE ? cd->value == 0 : true;
				if (cd->op == SCK_CMP_EQ)
					all = cd->value == 0;
				break;
			case SCK_CMP_NE:
			case SCK_CMP_LT:
				all = cd->value != 0;
				break;
			case SCK_CMP_GT:
				all = false;
				break;
			case SCK_CMP_MASKED_EQ:
				all = cd->value == 0;
				break;
			}
		}
		if (all)
			return c;
	}
	return c;
}

/* The deepest (depth + leaf cost) over weighted leaves of [i, j] at @depth; marks offenders. */
static unsigned int worst(struct sck_tree_plan *t, size_t i, size_t j, unsigned int depth,
			  unsigned int limit)
{
	const struct sck_ir_range *r = t->grp->ranges;
	size_t k;
	unsigned int a, b;

	if (i == j) {
		unsigned int lc = t->leaf_cost[i];
		a = depth + lc;
		/* only a leaf that can fit at all is worth pulling up */
		if (a > limit && r[i].weight > 0 && lc < limit)
			t->too_deep[i] = true;
		return r[i].weight > 0 ? a : 0;
	}
	k = sck_tree_root(t, i, j);
	if (k == SCK_TREE_CHAIN) {
		size_t order[SCK_TREE_CHAIN_MAX] = {0}, m = 0, v = 0;
		unsigned int mx = 0;
		chain_cost(t, i, j, order, &m, &v);
		for (size_t q = i; q <= j; q++) {
			unsigned int d = depth + chain_depth(order, m, q);
			unsigned int lc = t->leaf_cost[q];
			a = d + lc;
			if (r[q].weight > 0) {
				if (a > limit && lc < limit)
					t->too_deep[q] = true;
				if (a > mx)
					mx = a;
			}
		}
		return mx;
	}
	a = worst(t, i, k - 1, depth + 1, limit);
	b = worst(t, k, j, depth + 1, limit);
	return a > b ? a : b;
}

static int share_tree(struct sck_tree_plan *t, unsigned int limit);

static void free_interval_tables(struct sck_tree_plan *t)
{
	free(t->interval_cost_by_col);
	free(t->root);
	t->interval_cost_by_col = NULL;
	t->root = NULL;
	t->cap_intervals = 0;
}

static void free_range_tables(struct sck_tree_plan *t)
{
	free(t->row_start);
	free(t->row_cost);
	free(t->prefix_weight);
	free(t->leaf_weight);
	free(t->leaf_cost);
	free(t->multi_pairs);
	free(t->weight_mult);
	free(t->too_deep);
	t->cap_ranges = 0;
}

/* The scratch of a section: tables grown to @n ranges. */
static int reserve(struct sck_tree_plan *t, size_t n)
{
	size_t cells = n * (n + 1) / 2;

	if (cells > t->cap_intervals) {
		free_interval_tables(t);
		t->interval_cost_by_col = malloc(cells * sizeof(*t->interval_cost_by_col));
		t->root = malloc(cells * sizeof(*t->root));
		if (!t->interval_cost_by_col || !t->root)
			return -ENOMEM;
		t->cap_intervals = cells;
	}
	if (n + 1 > t->cap_ranges) {
		free_range_tables(t);
		t->row_start = malloc((n + 1) * sizeof(*t->row_start));
		t->row_cost = malloc((n + 1) * sizeof(*t->row_cost));
		t->prefix_weight = malloc((n + 1) * sizeof(*t->prefix_weight));
		t->leaf_weight = malloc((n + 1) * sizeof(*t->leaf_weight));
		t->leaf_cost = malloc((n + 1) * sizeof(*t->leaf_cost));
		t->multi_pairs = malloc((n + 1) * sizeof(*t->multi_pairs));
		t->weight_mult = malloc((n + 1) * sizeof(*t->weight_mult));
		t->too_deep = malloc((n + 1) * sizeof(*t->too_deep));
		if (!t->row_start || !t->row_cost || !t->prefix_weight || !t->leaf_weight ||
		    !t->leaf_cost || !t->multi_pairs || !t->weight_mult || !t->too_deep)
			return -ENOMEM;
		t->cap_ranges = n + 1;
	}
	return 0;
}

/*
 * A leaf whose block is heavy (a syscall with argument checks) weighs at least what an average
 * range of its arch weighs: the weights count every syscall number alike, which alone would put
 * a syscall with argument checks among many single-number exceptions deeper than a search over
 * the filter's syscalls (libseccomp's) puts it. Each member of a shared tree has its own floor,
 * so that the balance between the two arches stays what the weights make it.
 */
static void leaf_floor(struct sck_tree_plan *t, const struct sck_ir_range *r, size_t n)
{
	const struct sck_ir_group *g = t->grp;
	double tot[2] = {0, 0};
	size_t cnt[2] = {0, 0};

	for (size_t i = 0; i < n; i++)
		for (size_t m = 0; m < g->nmembers && m < 2; m++)
			if (r[i].wm[m] > 0) {
				tot[m] += r[i].wm[m] * (r[i].weight / (r[i].wm[0] + r[i].wm[1]));
				cnt[m]++;
			}
	for (size_t i = 0; i < n; i++) {
		size_t m = r[i].wm[0] > 0 ? 0 : 1;
		double floor;
		if (t->leaf_cost[i] < HEAVY || r[i].weight <= 0 || r[i].wm[m] <= 0 || !cnt[m])
			continue;
		floor = tot[m] / (double)cnt[m];
		if (r[i].weight * t->weight_mult[i] < floor)
			t->weight_mult[i] = floor / r[i].weight;
	}
}

int sck_tree_plan_run(struct sck_tree_plan *t, const struct sck_ir *ir,
		      const struct sck_ir_group *grp, unsigned int limit)
{
	const struct sck_ir_range *r = grp->ranges;
	size_t n = grp->nranges;
	int rc;

	/* Each compare of the tree parts at most 2 more ranges (a split 1, a chain's compare 2):
	 * more than 2 * 4096 + 1 ranges cannot fit in a program, and the planner would spend
	 * O(n^2) memory learning it */
	if (n >= SCK_TREE_CHAIN || n > (size_t)2 * SCK_BPF_MAXINSNS + 1)
		return -E2BIG;
	t->ir = ir;
	t->grp = grp;
	t->n = n;
	rc = reserve(t, n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		t->row_start[i] = row_index(n, i, 0);
		t->leaf_cost[i] = leaf_cost(ir, r[i].verdict);
		t->multi_pairs[i] = i == 0 ? 0
					   : t->multi_pairs[i - 1] + (r[i - 1].lo != r[i - 1].hi &&
								      r[i].lo != r[i].hi);
		t->weight_mult[i] = t->leaf_cost[i] >= HEAVY ? HEAVY_MULT : 1;
	}
	leaf_floor(t, r, n);
	/* reshape while a weighted leaf ends deeper than the limit: make offenders heavier */
	for (int round = 0; round < RESHAPE_ROUNDS; round++) {
		bool any = false;
		t->prefix_weight[0] = 0;
		for (size_t k = 0; k < n; k++)
			t->prefix_weight[k + 1] =
				t->prefix_weight[k] + r[k].weight * t->weight_mult[k];
		/* (the differences, not the products: what the costs are made of) */
		for (size_t k = 0; k < n; k++)
			t->leaf_weight[k] = t->prefix_weight[k + 1] - t->prefix_weight[k];
		run_dp(t);
		memset(t->too_deep, 0, n * sizeof(*t->too_deep));
		if (n == 1 || worst(t, 0, n - 1, 0, limit) <= limit)
			break;
		for (size_t k = 0; k < n; k++) {
			if (t->too_deep[k]) {
				t->weight_mult[k] *= RESHAPE_MULT;
				any = true;
			}
		}
		if (!any)
			break;
	}
	return share_tree(t, limit);
}

void sck_tree_plan_fini(struct sck_tree_plan *t)
{
	free_interval_tables(t);
	free_range_tables(t);
	memset(t, 0, sizeof(*t));
}

/* ---- x86_64 + x32: one tree for two arches ---- */

/*
 * x32 shares x86_64's tree (one audit arch), and the weights favour the filter's first arch: left
 * alone, the planner pushes the other member as deep as the smallest saving for the first one
 * pays (Docker's profile: x32 1.6 instructions above x86_64 on average). A weighted tree only
 * trades between a few shapes, so the bound is a search, run when the other member's mean is
 * more than SHARE_GAP above the first's. The nodes whose interval holds numbers of both members
 * form a path from the root, the spine; a move re-splits one spine node anywhere, over planned
 * subtrees. From each of the SHARE_BEAM best first moves, greedy descent: while the gap is too
 * wide, the move that closes it cheapest for the first member (else the one that buys the most of
 * the other's cost per unit of the first's, spending at most SHARE_BUDGET of it); within the gap,
 * the move that lowers the first member's cost most. The best end within the gap wins; none: the
 * plan stays. Costs are the members' mean instructions, from prefix sums and the plan's costs.
 */
/* the promise of docs/semantics.md: the other arch's mean within 1.5 instructions of the first's */
#define SHARE_GAP 1.5
/* what the first arch's mean may lose while the gap is being closed (instructions) */
#define SHARE_BUDGET 0.3
/* descents tried, one from each of the best first moves (each costs a spine walk per move) */
#define SHARE_BEAM 2
/* spine nodes followed at most: deeper than any tree within the height limit */
#define SPINE_MAX 64
/* moves in one descent; each re-splits one spine node, and the spine is short */
#define SHARE_MOVES 32
/* a move must gain more than the rounding of the float costs it is computed from */
#define MOVE_GAIN_MIN 1e-5
/* a move that closes the gap ranks before every move that only narrows it */
#define CLOSES_GAP_FIRST 1e6

/* A node of the tree: [i, j] split at k. */
struct split {
	size_t i, j, k;
};

/* The planned subtree of an interval: each member's cost, and its height plus one. */
struct planned {
	float cost[2];
	uint8_t height;
};

struct share {
	const uint16_t *planned_root; /* the tree as the dynamic programming left it */
	/* per interval, computed when first needed (its bit set in @known): few intervals are,
	 * so the table is never cleared */
	struct planned *planned;
	uint64_t *known;
	double *member_prefix[2]; /* prefix sums of each member's weights */
	int first, other;	  /* the member that is the filter's first arch, the other */
	unsigned int limit;
	/* the spine nodes re-split (one per move at most, SHARE_MOVES a descent) */
	size_t nmoved;
	struct split moved[SHARE_MOVES];
};

/* The current tree's spine, root first, with each node's subtree cost per member. */
struct spine {
	size_t last; /* the index of the last node */
	size_t i[SPINE_MAX], j[SPINE_MAX];
	double cost[SPINE_MAX][2];
};

struct move {
	double score; /* lower is better */
	size_t i, j, k;
};

static double member_weight(const struct share *sh, int m, size_t i, size_t j)
{
	return sh->member_prefix[m][j + 1] - sh->member_prefix[m][i];
}

/* Each member's cost and the height of the leaves [i, j] tested by a chain (or one leaf). */
static unsigned int flat_cost(const struct sck_tree_plan *t, size_t i, size_t j, double c[2])
{
	const struct sck_ir_range *r = t->grp->ranges;
	size_t order[SCK_TREE_CHAIN_MAX] = {0}, m = 0, v = 0;
	unsigned int h = 0;

	c[0] = c[1] = 0;
	if (i != j)
		chain_cost(t, i, j, order, &m, &v);
	for (size_t q = i; q <= j; q++) {
		unsigned int d = chain_depth(order, m, q) + t->leaf_cost[q];
		c[0] += r[q].wm[0] * d;
		c[1] += r[q].wm[1] * d;
		if (r[q].weight > 0 && d > h)
			h = d;
	}
	return h;
}

static const struct planned *plan_cost_compute(const struct sck_tree_plan *t, struct share *sh,
					       size_t i, size_t j, size_t cell);

/* The planned subtree of [i, j]: its members' costs and height, computed once. */
static inline const struct planned *plan_cost(const struct sck_tree_plan *t, struct share *sh,
					      size_t i, size_t j)
{
	size_t cell = t->row_start[i] + j;

	if (sh->known[cell / 64] & (UINT64_C(1) << (cell % 64)))
		return &sh->planned[cell];
	return plan_cost_compute(t, sh, i, j, cell);
}

static const struct planned *plan_cost_compute(const struct sck_tree_plan *t, struct share *sh,
					       size_t i, size_t j, size_t cell)
{
	size_t k = i == j ? 0 : sh->planned_root[cell];
	struct planned *x = &sh->planned[cell];
	unsigned int h;

	if (i == j || k == SCK_TREE_CHAIN) {
		double c[2];
		h = flat_cost(t, i, j, c);
		x->cost[0] = (float)c[0];
		x->cost[1] = (float)c[1];
	} else {
		const struct planned *l = plan_cost(t, sh, i, k - 1), *r = plan_cost(t, sh, k, j);
		for (int m = 0; m < 2; m++)
			x->cost[m] = l->cost[m] + r->cost[m] +
				     (float)(sh->member_prefix[m][j + 1] - sh->member_prefix[m][i]);
		h = l->height > r->height ? l->height : r->height; /* (both stored plus one) */
	}
	/* stored plus one (saturating) */
	x->height = (uint8_t)(h > 253 ? 254 : h + 1);
	sh->known[cell / 64] |= UINT64_C(1) << (cell % 64);
	return x;
}

/* Whether [i, j] holds weighted numbers of both members. */
static bool crossing(const struct share *sh, size_t i, size_t j)
{
	return member_weight(sh, 0, i, j) > 0 && member_weight(sh, 1, i, j) > 0;
}

/*
 * The spine of the tree in t->root. Only the spine differs from the plan (a move re-splits a
 * spine node over planned subtrees), so each spine node's cost follows from the plan's, bottom up.
 */
static void walk_spine(const struct sck_tree_plan *t, struct share *sh, struct spine *sp)
{
	const struct planned *off[SPINE_MAX];
	size_t i = 0, j = t->n - 1, ns = 0;

	/* down the spine: each node's planned side child, and the last node's cost */
	for (;;) {
		size_t k = i == j ? 0 : sck_tree_root(t, i, j);
		sp->i[ns] = i;
		sp->j[ns] = j;
		if (i == j || k == SCK_TREE_CHAIN || ns + 1 == SPINE_MAX ||
		    (!crossing(sh, i, k - 1) && !crossing(sh, k, j))) {
			/* (a spine node the moves left alone is the plan's) */
			const struct planned *l, *r;
			if (i == j || k == SCK_TREE_CHAIN ||
			    k == sh->planned_root[t->row_start[i] + j]) {
				l = plan_cost(t, sh, i, j);
				sp->cost[ns][0] = l->cost[0];
				sp->cost[ns][1] = l->cost[1];
				break;
			}
			l = plan_cost(t, sh, i, k - 1);
			r = plan_cost(t, sh, k, j);
			for (int m = 0; m < 2; m++)
				sp->cost[ns][m] = l->cost[m] + r->cost[m] +
						  sh->member_prefix[m][j + 1] -
						  sh->member_prefix[m][i];
			break;
		}
		if (crossing(sh, i, k - 1)) {
			off[ns++] = plan_cost(t, sh, k, j);
			j = k - 1;
		} else {
			off[ns++] = plan_cost(t, sh, i, k - 1);
			i = k;
		}
	}
	for (size_t s = ns; s-- > 0;)
		for (int m = 0; m < 2; m++)
			sp->cost[s][m] = sp->cost[s + 1][m] + off[s]->cost[m] +
					 sh->member_prefix[m][sp->j[s] + 1] -
					 sh->member_prefix[m][sp->i[s]];
	sp->last = ns;
}

/* Each member's cost of the tree in t->root. */
static void tree_cost(const struct sck_tree_plan *t, struct share *sh, double c[2])
{
	struct spine sp;

	walk_spine(t, sh, &sp);
	c[0] = sp.cost[0][0];
	c[1] = sp.cost[0][1];
}

/*
 * The @nbest (> 0) best moves from the tree of spine @sp into @out, best first; returns how
 * many. @c0: the members' costs of the plan.
 */
static size_t best_moves(const struct sck_tree_plan *t, struct share *sh, const struct spine *sp,
			 const double c0[2], struct move *out, size_t nbest)
{
	const double *c = sp->cost[0];
	int p = sh->first, o = sh->other;
	double gap = c[o] - c[p];
	size_t nout = 0;

	for (size_t s = 0; s <= sp->last; s++) {
		size_t a = sp->i[s], b = sp->j[s];
		double w[2] = {member_weight(sh, 0, a, b), member_weight(sh, 1, a, b)};

		if (a == b || !crossing(sh, a, b))
			break;
		for (size_t k = a + 1; k <= b; k++) {
			const struct planned *l = plan_cost(t, sh, a, k - 1),
					     *r = plan_cost(t, sh, k, b);
			unsigned int hm;
			double d[2], score;

			hm = l->height > r->height ? l->height : r->height;
			/* (height is stored plus one: the split's height is hm) */
			if ((unsigned int)s + hm > sh->limit)
				continue;
			for (int m = 0; m < 2; m++)
				d[m] = l->cost[m] + r->cost[m] + w[m] - sp->cost[s][m];
			if (gap > SHARE_GAP) {
				if (d[o] > -MOVE_GAIN_MIN || c[p] + d[p] > c0[p] + SHARE_BUDGET)
					continue;
				score = gap + d[o] - d[p] <= SHARE_GAP ? d[p] - CLOSES_GAP_FIRST
								       : d[p] / -d[o];
			} else {
				if (d[p] > -MOVE_GAIN_MIN || gap + d[o] - d[p] > SHARE_GAP)
					continue;
				score = d[p];
			}
			/* insertion into the nbest best */
			size_t q = nout;
			if (nout == nbest) {
				if (score >= out[nbest - 1].score)
					continue;
				q = nbest - 1;
			} else {
				nout++;
			}
			while (q > 0 && out[q - 1].score > score) {
				out[q] = out[q - 1];
				q--;
			}
			out[q] = (struct move){score, a, b, k};
		}
	}
	return nout;
}

/*
 * Re-splits [i, j] at k over planned subtrees: the nodes re-split before inside [i, j] go back to
 * the plan, [i, j] to k.
 */
static void apply_move(struct sck_tree_plan *t, struct share *sh, size_t i, size_t j, size_t k)
{
	size_t kept = 0;

	for (size_t e = 0; e < sh->nmoved; e++) {
		if (sh->moved[e].i >= i && sh->moved[e].j <= j) {
			size_t x = row_index(t->n, sh->moved[e].i, sh->moved[e].j);
			t->root[x] = sh->planned_root[x];
		} else {
			sh->moved[kept++] = sh->moved[e];
		}
	}
	sh->nmoved = kept;
	t->root[row_index(t->n, i, j)] = (uint16_t)k;
	sh->moved[sh->nmoved++] = (struct split){i, j, k};
}

/* Every node back to the plan. */
static void undo_moves(struct sck_tree_plan *t, struct share *sh)
{
	for (size_t e = 0; e < sh->nmoved; e++) {
		size_t x = row_index(t->n, sh->moved[e].i, sh->moved[e].j);
		t->root[x] = sh->planned_root[x];
	}
	sh->nmoved = 0;
}

static int share_tree(struct sck_tree_plan *t, unsigned int limit)
{
	const struct sck_ir_group *grp = t->grp;
	size_t n = t->n, cells = n * (n + 1) / 2, nfirst, nbest = 0;
	struct share sh = {.first = grp->primary, .other = 1 - grp->primary, .limit = limit};
	struct move first[SHARE_BEAM], mv;
	struct split best[SHARE_MOVES];
	struct spine sp;
	uint16_t *plan = NULL;
	double c0[2], best_cost = INF;
	int rc = 0;

	/* (more ranges than instructions a program may have: it will not fit anyway) */
	if (grp->nmembers != 2 || grp->primary < 0 || n < 4 || n > SCK_BPF_MAXINSNS)
		return 0;
	sh.member_prefix[0] = calloc(2 * (n + 1), sizeof(double));
	sh.planned = malloc(cells * sizeof(*sh.planned));
	sh.known = calloc(cells / 64 + 1, sizeof(*sh.known));
	if (!sh.member_prefix[0] || !sh.planned || !sh.known) {
		rc = -ENOMEM;
		goto out;
	}
	sh.member_prefix[1] = sh.member_prefix[0] + n + 1;
	for (size_t q = 0; q < n; q++)
		for (int m = 0; m < 2; m++)
			sh.member_prefix[m][q + 1] = sh.member_prefix[m][q] + grp->ranges[q].wm[m];
	sh.planned_root = t->root; /* (unchanged until the first move) */
	tree_cost(t, &sh, c0);
	if (c0[sh.other] - c0[sh.first] <= SHARE_GAP)
		goto out;
	plan = malloc(cells * sizeof(*plan));
	if (!plan) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(plan, t->root, cells * sizeof(*plan));
	sh.planned_root = plan;
	walk_spine(t, &sh, &sp);
	nfirst = best_moves(t, &sh, &sp, c0, first, SHARE_BEAM);
	for (size_t f = 0; f < nfirst; f++) {
		double c[2];
		undo_moves(t, &sh);
		apply_move(t, &sh, first[f].i, first[f].j, first[f].k);
		while (sh.nmoved < SHARE_MOVES) {
			walk_spine(t, &sh, &sp);
			if (!best_moves(t, &sh, &sp, c0, &mv, 1))
				break;
			apply_move(t, &sh, mv.i, mv.j, mv.k);
		}
		tree_cost(t, &sh, c);
		if (c[sh.other] - c[sh.first] <= SHARE_GAP && c[sh.first] < best_cost) {
			best_cost = c[sh.first];
			nbest = sh.nmoved;
			memcpy(best, sh.moved, nbest * sizeof(*best));
		}
	}
	undo_moves(t, &sh);
	for (size_t e = 0; e < nbest; e++)
		t->root[row_index(n, best[e].i, best[e].j)] = (uint16_t)best[e].k;
out:
	free(sh.member_prefix[0]);
	free(sh.planned);
	free(sh.known);
	free(plan);
	return rc;
}
