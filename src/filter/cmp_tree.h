/* SPDX-License-Identifier: MIT */
/*
 * The syscall-number tree planner of the optimizing compiler (cmp_tree.c): for one section (one
 * audit arch) it shapes the search over the section's ranges of numbers, by dynamic programming
 * for the least weighted mean depth under a height limit, and for x86_64 + x32 (one shared tree)
 * by a search that keeps the second arch's mean near the first's. The code generator (cmp_gen.c)
 * walks the plan with sck_tree_root and sck_tree_chain; it never sees the planner's tables.
 */
#ifndef SCK_CMP_TREE_H
#define SCK_CMP_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter/filter_int.h"

/* An interval tested by a chain of `nr == x` compares has no split: this is its root. */
#define SCK_TREE_CHAIN 0xffffu
/*
 * At most this many `nr == x` in a chain (an interval of up to 2 * 3 + 1 ranges where all but one
 * verdict's ranges are single numbers): the fall-through verdict pays for every compare of the
 * chain, so long chains rarely beat a split, and the bound keeps the planner's work per interval
 * constant.
 */
#define SCK_TREE_CHAIN_MAX 3

/*
 * A section of one arch of up to SCK_TREE_EXACT_ONE ranges, or of two arches (x86_64 + x32) of up
 * to SCK_TREE_EXACT_TWO, takes the exact dynamic programming: O(n^2) time and memory, cheap at
 * these sizes (every real filter of one arch but those that alternate verdicts over most numbers
 * of a syscall table). Larger ones take the fast planner (cmp_tree_fast.c): subtrees of up to
 * SCK_TREE_FAST_SPAN ranges planned exactly under an upper part shaped by Garsia and Wachs'
 * algorithm. Two arches keep the exact planner further: the search that keeps x32's mean near
 * x86_64's re-plans subtrees over any interval, from the exact table.
 */
#define SCK_TREE_EXACT_ONE 256
#define SCK_TREE_EXACT_TWO 1024
#define SCK_TREE_FAST_SPAN 32

/* The fast planner's plan: open addressing from an interval [i, j] (i << 16 | j) to its root. */
struct sck_tree_map {
	uint32_t *key;
	uint16_t *root;
	size_t cap; /* a power of two */
};

/* A subtree of the fast planner's upper part: children are atoms (-1 - a) or upper nodes. */
struct sck_tree_upper {
	long left, right;
	size_t first, last; /* the atoms it covers */
};

/* The fast planner's scratch (cmp_tree_fast.c), grown, never shrunk. */
struct sck_tree_fast {
	/* Garsia and Wachs' nodes: atoms, then joins, then two sentinels */
	double *weight;
	uint32_t (*child)[2];
	uint32_t *prev, *next, *node_depth;
	/* per atom: its depth, and its ranges [atom_lo, atom_hi] */
	uint32_t *depth;
	size_t *atom_lo, *atom_hi;
	struct sck_tree_upper *upper;
	struct {
		long node;
		uint32_t depth;
	} * stack;
	/* the chains a round chose, in order: the next round's atoms */
	size_t *chain_lo, *chain_hi, nchains;
	size_t cap;
	struct sck_tree_map map[2];
	int best; /* the map of the cheaper round */
};

/*
 * A chain of the plan (cmp_tree.c): V, the verdict everything else falls to, and the m ranges
 * compared, in order; m == 0: the pair of ranges [i, i + 1]. (Small: a section keeps 6 a range,
 * and every page of them the planner touches is a page fault in a fresh process.)
 */
struct sck_tree_chain_rec {
	uint32_t v;
	uint16_t m, order[SCK_TREE_CHAIN_MAX];
};

/*
 * The planner's state: the plan of the current section and its scratch, reused from one section
 * to the next (the tables grow, never shrink). Zero-initialise, then sck_tree_plan_fini.
 */
struct sck_tree_plan {
	const struct sck_ir *ir;
	const struct sck_ir_group *grp;
	size_t n; /* ranges of the section: the intervals are [i, j], 0 <= i <= j < n */
	/*
	 * Per interval, packed in the upper triangle: the range its root splits at (`nr >=
	 * ranges[k].lo`: left [i, k-1], right [k, j]) or SCK_TREE_CHAIN, row by row; and the least
	 * weighted cost of a subtree over it, column by column (the dynamic programming reads the
	 * costs of a column, and of the row it is filling, which it keeps in row_cost).
	 */
	uint16_t *root;
	float *interval_cost_by_col;
	size_t cap_intervals;
	/* per range (n + 1 allocated) */
	size_t *row_start;	 /* row_start[i] + j: the packed index of [i, j] */
	float *row_cost;	 /* the dynamic programming's current row: [i, j] at j */
	double *prefix_weight;	 /* sums of the (reshaped) leaf weights of ranges [0, k) */
	double *leaf_weight;	 /* range k's: prefix_weight[k + 1] - prefix_weight[k] */
	unsigned int *leaf_cost; /* what the range's verdict costs after the tree (leaf_cost) */
	double *weight_mult;	 /* reshaping: each leaf's weight multiplier */
	bool *too_deep;		 /* reshaping: the leaves past the height limit */
	/*
	 * Per range i, 2 * SCK_TREE_CHAIN_MAX slots: the chain over [i, i + 1 + s] at slot s,
	 * written by the dynamic programming where a chain wins the interval (sck_tree_chain
	 * reads those the plan kept).
	 */
	struct sck_tree_chain_rec *chains;
	size_t cap_ranges;
	bool exact; /* planned by the exact table (else by fast, through its map) */
	struct sck_tree_fast fast;
	bool planned; /* (set by the code generator: planned and shared, kept for its next run) */
};

/*
 * Plan the tree over @grp's ranges so that no weighted leaf's path (tree plus its block) is
 * longer than @limit instructions where it can be. Returns 0; -E2BIG (more ranges than a program
 * can test); -ENOMEM.
 */
int sck_tree_plan_run(struct sck_tree_plan *t, const struct sck_ir *ir,
		      const struct sck_ir_group *grp, unsigned int limit);

/*
 * After sck_tree_plan_run, for x86_64 + x32 (a group of two members with a primary; any other
 * group is left as it is): re-split the shared nodes of the plan in @t so that the other
 * member's mean stays within SHARE_GAP of the primary's where a tree within @limit allows
 * (cmp_tree_share.c). Returns 0 (the plan kept or improved); -ENOMEM.
 */
int sck_tree_share(struct sck_tree_plan *t, unsigned int limit);

/* The root of interval [i, j] (i < j) of the plan: a range index, or SCK_TREE_CHAIN. */
static inline size_t sck_tree_root(const struct sck_tree_plan *t, size_t i, size_t j);

/*
 * The chain testing [i, j] (root SCK_TREE_CHAIN): @order receives the ranges compared, in
 * order, @verdict the verdict everything else falls to. Returns the number of compares.
 */
size_t sck_tree_chain(const struct sck_tree_plan *t, size_t i, size_t j,
		      size_t order[SCK_TREE_CHAIN_MAX], size_t *verdict);

void sck_tree_plan_fini(struct sck_tree_plan *t);

/* ---- shared by the planner's files (cmp_tree.c, cmp_tree_fast.c, cmp_tree_share.c) ---- */

/*
 * The exact dynamic programming over ranges [base, base + m): fills t->root and the costs for
 * that window's intervals, indexed from 0 (row_start included); returns the window's cost.
 */
double sck_tree_dp(struct sck_tree_plan *t, size_t base, size_t m);

/* The fast planner: fills t->fast.map (t->fast.best) for the weights of t. Returns 0; -ENOMEM. */
int sck_tree_fast_run(struct sck_tree_plan *t);
int sck_tree_fast_reserve(struct sck_tree_fast *f, size_t n);
size_t sck_tree_map_get(const struct sck_tree_map *m, size_t i, size_t j);
void sck_tree_fast_fini(struct sck_tree_fast *f);

static inline size_t sck_tree_root(const struct sck_tree_plan *t, size_t i, size_t j)
{
	if (!t->exact)
		return sck_tree_map_get(&t->fast.map[t->fast.best], i, j);
	return t->root[t->row_start[i] + j];
}

/* The packed index of interval [i, j] in @t's tables. */
static inline size_t sck_tree_cell(const struct sck_tree_plan *t, size_t i, size_t j)
{
	return t->row_start[i] + j;
}

/* The compares a chain with exceptions @order[0 .. m) runs for range @q. */
static inline unsigned int sck_tree_chain_depth(const size_t *order, size_t m, size_t q)
{
	for (size_t e = 0; e < m; e++)
		if (order[e] == q)
			return (unsigned int)e + 1;
	return (unsigned int)m;
}

#endif
