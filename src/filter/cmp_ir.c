// SPDX-License-Identifier: MIT
/*
 * The compiler's intermediate representation: the filter's rules lowered for each arch (names
 * resolved, multiplexed calls expanded, conditions narrowed to what the arch's kernel compares:
 * cmp_ir_lower.c), sorted by number with the OCI overlap rules applied (cmp_ir_order.c,
 * cmp_ir_lsc.c), then for each audit arch the verdict of every syscall number as a short
 * first-match list, interned (hashed) so identical verdicts share one block, and the ranges of
 * numbers with one verdict over the whole 32-bit nr space, weighted for the tree builder
 * (cmp_ir_weigh.c).
 */
#include "filter/filter_int.h"
#include "grow_int.h"
#include "seccomp_data_int.h"
#include "sck/syscalls.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* @size bytes (16-aligned), not zeroed, freed with the IR: bump allocation from 64 KiB blocks. */
void *sck_ir_alloc_raw(struct sck_ir *ir, size_t size)
{
	unsigned char *p;

	size = size ? (size + 15) & ~(size_t)15 : 16;
	if (size > ir->left) {
		size_t bs = size > 65536 ? size : 65536;
		if (sck_grow(&ir->pool, &ir->cappool, ir->npool + 1, sizeof(*ir->pool)))
			return NULL;
		p = malloc(bs);
		if (!p)
			return NULL;
		ir->pool[ir->npool++] = p;
		ir->cur = p;
		ir->left = bs;
	}
	p = ir->cur;
	ir->cur += size;
	ir->left -= size;
	return p;
}

void *sck_ir_alloc(struct sck_ir *ir, size_t size)
{
	void *p = sck_ir_alloc_raw(ir, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void sck_ir_fini(struct sck_ir *ir)
{
	if (!ir)
		return;
	for (size_t i = 0; i < ir->npool; i++)
		free(ir->pool[i]);
	free(ir->pool);
	free(ir->verdicts);
	free(ir->verdict_slots);
	memset(ir, 0, sizeof(*ir));
}

uint32_t sck_ir_arg_off(unsigned int arg, bool high, bool little_endian)
{
	/* the low word first on little-endian ABIs, second on big-endian */
	uint32_t off = (uint32_t)SCK_DATA_OFF_ARG(arg);
	if (high == little_endian)
		off += SCK_DATA_WORD;
	return off;
}

/* Whether number @nr belongs to @a's part of the nr space (x86_64 and x32 share an audit arch). */
bool sck_ir_nr_in_domain(const struct sck_arch *a, uint32_t nr)
{
	if (!a->nr_select)
		return true;
	/* x32's numbers carry the selector bit (its nr_base), x86_64's do not */
	return (a->nr_base & a->nr_select) ? nr >= a->nr_select : nr < a->nr_select;
}

/* Whether @a is the ABI of a shared audit arch whose numbers carry the selector bit (x32). */
static bool selected(const struct sck_arch *a)
{
	return (a->nr_base & a->nr_select) != 0;
}

/* -1: always false, 1: always true, 0: depends on the argument. */
static int cond_const(const struct sck_ir_cond *c)
{
	uint64_t max = c->wide ? UINT64_MAX : 0xffffffffU;

	switch (c->op) {
	case SCK_CMP_LT:
		return c->value == 0 ? -1 : 0;
	case SCK_CMP_LE:
		return c->value == max ? 1 : 0;
	case SCK_CMP_GT:
		return c->value == max ? -1 : 0;
	case SCK_CMP_GE:
		return c->value == 0 ? 1 : 0;
	case SCK_CMP_MASKED_EQ:
		if (c->value & ~c->mask)
			return -1;
		return c->mask == 0 ? 1 : 0;
	default:
		return 0;
	}
}

/* Word @x into hash @h: multiply, then fold the high bits down (the table indexes by low bits). */
static uint64_t mix(uint64_t h, uint64_t x)
{
	h = (h ^ x) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

#define DIGEST_SAMPLE 16

/* @e's action, count and conditions into hash @h: a multiply a word (see verdict_digest). */
static uint64_t entry_mix(uint64_t h, const struct sck_ir_entry *e)
{
	const struct sck_ir_cond *c = e->conds, *cend = e->ncond ? c + e->ncond : c;

	h = (h ^ (e->action | (uint64_t)e->ncond << 32)) * 0x9e3779b97f4a7c15ULL;
	for (; c < cend; c++) {
		uint64_t kind = c->arg | (uint64_t)c->op << 8;
		h = (h ^ c->value ^ (c->mask ^ kind << 48) * 0xff51afd7ed558ccdULL) *
		    0x9e3779b97f4a7c15ULL;
	}
	return h;
}

/* The hash of every entry of @v. */
static uint64_t verdict_hash_full(const struct sck_ir_verdict *v)
{
	uint64_t h = mix(0, v->final);

	for (size_t i = 0; i < v->nentries; i++)
		h = entry_mix(h, &v->entries[i]);
	return mix(h, h >> 32);
}

/* (a verdict of more than DIGEST_SAMPLE entries has a sampled hash: its full one decides first,
 * made when first needed) */
static bool verdict_eq(struct sck_ir_verdict *a, struct sck_ir_verdict *b)
{
	if (a->hash != b->hash || a->final != b->final || a->nentries != b->nentries)
		return false;
	if (!a->entries || !b->entries) /* constant verdicts have no entries */
		return a->nentries == 0;
	if (a->nentries > DIGEST_SAMPLE) {
		if (!a->full_hash)
			a->full_hash = verdict_hash_full(a) | 1;
		if (!b->full_hash)
			b->full_hash = verdict_hash_full(b) | 1;
		if (a->full_hash != b->full_hash)
			return false;
	}
	for (size_t i = 0; i < a->nentries; i++) {
		const struct sck_ir_entry *x = &a->entries[i], *y = &b->entries[i];
		if (x->action != y->action || x->ncond != y->ncond)
			return false;
		for (size_t j = 0; j < x->ncond; j++) {
			const struct sck_ir_cond *c = &x->conds[j], *d = &y->conds[j];
			if (c->arg != d->arg || c->op != d->op || c->wide != d->wide ||
			    c->value != d->value || c->mask != d->mask)
				return false;
		}
	}
	return true;
}

/* The slot of @v (hashed): the one holding a verdict equal to it, or the empty one to take. */
static size_t *verdict_slot(struct sck_ir *ir, struct sck_ir_verdict *v)
{
	size_t mask = ir->nverdict_slots - 1, i = (size_t)v->hash & mask;

	while (ir->verdict_slots[i] && !verdict_eq(&ir->verdicts[ir->verdict_slots[i] - 1], v))
		i = (i + 1) & mask;
	return &ir->verdict_slots[i];
}

/* The hash table doubled (or made), every verdict reinserted. */
static int grow_verdict_slots(struct sck_ir *ir)
{
	size_t n = ir->nverdict_slots ? 2 * ir->nverdict_slots : 64;
	size_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	free(ir->verdict_slots);
	ir->verdict_slots = slots;
	ir->nverdict_slots = n;
	for (size_t k = 0; k < ir->nverdicts; k++) {
		size_t i = (size_t)ir->verdicts[k].hash & (n - 1);
		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = k + 1;
	}
	return 0;
}

/*
 * @v's hash and arg_depth, in one pass over its conditions. The depth is an upper estimate of
 * the longest path through the verdict's argument decision (the tree planner pulls deep ones
 * up): per argument tested, its loads and high-word test, a search over its values, and the leaf
 * compare. (A run of rules testing one value counts once; values are not sorted: cheap, and only
 * ever larger.)
 */
static void verdict_digest(struct sck_ir_verdict *v)
{
	size_t count[6] = {0};
	uint64_t last[6] = {0};
	bool wide[6] = {false};
	uint64_t run_last = 0;
	unsigned int d = 0, run_arg = 6; /* the argument whose figures are in run_* (6: none) */
	size_t run_count = 0;
	bool run_wide = false;
	const struct sck_ir_entry *e = v->entries, *end = v->nentries ? e + v->nentries : e;

	for (; e < end; e++) {
		const struct sck_ir_cond *c = e->conds, *cend = e->ncond ? c + e->ncond : c;
		for (; c < cend; c++) {
			if (c->arg == run_arg) {
				/* (the usual: the argument of the condition before, in locals) */
				if (c->value != run_last) {
					run_count++;
					run_last = c->value;
					run_wide |= c->wide;
				}
				continue;
			}
			if (run_arg < 6) {
				count[run_arg] = run_count;
				last[run_arg] = run_last;
				wide[run_arg] = run_wide;
			}
			run_arg = c->arg < 6 ? c->arg : 6;
			if (run_arg == 6)
				continue;
			run_count = count[run_arg];
			run_last = last[run_arg];
			run_wide = wide[run_arg];
			if (!run_count || c->value != run_last) {
				run_count++;
				run_last = c->value;
				run_wide |= c->wide;
			}
		}
	}
	if (run_arg < 6) {
		count[run_arg] = run_count;
		last[run_arg] = run_last;
		wide[run_arg] = run_wide;
	}
	for (size_t a = 0; a < 6 && v->nentries; a++) {
		unsigned int lg = 0;
		if (!count[a])
			continue;
		while (((size_t)1 << lg) < count[a] + 1)
			lg++;
		d += (wide[a] ? 3 : 1) + lg + 1;
	}
	/*
	 * (The entries' words go through a multiply each, which carries every bit upwards only;
	 * the final mix brings the high bits down. A condition takes one round: the mask
	 * multiplied apart from the value, its argument and operator in the mask's top bits (not
	 * its width: two verdicts apart only by that share a hash, and verdict_eq decides). A long
	 * verdict (an allowlist's) is hashed by DIGEST_SAMPLE entries spread over it and its last.)
	 */
	if (v->nentries <= DIGEST_SAMPLE) {
		v->hash = verdict_hash_full(v);
	} else {
		size_t stride = v->nentries / DIGEST_SAMPLE;
		uint64_t h = mix(mix(0, v->final), v->nentries);
		for (size_t i = 0; i < DIGEST_SAMPLE; i++)
			h = entry_mix(h, &v->entries[i * stride]);
		h = entry_mix(h, &v->entries[v->nentries - 1]);
		v->hash = mix(h, h >> 32);
	}
	v->full_hash = 0;
	v->arg_depth = d;
}

/* Intern verdict @v (its arrays owned by the IR pool). Returns its index or -ENOMEM. */
static long intern(struct sck_ir *ir, struct sck_ir_verdict *v)
{
	size_t *slot;

	verdict_digest(v);
	if (2 * (ir->nverdicts + 1) > ir->nverdict_slots && grow_verdict_slots(ir))
		return -ENOMEM;
	slot = verdict_slot(ir, v);
	if (*slot)
		return (long)(*slot - 1);
	if (sck_grow(&ir->verdicts, &ir->capverdicts, ir->nverdicts + 1, sizeof(*ir->verdicts)))
		return -ENOMEM;
	ir->verdicts[ir->nverdicts] = *v;
	*slot = ++ir->nverdicts;
	return (long)(ir->nverdicts - 1);
}

/*
 * The constant verdict of @action: most numbers have one, of a few actions, so the ones met so
 * far are looked up in a short list before the hash table.
 */
static long intern_const_new(struct sck_ir *ir, uint32_t action)
{
	struct sck_ir_verdict v = {.final = action};
	long k = intern(ir, &v);

	if (k >= 0 && ir->nconsts < SCK_IR_CONSTS)
		ir->consts[ir->nconsts++] = (struct sck_ir_const){action, (size_t)k};
	return k;
}

static inline long intern_const(struct sck_ir *ir, uint32_t action)
{
	/* (the newest first: the numbers' own actions come after the default and bad-arch ones) */
	for (size_t i = ir->nconsts; i-- > 0;)
		if (ir->consts[i].action == action)
			return (long)ir->consts[i].verdict;
	return intern_const_new(ir, action);
}

/* Whether entry @e's conditions are all as the arch's kernel compares them (none constant). */
static bool conds_vary(const struct sck_ir_entry *e)
{
	const struct sck_ir_cond *c = e->conds, *end = e->ncond ? c + e->ncond : c;

	for (; c < end; c++)
		/* (an equality or inequality always depends on the argument) */
		if (c->op > SCK_CMP_NE && cond_const(c))
			return false;
	return true;
}

/*
 * The verdict of the entries @e[0..n) of one number (in rule order, in the IR's pool: g->entries,
 * read-only from here on). Entries whose conditions all vary are used as they are. (Apart, not
 * inlined: number_ranges' loop over the numbers stays small.)
 */
static __attribute__((noinline)) long make_verdict(struct sck_ir *ir, struct sck_ir_entry *e,
						   size_t n)
{
	struct sck_ir_verdict v;
	struct sck_ir_entry *out;
	size_t k = 0;

	/* the common case, one rule without conditions: a constant */
	if (e[0].ncond == 0)
		return intern_const(ir, e[0].action);
	v = (struct sck_ir_verdict){.final = ir->def_action};
	for (; k < n && e[k].ncond; k++) {
		const struct sck_ir_cond *c = e[k].conds;
		/* (the usual entry, one equality or inequality, without the loop) */
		if (e[k].ncond == 1 ? c->op > SCK_CMP_NE && cond_const(c) : !conds_vary(&e[k]))
			break;
	}
	if (k == n || e[k].ncond == 0) {
		/* nothing to simplify: the verdict is the entries up to an unconditional one */
		if (k < n)
			v.final = e[k].action;
		out = e;
	} else {
		out = sck_ir_alloc_raw(ir, n * sizeof(*out));
		if (!out)
			return -ENOMEM;
		k = 0;
		for (size_t i = 0; i < n; i++) {
			struct sck_ir_cond *c;
			size_t m = 0;
			bool never = false;
			if (e[i].ncond == 0) {
				v.final = e[i].action;
				break;
			}
			c = sck_ir_alloc_raw(ir, e[i].ncond * sizeof(*c));
			if (!c)
				return -ENOMEM;
			for (size_t j = 0; j < e[i].ncond; j++) {
				int k2 = cond_const(&e[i].conds[j]);
				if (k2 < 0)
					never = true;
				else if (k2 == 0)
					c[m++] = e[i].conds[j];
			}
			if (never)
				continue;
			if (m == 0) {
				v.final = e[i].action;
				break;
			}
			out[k] = e[i];
			out[k].conds = m == e[i].ncond ? e[i].conds : c;
			out[k].ncond = m;
			k++;
		}
	}
	/* a trailing entry returning what falling through returns anyway is useless */
	while (k > 0 && out[k - 1].action == v.final)
		k--;
	v.entries = out;
	v.nentries = k;
	return intern(ir, &v);
}

struct rlist {
	struct sck_ir_range *r;
	size_t n, cap;
};

static inline int range_push(struct rlist *l, uint32_t lo, uint32_t hi, size_t verdict)
{
	if (l->n && l->r[l->n - 1].verdict == verdict && l->r[l->n - 1].hi + 1 == lo) {
		l->r[l->n - 1].hi = hi;
		return 0;
	}
	if (l->n == l->cap && sck_grow(&l->r, &l->cap, l->n + 1, sizeof(*l->r)))
		return -ENOMEM;
	/* (weight and wm: sck_ir_weigh_ranges) */
	l->r[l->n].lo = lo;
	l->r[l->n].hi = hi;
	l->r[l->n++].verdict = verdict;
	return 0;
}

/*
 * The ranges of a group as number_ranges makes them, in ascending order and without holes: each
 * starts where the one before ends, so that a range is known by its start and verdict, and ends
 * where the next starts. Adjacent ranges have different verdicts. The array has room for every
 * start there can be (see number_ranges).
 */
struct rbuild {
	struct sck_ir_range *r;
	size_t n;
	size_t v; /* the last range's verdict (SIZE_MAX: none yet) */
};

/* From @lo on, verdict @v (until a later start). */
static inline void rb_at(struct rbuild *b, uint32_t lo, size_t v)
{
	if (v == b->v)
		return;
	if (b->n)
		b->r[b->n - 1].hi = lo - 1;
	b->r[b->n].lo = lo;
	b->r[b->n++].verdict = v;
	b->v = v;
}

/*
 * What the gaps between a group's numbers return: below @sel (the members' selector bit, 0:
 * none) @vlow, from it to 0xfffffffe @vhigh (the default where a member has numbers there, else
 * the bad-arch verdict), at 0xffffffff (nr -1) the default.
 */
struct gaps {
	uint32_t sel;
	size_t vlow, vhigh, vdef;
};

static struct gaps group_gaps(const struct sck_ir_group *g, size_t vdef, size_t vbad)
{
	struct gaps gp = {.sel = g->members[0]->nr_select, .vdef = vdef};
	bool has64 = false, has32 = false; /* a member without, with the selector bit */

	for (size_t i = 0; i < g->nmembers; i++) {
		has64 |= !selected(g->members[i]);
		has32 |= selected(g->members[i]);
	}
	gp.vlow = has64 ? vdef : vbad;
	gp.vhigh = has32 || !gp.sel ? vdef : vbad;
	return gp;
}

/* rb_gap for a gap across the selector bit or up to 0xffffffff. */
static void rb_gap_far(struct rbuild *b, const struct gaps *gp, uint32_t lo, uint32_t hi)
{
	if (lo < gp->sel) {
		rb_at(b, lo, gp->vlow);
		lo = gp->sel;
	}
	if (lo <= 0xfffffffeU)
		rb_at(b, lo, gp->vhigh);
	if (hi == 0xffffffffU)
		rb_at(b, 0xffffffffU, gp->vdef);
}

/* The gap [@lo, @hi] (lo <= hi), with the verdicts of the region(s) it covers. */
static inline void rb_gap(struct rbuild *b, const struct gaps *gp, uint32_t lo, uint32_t hi)
{
	if (hi < gp->sel)
		rb_at(b, lo, gp->vlow);
	else if (lo >= gp->sel && hi < 0xffffffffU)
		rb_at(b, lo, gp->vhigh);
	else
		rb_gap_far(b, gp, lo, hi);
}

/* Clip override @o to the part of the nr space of its arch; false when nothing is left. */
static bool clip_override(const struct sck_foverride *o, uint32_t *lo, uint32_t *hi)
{
	uint32_t sel = o->arch->nr_select;

	*lo = o->lo;
	*hi = o->hi;
	if (sel && !selected(o->arch) && *hi >= sel)
		*hi = sel - 1;
	if (sel && selected(o->arch) && *lo < sel)
		*lo = sel;
	return *lo <= *hi;
}

/* Give the numbers of @g's overrides their action (later overrides win), rebuilding @l. */
static int apply_overrides(struct sck_ir *ir, const struct sck_filter *f, struct sck_ir_group *g,
			   struct rlist *l)
{
	size_t n = 0;

	g->overrides = sck_ir_alloc(ir, (f->noverrides + 1) * sizeof(*g->overrides));
	if (!g->overrides)
		return -ENOMEM;
	for (size_t i = 0; i < f->noverrides; i++) {
		const struct sck_foverride *o = &f->overrides[i];
		struct rlist nl = {0};
		uint32_t lo, hi;
		bool member = false;
		long v;
		int rc = 0;

		for (size_t m = 0; m < g->nmembers; m++)
			member |= g->members[m] == o->arch;
		if (!member || !clip_override(o, &lo, &hi))
			continue;
		g->overrides[n] = *o;
		g->overrides[n].lo = lo;
		g->overrides[n++].hi = hi;
		v = intern_const(ir, o->action);
		if (v < 0)
			return -ENOMEM;
		for (size_t k = 0; k < l->n && !rc; k++) {
			struct sck_ir_range r = l->r[k];
			if (r.hi < lo || r.lo > hi) {
				rc = range_push(&nl, r.lo, r.hi, r.verdict);
				continue;
			}
			if (r.lo < lo)
				rc = range_push(&nl, r.lo, lo - 1, r.verdict);
			if (!rc)
				rc = range_push(&nl, r.lo > lo ? r.lo : lo, r.hi < hi ? r.hi : hi,
						(size_t)v);
			if (!rc && r.hi > hi)
				rc = range_push(&nl, hi + 1, r.hi, r.verdict);
		}
		if (rc) {
			free(nl.r);
			return rc;
		}
		free(l->r);
		*l = nl;
	}
	g->noverrides = n;
	return 0;
}

/*
 * Step 3: the ranges over the whole nr space: each number with entries gets their verdict, the
 * gaps between them the default (or bad-arch) verdict; the ranges' verdicts with entries noted
 * in g->decisions. @sorted[n] is a zeroed entry.
 */
static int number_ranges(struct sck_ir *ir, struct sck_ir_group *g, struct sck_ir_entry *sorted,
			 size_t n, struct rlist *rl)
{
	long vdef = intern_const(ir, ir->def_action), vbad = intern_const(ir, ir->bad_arch_action);
	struct rbuild b = {.v = SIZE_MAX};
	struct gaps gp;
	uint32_t next = 0, last_action;
	long last_v;

	if (vdef < 0 || vbad < 0)
		return -ENOMEM;
	gp = group_gaps(g, (size_t)vdef, (size_t)vbad);
	/* a range starts at each number, at the gap before it (two starts more where it crosses
	 * the selector bit, or reaches 0xffffffff), after the last gap: at most 2 n + 3 */
	if (sck_grow(&rl->r, &rl->cap, 2 * n + 8, sizeof(*rl->r)) || !rl->r)
		return -ENOMEM; /* (!rl->r: never, but the analyzer cannot tell, rl being reused) */
	b.r = rl->r;
	/* (the constant verdict last met: a run of numbers allowed has it over and over) */
	last_action = ir->def_action;
	last_v = vdef;
	for (struct sck_ir_entry *e = sorted, *end = sorted + n, *x; e < end; e = x) {
		uint32_t nr;
		long v;

		/* the usual run: numbers one after another, each of one rule without conditions
		 * of the last constant's action, which the last range has (a look at the entry
		 * after each without a bound: sorted[n] is a zeroed entry, whose number 0 ends a
		 * run early at worst) */
		if (b.v == (size_t)last_v)
			while (e < end && e->nr == next && e->ncond == 0 &&
			       e->action == last_action && e[1].nr != next) {
				e++;
				next++;
			}
		if (e == end)
			break;
		nr = e->nr;
		for (x = e + 1; x < end && x->nr == nr;)
			x++;
		if (nr != next)
			rb_gap(&b, &gp, next, nr - 1);
		if (e->ncond == 0 && e->action == last_action) {
			v = last_v;
		} else {
			v = make_verdict(ir, e, (size_t)(x - e));
			if (v < 0)
				return (int)v;
			if (e->ncond == 0) {
				last_action = e->action;
				last_v = v;
			}
		}
		/* (a verdict with entries comes of conditions: a range of its own, or the last
		 * one's, which has it noted) */
		if (e->ncond && (size_t)v != b.v && !sck_ir_verdict_const(&ir->verdicts[v])) {
			if (!g->decisions)
				g->decisions = sck_ir_alloc_raw(ir, n * sizeof(*g->decisions));
			if (!g->decisions)
				return -ENOMEM;
			g->decisions[g->ndecisions++] = (size_t)v;
		}
		rb_at(&b, nr, (size_t)v);
		next = nr + 1;
	}
	if (n == 0 || sorted[n - 1].nr != 0xffffffffU)
		rb_gap(&b, &gp, next, 0xffffffffU);
	b.r[b.n - 1].hi = 0xffffffffU;
	rl->n = b.n;
	return 0;
}

/*
 * The group's entries (linear generator) and ranges (tree), in the IR's pool. @lowered and @rl:
 * room for the lowered entries and the ranges, which the groups use in turn.
 */
static int build_group(struct sck_ir *ir, const struct sck_filter *f, struct sck_ir_group *g,
		       size_t nconds, struct sck_ir_lowered *lowered, struct rlist *rl)
{
	struct sck_ir_lowered all = {.e = lowered->e, .cap = lowered->cap};
	struct sck_ir_entry *sorted = NULL;
	struct sck_ir_runs runs;
	size_t n = 0;
	int rc = sck_ir_lower(ir, f, g, nconds, &all); /* step 1 */

	if (rc)
		goto out;
	/* (the entries are sorted into the pool: the linear generator keeps them as they come out,
	 * the verdicts point into them) */
	sorted = sck_ir_alloc_raw(ir, (all.n + 1) * sizeof(*sorted));
	if (!sorted) {
		rc = -ENOMEM;
		goto out;
	}
	rc = sck_ir_order_entries(f, all.e, all.n, &all.nrs, sorted, &n, &runs); /* step 2 */
	if (!rc)
		rc = sck_ir_lsc_db(ir, f, g, &sorted, &n, &runs);
	if (rc)
		goto out;
	/* the linear generator walks the same list: entries of different numbers never both
	 * match, so this is rule order as far as verdicts go */
	sorted[n] = (struct sck_ir_entry){0};
	g->entries = sorted;
	g->nentries = n;
	rc = number_ranges(ir, g, sorted, n, rl);
	if (!rc && f->noverrides) {
		rc = apply_overrides(ir, f, g, rl);
		g->ndecisions = SIZE_MAX; /* (the ranges changed) */
	}
	if (rc)
		goto out;
	g->primary = sck_ir_primary_member(f, g);
	g->ranges = sck_ir_alloc_raw(ir, rl->n * sizeof(*g->ranges));
	if (!g->ranges) {
		rc = -ENOMEM;
		goto out;
	}
	sck_ir_weigh_ranges(f, g, rl->r, g->ranges, rl->n);
	g->nranges = rl->n;
out:
	lowered->e = all.e;
	lowered->cap = all.cap;
	return rc;
}

size_t sck_filter_arches(const struct sck_filter *f, const struct sck_arch **out)
{
	if (f->narch == 0) {
		out[0] = sck_arch_native();
		return out[0] ? 1 : 0;
	}
	memcpy(out, f->arches, f->narch * sizeof(const struct sck_arch *));
	return f->narch;
}

int sck_ir_build(const struct sck_filter *f, struct sck_ir *ir)
{
	const struct sck_arch *arches[SCK_FILTER_MAX_ARCH];
	size_t narch = sck_filter_arches(f, arches), nconds = 0, maxm = 0;
	struct sck_ir_lowered lowered = {0};
	struct rlist rl = {0};
	bool notify = false;
	int rc;

	memset(ir, 0, sizeof(*ir));
	ir->def_action = f->def_action;
	ir->bad_arch_action = f->bad_arch_action;
	if (narch == 0)
		return -EDOM;
	for (size_t i = 0; i < narch; i++) {
		const struct sck_arch *a = arches[i];
		struct sck_ir_group *g = NULL;
		for (size_t k = 0; k < ir->ngroups; k++)
			if (ir->groups[k].audit == a->audit_arch)
				g = &ir->groups[k];
		if (!g) {
			g = &ir->groups[ir->ngroups++];
			g->audit = a->audit_arch;
			g->bits64 = a->bits == 64;
			g->little_endian = a->little_endian;
		}
		if (g->nmembers == 2)
			return -EINVAL;
		g->members[g->nmembers++] = a;
	}
	/* (the flag in a local: a store to @ir could be to the rules, for all the compiler knows) */
	for (size_t i = 0; i < f->nrules; i++) {
		nconds += f->rules[i].nconds;
		if ((f->rules[i].action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			notify = true;
	}
	ir->notify = notify;
	/* the lowered entries' array, made once for the largest group (at most two entries a rule
	 * and member) and used by every group in turn */
	for (size_t k = 0; k < ir->ngroups; k++)
		maxm = ir->groups[k].nmembers > maxm ? ir->groups[k].nmembers : maxm;
	rc = sck_grow(&lowered.e, &lowered.cap, f->nrules * maxm * 2 + 1, sizeof(*lowered.e));
	for (size_t k = 0; k < ir->ngroups && !rc; k++)
		rc = build_group(ir, f, &ir->groups[k], nconds, &lowered, &rl);
	free(lowered.e);
	free(rl.r);
	if (rc) {
		sck_ir_fini(ir);
		return rc;
	}
	/* (interning is over) */
	free(ir->verdict_slots);
	ir->verdict_slots = NULL;
	ir->nverdict_slots = 0;
	if ((f->def_action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF ||
	    (f->bad_arch_action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
		ir->notify = true;
	return 0;
}
