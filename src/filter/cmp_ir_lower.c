// SPDX-License-Identifier: MIT
/*
 * Step 1 of the IR (cmp_ir.c): the filter's rules lowered for each member arch of a group: names
 * resolved to the arch's numbers, multiplexed calls (socketcall(2), ipc(2)) expanded into a test
 * of the call on the multiplexer, conditions narrowed to what the arch's kernel compares. What
 * depends on the arch alone is found once per member, not per rule.
 */
#include "filter/filter_int.h"
#include "grow_int.h"
#include "sck/syscalls.h"
#include "syscalls_int.h"

#include <errno.h>
#include <stdlib.h>

/* Whether @a is the ABI of a shared audit arch whose numbers carry the selector bit (x32). */
static bool selected(const struct sck_arch *a)
{
	return (a->nr_base & a->nr_select) != 0;
}

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
	/* a name the tables do not have (rare: the filter refuses such a name unless it is one) */
	return sck_syscall_mux(mb->a, r->name, mx) == 0;
}

/* Condition @c as the arch's kernel compares it (@wide_arch: 64 bits); @oci: libseccomp's. */
static inline struct sck_ir_cond lower_cond(const struct sck_cond *c, bool wide_arch, bool oci)
{
	bool wide = wide_arch && !(c->flags & SCK_COND_LOW32);
	struct sck_ir_cond ic = {
		.arg = (uint8_t)c->arg,
		.op = (uint8_t)c->op,
		.wide = wide,
		.value = wide ? c->value : (c->value & 0xffffffffU),
		.mask = wide ? c->mask : (c->mask & 0xffffffffU),
	};

	if (c->op != SCK_CMP_MASKED_EQ)
		ic.mask = 0;
	else if (oci) /* libseccomp keeps value & mask */
		ic.value &= ic.mask;
	return ic;
}

/* Rule @r's conditions as the arch's kernel compares them (@wide_arch: 64 bits), into @conds. */
static inline void lower_conds(const struct sck_filter *f, const struct sck_frule *r,
			       bool wide_arch, struct sck_ir_cond *conds)
{
	for (size_t i = 0; i < r->nconds; i++)
		conds[i] = lower_cond(&r->conds[i], wide_arch, (f->flags & SCK_FILTER_OCI) != 0);
}

/*
 * Lower rule @r for member @mb, appending 0, 1 or 2 entries (@out has room for them, and for
 * their conditions).
 */
static void lower_rule(const struct sck_filter *f, const struct sck_frule *r,
		       const struct member *mb, struct sck_ir_lowered *out)
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
		return;
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
	lower_conds(f, r, wide_arch, conds);
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
		struct sck_ir_cond *mc = out->conds; /* (room: sck_ir_lower) */
		size_t n = 0;
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
		out->conds += n;
		e.nr = (uint32_t)muxnr;
		e.ncond = n;
		e.conds = mc;
		out->e[out->n++] = e;
	}
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
 * The usual rules of @f from @r on (by a name of the tables, of one condition at most) lowered
 * for member @mb as lower_rule would, into *@ep and *@cp (moved past what is written), up to the
 * first other rule or @end: returns where it stopped. @mux: @mb->has_mux.
 */
static inline __attribute__((always_inline)) const struct sck_frule *
lower_run(const struct sck_filter *f, const struct member *mb, const struct sck_frule *r,
	  const struct sck_frule *end, struct sck_ir_entry **ep, struct sck_ir_cond **cp, bool mux)
{
	const struct sck_arch *a = mb->a;
	const int32_t *nr_of = mb->nr_of;
	const uint8_t *mux_of = mb->mux_of;
	bool wide = mb->wide, oci = (f->flags & SCK_FILTER_OCI) != 0;
	/* a table's number (>= 0) in the domain: nr - dlo <= dspan, one compare that an absent
	 * (negative) number fails too */
	uint32_t dlo = mb->dlo, dhi = mb->dhi < INT32_MAX ? mb->dhi : INT32_MAX, dspan = dhi - dlo;
	struct sck_ir_entry *e = *ep;
	struct sck_ir_cond *conds = *cp;

	if (!nr_of || dhi < dlo) /* (no table, or none of its numbers there: the long way) */
		return r;
	for (; r < end; r++) {
		int idx = r->name_idx;
		struct sck_ir_cond *cs = NULL; /* (none: @conds may be NULL, not to be offset) */
		uint32_t nr;

		if (r->arch && r->arch != a)
			continue;
		/* (a rule without a name has no index; one of several conditions is rarer, and
		 * its loop here would take registers the others need) */
		if (idx < 0 || r->nconds > 1)
			break;
		nr = (uint32_t)nr_of[idx];
		if (r->nconds) {
			cs = conds++;
			*cs = lower_cond(r->conds, wide, oci);
		}
		if (nr - dlo <= dspan)
			*e++ = (struct sck_ir_entry){
				.nr = nr, .action = r->action, .ncond = r->nconds, .conds = cs};
		if (mux && mux_of[idx]) {
			/* the multiplexer's entry, as lower_rule makes it */
			const struct sck_syscall_mux *mx = &mb->calls[mux_of[idx] - 1].mux;
			struct sck_ir_cond *mc = conds;
			if (mx->nr < 0 || (uint32_t)mx->nr - dlo > dspan)
				continue;
			if (oci)
				*conds++ = (struct sck_ir_cond){.arg = 0,
								.op = SCK_CMP_EQ,
								.wide = wide,
								.value = mx->call};
			else
				*conds++ = (struct sck_ir_cond){.arg = 0,
								.op = SCK_CMP_MASKED_EQ,
								.wide = false,
								.value = mx->call,
								.mask = mx->call_mask};
			if (cs && cs->arg != 0)
				*conds++ = *cs;
			*e++ = (struct sck_ir_entry){.nr = (uint32_t)mx->nr,
						     .action = r->action,
						     .ncond = (size_t)(conds - mc),
						     .conds = mc};
		}
	}
	*ep = e;
	*cp = conds;
	return r;
}

/*
 * lower_run in two loops, for a member that multiplexes and one that does not (the usual: no
 * look at the multiplexers). (Loops that call nothing, apart: what they read of @mb stays in
 * registers.)
 */
static __attribute__((noinline)) const struct sck_frule *
lower_usual(const struct sck_filter *f, const struct member *mb, const struct sck_frule *r,
	    const struct sck_frule *end, struct sck_ir_entry **ep, struct sck_ir_cond **cp)
{
	return mb->has_mux ? lower_run(f, mb, r, end, ep, cp, true)
			   : lower_run(f, mb, r, end, ep, cp, false);
}

/* Every rule of @f lowered for member @mb: usual ones by lower_usual, the rest by lower_rule. */
static void lower_member(const struct sck_filter *f, const struct member *mb,
			 struct sck_ir_lowered *all)
{
	const struct sck_frule *r = f->rules, *end = f->nrules ? r + f->nrules : r;

	for (;;) {
		struct sck_ir_entry *e = all->n ? all->e + all->n : all->e;

		r = lower_usual(f, mb, r, end, &e, &all->conds);
		all->n = (size_t)(e - all->e);
		if (r == end)
			return;
		lower_rule(f, r++, mb, all);
	}
}

/* (declared in filter_int.h) */
int sck_ir_lower(struct sck_ir *ir, const struct sck_filter *f, const struct sck_ir_group *g,
		 size_t nconds, struct sck_ir_lowered *all)
{
	struct member mb[2];
	size_t room = nconds * g->nmembers;
	int rc = 0;

	/* at most 2 entries per rule and member: one allocation, no regrowth; the conditions
	 * of all the rules once per member, and a multiplexer's entry's (the call's test and
	 * the rule's own but one at most) per rule and member that multiplexes */
	if (sck_grow(&all->e, &all->cap, f->nrules * g->nmembers * 2 + 1, sizeof(*all->e)))
		return -ENOMEM;
	for (size_t m = 0; m < g->nmembers; m++)
		if (!(f->flags & SCK_FILTER_NO_MULTIPLEX) &&
		    (g->members[m]->quirks & (SCK_ARCH_Q_SOCKETCALL | SCK_ARCH_Q_IPC)))
			room += nconds + f->nrules;
	if (room) {
		all->conds = sck_ir_alloc_raw(ir, room * sizeof(*all->conds));
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
	for (size_t m = 0; m < g->nmembers && !rc; m++) {
		lower_member(f, &mb[m], all);
		if (m == 0)
			all->nrs.nfirst = all->n;
	}
	for (size_t m = 0; m < g->nmembers; m++)
		free(mb[m].mux_of);
	return rc;
}
