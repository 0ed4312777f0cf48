// SPDX-License-Identifier: MIT
/*
 * The argument planner's range branch: a residual decided by the raw value of one 32-bit word.
 * The values where some rule's test on the word changes cut its domain into elementary
 * intervals; on each, every rule is false, or true with what it tests elsewhere (a 64-bit
 * comparison whose high word equals the operand's leaves a test of the low word). One sweep over
 * the rules in order fills each interval's residual, skipping intervals a rule without further
 * tests already decided, so the work is proportional to what the residuals hold.
 */
#include "filter/cmp_arg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define U32_MAX 0xffffffffU
#define PIECES_MAX 8 /* disjoint pieces of the word's domain where one rule can hold */
#define EXTRA_MAX 4  /* low-word tests left by one rule's 64-bit comparisons */

/* Where a rule can hold on the word: [lo, hi], with @nx tests of the low word added. */
struct piece {
	uint32_t lo, hi;
	uint32_t nx;
	struct sck_atom x[EXTRA_MAX];
};

struct region {
	uint32_t lo, hi;
	bool has_x;
	struct sck_atom x;
};

/* What `arg op v` (64-bit) asks of the low word once the high word equals v's: -1, 1 or 0 (@x). */
static int reduce_w64(const struct sck_atom *a, struct sck_atom *x)
{
	uint32_t vl = (uint32_t)a->v;

	*x = (struct sck_atom){.kind = SCK_ATOM_IV, .word = (uint8_t)(a->word - 1)};
	switch (a->op) {
	case SCK_CMP_NE:
		x->a = x->b = vl;
		x->neg = 1;
		return 0;
	case SCK_CMP_LT:
		if (vl == 0)
			return -1;
		x->a = 0, x->b = vl - 1;
		return 0;
	case SCK_CMP_LE:
		if (vl == U32_MAX)
			return 1;
		x->a = 0, x->b = vl;
		return 0;
	case SCK_CMP_GT:
		if (vl == U32_MAX)
			return -1;
		x->a = vl + 1, x->b = U32_MAX;
		return 0;
	default: /* SCK_CMP_GE */
		if (vl == 0)
			return 1;
		x->a = vl, x->b = U32_MAX;
		return 0;
	}
}

/* The regions of the word's domain where atom @a holds (or leaves a low-word test). */
static size_t regions_of(const struct sck_atom *a, struct region g[3])
{
	size_t n = 0;

	if (a->kind == SCK_ATOM_IV) {
		if (!a->neg) {
			g[n++] = (struct region){a->a, a->b, false, {0}};
		} else {
			if (a->a > 0)
				g[n++] = (struct region){0, a->a - 1, false, {0}};
			if (a->b < U32_MAX)
				g[n++] = (struct region){a->b + 1, U32_MAX, false, {0}};
		}
		return n;
	}
	uint32_t vh = (uint32_t)(a->v >> 32);
	bool below = a->op == SCK_CMP_LT || a->op == SCK_CMP_LE || a->op == SCK_CMP_NE;
	bool above = a->op == SCK_CMP_GT || a->op == SCK_CMP_GE || a->op == SCK_CMP_NE;
	struct sck_atom x;
	int red = reduce_w64(a, &x);

	if (below && vh > 0)
		g[n++] = (struct region){0, vh - 1, false, {0}};
	if (red > 0)
		g[n++] = (struct region){vh, vh, false, {0}};
	else if (red == 0)
		g[n++] = (struct region){vh, vh, true, x};
	if (above && vh < U32_MAX)
		g[n++] = (struct region){vh + 1, U32_MAX, false, {0}};
	return n;
}

static bool on_range_word(const struct sck_atom *a, uint8_t w)
{
	return a->word == w && a->kind != SCK_ATOM_MASK;
}

/* Piece @src cut to [lo, hi] into @dst; only the tests in use are copied (a piece is 100 bytes). */
static void piece_cut(struct piece *dst, const struct piece *src, uint32_t lo, uint32_t hi)
{
	dst->lo = lo;
	dst->hi = hi;
	dst->nx = src->nx;
	memcpy(dst->x, src->x, src->nx * sizeof(src->x[0]));
}

/* The pieces where rule @e can hold, from its atoms on @w. -ENOSPC: too many. */
static int pieces_of(const struct sck_rent *e, uint8_t w, struct piece *p, size_t *np)
{
	struct piece tmp[PIECES_MAX];
	size_t n = 1;

	p[0].lo = 0;
	p[0].hi = U32_MAX;
	p[0].nx = 0;
	for (uint32_t j = 0; j < e->n; j++) {
		struct region g[3];
		size_t ng, m = 0;
		if (!on_range_word(&e->at[j], w))
			continue;
		ng = regions_of(&e->at[j], g);
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < ng; k++) {
				uint32_t lo = p[i].lo > g[k].lo ? p[i].lo : g[k].lo;
				uint32_t hi = p[i].hi < g[k].hi ? p[i].hi : g[k].hi;
				if (lo > hi)
					continue;
				if (m == PIECES_MAX || (g[k].has_x && p[i].nx == EXTRA_MAX))
					return -ENOSPC;
				piece_cut(&tmp[m], &p[i], lo, hi);
				if (g[k].has_x)
					tmp[m].x[tmp[m].nx++] = g[k].x;
				m++;
			}
		for (size_t i = 0; i < m; i++)
			piece_cut(&p[i], &tmp[i], tmp[i].lo, tmp[i].hi);
		n = m;
	}
	*np = n;
	return 0;
}

struct rec {
	uint32_t action;
	uint32_t n;
	const struct sck_atom *at;
	uint32_t next; /* index + 1 of the interval's next record, 0: none */
};

struct sweep {
	uint32_t *bp; /* interval i starts at bp[i] */
	size_t nb;
	uint32_t *head, *tail; /* per interval: its records (index + 1) */
	uint32_t *up;	       /* union-find: the first open interval at or after i */
	bool *closed;
	uint32_t *final;
	struct rec *rec;
	size_t nrec, caprec;
};

static uint32_t find_open(struct sweep *s, uint32_t i)
{
	uint32_t r = i;

	while (s->up[r] != r)
		r = s->up[r];
	while (s->up[i] != r) {
		uint32_t nx = s->up[i];
		s->up[i] = r;
		i = nx;
	}
	return r;
}

static size_t interval_of(const struct sweep *s, uint32_t v)
{
	/* the last i with bp[i] <= v (bp[0] is 0): halving without a branch to mispredict */
	const uint32_t *base = s->bp;
	size_t n = s->nb;

	while (n > 1) {
		size_t half = n / 2;
		base = base[half] <= v ? base + half : base;
		n -= half;
	}
	return (size_t)(base - s->bp);
}

static int rec_push(struct sweep *s, uint32_t i, uint32_t action, const struct sck_atom *at,
		    uint32_t n)
{
	if (s->nrec == s->caprec) {
		size_t cap = s->caprec ? s->caprec * 2 : 256;
		struct rec *nr = realloc(s->rec, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		s->rec = nr;
		s->caprec = cap;
	}
	s->rec[s->nrec] = (struct rec){action, n, at, 0};
	if (s->tail[i])
		s->rec[s->tail[i] - 1].next = (uint32_t)s->nrec + 1;
	else
		s->head[i] = (uint32_t)s->nrec + 1;
	s->tail[i] = (uint32_t)++s->nrec;
	return 0;
}

static int sweep_init(struct sck_argplan *ap, struct sweep *s, const struct sck_res *r, uint8_t w)
{
	size_t n = 1;
	uint32_t plo = 1, phi = 0; /* the last atom's bounds (none yet: lo > hi) */
	uint32_t *u;

	for (size_t i = 0; i < r->n; i++)
		for (uint32_t j = 0; j < r->e[i].n; j++)
			n += on_range_word(&r->e[i].at[j], w) ? 2 : 0;
	s->bp = sck_argplan_alloc(ap, 2 * n * sizeof(*s->bp));
	if (!s->bp)
		return -ENOMEM;
	s->bp[0] = 0;
	n = 1;
	for (size_t i = 0; i < r->n; i++)
		for (uint32_t j = 0; j < r->e[i].n; j++) {
			const struct sck_atom *a = &r->e[i].at[j];
			uint32_t lo, hi;
			if (!on_range_word(a, w))
				continue;
			if (a->kind == SCK_ATOM_IV)
				lo = a->a, hi = a->b;
			else
				lo = hi = (uint32_t)(a->v >> 32);
			if (lo == plo && hi == phi)
				continue; /* the same bounds as the atom before (a shared high word) */
			plo = lo, phi = hi;
			s->bp[n++] = lo;
			if (hi < U32_MAX)
				s->bp[n++] = hi + 1;
		}
	sck_sort_u32(s->bp, n, s->bp + n);
	s->nb = 1;
	for (size_t i = 1; i < n; i++)
		if (s->bp[i] != s->bp[s->nb - 1])
			s->bp[s->nb++] = s->bp[i];
	/* up (nb + 1), final, then closed; the record lists apart (zeroed by calloc) */
	u = sck_argplan_alloc(ap, (2 * s->nb + 1) * sizeof(*u) + s->nb * sizeof(*s->closed));
	s->head = calloc(2 * s->nb, sizeof(*s->head));
	if (!u || !s->head)
		return -ENOMEM;
	s->tail = s->head + s->nb;
	s->up = u;
	s->final = u + s->nb + 1;
	s->closed = (bool *)(u + 2 * s->nb + 1);
	memset(s->closed, 0, s->nb * sizeof(*s->closed));
	for (size_t i = 0; i <= s->nb; i++)
		s->up[i] = (uint32_t)i;
	for (size_t i = 0; i < s->nb; i++)
		s->final[i] = r->final;
	return 0;
}

static void sweep_fini(struct sweep *s)
{
	free(s->head);
	free(s->rec);
}

/* Rule @e on interval @i, its atoms on @w dropped; masks on @w decided where it is one value. */
static int sweep_add(struct sck_argplan *ap, struct sweep *s, uint32_t i, const struct sck_rent *e,
		     const struct sck_atom *at, uint32_t n, uint8_t w, bool masks)
{
	uint32_t hi = i + 1 < s->nb ? s->bp[i + 1] - 1 : U32_MAX;

	if (masks && s->bp[i] == hi) {
		struct sck_atom *f = sck_argplan_alloc(ap, (n + 1) * sizeof(*f));
		uint32_t k = 0;
		if (!f)
			return -ENOMEM;
		for (uint32_t j = 0; j < n; j++) {
			const struct sck_atom *a = &at[j];
			if (a->kind == SCK_ATOM_MASK && a->word == w) {
				if ((hi & a->a) != a->b)
					return 0; /* false here */
				continue;
			}
			f[k++] = *a;
		}
		at = f;
		n = k;
	}
	if (n == 0) {
		s->closed[i] = true;
		s->final[i] = e->action;
		s->up[i] = i + 1;
	}
	return rec_push(s, i, e->action, at, n);
}

/* Rule @e (its atoms left: @at, @n) on the open intervals of [lo, hi]. */
static int sweep_piece(struct sck_argplan *ap, struct sweep *s, const struct sck_rent *e,
		       const struct sck_atom *at, uint32_t n, uint32_t lo, uint32_t hi, uint8_t w,
		       bool masks)
{
	uint32_t first = (uint32_t)interval_of(s, lo);
	uint32_t last = (uint32_t)interval_of(s, hi);

	for (uint32_t i = find_open(s, first); i <= last; i = find_open(s, i + 1)) {
		int rc = sweep_add(ap, s, i, e, at, n, w, masks);
		if (rc)
			return rc;
	}
	return 0;
}

/* The atoms of @e not on @w, then @nx more from @x: a copy, or a slice of @e when it is one. */
static const struct sck_atom *rest_of(struct sck_argplan *ap, const struct sck_rent *e, uint8_t w,
				      uint32_t nrest, const struct sck_atom *x, uint32_t nx)
{
	struct sck_atom *a;
	uint32_t m = 0;

	if (nx == 0 && nrest + 1 == e->n) {
		/* one atom on @w: the rest is a slice when that atom is first or last */
		if (on_range_word(&e->at[0], w))
			return e->at + 1;
		if (on_range_word(&e->at[nrest], w))
			return e->at;
	}
	a = sck_argplan_alloc(ap, (nrest + nx + 1) * sizeof(*a));
	if (!a)
		return NULL;
	for (uint32_t j = 0; j < e->n; j++)
		if (!on_range_word(&e->at[j], w))
			a[m++] = e->at[j];
	memcpy(a + m, x, nx * sizeof(*a));
	return a;
}

static int sweep_rule(struct sck_argplan *ap, struct sweep *s, const struct sck_rent *e, uint8_t w)
{
	struct piece p[PIECES_MAX];
	size_t np;
	uint32_t nrest = 0, jw = 0;
	bool masks = false;
	int rc;

	for (uint32_t j = 0; j < e->n; j++) {
		if (on_range_word(&e->at[j], w))
			jw = j;
		else
			nrest++;
		masks |= e->at[j].word == w && e->at[j].kind == SCK_ATOM_MASK;
	}
	if (nrest == e->n) /* nothing on @w: the rule as it is, everywhere */
		return sweep_piece(ap, s, e, e->at, e->n, 0, U32_MAX, w, masks);
	if (nrest + 1 == e->n) {
		/* one atom on @w: its regions are the pieces */
		struct region g[3];
		size_t ng = regions_of(&e->at[jw], g);
		for (size_t k = 0; k < ng; k++) {
			const struct sck_atom *at = rest_of(ap, e, w, nrest, &g[k].x, g[k].has_x);
			if (!at)
				return -ENOMEM;
			rc = sweep_piece(ap, s, e, at, nrest + g[k].has_x, g[k].lo, g[k].hi, w,
					 masks);
			if (rc)
				return rc;
		}
		return 0;
	}
	rc = pieces_of(e, w, p, &np);
	if (rc)
		return rc;
	for (size_t k = 0; k < np; k++) {
		const struct sck_atom *at = rest_of(ap, e, w, nrest, p[k].x, p[k].nx);
		if (!at)
			return -ENOMEM;
		rc = sweep_piece(ap, s, e, at, nrest + p[k].nx, p[k].lo, p[k].hi, w, masks);
		if (rc)
			return rc;
	}
	return 0;
}

long sck_arg_plan_ranges(struct sck_argplan *ap, const struct sck_res *r, uint8_t w,
			 struct sck_anode *nd)
{
	struct sweep s = {0};
	struct sck_vrange *vr;
	size_t nr = 0;
	long rc = ap->no_fast ? 0 : sck_arg_plan_fast(ap, r, w, nd);

	if (rc)
		return rc < 0 ? rc : 0;
	rc = sweep_init(ap, &s, r, w);

	for (size_t i = 0; i < r->n && !rc; i++)
		rc = sweep_rule(ap, &s, &r->e[i], w);
	if (rc)
		goto out;
	vr = sck_argplan_alloc(ap, s.nb * sizeof(*vr));
	if (!vr) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s.nb; i++) {
		struct sck_res sub = {.final = s.final[i]};
		struct sck_rent *e;
		size_t n = 0;
		long ch;
		for (uint32_t k = s.head[i]; k; k = s.rec[k - 1].next)
			n++;
		e = sck_argplan_alloc(ap, (n + 1) * sizeof(*e));
		if (!e) {
			rc = -ENOMEM;
			goto out;
		}
		n = 0;
		for (uint32_t k = s.head[i]; k; k = s.rec[k - 1].next)
			e[n++] = (struct sck_rent){s.rec[k - 1].action, s.rec[k - 1].n,
						   s.rec[k - 1].at};
		sck_res_normalize(e, &n, &sub.final);
		sub.e = e;
		sub.n = n;
		ch = sck_argplan_plan(ap, &sub);
		if (ch < 0) {
			rc = ch;
			goto out;
		}
		sck_vrange_push(vr, &nr, i + 1 < s.nb ? s.bp[i + 1] - 1 : U32_MAX, (uint32_t)ch);
	}
	sck_anode_range(nd, w, U32_MAX, vr, nr);
out:
	sweep_fini(&s);
	return rc;
}
