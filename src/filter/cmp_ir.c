// SPDX-License-Identifier: MIT
/*
 * The compiler's intermediate representation: the filter's rules lowered for each arch (names
 * resolved, multiplexed calls expanded, conditions narrowed to what the arch's kernel compares,
 * OCI overlap rules applied: cmp_ir_order.c), then for each audit arch the verdict of every syscall number as a
 * short first-match list, interned (hashed) so identical verdicts share one block, and the ranges of
 * numbers with one verdict over the whole 32-bit nr space, weighted for the tree builder.
 */
#include "filter/filter_int.h"
#include "grow_int.h"
#include "seccomp_data_int.h"
#include "sck/syscalls.h"
#include "syscalls_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * In a tree two arches share (x86_64 with x32), the numbers of the filter's first arch (the
 * native one, by convention) weigh this many times more: it is the arch the calls come from. An
 * empirical value (once a build-time knob): on Docker's profile the shared-tree search then
 * keeps x32's mean within its bound of x86_64's (cmp_tree.c, SHARE_GAP: 10.98 and 9.50).
 */
#define PRIMARY_WEIGHT 1.85

/* @size bytes (16-aligned), not zeroed, freed with the IR: bump allocation from 16 KiB blocks. */
static void *ir_alloc_raw(struct sck_ir *ir, size_t size)
{
	unsigned char *p;

	size = size ? (size + 15) & ~(size_t)15 : 16;
	if (size > ir->left) {
		size_t bs = size > 16384 ? size : 16384;
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
	void *p = ir_alloc_raw(ir, size);

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

/*
 * A quick "no" before sck_syscall_mux (which scans its tables): the calls socketcall(2) and
 * ipc(2) multiplex (<linux/net.h> SYS_*, ipc/syscall.c), sorted. A binary search that compares
 * first letters before calling strcmp (it runs once per rule on the arches with multiplexers).
 */
static bool maybe_mux(const char *name)
{
	static const char *const names[] = {
		"accept",     "accept4",    "bind",	"connect",  "getpeername", "getsockname",
		"getsockopt", "listen",	    "msgctl",	"msgget",   "msgrcv",	   "msgsnd",
		"recv",	      "recvfrom",   "recvmmsg", "recvmsg",  "semctl",	   "semget",
		"semop",      "semtimedop", "send",	"sendmmsg", "sendmsg",	   "sendto",
		"setsockopt", "shmat",	    "shmctl",	"shmdt",    "shmget",	   "shutdown",
		"socket",     "socketpair"};
	size_t lo = 0, hi = sizeof(names) / sizeof(names[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = (unsigned char)name[0] - (unsigned char)names[mid][0];
		if (c == 0)
			c = strcmp(name, names[mid]);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
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

struct elist {
	struct sck_ir_entry *e;
	size_t n, cap;
	struct sck_ir_cond *conds; /* room for the rules' conditions, taken in turn */
	struct sck_ir_nrs nrs;	   /* where the entries' numbers lie */
};

/* A member arch of a group as every rule's lowering sees it: what depends on the arch alone. */
struct member {
	const struct sck_arch *a;
	bool wide;	      /* sck_filter_arch_wide */
	bool has_mux;	      /* socketcall(2) or ipc(2) there, and the filter multiplexes */
	int part;	      /* its numbers' interval in struct sck_ir_nrs */
	const int32_t *nr_of; /* its table's numbers by name index (NULL: no table) */
	uint32_t dlo, dhi;    /* its domain (sck_ir_nr_in_domain) */
	uint8_t *mux_of;      /* per name index: 1 + the sub-call's place in calls[], 0: none */
	struct sck_syscall_mux_at calls[SCK_SYSCALL_MUX_CALLS];
};

/* Whether number @nr (>= 0) is in @mb's domain: sck_ir_nr_in_domain, bounds found once. */
static inline bool in_domain(const struct member *mb, int nr)
{
	return (uint32_t)nr >= mb->dlo && (uint32_t)nr <= mb->dhi;
}

/* How @mb's arch reaches rule @r's syscall through a multiplexer: sck_syscall_mux by index. */
static bool rule_mux(const struct member *mb, const struct sck_frule *r, struct sck_syscall_mux *mx)
{
	if (r->name_idx >= 0) {
		if (!mb->mux_of[r->name_idx])
			return false;
		*mx = mb->calls[mb->mux_of[r->name_idx] - 1].mux;
		return true;
	}
	/* a name the tables do not have */
	return maybe_mux(r->name) && sck_syscall_mux(mb->a, r->name, mx) == 0;
}

/* Lower rule @r for member @mb, appending 0, 1 or 2 entries (@out has room for them). */
static int lower_rule(struct sck_ir *ir, const struct sck_filter *f, const struct sck_frule *r,
		      const struct member *mb, struct elist *out)
{
	/*
	 * What the kernel gives is 64 bits on every 64-bit audit arch; libseccomp (OCI mode)
	 * compares x32 and mips n32 arguments as 32-bit values, their ABIs' long being 32 bits.
	 */
	const struct sck_arch *a = mb->a;
	bool wide_arch = mb->wide;
	struct sck_ir_entry e = {.action = r->action};
	struct sck_ir_cond *conds;
	struct sck_syscall_mux mx = {0};
	int nr = -ENOENT, muxnr = -ENOENT;

	if (r->arch && r->arch != a)
		return 0;
	if (r->name) {
		/* (sck_syscall_nr_at; SCK_SYSCALL_ABSENT is negative too) */
		nr = mb->nr_of && r->name_idx >= 0 ? mb->nr_of[r->name_idx] : -ENOENT;
		if (mb->has_mux && rule_mux(mb, r, &mx))
			muxnr = mx.nr;
	} else {
		nr = r->nr;
		/* (a number of the table is within the member's interval already) */
		if (nr >= 0 && in_domain(mb, nr)) {
			uint32_t *lo = &out->nrs.lo[mb->part], *hi = &out->nrs.hi[mb->part];
			*lo = (uint32_t)nr < *lo ? (uint32_t)nr : *lo;
			*hi = (uint32_t)nr > *hi ? (uint32_t)nr : *hi;
		}
	}
	conds = NULL;
	if (r->nconds) {
		conds = out->conds;
		out->conds += r->nconds;
	}
	for (size_t i = 0; i < r->nconds; i++) {
		const struct sck_cond *c = &r->conds[i];
		bool wide = wide_arch && !(c->flags & SCK_COND_LOW32);
		conds[i] = (struct sck_ir_cond){
			.arg = (uint8_t)c->arg,
			.op = (uint8_t)c->op,
			.wide = wide,
			.value = wide ? c->value : (c->value & 0xffffffffU),
			.mask = wide ? c->mask : (c->mask & 0xffffffffU),
		};
		if (c->op != SCK_CMP_MASKED_EQ)
			conds[i].mask = 0;
		else if (f->flags & SCK_FILTER_OCI) /* libseccomp keeps value & mask */
			conds[i].value &= conds[i].mask;
	}
	if (nr >= 0 && in_domain(mb, nr)) {
		e.nr = (uint32_t)nr;
		e.ncond = r->nconds;
		e.conds = conds;
		out->e[out->n++] = e;
	}
	if (muxnr >= 0 && in_domain(mb, muxnr)) {
		/*
		 * The multiplexer: the sub-call's arguments are in user memory, out of seccomp's
		 * reach; like libseccomp, keep the conditions on args 1..5 as they are and test
		 * arg 0, the call. The kernel decodes (int)args[0] & call_mask (ipc(2) takes the
		 * high 16 bits as a version); OCI mode compares all of args[0] as libseccomp does.
		 */
		struct sck_ir_cond *mc = ir_alloc_raw(ir, (r->nconds + 1) * sizeof(*mc));
		size_t n = 0;
		if (!mc)
			return -ENOMEM;
		if (f->flags & SCK_FILTER_OCI)
			mc[n++] = (struct sck_ir_cond){
				.arg = 0, .op = SCK_CMP_EQ, .wide = wide_arch, .value = mx.call};
		else
			mc[n++] = (struct sck_ir_cond){.arg = 0,
						       .op = SCK_CMP_MASKED_EQ,
						       .wide = false,
						       .value = mx.call,
						       .mask = mx.call_mask};
		for (size_t i = 0; i < r->nconds; i++)
			if (conds[i].arg != 0)
				mc[n++] = conds[i];
		e.nr = (uint32_t)muxnr;
		e.ncond = n;
		e.conds = mc;
		out->e[out->n++] = e;
	}
	return 0;
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

static bool verdict_eq(const struct sck_ir_verdict *a, const struct sck_ir_verdict *b)
{
	if (a->hash != b->hash || a->final != b->final || a->nentries != b->nentries)
		return false;
	if (!a->entries || !b->entries) /* constant verdicts have no entries */
		return a->nentries == 0;
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
static size_t *verdict_slot(const struct sck_ir *ir, const struct sck_ir_verdict *v)
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
	uint64_t h = mix(0, v->final);
	unsigned int d = 0;

	for (size_t i = 0; i < v->nentries; i++) {
		const struct sck_ir_entry *e = &v->entries[i];
		h = mix(h, e->action | (uint64_t)e->ncond << 32);
		for (size_t j = 0; j < e->ncond; j++) {
			const struct sck_ir_cond *c = &e->conds[j];
			uint64_t kind = c->arg | (uint64_t)c->op << 8 | (uint64_t)c->wide << 16;
			/* (argument, operator and width folded into the mask's top bits: fewer
			 * rounds; equal verdicts still hash equal, and verdict_eq decides) */
			h = mix(h, c->value);
			h = mix(h, c->mask ^ kind << 40);
			if (c->arg < 6 && (!count[c->arg] || c->value != last[c->arg])) {
				count[c->arg]++;
				last[c->arg] = c->value;
				wide[c->arg] |= c->wide;
			}
		}
	}
	for (size_t a = 0; a < 6 && v->nentries; a++) {
		unsigned int lg = 0;
		if (!count[a])
			continue;
		while (((size_t)1 << lg) < count[a] + 1)
			lg++;
		d += (wide[a] ? 3 : 1) + lg + 1;
	}
	v->hash = h;
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
	for (size_t j = 0; j < e->ncond; j++)
		if (cond_const(&e->conds[j]))
			return false;
	return true;
}

/*
 * The verdict of the entries @e[0..n) of one number (in rule order, in the IR's pool: g->entries,
 * read-only from here on). Entries whose conditions all vary are used as they are.
 */
static long make_verdict(struct sck_ir *ir, struct sck_ir_entry *e, size_t n)
{
	struct sck_ir_verdict v;
	struct sck_ir_entry *out;
	size_t k = 0;

	/* the common case, one rule without conditions: a constant */
	if (e[0].ncond == 0)
		return intern_const(ir, e[0].action);
	v = (struct sck_ir_verdict){.final = ir->def_action};
	while (k < n && e[k].ncond && conds_vary(&e[k]))
		k++;
	if (k == n || e[k].ncond == 0) {
		/* nothing to simplify: the verdict is the entries up to an unconditional one */
		if (k < n)
			v.final = e[k].action;
		out = e;
	} else {
		out = ir_alloc_raw(ir, n * sizeof(*out));
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
			c = ir_alloc_raw(ir, e[i].ncond * sizeof(*c));
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
	/* (weight and wm: weigh_ranges) */
	l->r[l->n].lo = lo;
	l->r[l->n].hi = hi;
	l->r[l->n++].verdict = verdict;
	return 0;
}

/* Push [lo, hi] with the base verdict of the region(s) it covers in group @g. */
static int push_gap(struct rlist *l, const struct sck_ir_group *g, uint32_t lo, uint32_t hi,
		    long vdef, long vbad)
{
	uint32_t sel = g->members[0]->nr_select;
	bool has64 = false, has32 = false;
	int rc;

	if (lo > hi)
		return 0;
	if (!sel)
		return range_push(l, lo, hi, (size_t)vdef);
	for (size_t i = 0; i < g->nmembers; i++) {
		has64 |= !selected(g->members[i]);
		has32 |= selected(g->members[i]);
	}
	/* [0, sel) x86_64; [sel, 0xfffffffe] x32; 0xffffffff (nr -1): the default */
	if (lo < sel) {
		uint32_t h = hi < sel ? hi : sel - 1;
		rc = range_push(l, lo, h, (size_t)(has64 ? vdef : vbad));
		if (rc || hi < sel)
			return rc;
		lo = sel;
	}
	if (lo <= 0xfffffffeU) {
		uint32_t h = hi < 0xfffffffeU ? hi : 0xfffffffeU;
		rc = range_push(l, lo, h, (size_t)(has32 ? vdef : vbad));
		if (rc || hi < 0xffffffffU)
			return rc;
	}
	return range_push(l, 0xffffffffU, 0xffffffffU, (size_t)vdef);
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
 * [*@lo, *@hi] widened to the numbers of @a's table: where its named rules and multiplexers
 * lower to (a rule by number widens them itself).
 */
static void table_bounds(const struct sck_arch *a, uint32_t *lo, uint32_t *hi)
{
	const struct sck_syscall *first = sck_syscall_at(a, 0);
	int max = sck_syscall_max(a);

	if (!first || max < 0)
		return;
	if ((uint32_t)first->nr < *lo)
		*lo = (uint32_t)first->nr;
	if ((uint32_t)max > *hi)
		*hi = (uint32_t)max;
}

/* Member @m of @g as the lowering sees it; its mux_of is the caller's to free. */
static int member_init(const struct sck_filter *f, const struct sck_ir_group *g, size_t m,
		       struct member *mb)
{
	size_t ncalls;

	mb->a = g->members[m];
	mb->wide = sck_filter_arch_wide(f, mb->a);
	mb->has_mux = !(f->flags & SCK_FILTER_NO_MULTIPLEX) &&
		      (mb->a->quirks & (SCK_ARCH_Q_SOCKETCALL | SCK_ARCH_Q_IPC));
	mb->mux_of = NULL;
	mb->part = g->members[0]->nr_select && !selected(mb->a) ? 0 : 1;
	mb->nr_of = mb->a->syscalls ? mb->a->syscalls->nr_of : NULL;
	mb->dlo = selected(mb->a) ? mb->a->nr_select : 0;
	mb->dhi = mb->a->nr_select && !selected(mb->a) ? mb->a->nr_select - 1 : UINT32_MAX;
	if (!mb->has_mux)
		return 0;
	/* the sub-calls by name index: one lookup a rule instead of comparing names */
	mb->mux_of = calloc(sck_syscall_name_count, sizeof(*mb->mux_of));
	if (!mb->mux_of)
		return -ENOMEM;
	ncalls = sck_syscall_mux_list(mb->a, mb->calls);
	for (size_t k = 0; k < ncalls; k++)
		if (mb->calls[k].idx >= 0)
			mb->mux_of[mb->calls[k].idx] = (uint8_t)(k + 1);
	return 0;
}

/*
 * Step 1: every rule lowered for the group's arches, in rule order, into @all. @nconds: the
 * rules' conditions, all together.
 */
static int lower_rules(struct sck_ir *ir, const struct sck_filter *f, const struct sck_ir_group *g,
		       size_t nconds, struct elist *all)
{
	struct member mb[2];
	int rc = 0;

	/* at most 2 entries per rule and member: one allocation, no regrowth; the conditions
	 * of all the rules once per member (the multiplexers' are allocated apart) */
	if (sck_grow(&all->e, &all->cap, f->nrules * g->nmembers * 2 + 1, sizeof(*all->e)))
		return -ENOMEM;
	if (nconds) {
		all->conds = ir_alloc_raw(ir, nconds * g->nmembers * sizeof(*all->conds));
		if (!all->conds)
			return -ENOMEM;
	}
	all->nrs = (struct sck_ir_nrs){.split = g->members[0]->nr_select,
				       .lo = {UINT32_MAX, UINT32_MAX}};
	for (size_t m = 0; m < g->nmembers; m++) {
		mb[m].mux_of = NULL;
		if (!rc)
			rc = member_init(f, g, m, &mb[m]);
		if (!rc)
			table_bounds(mb[m].a, &all->nrs.lo[mb[m].part], &all->nrs.hi[mb[m].part]);
	}
	/* member by member: entries of different members never share a number (two arches
	 * share an audit arch only with selector bits that part their domains: test_arch_facts),
	 * so the sort by number (step 2) orders them as it would rule by rule */
	for (size_t m = 0; m < g->nmembers && !rc; m++)
		for (size_t i = 0; i < f->nrules && !rc; i++)
			rc = lower_rule(ir, f, &f->rules[i], &mb[m], all);
	for (size_t m = 0; m < g->nmembers; m++)
		free(mb[m].mux_of);
	return rc;
}

/*
 * Step 3: the ranges over the whole nr space: each number with entries gets their verdict, the
 * gaps between them the default (or bad-arch) verdict.
 */
static int number_ranges(struct sck_ir *ir, const struct sck_ir_group *g,
			 struct sck_ir_entry *sorted, size_t n, struct rlist *rl)
{
	long vdef = intern_const(ir, ir->def_action), vbad = intern_const(ir, ir->bad_arch_action);
	uint32_t next = 0, last_action = 0;
	bool wrapped = false, last = false;
	long last_v = 0;
	int rc;

	if (vdef < 0 || vbad < 0)
		return -ENOMEM;
	/* room for a range a number and one a gap: the usual count */
	if (sck_grow(&rl->r, &rl->cap, 2 * n + 8, sizeof(*rl->r)))
		return -ENOMEM;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		long v;
		while (j < n && sorted[j].nr == sorted[i].nr)
			j++;
		if (sorted[i].ncond == 0 && last && sorted[i].action == last_action) {
			v = last_v; /* (a run of numbers allowed, say: the last constant again) */
		} else {
			v = make_verdict(ir, &sorted[i], j - i);
			if (v < 0)
				return (int)v;
			if (sorted[i].ncond == 0) {
				last = true;
				last_action = sorted[i].action;
				last_v = v;
			}
		}
		if (sorted[i].nr > next) {
			rc = push_gap(rl, g, next, sorted[i].nr - 1, vdef, vbad);
			if (rc)
				return rc;
		}
		rc = range_push(rl, sorted[i].nr, sorted[i].nr, (size_t)v);
		if (rc)
			return rc;
		if (sorted[i].nr == 0xffffffffU)
			wrapped = true;
		next = sorted[i].nr + 1;
		i = j;
	}
	return wrapped ? 0 : push_gap(rl, g, next, 0xffffffffU, vdef, vbad);
}

static double overlap(uint32_t lo, uint32_t hi, uint32_t a, uint32_t b)
{
	uint32_t l = lo > a ? lo : a, h = hi < b ? hi : b;
	return l > h ? 0.0 : (double)(h - l) + 1.0;
}

/* Step 4: the group's member that is the filter's first arch, or -1. */
static int primary_member(const struct sck_filter *f, const struct sck_ir_group *g)
{
	for (size_t m = 0; m < g->nmembers && f->narch; m++)
		if (g->members[m] == f->arches[0])
			return (int)m;
	return -1;
}

/*
 * Step 5: what the tree planner minimises: every number of each member arch's table span counts
 * 1 / span, times its sck_filter_set_weight hint; the primary member's PRIMARY_WEIGHT times more.
 */
static void weigh_ranges(const struct sck_filter *f, const struct sck_ir_group *g,
			 struct sck_ir_range *ranges, size_t n)
{
	uint32_t lo[2] = {0, 0}, hi[2] = {0, 0};
	double span[2] = {1, 1};

	if (g->nmembers > 2) /* (never: sck_ir_build) */
		return;
	/* each member's table span */
	for (size_t m = 0; m < g->nmembers; m++) {
		int max = sck_syscall_max(g->members[m]);
		lo[m] = g->members[m]->nr_base;
		hi[m] = max < 0 ? lo[m] : (uint32_t)max;
		span[m] = (double)(hi[m] - lo[m]) + 1.0;
	}
	for (size_t k = 0; k < n; k++) {
		struct sck_ir_range *r = &ranges[k];
		r->weight = 0;
		r->wm[0] = r->wm[1] = 0;
		for (size_t m = 0; m < g->nmembers; m++) {
			double wm = overlap(r->lo, r->hi, lo[m], hi[m]) / span[m];
			for (size_t w = 0; w < f->nweights; w++) {
				const struct sck_fweight *fw = &f->weights[w];
				if (fw->arch == g->members[m] && fw->nr >= r->lo && fw->nr <= r->hi)
					wm += ((double)fw->weight - 1.0) / span[m];
			}
			r->wm[m] = wm;
			r->weight += (int)m == g->primary ? PRIMARY_WEIGHT * wm : wm;
		}
		if (r->weight < 0)
			r->weight = 0;
	}
}

/* The group's entries (linear generator) and ranges (tree), in the IR's pool. */
static int build_group(struct sck_ir *ir, const struct sck_filter *f, struct sck_ir_group *g,
		       size_t nconds)
{
	struct elist all = {0};
	struct sck_ir_entry *sorted = NULL;
	struct rlist rl = {0};
	size_t n = 0;
	int rc = lower_rules(ir, f, g, nconds, &all);

	if (rc)
		goto out;
	/* (the entries are sorted into the pool: the linear generator keeps them as they come out,
	 * the verdicts point into them) */
	sorted = ir_alloc_raw(ir, (all.n + 1) * sizeof(*sorted));
	if (!sorted) {
		rc = -ENOMEM;
		goto out;
	}
	rc = sck_ir_order_entries(f, all.e, all.n, &all.nrs, sorted, &n); /* step 2 */
	if (!rc)
		rc = sck_ir_lsc_db(ir, f, g, &sorted, &n);
	if (rc)
		goto out;
	/* the linear generator walks the same list: entries of different numbers never both
	 * match, so this is rule order as far as verdicts go */
	sorted[n] = (struct sck_ir_entry){0};
	g->entries = sorted;
	g->nentries = n;
	rc = number_ranges(ir, g, sorted, n, &rl);
	if (!rc && f->noverrides)
		rc = apply_overrides(ir, f, g, &rl);
	if (rc)
		goto out;
	g->primary = primary_member(f, g);
	weigh_ranges(f, g, rl.r, rl.n);
	g->ranges = ir_alloc_raw(ir, rl.n * sizeof(*g->ranges));
	if (!g->ranges) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(g->ranges, rl.r, rl.n * sizeof(*rl.r));
	g->nranges = rl.n;
out:
	free(all.e);
	free(rl.r);
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
	size_t narch = sck_filter_arches(f, arches), nconds = 0;
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
	for (size_t i = 0; i < f->nrules; i++) {
		nconds += f->rules[i].nconds;
		if ((f->rules[i].action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			ir->notify = true;
	}
	for (size_t k = 0; k < ir->ngroups; k++) {
		rc = build_group(ir, f, &ir->groups[k], nconds);
		if (rc) {
			sck_ir_fini(ir);
			return rc;
		}
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
