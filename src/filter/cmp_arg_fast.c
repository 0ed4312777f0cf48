// SPDX-License-Identifier: MIT
/*
 * The argument planner's range branch, fast path: a residual whose every rule is one interval
 * (or one value) of the tested word and nothing else, the shape of an allowlist of ioctl requests
 * or socket families. Each elementary interval of the word is then decided by the first rule
 * that covers it (else the residual's final action), so its child is one of a few constant
 * nodes: they are looked up once each, and the ranges are filled directly, without the sweep's
 * per-interval residuals. The plan is the one the sweep makes (cmp_arg_range.c): the same
 * ranges, the same children, the constant nodes made in the same order.
 */
#include "filter/cmp_arg.h"

#include <errno.h>
#include <string.h>

#define U32_MAX 0xffffffffU
#define CONSTS_MAX 8 /* constant nodes remembered by one call; more are looked up each time */

/* The constant nodes met so far, by action. */
struct consts {
	uint32_t action[CONSTS_MAX];
	long node[CONSTS_MAX];
	size_t n;
	int one_action; /* whether the residual's entries have one action: -1 not known yet */
};

/* Whether every entry of @r has the same action (asked once per residual, @c keeps it). */
static bool one_action(const struct sck_res *r, struct consts *c)
{
	if (c->one_action < 0) {
		size_t i = 1;
		while (i < r->n && r->e[i].action == r->e[0].action)
			i++;
		c->one_action = i >= r->n;
	}
	return c->one_action;
}

static long const_slow(struct sck_argplan *ap, struct consts *c, uint32_t action)
{
	struct sck_res r = {.final = action};
	long k;

	for (size_t i = 2; i < c->n; i++)
		if (c->action[i] == action)
			return c->node[i];
	k = sck_argplan_plan(ap, &r);
	if (k >= 0 && c->n < CONSTS_MAX) {
		c->action[c->n] = action;
		c->node[c->n++] = k;
	}
	return k;
}

/* The constant node of @action (the first two met, the common ones, checked inline). */
static inline long const_node(struct sck_argplan *ap, struct consts *c, uint32_t action)
{
	if (c->n > 0 && c->action[0] == action)
		return c->node[0];
	if (c->n > 1 && c->action[1] == action)
		return c->node[1];
	return const_slow(ap, c, action);
}

/*
 * sck_vrange_push for ranges pushed in ascending order, as both fills here push them (each
 * ends past the last): none is covered already.
 */
static inline void push_up(struct sck_vrange *vr, size_t *nr, uint32_t hi, uint32_t child)
{
	size_t n = *nr;

	if (n && vr[n - 1].child == child) {
		vr[n - 1].hi = hi;
		return;
	}
	vr[n] = (struct sck_vrange){n ? vr[n - 1].hi + 1 : 0, hi, child};
	*nr = n + 1;
}

/* Ranges filled in ascending order, as push_up, with the count and the last child at hand. */
struct fill {
	struct sck_vrange *vr;
	size_t n;
	uint32_t last; /* the child of vr[n - 1] (UINT32_MAX: none yet) */
};

/* Append [@lo, @hi] (from where the last ended) deciding by @child; merges. */
static inline void fill_push(struct fill *f, uint32_t lo, uint32_t hi, uint32_t child)
{
	if (f->last == child) {
		f->vr[f->n - 1].hi = hi;
		return;
	}
	f->vr[f->n++] = (struct sck_vrange){lo, hi, child};
	f->last = child;
}

/* The atom of @e on @w: its only one (the fast path's shape). */
static uint32_t atom_on(const struct sck_rent *e, uint8_t w)
{
	uint32_t j = 0;

	while (e->at[j].word != w)
		j++;
	return j;
}

/* @e without its atom @j, into @out. */
static inline int strip(struct sck_argplan *ap, const struct sck_rent *e, uint32_t j,
			struct sck_rent *out)
{
	const struct sck_atom *at;

	if (j == 0) {
		at = e->at + 1;
	} else if (j + 1 == e->n) {
		at = e->at;
	} else {
		struct sck_atom *c = sck_argplan_alloc(ap, e->n * sizeof(*c));
		if (!c)
			return -ENOMEM;
		memcpy(c, e->at, j * sizeof(*c));
		memcpy(c + j, e->at + j + 1, (e->n - j - 1) * sizeof(*c));
		at = c;
	}
	*out = (struct sck_rent){.action = e->action, .n = e->n - 1, .at = at};
	return 0;
}

/*
 * What the rules with one value leave there: each rule's other atoms, in order, up to the first
 * rule that has none (it decides). @it: their items.
 *
 * The rules' atoms on @w are all the same one (the value: an interval atom's op and v are
 * always 0). When it sits at the same place in
 * each, taking it out keeps the order of @r's entries, which sorts each run of one action
 * without repeats: so what is left keeps that order as long as the neighbours of one action
 * come from one run of @r (the next entry of @r, or @r has one action), and then needs no sort.
 */
static long plan_value(struct sck_argplan *ap, const struct sck_res *r, uint8_t w,
		       const uint64_t *it, size_t n, struct consts *cs)
{
	const struct sck_rent *e = &r->e[(uint32_t)it[0]];
	struct sck_res sub = {.final = r->final};
	struct sck_rent *se;
	size_t k = 0;
	uint32_t j0;
	bool sorted = true;

	if (e->n == 1)
		return const_node(ap, cs, e->action);
	se = sck_argplan_alloc(ap, (n + 1) * sizeof(*se));
	if (!se)
		return -ENOMEM;
	j0 = atom_on(e, w);
	if ((uint32_t)it[n - 1] - (uint32_t)it[0] == n - 1) {
		/* the rules in a row (the items of one value keep the rules' order): then in
		 * order as long as the value is the same atom of each */
		for (const struct sck_rent *x = e, *xe = n ? e + n : e; x < xe; x++) {
			uint32_t j;
			if ((j0 == 0 || j0 + 1 == x->n) && x->at[j0].word == w) {
				/* (the usual: where the first has it, at an end: strip's without
				 * looking for it; the atom on @w is the only one, as the shape
				 * pass found) */
				se[k++] = (struct sck_rent){.action = x->action,
							    .n = x->n - 1,
							    .at = j0 ? x->at : x->at + 1};
				if (x->n == 1)
					break;
				continue;
			}
			j = atom_on(x, w);
			sorted &= j == j0;
			if (strip(ap, x, j, &se[k++]))
				return -ENOMEM;
			if (x->n == 1)
				break;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			uint32_t j;
			e = &r->e[(uint32_t)it[i]];
			j = atom_on(e, w);
			if (i > 0 && sorted)
				sorted = j == j0 &&
					 ((uint32_t)it[i] == (uint32_t)it[i - 1] + 1 ||
					  e->action != se[k - 1].action || one_action(r, cs));
			if (strip(ap, e, j, &se[k++]))
				return -ENOMEM;
			if (e->n == 1)
				break;
		}
	}
	if (sorted) {
		/* the normal form's other steps: only the last entry can be without atoms */
		if (se[k - 1].n == 0)
			sub.final = se[--k].action;
		while (k > 0 && se[k - 1].action == sub.final)
			k--;
	} else {
		sck_res_normalize(se, &k, &sub.final);
	}
	sub.e = se;
	sub.n = k;
	return sck_argplan_plan(ap, &sub);
}

/*
 * plan_points for rules that are each one value and nothing else, the values rising: each rule
 * is a range of its own, in the rules' order (@it: their items). A copy of plan_points' loop
 * without its grouping of equal values: the allowlists' common case, kept apart for speed.
 */
static long plan_plain(struct sck_argplan *ap, const struct sck_res *r, const uint64_t *it,
		       struct sck_vrange *vr, size_t *nr)
{
	struct consts cs = {.n = 0, .one_action = -1};
	struct fill f = {.vr = vr, .last = UINT32_MAX};
	uint32_t cur = 0;
	bool done = false;
	long fin = -1, ch;

	for (size_t i = 0; i < r->n && !done; i++) {
		uint32_t v = (uint32_t)(it[i] >> 32);
		if (v > cur) {
			if (fin < 0 && (fin = const_node(ap, &cs, r->final)) < 0)
				return fin;
			fill_push(&f, cur, v - 1, (uint32_t)fin);
		}
		ch = const_node(ap, &cs, r->e[i].action);
		if (ch < 0)
			return ch;
		fill_push(&f, v, v, (uint32_t)ch);
		done = v == U32_MAX;
		cur = v + 1;
	}
	if (!done) {
		if (fin < 0 && (fin = const_node(ap, &cs, r->final)) < 0)
			return fin;
		fill_push(&f, cur, U32_MAX, (uint32_t)fin);
	}
	*nr = f.n;
	return 0;
}

/*
 * Every rule one value of @w (and maybe tests elsewhere): the items (value, rule) in value order,
 * rules in order among equals (@it: in the rules' order, @ordered: whether that is value order;
 * room for as many more); each value decided by what its rules leave.
 */
static long plan_points(struct sck_argplan *ap, const struct sck_res *r, uint8_t w, uint64_t *it,
			bool ordered, struct sck_vrange *vr, size_t *nr)
{
	struct consts cs = {.n = 0, .one_action = -1};
	struct fill f = {.vr = vr, .last = UINT32_MAX};
	uint32_t cur = 0;
	bool done = false;
	long fin = -1, ch;

	if (!ordered) /* (a sorted residual's first word is met in order) */
		sck_sort_hi32(it, r->n, it + r->n);
	for (size_t i = 0, j; i < r->n && !done; i = j) {
		uint32_t v = (uint32_t)(it[i] >> 32);
		const struct sck_rent *e = &r->e[(uint32_t)it[i]];
		for (j = i + 1; j < r->n && (uint32_t)(it[j] >> 32) == v; j++)
			;
		if (v > cur) {
			if (fin < 0 && (fin = const_node(ap, &cs, r->final)) < 0)
				return fin;
			fill_push(&f, cur, v - 1, (uint32_t)fin);
		}
		if (j - i == 1 && e->n == 1) /* one rule, nothing else */
			ch = const_node(ap, &cs, e->action);
		else
			ch = plan_value(ap, r, w, it + i, j - i, &cs);
		if (ch < 0)
			return ch;
		fill_push(&f, v, v, (uint32_t)ch);
		done = v == U32_MAX;
		cur = v + 1;
	}
	if (!done) {
		if (fin < 0 && (fin = const_node(ap, &cs, r->final)) < 0)
			return fin;
		fill_push(&f, cur, U32_MAX, (uint32_t)fin);
	}
	*nr = f.n;
	return 0;
}

/* The last i with bp[i] <= v (bp[0] is 0). */
static size_t interval_of(const uint32_t *bp, size_t nb, uint32_t v)
{
	const uint32_t *base = bp;

	while (nb > 1) {
		size_t half = nb / 2;
		base = base[half] <= v ? base + half : base;
		nb -= half;
	}
	return (size_t)(base - bp);
}

/* Mark the open intervals of [first, last] decided by rule @rule (union-find over @up). */
static void paint(uint32_t *up, uint32_t *win, uint32_t first, uint32_t last, uint32_t rule)
{
	for (uint32_t i = first; i <= last;) {
		uint32_t root = i, nx;
		while (up[root] != root)
			root = up[root];
		while (up[i] != root) {
			nx = up[i];
			up[i] = root;
			i = nx;
		}
		if (root > last)
			break;
		win[root] = rule + 1;
		up[root] = root + 1;
		i = root + 1;
	}
}

/* Every rule one interval (or its complement): the first rule over each elementary interval. */
static long plan_intervals(struct sck_argplan *ap, const struct sck_res *r, struct sck_vrange *vr,
			   size_t *nr)
{
	uint32_t *bp = sck_argplan_alloc(ap, (6 * r->n + 4) * sizeof(*bp));
	uint32_t *up, *win;
	struct consts cs = {.n = 0, .one_action = -1};
	size_t n = 1, nb = 1;

	if (!bp)
		return -ENOMEM;
	bp[0] = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct sck_atom *a = &r->e[i].at[0];
		bp[n++] = a->a;
		if (a->b < U32_MAX)
			bp[n++] = a->b + 1;
	}
	sck_sort_u32(bp, n, bp + n);
	for (size_t i = 1; i < n; i++)
		if (bp[i] != bp[nb - 1])
			bp[nb++] = bp[i];
	/* after the nb breakpoints: the union-find (nb + 1) and the winners (nb) */
	up = bp + nb;
	win = up + nb + 1;
	for (size_t i = 0; i <= nb; i++)
		up[i] = (uint32_t)i;
	memset(win, 0, nb * sizeof(*win));
	for (size_t i = 0; i < r->n; i++) {
		const struct sck_atom *a = &r->e[i].at[0];
		uint32_t ia = (uint32_t)interval_of(bp, nb, a->a);
		uint32_t ib = (uint32_t)interval_of(bp, nb, a->b);
		if (!a->neg) {
			paint(up, win, ia, ib, (uint32_t)i);
			continue;
		}
		if (a->a > 0)
			paint(up, win, 0, ia - 1, (uint32_t)i);
		if (a->b < U32_MAX)
			paint(up, win, ib + 1, (uint32_t)nb - 1, (uint32_t)i);
	}
	for (size_t i = 0; i < nb; i++) {
		long ch = const_node(ap, &cs, win[i] ? r->e[win[i] - 1].action : r->final);
		if (ch < 0)
			return ch;
		push_up(vr, nr, i + 1 < nb ? bp[i + 1] - 1 : U32_MAX, (uint32_t)ch);
	}
	return 0;
}

/* The only atom of @e on @w: NULL when it has none, or more than one. */
static const struct sck_atom *atom_alone(const struct sck_rent *e, uint8_t w)
{
	const struct sck_atom *a = NULL;

	if (e->n == 2) { /* (a 64-bit value's two halves, the common pair) */
		bool w0 = e->at[0].word == w, w1 = e->at[1].word == w;
		return w0 == w1 ? NULL : w0 ? &e->at[0] : &e->at[1];
	}
	for (uint32_t j = 0; j < e->n; j++) {
		if (e->at[j].word != w)
			continue;
		if (a)
			return NULL;
		a = &e->at[j];
	}
	return a;
}

long sck_arg_plan_fast(struct sck_argplan *ap, const struct sck_res *r, uint8_t w,
		       struct sck_anode *nd)
{
	struct sck_arena_pos pos = sck_argplan_pos(ap), pos_it;
	struct sck_vrange *vr = sck_argplan_alloc(ap, (2 * r->n + 1) * sizeof(*vr));
	uint64_t *it;
	size_t nr = 0;
	int64_t prev = -1; /* (below every value: the first is in order) */
	bool points = true, single = true, ordered = true, rising = true;
	long rc;

	pos_it = sck_argplan_pos(ap);
	it = sck_argplan_alloc(ap, 2 * r->n * sizeof(*it));
	if (!vr || !it)
		return -ENOMEM;
	/* the shape, and the items (value, rule) plan_points takes, in one pass */
	for (size_t i = 0; i < r->n; i++) {
		const struct sck_rent *e = &r->e[i];
		const struct sck_atom *a;
		if (e->n == 1) { /* (the common rule of a value's residual) */
			a = e->at[0].word == w ? &e->at[0] : NULL;
		} else {
			a = atom_alone(e, w);
			single = false;
		}
		if (!a || a->kind != SCK_ATOM_IV) {
			/* none on the word, two, a mask or a 64-bit comparison */
			sck_argplan_release(ap, pos);
			return 0;
		}
		points &= !a->neg && a->a == a->b;
		it[i] = (uint64_t)a->a << 32 | i;
		ordered &= (int64_t)a->a >= prev;
		rising &= (int64_t)a->a > prev;
		prev = a->a;
	}
	if (!points && !single) {
		sck_argplan_release(ap, pos);
		return 0;
	}
	if (!points)
		sck_argplan_release(ap, pos_it); /* (the intervals need no items) */
	if (points && single && rising)
		rc = plan_plain(ap, r, it, vr, &nr);
	else if (points)
		rc = plan_points(ap, r, w, it, ordered, vr, &nr);
	else
		rc = plan_intervals(ap, r, vr, &nr);
	if (rc < 0)
		return rc;
	sck_anode_range(nd, w, U32_MAX, vr, nr);
	return 1;
}
