// SPDX-License-Identifier: MIT
/*
 * OCI mode's overlapping rules (cmp_ir.c, step 2b): for each syscall number with several
 * conditional rules, the rules are merged into libseccomp's rule database in the order they were
 * added (scmp_tree.c, the model the compatibility library uses too), and the database's paths
 * replace them as first-match entries, so that sck returns what runc + libseccomp return where
 * rules overlap, rule prefixes and libseccomp's pruning included. A number whose rules the model
 * cannot take (a rule libseccomp would refuse, a condition that compares only the low word of an
 * argument on an arch that compares all of it) keeps its entries in the approximate order of
 * cmp_ir_order.c.
 */
#include "filter/filter_int.h"
#include "grow_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct flat {
	struct sck_ir *ir;
	uint32_t nr;
	bool arg32;
	struct sck_ir_entry *e;
	size_t n, cap;
};

/* One path of the database: an entry whose conditions are the path's, lowered for the arch. */
static int flat_emit(void *ctx, uint32_t action, const struct sck_cond *conds, size_t n)
{
	struct flat *fl = ctx;
	struct sck_ir_cond *c = NULL;

	if (n) {
		c = sck_ir_alloc(fl->ir, n * sizeof(*c));
		if (!c)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		bool wide = !fl->arg32 && !(conds[i].flags & SCK_COND_LOW32);
		uint64_t m = wide ? UINT64_MAX : 0xffffffffU;
		c[i] = (struct sck_ir_cond){
			.arg = (uint8_t)conds[i].arg,
			.op = (uint8_t)conds[i].op,
			.wide = wide,
			.value = conds[i].value & m,
			.mask = conds[i].op == SCK_CMP_MASKED_EQ ? conds[i].mask & m : 0};
	}
	if (sck_grow(&fl->e, &fl->cap, fl->n + 1, sizeof(*fl->e)))
		return -ENOMEM;
	fl->e[fl->n++] =
		(struct sck_ir_entry){.nr = fl->nr, .action = action, .ncond = n, .conds = c};
	return 0;
}

/*
 * The database of entries @e[0 .. n) (one number, rule order) flattened into @fl. Returns 0,
 * 1 when the model cannot take them (@fl empty), or -ENOMEM.
 */
static int flatten_run(const struct sck_ir_entry *e, size_t n, struct flat *fl)
{
	struct sck_scmp_tree *t = NULL;
	int rc = sck_scmp_tree_new(&t);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct sck_scmp_cmp c[6];
		if (e[i].ncond > 6) {
			rc = 1;
			break;
		}
		for (size_t k = 0; rc == 0 && k < e[i].ncond; k++) {
			const struct sck_ir_cond *ic = &e[i].conds[k];
			if (ic->wide == fl->arg32) /* a low-word test where all 64 bits count */
				rc = 1;
			c[k] = (struct sck_scmp_cmp){.arg = ic->arg,
						     .op = sck_cmp_op_to_scmp(ic->op)};
			if (ic->op == SCK_CMP_MASKED_EQ)
				c[k].a = ic->mask, c[k].b = ic->value;
			else
				c[k].a = ic->value;
		}
		if (rc == 0)
			rc = sck_scmp_tree_add_in_place(t, fl->arg32, e[i].action, c, e[i].ncond);
		if (rc == -EEXIST || rc == -EINVAL)
			rc = 1;
	}
	if (rc == 0)
		rc = sck_scmp_tree_flatten(t, fl->arg32, flat_emit, fl);
	sck_scmp_tree_free(t);
	if (rc)
		fl->n = 0;
	return rc;
}

static bool cond_eq(const struct sck_ir_cond *a, const struct sck_ir_cond *b)
{
	return a->arg == b->arg && a->op == b->op && a->wide == b->wide && a->value == b->value &&
	       a->mask == b->mask;
}

static bool entry_eq(const struct sck_ir_entry *a, const struct sck_ir_entry *b)
{
	if (a->action != b->action || a->ncond != b->ncond)
		return false;
	for (size_t i = 0; i < a->ncond; i++) {
		bool found = false;
		for (size_t j = 0; j < b->ncond && !found; j++)
			found = cond_eq(&a->conds[i], &b->conds[j]);
		if (!found)
			return false;
	}
	return true;
}

/*
 * Whether the database's paths @p are the rules @e themselves, all of one action (then their
 * order does not matter, and the rules' own order keeps the cost estimates of the tree planner
 * as they were: a run of `==` tests whose first rule matches arguments 0, say).
 */
static bool same_rules(const struct sck_ir_entry *e, size_t n, const struct sck_ir_entry *p,
		       size_t np)
{
	if (n != np)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		if (e[i].action != e[0].action)
			return false;
		for (size_t j = 0; j < np && !found; j++)
			found = entry_eq(&e[i], &p[j]);
		if (!found)
			return false;
	}
	return true;
}

/*
 * Rules of one action that test one condition each (an allowlist of values, of ranges, of
 * flags): libseccomp's database of them matches exactly where some rule does (each chain ends
 * in the action; merged nodes only share it; nothing is refused or pruned, which takes a second
 * condition), so the rules stay as written and the model, quadratic in rules, is not built.
 */
static bool single_tests(const struct sck_ir_entry *e, size_t n)
{
	uint32_t action = e[0].action;

	for (const struct sck_ir_entry *end = n ? e + n : e; e < end; e++)
		if (e->ncond != 1 || e->action != action)
			return false;
	return true;
}

/* The member of @g whose numbers include @nr. */
static const struct sck_arch *member_of(const struct sck_ir_group *g, uint32_t nr)
{
	for (size_t m = 0; m < g->nmembers; m++)
		if (sck_ir_nr_in_domain(g->members[m], nr))
			return g->members[m];
	return g->members[0];
}

/*
 * The next run of several entries of one number in @in[0..total) from @i on, into [@s, @e): from
 * @runs when it has them all (@r: the next one there), else by looking. false when none is left.
 */
static bool next_run(const struct sck_ir_entry *in, size_t total, size_t i,
		     const struct sck_ir_runs *runs, size_t *r, size_t *s, size_t *e)
{
	if (runs->all) {
		if (*r >= runs->n)
			return false;
		*s = runs->at[*r].start;
		*e = *s + runs->at[(*r)++].len;
		return true;
	}
	while (i + 1 < total && in[i + 1].nr != in[i].nr)
		i++;
	if (i + 1 >= total)
		return false;
	*s = i;
	for (*e = i + 1; *e < total && in[*e].nr == in[i].nr;)
		(*e)++;
	return true;
}

/* (declared in filter_int.h) */
int sck_ir_lsc_db(struct sck_ir *ir, const struct sck_filter *f, const struct sck_ir_group *g,
		  struct sck_ir_entry **sorted, size_t *n, const struct sck_ir_runs *runs)
{
	struct sck_ir_entry *in = *sorted, *out = NULL, *p;
	size_t nout = 0, cap = 0, total = *n, done = 0, r = 0, i, j;
	int rc = 0;

	if (!(f->flags & SCK_FILTER_OCI) || total == 0)
		return 0;
	/* numbers of one entry (the usual) stay where they are: only the runs are looked at; until
	 * one changes, the entries stay in place, then they go to @out (@in[done ..): not yet) */
	while (rc >= 0 && next_run(in, total, done, runs, &r, &i, &j)) {
		struct flat fl;
		const struct sck_ir_entry *src = &in[i];
		size_t cnt = j - i;
		fl.e = NULL;
		if (!single_tests(&in[i], cnt)) {
			fl = (struct flat){.ir = ir, .nr = in[i].nr};
			fl.arg32 = !sck_filter_arch_wide(f, member_of(g, in[i].nr));
			rc = flatten_run(&in[i], cnt, &fl);
			if (rc == 1)
				sck_ir_libseccomp_order(&in[i], cnt);
			else if (rc == 0 && !same_rules(&in[i], cnt, fl.e, fl.n))
				src = fl.e, cnt = fl.n;
		}
		if (rc >= 0 && !out && src != &in[i]) {
			/* (room for all of them from the start) */
			if (sck_grow(&out, &cap, total + cnt + 1, sizeof(*out)) || !out)
				rc = -ENOMEM;
			else
				memcpy(out, in, i * sizeof(*out));
			nout = done = i;
		}
		if (rc >= 0 && out &&
		    sck_grow(&out, &cap, nout + (i - done) + cnt + 1, sizeof(*out)))
			rc = -ENOMEM;
		if (rc >= 0 && out) {
			memcpy(&out[nout], &in[done], (i - done) * sizeof(*out));
			nout += i - done;
			if (cnt)
				memcpy(&out[nout], src, cnt * sizeof(*out));
			nout += cnt;
		}
		if (rc >= 0)
			rc = 0;
		if (fl.e)
			free(fl.e);
		done = j;
	}
	if (rc >= 0 && out && sck_grow(&out, &cap, nout + (total - done) + 1, sizeof(*out)))
		rc = -ENOMEM;
	if (rc < 0 || !out) {
		free(out);
		return rc;
	}
	memcpy(&out[nout], &in[done], (total - done) * sizeof(*out));
	nout += total - done;
	p = sck_ir_alloc(ir, (nout + 1) * sizeof(*p));
	if (p)
		memcpy(p, out, nout * sizeof(*p));
	free(out);
	if (!p)
		return -ENOMEM;
	*sorted = p;
	*n = nout;
	return 0;
}
