// SPDX-License-Identifier: MIT
/*
 * The argument planner's memo (cmp_arg.h): residuals hashed and compared, and the table that
 * makes one node per distinct residual (hash-consing), so that identical sub-decisions are
 * planned and emitted once. The planning itself is in cmp_arg.c.
 */
#include "filter/cmp_arg.h"
#include "grow_int.h"

#include <errno.h>
#include <stdlib.h>

/*
 * (the hash only spreads the memo table: nodes are matched by res_eq) A residual is hashed by a
 * chain of multiplications, one a word (an entry's head, an atom's fields and operand, its
 * second operand when it has one); the low bits of such a chain see only the low bits of the
 * words, so the result is folded once at the end.
 */
#define HASH_K 0x9e3779b97f4a7c15ULL
#define HASH_SAMPLE 16

static inline uint64_t step(uint64_t h, uint64_t x)
{
	return (h ^ x) * HASH_K;
}

static uint64_t fold(uint64_t h)
{
	h = (h ^ (h >> 32)) * HASH_K;
	return h ^ (h >> 29);
}

static inline uint64_t atom_hash(uint64_t h, const struct sck_atom *a)
{
	h = step(h, (uint64_t)a->kind | (uint64_t)a->word << 8 | (uint64_t)a->neg << 16 |
			    (uint64_t)a->op << 24 | (uint64_t)a->a << 32);
	/* (a single value, the common atom, is one step) */
	return a->b == a->a && !a->v ? h : step(h, a->b ^ (a->v << 13 | a->v >> 51));
}

static bool atom_eq(const struct sck_atom *x, const struct sck_atom *y)
{
	return x->kind == y->kind && x->word == y->word && x->neg == y->neg && x->op == y->op &&
	       x->a == y->a && x->b == y->b && x->v == y->v;
}

static uint64_t rent_hash(uint64_t h, const struct sck_rent *x)
{
	const struct sck_atom *a = x->at, *ae = x->n ? x->at + x->n : x->at;

	h = step(h, (uint64_t)x->action << 32 | x->n);
	if (x->n == 1) /* (the common rule: one atom) */
		return atom_hash(h, a);
	for (; a < ae; a++)
		h = atom_hash(h, a);
	return h;
}

/* The hash of every entry of @r: what two residuals with one sampled hash are told apart by. */
static uint64_t res_hash_full(const struct sck_res *r)
{
	uint64_t h = step(0x51ed27, r->final);

	for (const struct sck_rent *x = r->e, *xe = r->n ? r->e + r->n : r->e; x < xe; x++)
		h = rent_hash(h, x);
	return fold(h);
}

/*
 * The memo's hash: of every entry of a short residual (the full hash), of HASH_SAMPLE entries
 * spread over a long one and its last. A long residual (an allowlist's values) is mostly
 * looked up once and not found: its full hash is made only when another node has its sampled
 * one (sck_argplan_memo_find).
 */
uint64_t sck_res_hash(const struct sck_res *r)
{
	uint64_t h = step(0x51ed27, r->final);
	size_t stride;

	if (r->n <= HASH_SAMPLE)
		return res_hash_full(r);
	h = step(h, r->n);
	stride = r->n / HASH_SAMPLE;
	for (size_t i = 0; i < HASH_SAMPLE; i++)
		h = rent_hash(h, &r->e[i * stride]);
	return fold(rent_hash(h, &r->e[r->n - 1]));
}

static bool res_eq(const struct sck_res *x, const struct sck_res *y)
{
	if (x->final != y->final || x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++) {
		const struct sck_rent *a = &x->e[i], *b = &y->e[i];
		if (a->action != b->action || a->n != b->n)
			return false;
		for (uint32_t j = 0; j < a->n; j++)
			if (!atom_eq(&a->at[j], &b->at[j]))
				return false;
	}
	return true;
}

long sck_argplan_memo_find(struct sck_argplan *ap, const struct sck_res *r, uint64_t h)
{
	size_t m = ap->capmemo - 1;
	uint64_t full = 0;

	for (size_t i = h & m;; i = (i + 1) & m) {
		uint32_t k = ap->memo[i];
		struct sck_anode *nd;
		if (!k)
			return -1;
		nd = &ap->nodes[k - 1];
		if (nd->hash != h)
			continue;
		if (r->n > HASH_SAMPLE) { /* (a sampled hash: the full ones first, made once) */
			if (!full)
				full = res_hash_full(r) | 1;
			if (!nd->full_hash)
				nd->full_hash = res_hash_full(&nd->res) | 1;
			if (nd->full_hash != full)
				continue;
		}
		if (res_eq(&nd->res, r))
			return (long)k - 1;
	}
}

static int memo_grow(struct sck_argplan *ap)
{
	size_t cap = ap->capmemo * 2;
	uint32_t *nm = calloc(cap, sizeof(*nm));

	if (!nm)
		return -ENOMEM;
	for (size_t k = 0; k < ap->nnodes; k++)
		for (size_t i = ap->nodes[k].hash & (cap - 1);; i = (i + 1) & (cap - 1))
			if (!nm[i]) {
				nm[i] = (uint32_t)k + 1;
				break;
			}
	free(ap->memo);
	ap->memo = nm;
	ap->capmemo = cap;
	return 0;
}

long sck_argplan_node_add(struct sck_argplan *ap, const struct sck_anode *nd)
{
	size_t m;

	/* (256 nodes at first: most plans need that many) */
	if (ap->nnodes == ap->capnodes &&
	    sck_grow(&ap->nodes, &ap->capnodes, ap->capnodes ? ap->nnodes + 1 : 256,
		     sizeof(*ap->nodes)))
		return -ENOMEM;
	if (2 * (ap->nnodes + 1) > ap->capmemo && memo_grow(ap))
		return -ENOMEM;
	ap->nodes[ap->nnodes] = *nd;
	ap->nodes[ap->nnodes].label = -1;
	ap->nodes[ap->nnodes].state = SCK_STATE_UNSET;
	m = ap->capmemo - 1;
	for (size_t i = nd->hash & m;; i = (i + 1) & m)
		if (!ap->memo[i]) {
			ap->memo[i] = (uint32_t)ap->nnodes + 1;
			break;
		}
	return (long)ap->nnodes++;
}
