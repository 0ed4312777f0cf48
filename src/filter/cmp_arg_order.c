// SPDX-License-Identifier: MIT
/*
 * Orders of the argument planner: the normal form of a residual (the first entry without atoms
 * decides, trailing entries of the final action go, and same-action neighbours, which may swap
 * without changing a verdict, sorted so that equal decisions are found equal), and the sort of
 * 32-bit values the range planner cuts a word's domain with.
 */
#include "filter/cmp_arg.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* runs at least this long go through the radix sorts (sort_run) */
#define RUN_RADIX 32

_Static_assert(offsetof(struct sck_atom, op) == 3, "an atom opens with its four byte fields");

/* The fields atom_cmp orders by first, in one word. */
static uint32_t atom_head(const struct sck_atom *x)
{
	return (uint32_t)x->word << 24 | (uint32_t)x->kind << 16 | (uint32_t)x->op << 8 | x->neg;
}

/* Order of atoms: word, kind, op, neg, then the operands a, b, v. */
static int atom_cmp(const struct sck_atom *x, const struct sck_atom *y)
{
	uint32_t hx, hy;

	/* the four one-byte fields that open an atom, equal in most compares, checked as one
	 * word first */
	memcpy(&hx, x, sizeof(hx));
	memcpy(&hy, y, sizeof(hy));
	if (hx != hy) {
		hx = atom_head(x);
		hy = atom_head(y);
		if (hx != hy)
			return hx < hy ? -1 : 1;
	}
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return 0;
}

static int rent_cmp(const struct sck_rent *x, const struct sck_rent *y)
{
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	for (uint32_t j = 0; j < x->n; j++) {
		int c = atom_cmp(&x->at[j], &y->at[j]);
		if (c)
			return c;
	}
	return 0;
}

/* Insertion sort by rent_cmp: short runs, and what ties on every radix key in long ones. */
static void insert_sort(struct sck_rent *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct sck_rent x = e[i];
		size_t j = i;
		for (; j > 0 && rent_cmp(&e[j - 1], &x) > 0; j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

/* The fields rent_cmp orders by first (the count of atoms, the first atom's word and kind). */
static uint32_t rent_key(const struct sck_rent *e)
{
	const struct sck_atom *a = &e->at[0];

	return (e->n > 255 ? 255U : e->n) << 24 | (uint32_t)a->word << 16 |
	       (uint32_t)(a->kind & 0xf) << 12 | (uint32_t)(a->op & 0x7f) << 1 | (a->neg & 1);
}

/* Drop the repeats of sorted entries (they are neighbours); returns how many are left. */
static size_t drop_repeats(struct sck_rent *e, size_t n)
{
	size_t m = n ? 1 : 0;

	for (size_t k = 1; k < n; k++)
		if (rent_cmp(&e[m - 1], &e[k]) != 0)
			e[m++] = e[k];
	return m;
}

/*
 * Whether @n entries are in order already (the sweep meets an allowlist's values in order):
 * -1 not, 0 in order without repeats, 1 in order with some.
 */
static int run_order(const struct sck_rent *e, size_t n)
{
	int rep = 0;

	for (size_t i = 1; i < n; i++) {
		int c = rent_cmp(&e[i - 1], &e[i]);
		if (c > 0)
			return -1;
		rep |= c == 0;
	}
	return rep;
}

/*
 * Whether the entries of items @x and @y (@cp's indexes in the low halves) have the same
 * rent_key and the same operands `a`, atom by atom. The items' high halves hold a key that
 * differs when these do (rent_key, or with one rent_key for all, the first operand sorted by).
 */
static bool same_keys(const struct sck_rent *cp, uint64_t x, uint64_t y)
{
	const struct sck_rent *ex, *ey;
	uint32_t n;

	if (x >> 32 != y >> 32)
		return false;
	ex = &cp[(uint32_t)x];
	ey = &cp[(uint32_t)y];
	/* (rent_key caps the count of atoms at 255: past it, two counts may tie) */
	n = ex->n < ey->n ? ex->n : ey->n;
	for (uint32_t j = 0; j < n; j++)
		if (ex->at[j].a != ey->at[j].a)
			return false;
	return true;
}

/* Whether the @n entries of @cp have the same operand `a` in atom @j (0 when they have none). */
static bool same_operand(const struct sck_rent *cp, size_t n, uint32_t j)
{
	uint32_t a0 = j < cp[0].n ? cp[0].at[j].a : 0;

	for (size_t i = 1; i < n; i++)
		if ((j < cp[i].n ? cp[i].at[j].a : 0) != a0)
			return false;
	return true;
}

/*
 * Sort a run in a canonical order and drop its repeats; returns how many entries are left.
 * Short runs by rent_cmp. Long ones (an allowlist's thousands of rules) by stable radix sorts:
 * each atom's operand `a`, last atom first, then rent_key, so by (rent_key, the operands in
 * turn); then by rent_cmp among the few that tie on all of these (equal entries tie, so only
 * these can be repeats). Either way the same entries come out in the same order. Without memory
 * for the radix sorts, the insertion sort (another canonical order, of a residual that is then
 * planned once more).
 */
static size_t sort_run(struct sck_rent *e, size_t n)
{
	uint64_t *it = n >= RUN_RADIX ? malloc(2 * n * sizeof(*it)) : NULL;
	struct sck_rent *cp = it ? malloc(n * sizeof(*cp)) : NULL;
	uint32_t most = 0, h0, h;
	size_t m = 0;
	/* whether the entries have one rent_key: one count of atoms, first atoms alike in their four
	 * byte fields */
	bool one = true, same0 = true; /* same0: one operand in every first atom */

	if (!cp) {
		free(it);
		insert_sort(e, n);
		return drop_repeats(e, n);
	}
	/* the items keyed already by the operand of the first entry's last atom: the key of the
	 * first sort when that entry has the most atoms (jl: the atom, samel: one operand there) */
	uint32_t jl = e[0].n - 1, al = e[0].at[jl].a;
	bool samel = true;

	memcpy(&h0, e[0].at, sizeof(h0));
	for (size_t i = 0; i < n; i++) {
		uint32_t a = jl < e[i].n ? e[i].at[jl].a : 0;
		cp[i] = e[i];
		it[i] = (uint64_t)a << 32 | i;
		samel &= a == al;
		most = e[i].n > most ? e[i].n : most;
		memcpy(&h, e[i].at, sizeof(h));
		one &= e[i].n == e[0].n && h == h0;
		same0 &= e[i].at[0].a == e[0].at[0].a;
	}
	for (uint32_t j = most; j-- > 0;) {
		bool keyed = j == jl && j + 1 == most;
		if (keyed ? samel : j ? same_operand(cp, n, j) : same0)
			continue; /* a stable sort by one key for all changes nothing */
		for (size_t i = 0; i < n && !keyed; i++) {
			const struct sck_rent *x = &cp[(uint32_t)it[i]];
			uint32_t a = j < x->n ? x->at[j].a : 0;
			it[i] = (uint64_t)a << 32 | (uint32_t)it[i];
		}
		sck_sort_hi32(it, n, it + n);
	}
	/* with one rent_key, the items keep the operand of the last sort (or 0) in their high
	 * halves: equal entries have equal operands there too */
	if (!one) {
		for (size_t i = 0; i < n; i++)
			it[i] = (uint64_t)rent_key(&cp[(uint32_t)it[i]]) << 32 | (uint32_t)it[i];
		sck_sort_hi32(it, n, it + n);
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && same_keys(cp, it[i], it[j]))
			j++;
		if (j - i == 1) {
			e[m++] = cp[(uint32_t)it[i]];
		} else {
			for (size_t k = i; k < j; k++)
				e[m + k - i] = cp[(uint32_t)it[k]];
			insert_sort(e + m, j - i);
			m += drop_repeats(e + m, j - i);
		}
		i = j;
	}
	free(cp);
	free(it);
	return m;
}

/*
 * Normal form: an entry without atoms decides (it becomes the final action and what follows it
 * goes); trailing entries that return the final action anyway go. Neighbours with one action
 * may swap without changing any verdict (whichever matches first, the action is the same): each
 * run of them is sorted, and repeats dropped, so that residuals which differ only there (an
 * allowlist's value met at different places among the rules on another argument) are one node.
 */
void sck_res_normalize(struct sck_rent *e, size_t *n, uint32_t *final)
{
	size_t m = 0;
	bool one = true; /* (the entries before the cut of one action: one run, no second look) */

	for (size_t i = 0; i < *n; i++) {
		if (e[i].n == 0) {
			*final = e[i].action;
			*n = i;
			break;
		}
		one &= e[i].action == e[0].action;
	}
	while (*n > 0 && e[*n - 1].action == *final)
		(*n)--;
	for (size_t i = 0; i < *n;) {
		size_t j = i + 1, kept = 1;
		if (one)
			j = *n;
		while (j < *n && e[j].action == e[i].action)
			j++;
		if (j - i > 1) {
			int order = run_order(e + i, j - i);
			if (order < 0)
				kept = sort_run(e + i, j - i);
			else if (order > 0)
				kept = drop_repeats(e + i, j - i);
			else
				kept = j - i;
		}
		/* the run, sorted and without repeats, moves down over what earlier runs dropped */
		if (m != i)
			memmove(e + m, e + i, kept * sizeof(*e));
		m += kept;
		i = j;
	}
	*n = m;
}

void sck_sort_u32(uint32_t *a, size_t n, uint32_t *tmp)
{
	if (n < 32) {
		for (size_t i = 1; i < n; i++) {
			uint32_t v = a[i];
			size_t j = i;
			for (; j > 0 && a[j - 1] > v; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	/*
	 * LSD radix, a byte a pass, the four histograms counted in one read; a byte that every
	 * value shares (the high bytes of small requests, flags) costs no pass.
	 */
	size_t count[4][257] = {{0}};
	uint32_t *src = a, *dst = tmp;

	for (size_t i = 0; i < n; i++)
		for (unsigned int b = 0; b < 4; b++)
			count[b][((a[i] >> (8 * b)) & 0xff) + 1]++;
	for (unsigned int b = 0; b < 4; b++) {
		size_t *c = count[b];
		unsigned int shift = 8 * b;
		if (c[((a[0] >> shift) & 0xff) + 1] == n)
			continue;
		for (size_t k = 0; k < 256; k++)
			c[k + 1] += c[k];
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i] >> shift) & 0xff]++] = src[i];
		uint32_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

void sck_sort_hi32(uint64_t *a, size_t n, uint64_t *tmp)
{
	uint32_t count[4][257], any = 0, all = UINT32_MAX;
	uint64_t *src = a, *dst = tmp;
	size_t i = 1;

	for (uint64_t prev = n ? a[0] >> 32 : 0; i < n && prev <= a[i] >> 32; i++)
		prev = a[i] >> 32;
	if (i >= n)
		return; /* already in order (an allowlist written sorted, a shared high word) */
	if (n < 32) {
		for (; i < n; i++) {
			uint64_t v = a[i];
			size_t j = i;
			for (; j > 0 && a[j - 1] >> 32 > v >> 32; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	/* the low half's digits counted first, with the bits where keys differ; the high half's
	 * only when they differ there (values below 2^16, an ioctl's or a flag set's, do not) */
	memset(count, 0, 2 * sizeof(count[0]));
	for (i = 0; i < n; i++) {
		uint32_t k = (uint32_t)(a[i] >> 32);
		any |= k;
		all &= k;
		count[0][(k & 0xff) + 1]++;
		count[1][((k >> 8) & 0xff) + 1]++;
	}
	if ((any ^ all) >> 16) {
		memset(count[2], 0, 2 * sizeof(count[0]));
		for (i = 0; i < n; i++) {
			uint32_t k = (uint32_t)(a[i] >> 32);
			count[2][((k >> 16) & 0xff) + 1]++;
			count[3][(k >> 24) + 1]++;
		}
	}
	for (unsigned int b = 0; b < 4; b++) {
		uint32_t *c = count[b];
		unsigned int shift = 32 + 8 * b;
		if (!(((any ^ all) >> 8 * b) & 0xff))
			continue; /* every key has this digit: nothing to do */
		for (size_t k = 0; k < 256; k++)
			c[k + 1] += c[k];
		for (i = 0; i < n; i++)
			dst[c[(src[i] >> shift) & 0xff]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}
