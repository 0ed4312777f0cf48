// SPDX-License-Identifier: MIT
/*
 * The compiler's intermediate representation: the filter's rules lowered for each arch (names
 * resolved, multiplexed calls expanded, conditions narrowed to what the arch's kernel compares,
 * OCI overlap rules applied), then for each audit arch the verdict of every syscall number as a
 * short first-match list, interned so identical verdicts share one block, and the ranges of
 * numbers with one verdict over the whole 32-bit nr space, weighted for the tree builder.
 */
#include "filter/filter_int.h"
#include "sck/syscalls.h"
#include "syscalls_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define X32_BIT 0x40000000U
#ifndef PRIO
#define PRIO 1.85
#endif

/* @size zeroed bytes (16-aligned) freed with the IR: bump allocation from 16 KiB blocks. */
static void *ir_alloc(struct sck_ir *ir, size_t size)
{
	unsigned char *p;

	size = size ? (size + 15) & ~(size_t)15 : 16;
	if (size > ir->left) {
		size_t bs = size > 16384 ? size : 16384;
		if (ir->npool == ir->cappool) {
			size_t cap = ir->cappool ? ir->cappool * 2 : 16;
			void **np = realloc(ir->pool, cap * sizeof(*np));
			if (!np)
				return NULL;
			ir->pool = np;
			ir->cappool = cap;
		}
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
	memset(ir, 0, sizeof(*ir));
}

uint32_t sck_ir_arg_off(unsigned int arg, bool high, bool little_endian)
{
	/* args[i] at 16 + 8i; the low word first on little-endian ABIs, second on big-endian */
	uint32_t off = 16 + 8 * arg;
	if (high == little_endian)
		off += 4;
	return off;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

/*
 * A quick "no" before sck_syscall_mux (which scans its tables): the calls socketcall(2) and
 * ipc(2) multiplex (<linux/net.h> SYS_*, ipc/syscall.c), sorted.
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
	return bsearch(name, names, sizeof(names) / sizeof(names[0]), sizeof(names[0]), cmp_str) !=
	       NULL;
}

/* Whether number @nr belongs to @a's part of the nr space (x86_64 and x32 share an audit arch). */
static bool nr_in_domain(const struct sck_arch *a, uint32_t nr)
{
	if (a->id == SCK_ARCH_X32)
		return nr >= X32_BIT;
	if (a->id == SCK_ARCH_X86_64)
		return nr < X32_BIT;
	return true;
}

struct elist {
	struct sck_ir_entry *e;
	size_t n, cap;
};

static int elist_push(struct elist *l, const struct sck_ir_entry *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct sck_ir_entry *ne = realloc(l->e, cap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		l->e = ne;
		l->cap = cap;
	}
	l->e[l->n++] = *e;
	return 0;
}

/* Lower rule @r for arch @a, appending 0, 1 or 2 entries. */
static int lower_rule(struct sck_ir *ir, const struct sck_filter *f, const struct sck_frule *r,
		      const struct sck_arch *a, bool has_mux, struct elist *out)
{
	/*
	 * What the kernel gives is 64 bits on every 64-bit audit arch; libseccomp (OCI mode)
	 * compares x32 and mips n32 arguments as 32-bit values, their ABIs' long being 32 bits.
	 */
	bool wide_arch = a->bits == 64 && !((f->flags & SCK_FILTER_OCI) &&
					    (a->id == SCK_ARCH_X32 || a->id == SCK_ARCH_MIPS64N32 ||
					     a->id == SCK_ARCH_MIPSEL64N32));
	struct sck_ir_entry e = {.action = r->action};
	struct sck_ir_cond *conds;
	struct sck_syscall_mux mx = {0};
	int nr = -ENOENT, muxnr = -ENOENT;
	int rc;

	if (r->arch && r->arch != a)
		return 0;
	if (r->name) {
		nr = sck_syscall_nr_at(a, r->name_idx);
		if (!(f->flags & SCK_FILTER_NO_MULTIPLEX) && has_mux && maybe_mux(r->name) &&
		    sck_syscall_mux(a, r->name, &mx) == 0)
			muxnr = mx.nr;
	} else {
		nr = r->nr;
	}
	conds = NULL;
	if (r->nconds) {
		conds = ir_alloc(ir, r->nconds * sizeof(*conds));
		if (!conds)
			return -ENOMEM;
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
	}
	if (nr >= 0 && nr_in_domain(a, (uint32_t)nr)) {
		e.nr = (uint32_t)nr;
		e.ncond = r->nconds;
		e.conds = conds;
		rc = elist_push(out, &e);
		if (rc)
			return rc;
	}
	if (muxnr >= 0 && nr_in_domain(a, (uint32_t)muxnr)) {
		/*
		 * The multiplexer: the sub-call's arguments are in user memory, out of seccomp's
		 * reach; like libseccomp, keep the conditions on args 1..5 as they are and test
		 * arg 0, the call. The kernel decodes (int)args[0] & call_mask (ipc(2) takes the
		 * high 16 bits as a version); OCI mode compares all of args[0] as libseccomp does.
		 */
		struct sck_ir_cond *mc = ir_alloc(ir, (r->nconds + 1) * sizeof(*mc));
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
		rc = elist_push(out, &e);
		if (rc)
			return rc;
	}
	return 0;
}

/* Sort @order (indexes into @e) by e[].nr, stably: LSD radix, 8 bits a pass. */
static void radix_sort(const struct sck_ir_entry *e, uint32_t *order, uint32_t *tmp, size_t n)
{
	for (unsigned int shift = 0; shift < 32; shift += 8) {
		size_t count[257] = {0};
		bool moved = false;
		for (size_t i = 0; i < n; i++)
			count[((e[order[i]].nr >> shift) & 0xff) + 1]++;
		for (size_t b = 0; b < 256; b++) {
			if (count[b + 1] == n)
				moved = true; /* every key has this digit: nothing to do */
			count[b + 1] += count[b];
		}
		if (moved)
			continue;
		for (size_t i = 0; i < n; i++)
			tmp[count[(e[order[i]].nr >> shift) & 0xff]++] = order[i];
		memcpy(order, tmp, n * sizeof(*order));
	}
}

/*
 * libseccomp's order among the conditional rules of one syscall (OCI mode). libseccomp merges
 * them into a tree whose levels it keeps ordered and takes the first matching branch; this
 * approximates it as first match over the rules sorted by their chains of comparison nodes. A
 * rule's chain takes its conditions by argument index, ascending; each condition is one node on
 * a 32-bit compare, or a high-word node then a low-word node on a 64-bit one. Nodes compare by
 * argument (higher first), then by kind (masked equality, equality (NE is an inverted EQ), GE
 * (LT inverted), GT (LE inverted; a 64-bit ordering compare's high node is a GT)), then by mask
 * and operand (larger first); a chain that is a prefix of another comes first. Inferred from
 * libseccomp 2.5's generated filters: it matches them on every case of docs/semantics.md, and
 * on random overlapping rule sets far more often than rule order does (not always).
 */
struct lsnode {
	unsigned int arg, op;
	uint64_t datum, mask;
};

enum { LS_MASKED = 0, LS_EQ = 1, LS_GE = 2, LS_GT = 3 };

static unsigned int ls_op(unsigned int op)
{
	switch (op) {
	case SCK_CMP_EQ:
	case SCK_CMP_NE:
		return LS_EQ;
	case SCK_CMP_LT:
	case SCK_CMP_GE:
		return LS_GE;
	case SCK_CMP_LE:
	case SCK_CMP_GT:
		return LS_GT;
	default:
		return LS_MASKED;
	}
}

static size_t ls_chain(const struct sck_ir_entry *e, struct lsnode *out)
{
	const struct sck_ir_cond *by_arg[6] = {0};
	size_t n = 0;

	for (size_t i = 0; i < e->ncond; i++)
		if (e->conds[i].arg < 6 && !by_arg[e->conds[i].arg])
			by_arg[e->conds[i].arg] = &e->conds[i];
	for (unsigned int a = 0; a < 6; a++) {
		const struct sck_ir_cond *c = by_arg[a];
		if (!c)
			continue;
		if (c->wide) {
			out[n++] = (struct lsnode){.arg = a,
						   .op = c->op == SCK_CMP_MASKED_EQ ? LS_MASKED
							 : ls_op(c->op) == LS_EQ    ? LS_EQ
										    : LS_GT,
						   .datum = c->value >> 32,
						   .mask = c->mask >> 32};
		}
		out[n++] = (struct lsnode){.arg = a,
					   .op = ls_op(c->op),
					   .datum = c->value & 0xffffffffU,
					   .mask = c->mask & 0xffffffffU};
	}
	return n;
}

static int ls_cmp(const struct sck_ir_entry *x, const struct sck_ir_entry *y)
{
	struct lsnode a[12], b[12];
	size_t na = ls_chain(x, a), nb = ls_chain(y, b);

	for (size_t i = 0; i < na && i < nb; i++) {
		if (a[i].arg != b[i].arg)
			return a[i].arg > b[i].arg ? -1 : 1;
		if (a[i].op != b[i].op)
			return a[i].op < b[i].op ? -1 : 1;
		if (a[i].mask != b[i].mask)
			return a[i].mask > b[i].mask ? -1 : 1;
		if (a[i].datum != b[i].datum)
			return a[i].datum > b[i].datum ? -1 : 1;
	}
	return na < nb ? -1 : na > nb ? 1 : 0;
}

static bool same_action(const struct sck_ir_entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (e[i].action != e[0].action)
			return false;
	return true;
}

/* Stable insertion sort of one syscall's conditional entries into libseccomp's order. */
static void libseccomp_order(struct sck_ir_entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct sck_ir_entry t = e[i];
		size_t j = i;
		while (j > 0 && ls_cmp(&e[j - 1], &t) > 0) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = t;
	}
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

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
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

/* Intern verdict @v (its arrays owned by the IR pool). Returns its index or -ENOMEM. */
static long intern(struct sck_ir *ir, struct sck_ir_verdict *v)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, &v->final, sizeof(v->final));
	for (size_t i = 0; i < v->nentries; i++) {
		const struct sck_ir_entry *e = &v->entries[i];
		h = fnv(h, &e->action, sizeof(e->action));
		for (size_t j = 0; j < e->ncond; j++) {
			const struct sck_ir_cond *c = &e->conds[j];
			h = fnv(h, &c->arg, 1);
			h = fnv(h, &c->op, 1);
			h = fnv(h, &c->wide, 1);
			h = fnv(h, &c->value, 8);
			h = fnv(h, &c->mask, 8);
		}
		h = fnv(h, "|", 1);
	}
	v->hash = h;
	for (size_t i = 0; i < ir->nverdicts; i++)
		if (verdict_eq(&ir->verdicts[i], v))
			return (long)i;
	if (ir->nverdicts == ir->capverdicts) {
		size_t cap = ir->capverdicts ? ir->capverdicts * 2 : 32;
		struct sck_ir_verdict *nv = realloc(ir->verdicts, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		ir->verdicts = nv;
		ir->capverdicts = cap;
	}
	ir->verdicts[ir->nverdicts] = *v;
	return (long)ir->nverdicts++;
}

static long intern_const(struct sck_ir *ir, uint32_t action)
{
	struct sck_ir_verdict v = {.final = action};
	return intern(ir, &v);
}

/* The verdict of the entries @e[0..n) of one number (in rule order). */
static long make_verdict(struct sck_ir *ir, const struct sck_ir_entry *e, size_t n)
{
	struct sck_ir_verdict v = {.final = ir->def_action};
	struct sck_ir_entry *out;
	size_t k = 0;

	/* the common case, one rule without conditions: a constant */
	if (e[0].ncond == 0)
		return intern_const(ir, e[0].action);
	out = ir_alloc(ir, n * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct sck_ir_cond *c = NULL;
		size_t m = 0;
		bool never = false;
		if (e[i].ncond == 0) {
			v.final = e[i].action;
			break;
		}
		c = ir_alloc(ir, e[i].ncond * sizeof(*c));
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
		out[k].conds = c;
		out[k].ncond = m;
		k++;
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

static int range_push(struct rlist *l, uint32_t lo, uint32_t hi, size_t verdict)
{
	if (l->n && l->r[l->n - 1].verdict == verdict && l->r[l->n - 1].hi + 1 == lo) {
		l->r[l->n - 1].hi = hi;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct sck_ir_range *nr = realloc(l->r, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		l->r = nr;
		l->cap = cap;
	}
	l->r[l->n++] = (struct sck_ir_range){.lo = lo, .hi = hi, .verdict = verdict};
	return 0;
}

/* Push [lo, hi] with the base verdict of the region(s) it covers in group @g. */
static int push_gap(struct rlist *l, const struct sck_ir_group *g, uint32_t lo, uint32_t hi,
		    long vdef, long vbad)
{
	bool has64 = false, has32 = false;
	int rc;

	if (lo > hi)
		return 0;
	if (g->members[0]->id != SCK_ARCH_X86_64 && g->members[0]->id != SCK_ARCH_X32)
		return range_push(l, lo, hi, (size_t)vdef);
	for (size_t i = 0; i < g->nmembers; i++) {
		has64 |= g->members[i]->id == SCK_ARCH_X86_64;
		has32 |= g->members[i]->id == SCK_ARCH_X32;
	}
	/* [0, X32) x86_64; [X32, 0xfffffffe] x32; 0xffffffff (nr -1): the default */
	if (lo < X32_BIT) {
		uint32_t h = hi < X32_BIT ? hi : X32_BIT - 1;
		rc = range_push(l, lo, h, (size_t)(has64 ? vdef : vbad));
		if (rc || hi < X32_BIT)
			return rc;
		lo = X32_BIT;
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
	*lo = o->lo;
	*hi = o->hi;
	if (o->arch->id == SCK_ARCH_X86_64 && *hi >= X32_BIT)
		*hi = X32_BIT - 1;
	if (o->arch->id == SCK_ARCH_X32 && *lo < X32_BIT)
		*lo = X32_BIT;
	return *lo <= *hi;
}

/* Give the numbers of @g's overrides their action (later overrides win), rebuilding @l. */
static int apply_overrides(struct sck_ir *ir, const struct sck_filter *f, struct sck_ir_group *g,
			   struct rlist *l)
{
	size_t n = 0;

	g->overrides = ir_alloc(ir, (f->noverrides + 1) * sizeof(*g->overrides));
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

static double overlap(uint32_t lo, uint32_t hi, uint32_t a, uint32_t b)
{
	uint32_t l = lo > a ? lo : a, h = hi < b ? hi : b;
	return l > h ? 0.0 : (double)(h - l) + 1.0;
}

static int build_group(struct sck_ir *ir, const struct sck_filter *f, struct sck_ir_group *g)
{
	struct elist all = {0};
	struct sck_ir_entry *sorted = NULL;
	uint32_t *order = NULL, *tmp = NULL;
	struct rlist rl = {0};
	long vdef, vbad;
	uint32_t next = 0;
	bool wrapped = false, has_mux[2];
	const struct sck_arch *f_first = f->narch ? f->arches[0] : NULL;
	int rc = 0;

	for (size_t m = 0; m < g->nmembers; m++)
		has_mux[m] = sck_syscall_nr(g->members[m], "socketcall") >= 0 ||
			     sck_syscall_nr(g->members[m], "ipc") >= 0;
	/* at most 2 entries per rule and member: one allocation, no regrowth */
	all.cap = f->nrules * g->nmembers * 2 + 1;
	all.e = malloc(all.cap * sizeof(*all.e));
	if (!all.e) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < f->nrules; i++) {
		const struct sck_frule *r = &f->rules[i];
		if ((f->flags & SCK_FILTER_OCI) && r->action == f->def_action)
			continue;
		for (size_t m = 0; m < g->nmembers; m++) {
			rc = lower_rule(ir, f, r, g->members[m], has_mux[m], &all);
			if (rc)
				goto out;
		}
	}
	/* stable sort by number (rule order kept among equal numbers) */
	order = malloc((all.n + 1) * sizeof(*order));
	tmp = malloc((all.n + 1) * sizeof(*tmp));
	sorted = malloc((all.n + 1) * sizeof(*sorted));
	if (!order || !tmp || !sorted) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < all.n; i++)
		order[i] = (uint32_t)i;
	radix_sort(all.e, order, tmp, all.n);
	{
		size_t k = 0;
		for (size_t i = 0; i < all.n;) {
			size_t j = i, first = SIZE_MAX;
			while (j < all.n && all.e[order[j]].nr == all.e[order[i]].nr) {
				if (first == SIZE_MAX && all.e[order[j]].ncond == 0)
					first = j;
				j++;
			}
			/* OCI (libseccomp): an unconditional rule replaces every conditional one
			 * of its syscall, and the first unconditional rule stays */
			if ((f->flags & SCK_FILTER_OCI) && first != SIZE_MAX) {
				sorted[k++] = all.e[order[first]];
			} else {
				size_t from = k;
				for (; i < j; i++)
					sorted[k++] = all.e[order[i]];
				/* (with one action for all, any order gives the same verdicts) */
				if ((f->flags & SCK_FILTER_OCI) &&
				    !same_action(&sorted[from], k - from))
					libseccomp_order(&sorted[from], k - from);
			}
			i = j;
		}
		/* the linear generator walks the same list: entries of different numbers never
		 * both match, so this is rule order as far as verdicts go */
		g->entries = ir_alloc(ir, (k + 1) * sizeof(*g->entries));
		if (!g->entries) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(g->entries, sorted, k * sizeof(*sorted));
		g->nentries = k;
		all.n = k;
	}

	vdef = intern_const(ir, ir->def_action);
	vbad = intern_const(ir, ir->bad_arch_action);
	if (vdef < 0 || vbad < 0) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < all.n;) {
		size_t j = i;
		long v;
		while (j < all.n && sorted[j].nr == sorted[i].nr)
			j++;
		v = make_verdict(ir, &sorted[i], j - i);
		if (v < 0) {
			rc = (int)v;
			goto out;
		}
		if (sorted[i].nr > next) {
			rc = push_gap(&rl, g, next, sorted[i].nr - 1, vdef, vbad);
			if (rc)
				goto out;
		}
		rc = range_push(&rl, sorted[i].nr, sorted[i].nr, (size_t)v);
		if (rc)
			goto out;
		if (sorted[i].nr == 0xffffffffU)
			wrapped = true;
		next = sorted[i].nr + 1;
		i = j;
	}
	if (!wrapped) {
		rc = push_gap(&rl, g, next, 0xffffffffU, vdef, vbad);
		if (rc)
			goto out;
	}
	if (f->noverrides) {
		rc = apply_overrides(ir, f, g, &rl);
		if (rc)
			goto out;
	}
	/* weights: every number of each member arch's table span counts 1 / span */
	g->primary = -1;
	for (size_t m = 0; m < g->nmembers && f_first; m++)
		if (g->members[m] == f_first)
			g->primary = (int)m;
	for (size_t k = 0; k < rl.n; k++) {
		struct sck_ir_range *r = &rl.r[k];
		r->weight = 0;
		r->wm[0] = r->wm[1] = 0;
		for (size_t m = 0; m < g->nmembers; m++) {
			const struct sck_arch *a = g->members[m];
			int max = sck_syscall_max(a);
			uint32_t lo = a->nr_base, hi = max < 0 ? lo : (uint32_t)max;
			double span = (double)(hi - lo) + 1.0;
			double wm = overlap(r->lo, r->hi, lo, hi) / span;
			for (size_t w = 0; w < f->nweights; w++) {
				const struct sck_fweight *fw = &f->weights[w];
				if (fw->arch == a && fw->nr >= r->lo && fw->nr <= r->hi)
					wm += ((double)fw->weight - 1.0) / span;
			}
			r->wm[m] = wm;
			/* the filter's first arch (the native one, by convention) counts more when
			 * it shares the tree with another (x86_64 with x32) */
			r->weight += (int)m == g->primary ? PRIO * wm : wm;
		}
		if (r->weight < 0)
			r->weight = 0;
	}
	g->ranges = ir_alloc(ir, rl.n * sizeof(*g->ranges));
	if (!g->ranges) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(g->ranges, rl.r, rl.n * sizeof(*rl.r));
	g->nranges = rl.n;
out:
	free(all.e);
	free(order);
	free(tmp);
	free(sorted);
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
	size_t narch = sck_filter_arches(f, arches);
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
	for (size_t k = 0; k < ir->ngroups; k++) {
		rc = build_group(ir, f, &ir->groups[k]);
		if (rc) {
			sck_ir_fini(ir);
			return rc;
		}
	}
	for (size_t i = 0; i < f->nrules; i++)
		if ((f->rules[i].action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			ir->notify = true;
	if ((f->def_action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF ||
	    (f->bad_arch_action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
		ir->notify = true;
	return 0;
}
