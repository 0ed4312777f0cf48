// SPDX-License-Identifier: MIT
/*
 * The syscall-number tree planner (cmp_tree.h). The tree over a section's ranges [0, n): an
 * interval of ranges is either split by `nr >= ranges[k].lo` (left [i, k-1], right [k, j]) or,
 * when all its ranges but those of one verdict V are single numbers, tested by a chain of at most
 * SCK_TREE_CHAIN_MAX `nr == x` (then V): the chain is what makes an isolated exception in a run
 * of one verdict cost one compare instead of two. Costs are weighted depths (a compare costs the
 * weight of everything below it). The dynamic programming is Knuth's O(n^2) algorithm for optimal
 * alphabetic trees; reshaping the weights then pulls leaves past the height limit up. For
 * x86_64 + x32, cmp_tree_share.c then re-splits the shared nodes of the plan (the code generator
 * runs it after sck_tree_plan_run).
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
/*
 * A decision whose longest path may pass this many instructions (the height limit's 16) sits
 * near the root: its leaf weighs at least DEEP_SHARE of its arch's numbers (leaf_floor).
 */
#define DEEP_DECISION_INSNS 16
#define UNWEIGHTED_SHARE (1.0 / 1024)
#define DEEP_SHARE 0.5

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

static bool multi(const struct sck_ir_range *r)
{
	return r->lo != r->hi;
}

/*
 * A chain's cost: each exception (@order, heaviest first) costs its compares, and V's ranges
 * (weights @wv) pay for all @m. The same operations in the same order wherever a chain is
 * costed: a plan compares these sums.
 */
static double chain_total(const struct sck_tree_plan *t, const size_t *order, size_t m, double wv)
{
	double cost = 0;

	if (m == 0)
		return INF;
	for (size_t k = 0; k < m; k++)
		cost += (double)(k + 1) * leaf_weight(t, order[k]);
	return cost + (double)m * wv;
}

/* Insert exception @k into @order[0 .. m) by weight, heaviest first, after its equals. */
static inline void chain_insert(const struct sck_tree_plan *t, size_t *order, size_t m, size_t k)
{
	size_t p = m;

	while (p > 0 && leaf_weight(t, order[p - 1]) < leaf_weight(t, k)) {
		order[p] = order[p - 1];
		p--;
	}
	order[p] = k;
}

/*
 * Cost of testing [i, j] by a chain; INF when it cannot. @order receives the exceptions. (Out of
 * line: the dynamic programming calls it for rows of single numbers only, and inlined there it
 * costs the row loop registers.)
 */
static __attribute__((noinline)) double chain_cost(const struct sck_tree_plan *t, size_t i,
						   size_t j, size_t *order, size_t *m_out,
						   size_t *v_out)
{
	const struct sck_ir_range *r = t->grp->ranges;
	size_t v = SIZE_MAX, m = 0;
	double wv = 0;

	if (j - i + 1 > CHAIN_SPAN)
		return INF;
	for (size_t k = i; k <= j; k++) {
		if (!multi(&r[k]))
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
		chain_insert(t, order, m++, k);
	}
	if (m == 0)
		return INF;
	*m_out = m;
	*v_out = v;
	return chain_total(t, order, m, wv);
}

/*
 * The chains of a row of the dynamic programming ([i, j], j growing) once a multi-number range
 * fixes V: what chain_cost would find, range by range. V's weights are summed left to right and
 * the exceptions inserted in order, as chain_cost does.
 */
struct chain_row {
	size_t v, m, order[SCK_TREE_CHAIN_MAX];
	double wv;
};

/* Adds range @k to @c; false when no interval holding [i, k] can be V's chain. */
static inline bool chain_grow(const struct sck_tree_plan *t, struct chain_row *c, size_t k)
{
	const struct sck_ir_range *r = &t->grp->ranges[k];

	if (r->verdict == c->v) {
		c->wv += leaf_weight(t, k);
		return true;
	}
	if (multi(r) || c->m == SCK_TREE_CHAIN_MAX)
		return false;
	chain_insert(t, c->order, c->m++, k);
	return true;
}

/*
 * chain_cost of the two ranges [i, i + 1], which the dynamic programming asks for most: one
 * compare, then the other range; the weights' sum whichever is the exception (the sum is the
 * same either way). Not two ranges of one verdict, nor two multi-number ranges.
 */
static inline double pair_chain_cost(const struct sck_tree_plan *t, size_t i)
{
	const struct sck_ir_range *r = t->grp->ranges;

	if (r[i].verdict == r[i + 1].verdict || (r[i].lo != r[i].hi && r[i + 1].lo != r[i + 1].hi))
		return INF;
	return leaf_weight(t, i) + leaf_weight(t, i + 1);
}

/* Where the chain over [i, j] (i < j, a span of at most CHAIN_SPAN) is kept in t->chains. */
static inline size_t chain_slot(size_t i, size_t j)
{
	return i * (CHAIN_SPAN - 1) + (j - i - 1);
}

/*
 * Keeps the chain @c over [i, j] that the dynamic programming chose, for sck_tree_chain (NULL:
 * the pair of pair_chain_cost). (Out of line: few cells are chains.)
 */
static __attribute__((noinline)) void keep_chain(struct sck_tree_plan *t, size_t i, size_t j,
						 const struct chain_row *c)
{
	struct sck_tree_chain_rec *keep = &t->chains[chain_slot(i, j)];

	keep->m = 0;
	if (!c)
		return;
	keep->v = (uint32_t)c->v;
	keep->m = (uint16_t)c->m;
	for (size_t k = 0; k < c->m; k++)
		keep->order[k] = (uint16_t)c->order[k];
}

size_t sck_tree_chain(const struct sck_tree_plan *t, size_t i, size_t j,
		      size_t order[SCK_TREE_CHAIN_MAX], size_t *verdict)
{
	const struct sck_tree_chain_rec *c = &t->chains[chain_slot(i, j)];

	if (c->m == 0) {
		/* a pair (pair_chain_cost): V is its multi-number range's verdict, else the
		 * heavier range's, the first on a tie, as chain_cost finds it */
		const struct sck_ir_range *r = t->grp->ranges;
		bool first_v =
			multi(&r[i]) || (!multi(&r[j]) && !(leaf_weight(t, j) > leaf_weight(t, i)));
		*verdict = r[first_v ? i : j].verdict;
		order[0] = first_v ? j : i;
		return 1;
	}
	for (size_t k = 0; k < c->m; k++)
		order[k] = c->order[k];
	*verdict = c->v;
	return c->m;
}

/* The best split of [i, j] within [lo, hi]: cost_row holds row i, col column j; the first wins. */
static inline size_t best_split(const float *restrict cost_row, const float *restrict col,
				size_t lo, size_t hi, float *best)
{
	float best_f = cost_row[lo - 1] + col[lo];
	size_t best_k = lo, k = lo + 1;

	/* (two candidates a round: Knuth's bounds leave about two a cell) */
	for (; k < hi; k += 2) {
		float f0 = cost_row[k - 1] + col[k], f1 = cost_row[k] + col[k + 1];
		bool lt0 = f0 < best_f;
		best_f = lt0 ? f0 : best_f;
		best_k = lt0 ? k : best_k;
		bool lt1 = f1 < best_f;
		best_f = lt1 ? f1 : best_f;
		best_k = lt1 ? k + 1 : best_k;
	}
	if (k == hi) {
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
 * [k, j] (column j, rows below), all known by then; the row pointers stay put along a row. The
 * window's intervals are indexed from 0: range base + i is its i.
 */
static inline double run_dp(struct sck_tree_plan *t, size_t base, size_t n)
{
	float *restrict cost_by_col = t->interval_cost_by_col;
	float *restrict cost_row = t->row_cost; /* (only [i, j'] with j' < j is read at j) */
	const double *w = t->prefix_weight + base;
	const double *w_end = w + 1; /* w_end[j]: the weights of ranges [0, j] */
	const struct sck_ir_range *r = t->grp->ranges + base;
	/* the first multi-number range from row i on, and the first of two adjacent ones */
	size_t first_multi = SIZE_MAX, multi_pair = SIZE_MAX;

	for (size_t i = 0; i < n; i++)
		t->row_start[i] = row_index(n, i, 0);

	for (size_t i = n; i-- > 0;) {
		uint16_t *root_row = &t->root[t->row_start[i]];
		const uint16_t *root_below = i + 1 < n ? &t->root[t->row_start[i + 1]] : NULL;
		double wi = w[i];
		float *col = &cost_by_col[col_index(0, i + 1)]; /* column j, moved along with j */

		if (multi(&r[i])) {
			first_multi = i;
			if (i + 1 < n && multi(&r[i + 1]))
				multi_pair = i;
		}
		/* a chain needs a span of at most CHAIN_SPAN and no two adjacent multi-number
		 * ranges (their verdicts differ) */
		size_t chain_to = i + CHAIN_SPAN - 1 < multi_pair ? i + CHAIN_SPAN - 1 : multi_pair;
		/* from first_multi on, V is its verdict: the row's chains grow range by range */
		struct chain_row ch = {.v = first_multi <= chain_to ? r[first_multi].verdict : 0};
		bool grows = first_multi <= chain_to && chain_grow(t, &ch, base + i);
		size_t left_root = 0; /* the root of [i, j - 1], as root_row[j - 1] holds it */

		cost_row[i] = 0;
		cost_by_col[col_index(i, i)] = 0;
		root_row[i] = 0;
		/* spans a chain can test: roots may be chains, Knuth's bounds may not hold */
		size_t j = i + 1;
		for (; j < n && j <= i + CHAIN_SPAN; col += ++j) {
			size_t lo = i + 1, hi = j, best_k;
			double best;
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
			best = (double)best_f + (w_end[j] - wi);
			if (j <= chain_to) {
				struct chain_row single; /* (a chain of single numbers) */
				double cost;
				grows = grows && chain_grow(t, &ch, base + j);
				if (j == i + 1)
					cost = pair_chain_cost(t, base + i);
				else if (j < first_multi)
					cost = chain_cost(t, base + i, base + j, single.order,
							  &single.m, &single.v);
				else
					cost = grows ? chain_total(t, ch.order, ch.m, ch.wv) : INF;
				if (cost < best * CHAIN_TIE) {
					best = cost;
					best_k = SCK_TREE_CHAIN;
					keep_chain(t, base + i, base + j,
						   j == i + 1	     ? NULL
						   : j < first_multi ? &single
								     : &ch);
				}
			}
			cost_row[j] = (float)best;
			col[i] = (float)best;
			root_row[j] = (uint16_t)best_k;
			left_root = best_k;
		}
		/* longer spans: no chain, neither at this interval nor at the two it is bounded by */
		for (; j < n; col += ++j) {
			size_t ra = left_root, rb = root_below[j], best_k;
			float best_f;

			if (ra == rb) { /* (most cells: Knuth's bounds leave one split) */
				best_k = ra;
				best_f = cost_row[ra - 1] + col[ra];
			} else {
				best_k = best_split(cost_row, col, ra < rb ? ra : rb,
						    ra < rb ? rb : ra, &best_f);
			}
			best_f = (float)((double)best_f + (w_end[j] - wi));
			cost_row[j] = best_f;
			col[i] = best_f;
			root_row[j] = (uint16_t)best_k;
			left_root = best_k;
		}
	}
	return n ? cost_row[n - 1] : 0;
}

double sck_tree_dp(struct sck_tree_plan *t, size_t base, size_t n)
{
	return run_dp(t, base, n);
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

/* Weighted leaf @q at @depth: marks it if it ends past @limit; *mx: the deepest end so far. */
static inline void leaf_at(struct sck_tree_plan *t, size_t q, unsigned int depth,
			   unsigned int limit, unsigned int *mx)
{
	unsigned int lc = t->leaf_cost[q], a = depth + lc;

	if (!(t->grp->ranges[q].weight > 0))
		return;
	/* only a leaf that can fit at all is worth pulling up */
	if (a > limit && lc < limit)
		t->too_deep[q] = true;
	if (a > *mx)
		*mx = a;
}

/*
 * The deepest (depth + leaf cost) over weighted leaves of [i, j] at @depth; marks offenders.
 * (Right children in the loop, left ones by recursion but for leaves.)
 */
static unsigned int worst(struct sck_tree_plan *t, size_t i, size_t j, unsigned int depth,
			  unsigned int limit)
{
	unsigned int mx = 0;

	for (;; depth++) {
		size_t k;
		if (i == j) {
			leaf_at(t, i, depth, limit, &mx);
			return mx;
		}
		k = sck_tree_root(t, i, j);
		if (k == SCK_TREE_CHAIN) {
			size_t order[SCK_TREE_CHAIN_MAX] = {0}, v = 0,
			       m = sck_tree_chain(t, i, j, order, &v);
			for (size_t q = i; q <= j; q++)
				leaf_at(t, q, depth + sck_tree_chain_depth(order, m, q), limit,
					&mx);
			return mx;
		}
		if (k - 1 == i) {
			leaf_at(t, i, depth + 1, limit, &mx);
		} else {
			unsigned int a = worst(t, i, k - 1, depth + 1, limit);
			if (a > mx)
				mx = a;
		}
		i = k;
	}
}

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
	free(t->chains);
	free(t->weight_mult);
	free(t->too_deep);
	t->cap_ranges = 0;
}

/* The scratch of a section: tables grown to @n ranges. */
static int reserve(struct sck_tree_plan *t, size_t n)
{
	size_t span = t->exact ? n : SCK_TREE_FAST_SPAN;
	size_t cells = span * (span + 1) / 2;

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
		t->chains = malloc((n + 1) * (CHAIN_SPAN - 1) * sizeof(*t->chains));
		t->weight_mult = malloc((n + 1) * sizeof(*t->weight_mult));
		t->too_deep = malloc((n + 1) * sizeof(*t->too_deep));
		if (!t->row_start || !t->row_cost || !t->prefix_weight || !t->leaf_weight ||
		    !t->leaf_cost || !t->chains || !t->weight_mult || !t->too_deep)
			return -ENOMEM;
		t->cap_ranges = n + 1;
	}
	return 0;
}

/*
 * A leaf whose block is heavy (a syscall with argument checks) weighs at least what an average
 * range of its arch weighs: the weights count every syscall number alike, which alone would put
 * a syscall with argument checks among many single-number exceptions deeper than a search over
 * the filter's syscalls (libseccomp's) puts it. A leaf whose argument decision may alone run
 * longer than the height limit (rules over several arguments: socket's family, type and
 * protocol) weighs at least DEEP_SHARE of its arch: its longest paths are the filter's, and
 * every compare above it adds to them. Each member of a shared tree has its own floor, so that
 * the balance between the two arches stays what the weights make it.
 */
static void leaf_floor(struct sck_tree_plan *t, const struct sck_ir_range *r, size_t n)
{
	const struct sck_ir_group *g = t->grp;
	double tot[2] = {0, 0};
	size_t cnt[2] = {0, 0};

	for (size_t i = 0; i < n; i++) {
		/* (each member's share of the range's weight; the same quotient for both) */
		double per = r[i].weight / (r[i].wm[0] + r[i].wm[1]);
		if (g->nmembers > 0 && r[i].wm[0] > 0) {
			tot[0] += r[i].wm[0] * per;
			cnt[0]++;
		}
		if (g->nmembers > 1 && r[i].wm[1] > 0) {
			tot[1] += r[i].wm[1] * per;
			cnt[1]++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t m = r[i].wm[0] > 0 ? 0 : 1;
		double floor;
		if (t->leaf_cost[i] < HEAVY || r[i].weight <= 0 || r[i].wm[m] <= 0 || !cnt[m])
			continue;
		floor = tot[m] / (double)cnt[m];
		if (DEEP_SHARE * tot[m] > floor &&
		    t->ir->verdicts[r[i].verdict].arg_depth > DEEP_DECISION_INSNS)
			floor = DEEP_SHARE * tot[m];
		if (r[i].weight * t->weight_mult[i] < floor)
			t->weight_mult[i] = floor / r[i].weight;
	}
}

/*
 * What a range of no weight (numbers no syscall table of the section names) weighs in the tree:
 * UNWEIGHTED_SHARE of the lightest weighted range. At 0, every shape of a run of such ranges
 * would cost the same, and the planner could leave a path through hundreds of compares for a
 * number a process may still call; this little they sit at about log2 of the ratio deeper than
 * the lightest weighted range, and what the weighted ones cost is left alone but for ties.
 */
static double unweighted_weight(const struct sck_ir_range *r, size_t n)
{
	double lightest = 0;

	for (size_t k = 0; k < n; k++)
		if (r[k].weight > 0 && (lightest == 0 || r[k].weight < lightest))
			lightest = r[k].weight;
	return lightest > 0 ? lightest * UNWEIGHTED_SHARE : 1;
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
	t->exact = n <= (grp->nmembers > 1 ? SCK_TREE_EXACT_TWO : SCK_TREE_EXACT_ONE);
	rc = reserve(t, n);
	if (!rc && !t->exact)
		rc = sck_tree_fast_reserve(&t->fast, n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		t->leaf_cost[i] = leaf_cost(ir, r[i].verdict);
		t->weight_mult[i] = t->leaf_cost[i] >= HEAVY ? HEAVY_MULT : 1;
	}
	leaf_floor(t, r, n);
	double unweighted = unweighted_weight(r, n);
	/* reshape while a weighted leaf ends deeper than the limit: make offenders heavier */
	for (int round = 0; round < RESHAPE_ROUNDS; round++) {
		bool any = false;
		double sum = 0;
		t->prefix_weight[0] = 0;
		for (size_t k = 0; k < n; k++) {
			double next = sum + (r[k].weight > 0 ? r[k].weight * t->weight_mult[k]
							     : unweighted);
			t->prefix_weight[k + 1] = next;
			/* (the differences, not the products: what the costs are made of) */
			t->leaf_weight[k] = next - sum;
			sum = next;
		}
		if (t->exact) {
			(void)run_dp(t, 0, n); /* (inlined: base 0 is a constant there) */
		} else {
			rc = sck_tree_fast_run(t);
			if (rc)
				return rc;
		}
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
	return 0;
}

void sck_tree_plan_fini(struct sck_tree_plan *t)
{
	free_interval_tables(t);
	free_range_tables(t);
	sck_tree_fast_fini(&t->fast);
	memset(t, 0, sizeof(*t));
}
