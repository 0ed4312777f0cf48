// SPDX-License-Identifier: MIT
/*
 * The syscall-number tree planner's fast path (cmp_tree.h), for the sections the exact dynamic
 * programming would cost O(n^2) on: more than SCK_TREE_EXACT_ONE ranges for one arch,
 * SCK_TREE_EXACT_TWO for two. Garsia and Wachs' algorithm gives an optimal alphabetic tree for
 * the ranges' weights alone; its upper part is kept, and every subtree of at most
 * SCK_TREE_FAST_SPAN ranges is planned again by the exact dynamic programming, chains included
 * (cmp_tree.c). The work is about O(n log n + n * SCK_TREE_FAST_SPAN).
 *
 * The upper part cannot see what a chain below it saves. So a second round treats the chains the
 * first one chose as single atoms (an atom weighs what its ranges weigh), and the cheaper of the
 * two rounds is the plan. On Docker's x86 section, the two rounds find the exact plan's cost.
 *
 * The plan is a map from the tree's intervals to their roots: the tree has fewer than n nodes,
 * where the exact table has n(n + 1) / 2 intervals.
 */
#include "filter/cmp_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* the rounds: over the ranges, then over the first round's chains and the other ranges */
#define FAST_ROUNDS 2
/* what the working list's two sentinels weigh: more than any node */
#define SENTINEL_WEIGHT 1e300
#define MAP_EMPTY UINT32_MAX

/* ---- the plan's map ---- */

static uint32_t map_key(size_t i, size_t j)
{
	return (uint32_t)(i << 16 | j); /* (i, j < SCK_TREE_CHAIN) */
}

static size_t map_slot(const struct sck_tree_map *m, uint32_t key)
{
	return (size_t)((key * 2654435761u) >> 8) & (m->cap - 1);
}

/* Room for the nodes of a tree over @n ranges, the table at most half full (map_clear empties it). */
static int map_reserve(struct sck_tree_map *m, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	if (cap > m->cap) {
		uint32_t *key = realloc(m->key, cap * sizeof(*key));
		if (!key)
			return -ENOMEM;
		m->key = key;
		uint16_t *root = realloc(m->root, cap * sizeof(*root));
		if (!root)
			return -ENOMEM;
		m->root = root;
		m->cap = cap;
	}
	return 0;
}

static void map_clear(struct sck_tree_map *m)
{
	for (size_t s = 0; s < m->cap; s++)
		m->key[s] = MAP_EMPTY;
}

static void map_put(struct sck_tree_map *m, size_t i, size_t j, size_t root)
{
	uint32_t key = map_key(i, j);
	size_t s = map_slot(m, key);

	while (m->key[s] != MAP_EMPTY && m->key[s] != key)
		s = (s + 1) & (m->cap - 1);
	m->key[s] = key;
	m->root[s] = (uint16_t)root;
}

size_t sck_tree_map_get(const struct sck_tree_map *m, size_t i, size_t j)
{
	uint32_t key = map_key(i, j);
	size_t s = map_slot(m, key);

	while (m->key[s] != key) {
		if (m->key[s] == MAP_EMPTY)
			return SCK_TREE_CHAIN; /* (not an interval of the plan: never asked) */
		s = (s + 1) & (m->cap - 1);
	}
	return m->root[s];
}

/* ---- scratch ---- */

void sck_tree_fast_fini(struct sck_tree_fast *f)
{
	free(f->weight);
	free(f->child);
	free(f->prev);
	free(f->next);
	free(f->node_depth);
	free(f->depth);
	free(f->atom_lo);
	free(f->atom_hi);
	free(f->upper);
	free(f->stack);
	free(f->chain_lo);
	free(f->chain_hi);
	for (int r = 0; r < 2; r++) {
		free(f->map[r].key);
		free(f->map[r].root);
	}
	memset(f, 0, sizeof(*f));
}

/* realloc @count elements into *@pp; false when out of memory (*@pp is then left as it was) */
static bool regrow(void *pp, size_t count, size_t elem)
{
	void *p = realloc(*(void **)pp, count * elem);

	if (!p)
		return false;
	*(void **)pp = p;
	return true;
}

int sck_tree_fast_reserve(struct sck_tree_fast *f, size_t n)
{
	size_t nodes = 2 * n + 2; /* atoms, joins, two sentinels */

	if (n > f->cap) {
		f->cap = 0;
		if (!regrow(&f->weight, nodes, sizeof(*f->weight)) ||
		    !regrow(&f->child, nodes, sizeof(*f->child)) ||
		    !regrow(&f->prev, nodes, sizeof(*f->prev)) ||
		    !regrow(&f->next, nodes, sizeof(*f->next)) ||
		    !regrow(&f->node_depth, nodes, sizeof(*f->node_depth)) ||
		    !regrow(&f->depth, n, sizeof(*f->depth)) ||
		    !regrow(&f->atom_lo, n, sizeof(*f->atom_lo)) ||
		    !regrow(&f->atom_hi, n, sizeof(*f->atom_hi)) ||
		    !regrow(&f->upper, n, sizeof(*f->upper)) ||
		    !regrow(&f->stack, n, sizeof(*f->stack)) ||
		    !regrow(&f->chain_lo, n, sizeof(*f->chain_lo)) ||
		    !regrow(&f->chain_hi, n, sizeof(*f->chain_hi)))
			return -ENOMEM;
		f->cap = n;
	}
	for (int r = 0; r < 2; r++) {
		int rc = map_reserve(&f->map[r], n);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- Garsia and Wachs ---- */

/*
 * The first two phases: the depth of each of the @m atoms (weights f->weight[0 .. m)) in an
 * optimal tree. The working list starts as the atoms between two sentinels. Each step joins the
 * first pair (x, y) whose right neighbour weighs at least x, and moves the join left past every
 * lighter node. The scan resumes at the join's new left neighbour: no pair before it changed.
 */
static void garsia_wachs(struct sck_tree_fast *f, uint32_t m)
{
	double *w = f->weight;
	uint32_t(*child)[2] = f->child, *prev = f->prev, *next = f->next;
	uint32_t head = 2 * m, tail = head + 1, fresh = m, p = 0;

	w[head] = w[tail] = SENTINEL_WEIGHT;
	for (uint32_t a = 0; a < m; a++) {
		prev[a] = a ? a - 1 : head;
		next[a] = a + 1 < m ? a + 1 : tail;
	}
	next[head] = 0;
	prev[tail] = m - 1;
	for (uint32_t left = m; left > 1; left--) {
		/* (the last node's right neighbour is the tail: the scan stops there at the latest) */
		while (prev[p] == head || w[prev[p]] > w[next[p]])
			p = next[p];
		uint32_t x = prev[p], y = p, before = prev[x], after = next[y], k = before;
		uint32_t j = fresh++;
		w[j] = w[x] + w[y];
		child[j][0] = x;
		child[j][1] = y;
		next[before] = after;
		prev[after] = before;
		while (w[k] < w[j])
			k = prev[k];
		next[j] = next[k];
		prev[j] = k;
		prev[next[k]] = j;
		next[k] = j;
		p = k == head ? j : k;
	}
	/* depths from the root down: a join is made after its children */
	f->node_depth[fresh - 1] = 0;
	for (uint32_t j = fresh - 1; j >= m; j--)
		f->node_depth[child[j][0]] = f->node_depth[child[j][1]] = f->node_depth[j] + 1;
	for (uint32_t a = 0; a < m; a++)
		f->depth[a] = f->node_depth[a];
}

/* A balanced tree over atoms [a, b], its nodes from *@nu on: the guard of build_upper. */
static long balanced(struct sck_tree_fast *f, size_t a, size_t b, size_t *nu)
{
	size_t mid = a + (b - a + 1) / 2;
	long node;

	if (a == b)
		return -1 - (long)a;
	node = (long)(*nu)++;
	f->upper[node].first = a;
	f->upper[node].last = b;
	f->upper[node].left = balanced(f, a, mid - 1, nu);
	f->upper[node].right = balanced(f, mid, b, nu);
	return node;
}

/*
 * The last phase: the alphabetic tree with the @m atoms at the depths found, built on a stack
 * (two subtrees of one depth next to each other are siblings). Such a tree exists (the
 * algorithm's theorem); should the depths not make one, a balanced tree is the plan's upper part.
 */
static long build_upper(struct sck_tree_fast *f, size_t m)
{
	struct sck_tree_upper *u = f->upper;
	size_t sp = 0, nu = 0;

	for (size_t a = 0; a < m; a++) {
		long cur = -1 - (long)a;
		uint32_t d = f->depth[a];
		while (sp > 0 && f->stack[sp - 1].depth == d && d > 0 && nu + 1 < m) {
			long l = f->stack[--sp].node;
			u[nu].left = l;
			u[nu].right = cur;
			u[nu].first = l < 0 ? (size_t)(-1 - l) : u[l].first;
			u[nu].last = a;
			cur = (long)nu++;
			d--;
		}
		f->stack[sp].node = cur;
		f->stack[sp].depth = d;
		sp++;
	}
	if (sp == 1 && f->stack[0].depth == 0)
		return f->stack[0].node;
	nu = 0;
	return balanced(f, 0, m - 1, &nu);
}

/* ---- a round ---- */

/*
 * Copy the plan of the window [base, base + m) that sck_tree_dp left in t->root into @map, from
 * its interval [i, j] down; note its chains for the next round.
 */
static void take_window(struct sck_tree_plan *t, struct sck_tree_map *map, size_t base, size_t i,
			size_t j)
{
	struct sck_tree_fast *f = &t->fast;

	while (i < j) {
		size_t k = t->root[t->row_start[i] + j];
		if (k == SCK_TREE_CHAIN) {
			map_put(map, base + i, base + j, SCK_TREE_CHAIN);
			f->chain_lo[f->nchains] = base + i;
			f->chain_hi[f->nchains++] = base + j;
			return;
		}
		map_put(map, base + i, base + j, base + k);
		take_window(t, map, base, i, k - 1);
		i = k;
	}
}

/* The subtree @node of the upper part into @map; returns its cost. */
static double take_upper(struct sck_tree_plan *t, struct sck_tree_map *map, long node)
{
	struct sck_tree_fast *f = &t->fast;
	size_t first = node < 0 ? (size_t)(-1 - node) : f->upper[node].first;
	size_t last = node < 0 ? first : f->upper[node].last;
	size_t lo = f->atom_lo[first], hi = f->atom_hi[last];

	if (lo == hi)
		return 0;
	if (node < 0 || hi - lo < SCK_TREE_FAST_SPAN) {
		double cost = sck_tree_dp(t, lo, hi - lo + 1);
		take_window(t, map, lo, 0, hi - lo);
		return cost;
	}
	const struct sck_tree_upper *u = &f->upper[node];
	size_t right_first = u->right < 0 ? (size_t)(-1 - u->right) : f->upper[u->right].first;
	map_put(map, lo, hi, f->atom_lo[right_first]);
	return t->prefix_weight[hi + 1] - t->prefix_weight[lo] + take_upper(t, map, u->left) +
	       take_upper(t, map, u->right);
}

/* The atoms of round @round: the ranges, and after the first round its chains as one each. */
static size_t make_atoms(struct sck_tree_fast *f, size_t n, int round)
{
	size_t m = 0, c = 0;

	for (size_t q = 0; q < n; m++) {
		f->atom_lo[m] = q;
		if (round > 0 && c < f->nchains && f->chain_lo[c] == q)
			q = f->chain_hi[c++];
		f->atom_hi[m] = q++;
	}
	return m;
}

int sck_tree_fast_run(struct sck_tree_plan *t)
{
	struct sck_tree_fast *f = &t->fast;
	size_t n = t->n;
	double best = 0;

	f->best = 0;
	for (int round = 0; round < FAST_ROUNDS; round++) {
		struct sck_tree_map *map = &f->map[round];
		size_t m = make_atoms(f, n, round);
		double cost;

		if (round > 0 && m == n)
			break; /* (no chain: the same atoms, the same plan) */
		for (size_t a = 0; a < m; a++)
			f->weight[a] = t->prefix_weight[f->atom_hi[a] + 1] -
				       t->prefix_weight[f->atom_lo[a]];
		garsia_wachs(f, (uint32_t)m);
		map_clear(map);
		f->nchains = 0;
		cost = take_upper(t, map, build_upper(f, m));
		if (round == 0 || cost < best) {
			best = cost;
			f->best = round;
		}
	}
	return 0;
}
