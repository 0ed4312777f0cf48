// SPDX-License-Identifier: MIT
/*
 * The syscall-number tree of x86_64 and x32 (cmp_tree.h): both arches run under one audit arch,
 * so one tree dispatches both, and the weights that shape it favour the filter's first arch.
 * After the dynamic programming (cmp_tree.c), a search over the nodes that hold numbers of both
 * re-splits some of them so that the second arch's mean stays near the first's.
 */
#include "filter/cmp_tree.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
/* spine nodes whose splits are kept for the next moves, and room for their splits (times n) */
#define NODE_SPLITS 16
#define SPLIT_POOL 4
/* a move must gain more than the rounding of the float costs it is computed from */
#define MOVE_GAIN_MIN 1e-5
/* a move that closes the gap ranks before every move that only narrows it */
#define CLOSES_GAP_FIRST 1e6

/* A node of the tree: [i, j] split at k. */
struct split {
	size_t i, j, k;
};

/* A split of a planned subtree waiting for its children's costs: [i, j] at k, packed index cell. */
struct pending {
	size_t i, j, k, cell;
};

/*
 * A split of a spine node [a, b] at k over planned sides: each member's cost of both sides plus
 * the node's own compare (what its cost would be), and its height code.
 */
struct split_cost {
	double cost[2];
	unsigned int height;
};

/* The splits of spine node [a, b], k = a + 1 .. b at cost[k - a - 1]. */
struct node_splits {
	size_t a, b;
	struct split_cost *split;
};

/* The planned subtree of an interval: each member's cost (its height is in share.height). */
struct planned {
	float cost[2];
};

struct share {
	/* per interval, computed when first needed: few intervals are, so @planned is never
	 * cleared; @height holds the subtree's height plus one, 0 until computed */
	struct planned *planned;
	uint8_t *height;
	struct pending *pending;    /* plan_subtree's scratch: a subtree's splits to compute (n) */
	double (*member_prefix)[2]; /* [q][m]: the sum of member m's weights of ranges [0, q) */
	int first, other;	    /* the member that is the filter's first arch, the other */
	unsigned int limit;
	/*
	 * The splits of the spine nodes seen so far: every descent walks the same upper spine
	 * again. In @split_pool (SPLIT_POOL * n), @split_used taken; once full, a node's
	 * splits go to @split_scratch (n) each time.
	 */
	struct node_splits nodes[NODE_SPLITS];
	size_t nnodes, split_used;
	struct split_cost *split_pool, *split_scratch;
	/* the spine nodes re-split (one per move at most, SHARE_MOVES a descent); the tree
	 * searched is the plan with these nodes re-split, t->root is left as planned */
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
	return sh->member_prefix[j + 1][m] - sh->member_prefix[i][m];
}

/* A subtree's height h, stored plus one (saturating): what marks its interval computed. */
static uint8_t height_code(unsigned int h)
{
	return (uint8_t)(h > 253 ? 254 : h + 1);
}

/*
 * Each member's cost (into @cost) and the height code of the leaves [i, j] tested by a chain (or
 * of one leaf).
 */
static uint8_t flat_cost(const struct sck_tree_plan *t, size_t i, size_t j, float cost[2])
{
	const struct sck_ir_range *r = t->grp->ranges;
	size_t order[SCK_TREE_CHAIN_MAX] = {0}, m = 0, v = 0;
	unsigned int h = 0;
	double c[2] = {0, 0};

	if (i != j)
		m = sck_tree_chain(t, i, j, order, &v);
	for (size_t q = i; q <= j; q++) {
		unsigned int d = sck_tree_chain_depth(order, m, q) + t->leaf_cost[q];
		c[0] += r[q].wm[0] * d;
		c[1] += r[q].wm[1] * d;
		if (r[q].weight > 0 && d > h)
			h = d;
	}
	cost[0] = (float)c[0];
	cost[1] = (float)c[1];
	return height_code(h);
}

/* A chain (or leaf) of the tables. */
static void flat_cell(const struct sck_tree_plan *t, struct share *sh, size_t i, size_t j,
		      size_t cell)
{
	sh->height[cell] = flat_cost(t, i, j, sh->planned[cell].cost);
}

/*
 * Computes the planned subtree of [i, j] (@cell, not known yet, not a leaf: every leaf is known
 * from the start) and every interval in it not known yet. A chain is computed at once; the splits
 * are queued, each after its parent (the intervals of one planned subtree are disjoint, so none
 * twice), then computed in reverse: every child before its parent.
 */
static void plan_subtree(const struct sck_tree_plan *t, struct share *sh, size_t i, size_t j,
			 size_t cell)
{
	const uint16_t *root = t->root;
	const size_t *row_start = t->row_start;
	const double(*prefix)[2] = sh->member_prefix;
	struct planned *planned = sh->planned;
	uint8_t *height = sh->height;
	struct pending *q = sh->pending;
	size_t nq = 0;

	if (root[cell] == SCK_TREE_CHAIN) {
		flat_cell(t, sh, i, j, cell);
		return;
	}
	q[nq++] = (struct pending){i, j, root[cell], cell};
	for (size_t p = 0; p < nq; p++) {
		size_t a = q[p].i, b = q[p].j, k = q[p].k;
		size_t lc = q[p].cell - (b - k + 1), rc = row_start[k] + b;
		if (!height[lc]) {
			if (root[lc] == SCK_TREE_CHAIN)
				flat_cell(t, sh, a, k - 1, lc);
			else
				q[nq++] = (struct pending){a, k - 1, root[lc], lc};
		}
		if (!height[rc]) {
			if (root[rc] == SCK_TREE_CHAIN)
				flat_cell(t, sh, k, b, rc);
			else
				q[nq++] = (struct pending){k, b, root[rc], rc};
		}
	}
	while (nq-- > 0) {
		size_t a = q[nq].i, b = q[nq].j, k = q[nq].k, x = q[nq].cell;
		size_t lc = x - (b - k + 1), rc = row_start[k] + b;
		for (int m = 0; m < 2; m++)
			planned[x].cost[m] = planned[lc].cost[m] + planned[rc].cost[m] +
					     (float)(prefix[b + 1][m] - prefix[a][m]);
		/* (both stored plus one: the larger is this node's height) */
		height[x] = height_code(height[lc] > height[rc] ? height[lc] : height[rc]);
	}
}

/* Makes sure the planned subtree of [i, j] is in the tables. */
static inline void plan_ensure(const struct sck_tree_plan *t, struct share *sh, size_t i, size_t j)
{
	size_t cell = sck_tree_cell(t, i, j);

	if (!sh->height[cell])
		plan_subtree(t, sh, i, j, cell);
}

/* The members' costs of the planned subtree of [i, j]. */
static struct planned plan_cost(const struct sck_tree_plan *t, struct share *sh, size_t i, size_t j)
{
	plan_ensure(t, sh, i, j);
	return sh->planned[sck_tree_cell(t, i, j)];
}

/* The root of [i, j] (i < j) in the tree searched: the plan's unless a move re-split it. */
static size_t current_root(const struct sck_tree_plan *t, const struct share *sh, size_t i,
			   size_t j)
{
	for (size_t e = 0; e < sh->nmoved; e++)
		if (sh->moved[e].i == i && sh->moved[e].j == j)
			return sh->moved[e].k;
	return sck_tree_root(t, i, j);
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
	struct planned off[SPINE_MAX];
	size_t i = 0, j = t->n - 1, ns = 0;

	/* down the spine: each node's planned side child, and the last node's cost */
	for (;;) {
		size_t k = i == j ? 0 : current_root(t, sh, i, j);
		sp->i[ns] = i;
		sp->j[ns] = j;
		if (i == j || k == SCK_TREE_CHAIN || ns + 1 == SPINE_MAX ||
		    (!crossing(sh, i, k - 1) && !crossing(sh, k, j))) {
			/* (a spine node the moves left alone is the plan's) */
			struct planned l, r;
			if (i == j || k == SCK_TREE_CHAIN || k == sck_tree_root(t, i, j)) {
				l = plan_cost(t, sh, i, j);
				sp->cost[ns][0] = l.cost[0];
				sp->cost[ns][1] = l.cost[1];
				break;
			}
			l = plan_cost(t, sh, i, k - 1);
			r = plan_cost(t, sh, k, j);
			for (int m = 0; m < 2; m++)
				sp->cost[ns][m] = l.cost[m] + r.cost[m] +
						  sh->member_prefix[j + 1][m] -
						  sh->member_prefix[i][m];
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
			sp->cost[s][m] = sp->cost[s + 1][m] + off[s].cost[m] +
					 sh->member_prefix[sp->j[s] + 1][m] -
					 sh->member_prefix[sp->i[s]][m];
	sp->last = ns;
}

/* Each member's cost of the tree searched. */
static void tree_cost(const struct sck_tree_plan *t, struct share *sh, double c[2])
{
	struct spine sp;

	walk_spine(t, sh, &sp);
	c[0] = sp.cost[0][0];
	c[1] = sp.cost[0][1];
}

/* The splits of spine node [a, b] (a < b), computed the first time the node is seen. */
static const struct split_cost *node_splits(const struct sck_tree_plan *t, struct share *sh,
					    size_t a, size_t b)
{
	size_t row_a = sck_tree_cell(t, a, 0); /* row_a + k - 1: [a, k - 1] */
	double w[2] = {member_weight(sh, 0, a, b), member_weight(sh, 1, a, b)};
	struct split_cost *x = sh->split_scratch;

	for (size_t e = 0; e < sh->nnodes; e++)
		if (sh->nodes[e].a == a && sh->nodes[e].b == b)
			return sh->nodes[e].split;
	if (sh->nnodes < NODE_SPLITS && sh->split_used + (b - a) <= SPLIT_POOL * t->n) {
		x = sh->split_pool + sh->split_used;
		sh->split_used += b - a;
		sh->nodes[sh->nnodes++] = (struct node_splits){a, b, x};
	}
	/* first every split's planned sides [a, k - 1] and [k, b], then the splits */
	for (size_t k = a + 1; k <= b; k++) {
		plan_ensure(t, sh, a, k - 1);
		plan_ensure(t, sh, k, b);
	}
	for (size_t k = a + 1; k <= b; k++) {
		size_t lc = row_a + k - 1, rc = sck_tree_cell(t, k, b);
		const float *l = sh->planned[lc].cost, *r = sh->planned[rc].cost;
		for (int m = 0; m < 2; m++)
			x[k - a - 1].cost[m] = l[m] + r[m] + w[m];
		x[k - a - 1].height =
			sh->height[lc] > sh->height[rc] ? sh->height[lc] : sh->height[rc];
	}
	return x;
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
	bool closing = gap > SHARE_GAP; /* else: the gap is narrow enough, the first arch gains */
	size_t nout = 0;

	for (size_t s = 0; s <= sp->last; s++) {
		size_t a = sp->i[s], b = sp->j[s];
		const struct split_cost *x;

		if (a == b || !crossing(sh, a, b))
			break;
		x = node_splits(t, sh, a, b);
		for (size_t k = a + 1; k <= b; k++) {
			const struct split_cost *split = &x[k - a - 1];
			double dp, dother, score;

			/* each member's change: the cheapest test that turns most splits down first */
			dother = split->cost[o] - sp->cost[s][o];
			if (closing && dother > -MOVE_GAIN_MIN)
				continue;
			dp = split->cost[p] - sp->cost[s][p];
			if (closing) {
				if (c[p] + dp > c0[p] + SHARE_BUDGET)
					continue;
				score = gap + dother - dp <= SHARE_GAP ? dp - CLOSES_GAP_FIRST
								       : dp / -dother;
			} else {
				if (dp > -MOVE_GAIN_MIN || gap + dother - dp > SHARE_GAP)
					continue;
				score = dp;
			}
			/* (heights are stored plus one: the split's height is split->height) */
			if ((unsigned int)s + split->height > sh->limit)
				continue;
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
static void apply_move(struct share *sh, size_t i, size_t j, size_t k)
{
	size_t kept = 0;

	for (size_t e = 0; e < sh->nmoved; e++)
		if (sh->moved[e].i < i || sh->moved[e].j > j)
			sh->moved[kept++] = sh->moved[e];
	sh->nmoved = kept;
	sh->moved[sh->nmoved++] = (struct split){i, j, k};
}

int sck_tree_share(struct sck_tree_plan *t, unsigned int limit)
{
	const struct sck_ir_group *grp = t->grp;
	size_t n = t->n, cells = n * (n + 1) / 2, nfirst, nbest = 0;
	struct share sh = {.first = grp->primary, .other = 1 - grp->primary, .limit = limit};
	struct move first[SHARE_BEAM], mv;
	struct split best[SHARE_MOVES];
	struct spine sp;
	double c0[2], best_cost = HUGE_VAL;
	int rc = 0;

	/* (it re-plans from the exact table: SCK_TREE_EXACT_TWO ranges at most) */
	if (grp->nmembers != 2 || grp->primary < 0 || n < 4 || !t->exact)
		return 0;
	sh.member_prefix = malloc((n + 1) * sizeof(*sh.member_prefix));
	sh.planned = malloc(cells * sizeof(*sh.planned));
	sh.height = calloc(cells, sizeof(*sh.height));
	sh.pending = malloc(n * sizeof(*sh.pending));
	if (!sh.member_prefix || !sh.planned || !sh.height || !sh.pending) {
		rc = -ENOMEM;
		goto out;
	}
	sh.member_prefix[0][0] = sh.member_prefix[0][1] = 0;
	for (size_t q = 0; q < n; q++) {
		const struct sck_ir_range *r = &grp->ranges[q];
		unsigned int d = t->leaf_cost[q];
		size_t x = sck_tree_cell(t, q, q);
		for (int m = 0; m < 2; m++) {
			sh.member_prefix[q + 1][m] = sh.member_prefix[q][m] + r->wm[m];
			/* (a leaf's flat_cost) */
			sh.planned[x].cost[m] = (float)(0.0 + r->wm[m] * d);
		}
		sh.height[x] = height_code(r->weight > 0 ? d : 0);
	}
	walk_spine(t, &sh, &sp);
	c0[0] = sp.cost[0][0];
	c0[1] = sp.cost[0][1];
	if (c0[sh.other] - c0[sh.first] <= SHARE_GAP)
		goto out;
	sh.split_pool = malloc((SPLIT_POOL + 1) * n * sizeof(*sh.split_pool));
	if (!sh.split_pool) {
		rc = -ENOMEM;
		goto out;
	}
	sh.split_scratch = sh.split_pool + SPLIT_POOL * n;
	nfirst = best_moves(t, &sh, &sp, c0, first, SHARE_BEAM);
	for (size_t f = 0; f < nfirst; f++) {
		double c[2];
		sh.nmoved = 0;
		apply_move(&sh, first[f].i, first[f].j, first[f].k);
		while (sh.nmoved < SHARE_MOVES) {
			walk_spine(t, &sh, &sp);
			if (!best_moves(t, &sh, &sp, c0, &mv, 1))
				break;
			apply_move(&sh, mv.i, mv.j, mv.k);
		}
		tree_cost(t, &sh, c);
		if (c[sh.other] - c[sh.first] <= SHARE_GAP && c[sh.first] < best_cost) {
			best_cost = c[sh.first];
			nbest = sh.nmoved;
			memcpy(best, sh.moved, nbest * sizeof(*best));
		}
	}
	for (size_t e = 0; e < nbest; e++)
		t->root[sck_tree_cell(t, best[e].i, best[e].j)] = (uint16_t)best[e].k;
out:
	free(sh.member_prefix);
	free(sh.planned);
	free(sh.height);
	free(sh.pending);
	free(sh.split_pool);
	return rc;
}
