// SPDX-License-Identifier: MIT
/*
 * The argument planner (cmp_arg.h), planning half: lowers a verdict's rules to atoms over
 * argument words and builds the decision DAG, one hash-consed node per distinct residual.
 * The memo that keeps one node per residual is in cmp_arg_memo.c, the code for the nodes in
 * cmp_arg_emit.c.
 */
#include "filter/cmp_arg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define U32_MAX 0xffffffffU
#define BLOCK_MIN 65536 /* bytes: the planner's arena grows by blocks of at least this */
/* the memo's first size (a power of two): most sections make a few dozen nodes, and a larger
 * table costs its clearing in every compile */
#define MEMO_MIN 128
/*
 * A decision may hold this many ranges per atom of its verdict (plus a constant) before the
 * rule chain is cheaper to emit: a range costs about one instruction, an atom of the chain two.
 */
#define RANGES_PER_ATOM 8
#define RANGES_SLACK 64

void *sck_argplan_alloc(struct sck_argplan *ap, size_t size)
{
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (size > ap->left) {
		size_t bs = size > BLOCK_MIN ? size : BLOCK_MIN;
		if (ap->nblocks == ap->capblocks) {
			size_t cap = ap->capblocks ? ap->capblocks * 2 : 16;
			void **nb = realloc(ap->blocks, cap * sizeof(*nb));
			if (!nb)
				return NULL;
			ap->blocks = nb;
			ap->capblocks = cap;
		}
		p = malloc(bs);
		if (!p)
			return NULL;
		ap->blocks[ap->nblocks++] = p;
		ap->cur = p;
		ap->left = bs;
	}
	p = ap->cur;
	ap->cur += size;
	ap->left -= size;
	return p;
}

int sck_argplan_new(const struct sck_ir *ir, const struct sck_ir_group *g, struct sck_argplan **out)
{
	struct sck_argplan *ap = calloc(1, sizeof(*ap));

	if (!ap)
		return -ENOMEM;
	ap->ir = ir;
	ap->g = g;
	ap->roots = malloc((ir->nverdicts + 1) * sizeof(*ap->roots));
	ap->capmemo = MEMO_MIN;
	ap->memo = calloc(ap->capmemo, sizeof(*ap->memo));
	if (!ap->roots || !ap->memo) {
		sck_argplan_free(ap);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ir->nverdicts; i++)
		ap->roots[i] = -1;
	*out = ap;
	return 0;
}

void sck_argplan_free(struct sck_argplan *ap)
{
	if (!ap)
		return;
	for (size_t i = 0; i < ap->nblocks; i++)
		free(ap->blocks[i]);
	free(ap->blocks);
	free(ap->nodes);
	free(ap->memo);
	free(ap->roots);
	free(ap);
}

/* ---- atoms ---- */

static bool single_bit(uint32_t m)
{
	return m && !(m & (m - 1));
}

/* Lower one IR condition to at most two atoms; returns how many, or -1 when it never holds. */
static int lower_cond(const struct sck_ir_cond *c, struct sck_atom out[2])
{
	uint32_t vl = (uint32_t)c->value, vh = (uint32_t)(c->value >> 32);
	uint32_t ml = (uint32_t)c->mask, mh = (uint32_t)(c->mask >> 32);
	uint8_t lo = (uint8_t)(c->arg * 2), hi = (uint8_t)(c->arg * 2 + 1);
	int n = 0;

	if (c->wide && c->op == SCK_CMP_EQ) { /* (the most common: an allowlist's value) */
		out[0] = (struct sck_atom){.kind = SCK_ATOM_IV, .word = hi, .a = vh, .b = vh};
		out[1] = (struct sck_atom){.kind = SCK_ATOM_IV, .word = lo, .a = vl, .b = vl};
		return 2;
	}
	if (c->op == SCK_CMP_MASKED_EQ) {
		if ((vl & ~ml) || (c->wide && (vh & ~mh)))
			return -1;
		if (c->wide && mh)
			out[n++] = (struct sck_atom){
				.kind = SCK_ATOM_MASK, .word = hi, .a = mh, .b = vh};
		if (ml)
			out[n++] = (struct sck_atom){
				.kind = SCK_ATOM_MASK, .word = lo, .a = ml, .b = vl};
		return n;
	}
	if (c->wide) {
		out[0] = (struct sck_atom){
			.kind = SCK_ATOM_W64, .word = hi, .op = c->op, .v = c->value};
		return 1;
	}
	out[0] = (struct sck_atom){.kind = SCK_ATOM_IV, .word = lo};
	switch (c->op) {
	case SCK_CMP_EQ:
	case SCK_CMP_NE:
		out[0].a = out[0].b = vl;
		out[0].neg = c->op == SCK_CMP_NE;
		break;
	case SCK_CMP_LT:
		if (vl == 0)
			return -1;
		out[0].a = 0, out[0].b = vl - 1;
		break;
	case SCK_CMP_LE:
		out[0].a = 0, out[0].b = vl;
		break;
	case SCK_CMP_GT:
		if (vl == U32_MAX)
			return -1;
		out[0].a = vl + 1, out[0].b = U32_MAX;
		break;
	case SCK_CMP_GE:
		out[0].a = vl, out[0].b = U32_MAX;
		break;
	default:
		return -1;
	}
	if (out[0].a == 0 && out[0].b == U32_MAX)
		return out[0].neg ? -1 : 0;
	return 1;
}

/* The residual of verdict @vd: its rules as atoms. */
static int lower_verdict(struct sck_argplan *ap, const struct sck_ir_verdict *vd,
			 struct sck_res *out, size_t *natoms)
{
	struct sck_rent *e = sck_argplan_alloc(ap, (vd->nentries + 1) * sizeof(*e));
	struct sck_atom *at, *at0;
	size_t n = 0, room = 1;

	for (size_t i = 0; i < vd->nentries; i++)
		room += 2 * vd->entries[i].ncond;
	at = sck_argplan_alloc(ap, room * sizeof(*at));
	if (!e || !at)
		return -ENOMEM;
	at0 = at;
	for (size_t i = 0; i < vd->nentries; i++) {
		const struct sck_ir_entry *en = &vd->entries[i];
		int k = 0;
		for (size_t c = 0; c < en->ncond && k >= 0; c++) {
			int m = lower_cond(&en->conds[c], &at[k]);
			k = m < 0 ? m : k + m;
		}
		if (k < 0)
			continue;
		e[n++] = (struct sck_rent){.action = en->action, .n = (uint32_t)k, .at = at};
		at += k;
	}
	*natoms = (size_t)(at - at0);
	out->final = vd->final;
	sck_res_normalize(e, &n, &out->final);
	out->e = e;
	out->n = n;
	return 0;
}

/* ---- substitution: what an entry becomes when some atoms are known ---- */

/* -1 false, 1 true, 0 unknown */
typedef int (*atom_eval)(const struct sck_atom *a, const void *ctx);

/* @r with the atoms @ev decides replaced by their value, normalized, into @out. */
static int subst(struct sck_argplan *ap, const struct sck_res *r, atom_eval ev, const void *ctx,
		 struct sck_res *out)
{
	struct sck_rent *e = sck_argplan_alloc(ap, (r->n + 1) * sizeof(*e));
	size_t n = 0;

	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		const struct sck_rent *x = &r->e[i];
		struct sck_atom *at = NULL;
		uint32_t k = 0;
		bool never = false, changed = false;
		for (uint32_t j = 0; j < x->n && !never; j++) {
			int v = ev(&x->at[j], ctx);
			never = v < 0;
			changed |= v != 0;
		}
		if (never)
			continue;
		if (changed) {
			at = sck_argplan_alloc(ap, (x->n + 1) * sizeof(*at));
			if (!at)
				return -ENOMEM;
			for (uint32_t j = 0; j < x->n; j++)
				if (ev(&x->at[j], ctx) == 0)
					at[k++] = x->at[j];
			e[n++] = (struct sck_rent){.action = x->action, .n = k, .at = at};
		} else {
			e[n++] = *x;
		}
	}
	out->final = r->final;
	sck_res_normalize(e, &n, &out->final);
	out->e = e;
	out->n = n;
	return 0;
}

struct bits_ctx {
	uint8_t word;
	uint32_t set, clear; /* bits of the word known set, known clear */
};

static int eval_bits(const struct sck_atom *a, const void *ctx)
{
	const struct bits_ctx *c = ctx;

	if (a->kind != SCK_ATOM_MASK || a->word != c->word)
		return 0;
	if ((a->a & ~(c->set | c->clear)) == 0) /* every tested bit known */
		return (c->set & a->a) == a->b ? 1 : -1;
	if ((a->b & c->clear) || (~a->b & a->a & c->set)) /* a known bit disagrees */
		return -1;
	return 0;
}

struct mval_ctx {
	uint8_t word;
	uint32_t mask, value;
	bool other; /* the value is none of the atoms' */
};

static int eval_mval(const struct sck_atom *a, const void *ctx)
{
	const struct mval_ctx *c = ctx;

	if (a->kind != SCK_ATOM_MASK || a->word != c->word || a->a != c->mask)
		return 0;
	return !c->other && a->b == c->value ? 1 : -1;
}

#define plan sck_argplan_plan

/* ---- the branches ---- */

/* JSET on single bits of @w: folds the leading one-bit rules with one action into one test. */
static long plan_jset(struct sck_argplan *ap, const struct sck_res *r, uint8_t w, uint32_t bit,
		      struct sck_anode *nd)
{
	struct bits_ctx ct = {.word = w}, cf = {.word = w};
	struct sck_res rt, rf;
	uint32_t bits = 0;
	size_t k = 0;
	long t, f;
	int rc;

	while (k < r->n && r->e[k].n == 1 && r->e[k].action == r->e[0].action) {
		const struct sck_atom *a = &r->e[k].at[0];
		if (a->kind != SCK_ATOM_MASK || a->word != w || !single_bit(a->a) || a->b != a->a)
			break;
		bits |= a->a;
		k++;
	}
	if (k) {
		/* one of the bits set: the first such rule decides, and they share the action */
		struct sck_res rest = {.e = r->e + k, .n = r->n - k, .final = r->final};
		struct sck_res one = {.final = r->e[0].action};
		cf.clear = bits;
		rc = subst(ap, &rest, eval_bits, &cf, &rf);
		if (rc)
			return rc;
		t = plan(ap, &one);
	} else {
		bits = bit;
		ct.set = bit;
		cf.clear = bit;
		rc = subst(ap, r, eval_bits, &ct, &rt);
		if (rc)
			return rc;
		t = plan(ap, &rt);
		if (t < 0)
			return t;
		rc = subst(ap, r, eval_bits, &cf, &rf);
		if (rc)
			return rc;
	}
	if (t < 0)
		return t;
	f = plan(ap, &rf);
	if (f < 0)
		return f;
	nd->kind = SCK_AN_JSET;
	nd->word = w;
	nd->mask = bits;
	nd->t = (uint32_t)t;
	nd->f = (uint32_t)f;
	return 0;
}

#define FEW_CHILDREN 8 /* children weighed in a list before a table is worth its set-up */

/* Weigh the children of @n in a short list; false when it has more than FEW_CHILDREN. */
static bool weigh_few(const struct sck_anode *n, uint32_t *best)
{
	uint32_t key[FEW_CHILDREN];
	uint64_t w[FEW_CHILDREN], bc = 0;
	size_t nk = 1, k, k1 = 0, k2 = 0; /* k1, k2: the last two children's */

	/* (neighbours seldom share a child: between two, the ranges alternate, so the child
	 * before the last is tried first) */
	key[0] = n->r[0].child;
	w[0] = 0;
	for (uint32_t i = 0; i < n->nr; i++) {
		uint32_t ch = n->r[i].child;
		if (key[k2] == ch) {
			k = k2;
		} else {
			for (k = 0; k < nk && key[k] != ch; k++)
				;
			if (k == nk) {
				if (nk == FEW_CHILDREN)
					return false;
				key[nk] = ch;
				w[nk++] = 0;
			}
		}
		w[k] += n->r[i].lo == n->r[i].hi ? 1 : 2;
		k2 = k1;
		k1 = k;
	}
	*best = n->r[0].child;
	for (k = 0; k < nk; k++)
		if (w[k] > bc || (w[k] == bc && key[k] < *best)) {
			bc = w[k];
			*best = key[k];
		}
	return true;
}

/* Weigh the children of @n in a table. */
static int weigh_many(struct sck_argplan *ap, const struct sck_anode *n, uint32_t *best)
{
	size_t cap = 16, mask;
	uint32_t *key;
	uint64_t *w, bc = 0;

	while (cap < 2 * (size_t)n->nr)
		cap *= 2;
	mask = cap - 1;
	key = sck_argplan_alloc(ap, cap * sizeof(*key));
	w = sck_argplan_alloc(ap, cap * sizeof(*w));
	if (!key || !w)
		return -ENOMEM;
	memset(key, 0, cap * sizeof(*key));
	for (uint32_t i = 0; i < n->nr; i++) {
		uint32_t ch = n->r[i].child;
		size_t k = (size_t)(uint32_t)(ch * 0x9e3779b1u) & mask;
		while (key[k] && key[k] != ch + 1)
			k = (k + 1) & mask;
		if (!key[k]) {
			key[k] = ch + 1;
			w[k] = 0;
		}
		w[k] += n->r[i].lo == n->r[i].hi ? 1 : 2;
	}
	*best = n->r[0].child;
	for (size_t k = 0; k < cap; k++) {
		if (!key[k])
			continue;
		if (w[k] > bc || (w[k] == bc && key[k] - 1 < *best)) {
			bc = w[k];
			*best = key[k] - 1;
		}
	}
	return 0;
}

/*
 * set_default for a node whose ranges go to at most two children (a value list's: listed or
 * not), in one pass: the ranges sorted to either child in a row, weighed and their cost summed;
 * the default's row is dropped. Returns 1 when done, 0 when @n has more children, or -ENOMEM.
 */
static int set_default_two(struct sck_argplan *ap, struct sck_anode *n)
{
	struct sck_arena_pos pos = sck_argplan_pos(ap);
	const struct sck_vrange *r = n->r;
	struct sck_vrange *x = sck_argplan_alloc(ap, 2 * (size_t)n->nr * sizeof(*x)), *x0, *x1;
	const struct sck_vrange *rl = &r[n->nr - 1];
	uint32_t c0 = r[0].child, c1 = UINT32_MAX, m0 = 0, m1 = 0, cost0, cost1;
	uint64_t w0 = 0, w1 = 0;

	if (!x)
		return -ENOMEM;
	x0 = x;
	x1 = x + n->nr;
	for (uint32_t i = 0; i < n->nr; i++) {
		uint32_t wt = r[i].lo == r[i].hi ? 1 : 2;
		if (r[i].child == c0) {
			x0[m0++] = r[i];
			w0 += wt;
			continue;
		}
		if (r[i].child != c1) {
			if (c1 != UINT32_MAX) {
				sck_argplan_release(ap, pos);
				return 0;
			}
			c1 = r[i].child;
		}
		x1[m1++] = r[i];
		w1 += wt;
	}
	/* a range costs what it weighs, but for an interval from 0 or up to the top (one bound
	 * test): the ranges cover the word in order, so only the first or the last */
	cost0 = (uint32_t)w0;
	cost1 = (uint32_t)w1;
	if (r[0].lo == 0 && r[0].hi != 0)
		cost0--;
	if (rl->hi == U32_MAX && rl->lo != U32_MAX && rl != r) {
		if (rl->child == c0)
			cost0--;
		else
			cost1--;
	}
	/* (as weigh_few: the heavier, on a tie the lower node) */
	if (m1 && (w1 > w0 || (w1 == w0 && c1 < c0))) {
		n->dflt = c1;
		n->nx = m0;
		n->xcost = cost0;
		n->xchild = c0;
		n->xs = x0;
	} else {
		n->dflt = c0;
		n->nx = m1;
		n->xcost = cost1;
		n->xchild = m1 ? c1 : 0;
		n->xs = x1;
	}
	return 1;
}

/*
 * The default: the child whose ranges would cost the most to test as exceptions (a single value
 * is one JEQ, an interval two bound tests; ties: the lowest node), so the chains test the cheap
 * ones.
 */
static int set_default(struct sck_argplan *ap, struct sck_anode *n)
{
	const struct sck_vrange *r = n->r;
	struct sck_vrange *x;
	uint32_t best, m = 0, k = 0, xcost = 0, xchild = 0;
	int two = set_default_two(ap, n);

	if (two)
		return two < 0 ? two : 0;
	if (!weigh_few(n, &best) && weigh_many(ap, n, &best))
		return -ENOMEM;
	x = sck_argplan_alloc(ap, n->nr * sizeof(*x));
	if (!x)
		return -ENOMEM;
	/* the exceptions in a row, for the code (and their one child, if they have one) */
	for (uint32_t i = 0, last = best; i < n->nr; i++) {
		if (r[i].child == best)
			continue;
		x[m++] = r[i];
		xcost += r[i].lo == r[i].hi || r[i].lo == 0 || r[i].hi == U32_MAX ? 1 : 2;
		if (r[i].child != last) {
			last = r[i].child;
			xchild = k++ ? UINT32_MAX : last;
		}
	}
	n->dflt = best;
	n->nx = m;
	n->xcost = xcost;
	n->xchild = xchild;
	n->xs = x;
	return 0;
}

/* AND @mask once, then search the masked value among the rules' values. */
static long plan_masked(struct sck_argplan *ap, const struct sck_res *r, uint8_t w, uint32_t mask,
			struct sck_anode *nd)
{
	uint32_t *vals;
	size_t nv = 0;
	struct sck_vrange *vr;
	size_t nr = 0;
	struct mval_ctx c = {.word = w, .mask = mask, .other = true};
	struct sck_res sub;
	long other;
	int rc;

	for (size_t i = 0; i < r->n; i++)
		nv += r->e[i].n;
	vals = sck_argplan_alloc(ap, (nv + 1) * sizeof(*vals));
	vr = sck_argplan_alloc(ap, (2 * nv + 2) * sizeof(*vr));
	if (!vals || !vr)
		return -ENOMEM;
	nv = 0;
	for (size_t i = 0; i < r->n; i++)
		for (uint32_t j = 0; j < r->e[i].n; j++) {
			const struct sck_atom *a = &r->e[i].at[j];
			if (a->kind == SCK_ATOM_MASK && a->word == w && a->a == mask)
				vals[nv++] = a->b;
		}
	{
		uint32_t *tmp = sck_argplan_alloc(ap, (nv + 1) * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		sck_sort_u32(vals, nv, tmp);
	}
	rc = subst(ap, r, eval_mval, &c, &sub);
	if (rc)
		return rc;
	other = plan(ap, &sub);
	if (other < 0)
		return other;
	for (size_t i = 0; i < nv; i++) {
		long ch;
		if (i && vals[i] == vals[i - 1])
			continue;
		c.other = false;
		c.value = vals[i];
		rc = subst(ap, r, eval_mval, &c, &sub);
		if (rc)
			return rc;
		ch = plan(ap, &sub);
		if (ch < 0)
			return ch;
		if (vals[i] > 0)
			sck_vrange_push(vr, &nr, vals[i] - 1, (uint32_t)other);
		sck_vrange_push(vr, &nr, vals[i], (uint32_t)ch);
	}
	sck_vrange_push(vr, &nr, U32_MAX, (uint32_t)other);
	sck_anode_range(nd, w, mask, vr, nr);
	return 0;
}

/*
 * The word to test next: one of the first rule's, shared by the most rules; then the low word of
 * the argument whose high word the parent tests (@parent: its word + 1, 0 none), so that an
 * argument's two halves are tested together and a probe that misses the low word stops there;
 * then high words first (a high word shared by many values is tested once), then by number.
 */
static uint8_t choose_word(const struct sck_res *r, unsigned int parent)
{
	const struct sck_rent *e0 = &r->e[0];
	size_t best = 0;
	uint8_t bw = e0->at[0].word;
	bool bfollows = false;
	uint32_t j = 1;

	while (j < e0->n && e0->at[j].word == bw)
		j++;
	if (j == e0->n)
		return bw; /* the first rule tests one word: the only candidate */
	for (j = 0; j < e0->n; j++) {
		uint8_t w = e0->at[j].word;
		size_t cnt = 0;
		bool seen = false, follows, tie;
		for (uint32_t q = 0; q < j && !seen; q++)
			seen = e0->at[q].word == w;
		if (seen)
			continue;
		follows = parent > 0 && ((parent - 1) & 1) && w == parent - 2;
		tie = follows > bfollows || (follows == bfollows && (w & 1) > (bw & 1)) ||
		      (follows == bfollows && (w & 1) == (bw & 1) && w < bw);
		if (best == r->n && !tie)
			continue; /* the best is shared by every rule, and wins the tie */
		for (const struct sck_rent *x = r->e, *xe = r->n ? r->e + r->n : r->e; x < xe;
		     x++) {
			if (x->n == 2) { /* (a 64-bit value's halves, the common pair) */
				cnt += x->at[0].word == w || x->at[1].word == w;
				continue;
			}
			for (uint32_t q = 0; q < x->n; q++)
				if (x->at[q].word == w) {
					cnt++;
					break;
				}
		}
		if (cnt > best || (cnt == best && tie)) {
			best = cnt;
			bw = w;
			bfollows = follows;
		}
	}
	return bw;
}

long sck_argplan_plan(struct sck_argplan *ap, const struct sck_res *r)
{
	struct sck_anode nd;
	uint64_t h = sck_res_hash(r);
	long k = sck_argplan_memo_find(ap, r, h);
	const struct sck_atom *m = NULL;
	bool ranged = false;
	uint8_t w;
	long rc;

	if (k >= 0)
		return k;
	/* (zeroed only when made: most residuals are found, and a node is 100 bytes) */
	memset(&nd, 0, sizeof(nd));
	if (r->n == 0) {
		nd.kind = SCK_AN_CONST;
		nd.action = r->final;
	} else {
		unsigned int parent = ap->parent_word;
		w = choose_word(r, parent);
		ap->parent_word = (unsigned int)w + 1;
		for (size_t i = 0; i < r->n && !ranged; i++)
			for (uint32_t j = 0; j < r->e[i].n; j++) {
				const struct sck_atom *a = &r->e[i].at[j];
				if (a->word != w)
					continue;
				if (a->kind != SCK_ATOM_MASK)
					ranged = true;
				else if (!m)
					m = a;
			}
		if (ranged)
			rc = sck_arg_plan_ranges(ap, r, w, &nd);
		else if (!m) /* w is one of the first rule's words: never */
			rc = -ENOSPC;
		else if (single_bit(m->a))
			rc = plan_jset(ap, r, w, m->a, &nd);
		else
			rc = plan_masked(ap, r, w, m->a, &nd);
		ap->parent_word = parent;
		if (rc < 0)
			return rc;
		/* a test that decides nothing: what follows it */
		if (nd.kind == SCK_AN_RANGE && nd.nr == 1)
			return nd.r[0].child;
		if (nd.kind == SCK_AN_JSET && nd.t == nd.f)
			return nd.t;
		if (nd.kind == SCK_AN_RANGE) {
			if (nd.nr > ap->budget)
				return -ENOSPC;
			if (set_default(ap, &nd))
				return -ENOMEM;
			ap->budget -= nd.nr;
		}
	}
	nd.res = *r;
	nd.hash = h;
	return sck_argplan_node_add(ap, &nd);
}

long sck_argplan_verdict(struct sck_argplan *ap, size_t v)
{
	struct sck_res r;
	size_t natoms;
	long rc;

	if (ap->roots[v] != -1)
		return ap->roots[v];
	rc = lower_verdict(ap, &ap->ir->verdicts[v], &r, &natoms);
	if (rc)
		return rc;
	ap->budget = RANGES_PER_ATOM * natoms + RANGES_SLACK;
	ap->parent_word = 0;
	rc = plan(ap, &r);
	if (rc == -ENOMEM)
		return rc;
	ap->roots[v] = rc;
	return rc;
}

static void meet(struct sck_anode *n, int s)
{
	if (n->state == SCK_STATE_UNSET)
		n->state = s;
	else if (n->state != s)
		n->state = SCK_STATE_UNKNOWN;
}

void sck_argplan_seal(struct sck_argplan *ap)
{
	for (size_t v = 0; v < ap->ir->nverdicts; v++)
		if (ap->roots[v] >= 0)
			meet(&ap->nodes[ap->roots[v]], SCK_STATE_UNKNOWN);
	/* children are made before their parents: a node's parents all have larger indexes */
	for (size_t i = ap->nnodes; i-- > 0;) {
		struct sck_anode *n = &ap->nodes[i];
		int out =
			n->mask != U32_MAX && n->kind == SCK_AN_RANGE ? SCK_STATE_UNKNOWN : n->word;
		if (n->state == SCK_STATE_UNSET)
			continue;
		if (n->kind == SCK_AN_JSET) {
			meet(&ap->nodes[n->t], out);
			meet(&ap->nodes[n->f], out);
		} else if (n->kind == SCK_AN_RANGE) {
			/* its children: the default's and the exceptions' (meeting a child twice
			 * changes nothing: the exceptions' one, if they have one, is met once) */
			meet(&ap->nodes[n->dflt], out);
			if (n->xchild != UINT32_MAX) {
				if (n->nx)
					meet(&ap->nodes[n->xchild], out);
				continue;
			}
			for (uint32_t j = 0, last = n->dflt; j < n->nx; j++)
				if (n->xs[j].child != last)
					meet(&ap->nodes[last = n->xs[j].child], out);
		}
	}
}
