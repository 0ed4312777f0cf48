// SPDX-License-Identifier: MIT
/* The filter tests' oracle (see test_filter_oracle.h). */
#include "test_filter_oracle.h"

#include <errno.h>
#include <string.h>

#define X32_BIT 0x40000000U

/* (declared in test_filter_oracle.h) */
bool orc_cond_holds(const struct sck_cond *c, uint64_t x, bool narrow)
{
	uint64_t v = c->value, m = c->mask;

	if (narrow || (c->flags & SCK_COND_LOW32)) {
		x &= 0xffffffffU;
		v &= 0xffffffffU;
		m &= 0xffffffffU;
	}
	switch (c->op) {
	case SCK_CMP_EQ:
		return x == v;
	case SCK_CMP_NE:
		return x != v;
	case SCK_CMP_LT:
		return x < v;
	case SCK_CMP_LE:
		return x <= v;
	case SCK_CMP_GT:
		return x > v;
	case SCK_CMP_GE:
		return x >= v;
	case SCK_CMP_MASKED_EQ:
		return (x & m) == v;
	}
	return false;
}

/* OCI mode compares a masked equality's expected value inside its mask, as libseccomp does. */
static bool holds_mode(const struct orc_spec *s, const struct sck_cond *c, uint64_t x, bool narrow)
{
	struct sck_cond m = *c;

	if ((s->flags & SCK_FILTER_OCI) && c->op == SCK_CMP_MASKED_EQ)
		m.value &= m.mask;
	return orc_cond_holds(&m, x, narrow);
}

void orc_prepare(struct orc_spec *s)
{
	for (size_t r = 0; r < s->nrules; r++) {
		for (size_t i = 0; i < s->narch; i++) {
			const struct orc_rule *ru = &s->rules[r];
			s->direct[r][i] =
				ru->name ? sck_syscall_nr(s->arches[i], ru->name) : ru->nr;
			s->muxrc[r][i] =
				ru->name ? sck_syscall_mux(s->arches[i], ru->name, &s->mux[r][i])
					 : -ENOENT;
		}
	}
	s->prepared = true;
}

/* Whether rule @r matches call @d on arch @a; *uncond tells whether it is unconditional there. */
static bool rule_matches(const struct orc_spec *s, const struct orc_rule *r,
			 const struct sck_arch *a, const struct seccomp_data *d, bool *applies,
			 bool *uncond)
{
	uint32_t nr = (uint32_t)d->nr;
	bool narrow = a->bits == 32 || ((s->flags & SCK_FILTER_OCI) &&
					(a->id == SCK_ARCH_X32 || a->id == SCK_ARCH_MIPS64N32 ||
					 a->id == SCK_ARCH_MIPSEL64N32));
	struct sck_syscall_mux mx;
	int direct, muxrc;
	size_t ri = (size_t)(r - s->rules), ai = 0;

	*applies = false;
	if (r->arch && r->arch != a)
		return false;
	while (ai < s->narch && s->arches[ai] != a)
		ai++;
	if (s->prepared && ai < s->narch) {
		direct = s->direct[ri][ai];
		muxrc = s->muxrc[ri][ai];
		mx = s->mux[ri][ai];
	} else {
		direct = r->name ? sck_syscall_nr(a, r->name) : r->nr;
		muxrc = r->name ? sck_syscall_mux(a, r->name, &mx) : -ENOENT;
	}
	if (direct >= 0 && (uint32_t)direct == nr) {
		*applies = true;
		*uncond = r->nconds == 0;
		for (size_t i = 0; i < r->nconds; i++)
			if (!holds_mode(s, &r->conds[i], d->args[r->conds[i].arg], narrow))
				return false;
		return true;
	}
	if (!(s->flags & SCK_FILTER_NO_MULTIPLEX) && muxrc == 0 && (uint32_t)mx.nr == nr) {
		uint64_t a0 = d->args[0];
		*applies = true;
		*uncond = false;
		if (s->flags & SCK_FILTER_OCI) {
			if ((narrow ? (a0 & 0xffffffffU) : a0) != mx.call)
				return false;
		} else if (((uint32_t)a0 & mx.call_mask) != mx.call) {
			return false;
		}
		for (size_t i = 0; i < r->nconds; i++)
			if (r->conds[i].arg != 0 &&
			    !holds_mode(s, &r->conds[i], d->args[r->conds[i].arg], narrow))
				return false;
		return true;
	}
	return false;
}

/*
 * libseccomp's order among conditional rules (docs/semantics.md, OCI mode), restated: chains of
 * (arg, kind, mask, value) nodes, conditions by arg ascending, a 64-bit compare as a high then a
 * low node; nodes by arg descending, kind (MASKED, EQ/NE, GE/LT, GT/LE; a 64-bit ordering
 * compare's high node is GT) ascending, mask then value descending; a prefix first.
 */
struct onode {
	unsigned int arg, kind;
	uint64_t mask, value;
};

static unsigned int okind(enum sck_cmp_op op)
{
	switch (op) {
	case SCK_CMP_MASKED_EQ:
		return 0;
	case SCK_CMP_EQ:
	case SCK_CMP_NE:
		return 1;
	case SCK_CMP_GE:
	case SCK_CMP_LT:
		return 2;
	default:
		return 3;
	}
}

static size_t ochain(const struct orc_rule *r, bool narrow, struct onode *out)
{
	size_t n = 0;
	for (unsigned int a = 0; a < 6; a++) {
		const struct sck_cond *c = NULL;
		for (size_t i = 0; i < r->nconds && !c; i++)
			if (r->conds[i].arg == a)
				c = &r->conds[i];
		if (!c)
			continue;
		bool wide = !narrow && !(c->flags & SCK_COND_LOW32);
		uint64_t m = c->op == SCK_CMP_MASKED_EQ ? c->mask : 0;
		/* a masked equality's node holds its value inside the mask, as libseccomp's does */
		uint64_t v = c->op == SCK_CMP_MASKED_EQ ? c->value & m : c->value;
		if (wide)
			out[n++] = (struct onode){a, okind(c->op) >= 2 ? 3 : okind(c->op), m >> 32,
						  v >> 32};
		out[n++] = (struct onode){a, okind(c->op), m & 0xffffffffU, v & 0xffffffffU};
	}
	return n;
}

static int ocmp(const struct orc_rule *x, const struct orc_rule *y, bool narrow)
{
	struct onode a[12], b[12];
	size_t na = ochain(x, narrow, a), nb = ochain(y, narrow, b);
	for (size_t i = 0; i < na && i < nb; i++) {
		if (a[i].arg != b[i].arg)
			return a[i].arg > b[i].arg ? -1 : 1;
		if (a[i].kind != b[i].kind)
			return a[i].kind < b[i].kind ? -1 : 1;
		if (a[i].mask != b[i].mask)
			return a[i].mask > b[i].mask ? -1 : 1;
		if (a[i].value != b[i].value)
			return a[i].value > b[i].value ? -1 : 1;
	}
	return na < nb ? -1 : na > nb ? 1 : 0;
}

struct db_walk {
	const struct seccomp_data *d;
	bool narrow;
	uint32_t action;
};

static int db_path(void *ctx, uint32_t action, const struct sck_cond *conds, size_t n)
{
	struct db_walk *w = ctx;

	for (size_t i = 0; i < n; i++)
		if (!orc_cond_holds(&conds[i], w->d->args[conds[i].arg], w->narrow))
			return 0;
	w->action = action;
	return 1; /* the first path that holds: stop */
}

static const enum sck_scmp_op scmp_ops[] = {
	[SCK_CMP_EQ] = SCK_SCMP_EQ,
	[SCK_CMP_NE] = SCK_SCMP_NE,
	[SCK_CMP_LT] = SCK_SCMP_LT,
	[SCK_CMP_LE] = SCK_SCMP_LE,
	[SCK_CMP_GT] = SCK_SCMP_GT,
	[SCK_CMP_GE] = SCK_SCMP_GE,
	[SCK_CMP_MASKED_EQ] = SCK_SCMP_MASKED_EQ,
};

/* Rule @r as the comparisons libseccomp gets on arch @a (@mux: through socketcall / ipc). */
static size_t db_cmps(const struct orc_rule *r, const struct sck_arch *a, bool mux, bool narrow,
		      struct sck_scmp_cmp *c, bool *ok)
{
	uint64_t m = narrow ? 0xffffffffU : UINT64_MAX;
	size_t n = 0;

	if (mux) {
		struct sck_syscall_mux mx;
		if (sck_syscall_mux(a, r->name, &mx) != 0) {
			*ok = false;
			return 0;
		}
		c[n++] = (struct sck_scmp_cmp){.arg = 0, .op = SCK_SCMP_EQ, .a = mx.call};
	}
	for (size_t k = 0; k < r->nconds; k++) {
		const struct sck_cond *cd = &r->conds[k];
		if (mux && cd->arg == 0)
			continue;
		if (!narrow && (cd->flags & SCK_COND_LOW32))
			*ok = false; /* a low-word test where all 64 bits count */
		c[n] = (struct sck_scmp_cmp){.arg = cd->arg, .op = scmp_ops[cd->op]};
		if (cd->op == SCK_CMP_MASKED_EQ)
			c[n].a = cd->mask & m, c[n].b = cd->value & m;
		else
			c[n].a = cd->value & m;
		n++;
	}
	return n;
}

/*
 * OCI mode: the conditional rules (two or more) that land on @d's number, merged in rule order into
 * libseccomp's rule database (the public model, itself checked against libseccomp by the
 * differential tests), and the first of its paths that holds. False when the model cannot take
 * them (a rule libseccomp refuses, two conditions on one argument, a low-word test on a 64-bit
 * argument): the compiler then keeps its approximate order, and so does the caller.
 */
static bool db_eval(const struct orc_spec *s, const struct sck_arch *a,
		    const struct seccomp_data *d, bool narrow, uint32_t *out)
{
	struct sck_scmp_tree *t = NULL;
	struct db_walk w = {.d = d, .narrow = narrow, .action = s->def};
	bool ok = sck_scmp_tree_new(&t) == 0;
	size_t landing = 0;

	for (size_t i = 0; ok && i < s->nrules; i++) {
		const struct orc_rule *r = &s->rules[i];
		struct sck_scmp_cmp c[ORC_MAX_CONDS + 1];
		bool applies, uncond = false;
		int direct;
		size_t n;
		if (r->action == s->def)
			continue;
		rule_matches(s, r, a, d, &applies, &uncond);
		if (!applies)
			continue;
		direct = r->name ? sck_syscall_nr(a, r->name) : r->nr;
		n = db_cmps(r, a, !(direct >= 0 && (uint32_t)direct == (uint32_t)d->nr), narrow, c,
			    &ok);
		if (ok && (uncond || n > 6 || sck_scmp_tree_add(t, narrow, r->action, c, n) != 0))
			ok = false;
		landing++;
	}
	/* (one rule alone is kept as it is, like the compiler does) */
	ok = ok && landing > 1;
	if (ok)
		ok = sck_scmp_tree_flatten(t, narrow, db_path, &w) >= 0;
	sck_scmp_tree_free(t);
	if (ok)
		*out = w.action;
	return ok;
}

uint32_t orc_eval(const struct orc_spec *s, const struct seccomp_data *d)
{
	const struct sck_arch *a = NULL, *a64 = NULL, *a32 = NULL;
	uint32_t nr = (uint32_t)d->nr;
	const struct sck_arch *native[1] = {sck_arch_native()};
	const struct sck_arch *const *arches = s->narch ? s->arches : native;
	size_t narch = s->narch ? s->narch : 1;

	for (size_t i = 0; i < narch; i++) {
		if (arches[i]->audit_arch != d->arch)
			continue;
		if (arches[i]->id == SCK_ARCH_X86_64)
			a64 = arches[i];
		else if (arches[i]->id == SCK_ARCH_X32)
			a32 = arches[i];
		else
			a = arches[i];
	}
	if (a64 || a32) {
		if (nr == 0xffffffffU)
			return s->def;
		a = nr >= X32_BIT ? a32 : a64;
	}
	if (!a)
		return s->bad;
	if (s->flags & SCK_FILTER_OCI) {
		/* an unconditional rule of this syscall: the first one wins */
		for (size_t i = 0; i < s->nrules; i++) {
			bool applies, uncond = false;
			if (s->rules[i].action == s->def)
				continue;
			rule_matches(s, &s->rules[i], a, d, &applies, &uncond);
			if (applies && uncond)
				return s->rules[i].action;
		}
	}
	if (s->flags & SCK_FILTER_OCI) {
		/* the matching conditional rules: the first in libseccomp's order wins */
		const struct orc_rule *best = NULL;
		bool narrow = a->bits == 32 || a->id == SCK_ARCH_X32 ||
			      a->id == SCK_ARCH_MIPS64N32 || a->id == SCK_ARCH_MIPSEL64N32;
		uint32_t v;
		if (db_eval(s, a, d, narrow, &v))
			return v;
		for (size_t i = 0; i < s->nrules; i++) {
			bool applies, uncond = false;
			const struct orc_rule *r = &s->rules[i];
			struct orc_rule mr;
			if (r->action == s->def || !rule_matches(s, r, a, d, &applies, &uncond))
				continue;
			/* a multiplexed rule's chain: arg 0 == call, then its other conditions */
			if ((uint32_t)(r->name ? sck_syscall_nr(a, r->name) : r->nr) !=
			    (uint32_t)d->nr) {
				mr = *r;
				mr.nconds = 0;
				mr.conds[mr.nconds++] = (struct sck_cond){
					.arg = 0,
					.op = SCK_CMP_EQ,
					.value = d->args[0] & (narrow ? 0xffffffffU : ~0ULL)};
				for (size_t k = 0; k < r->nconds && mr.nconds < ORC_MAX_CONDS; k++)
					if (r->conds[k].arg != 0)
						mr.conds[mr.nconds++] = r->conds[k];
				r = &mr;
				if (!best || ocmp(r, best, narrow) < 0) {
					static struct orc_rule keep;
					keep = mr;
					best = &keep;
				}
				continue;
			}
			if (!best || ocmp(r, best, narrow) < 0)
				best = r;
		}
		return best ? best->action : s->def;
	}
	for (size_t i = 0; i < s->nrules; i++) {
		bool applies, uncond = false;
		if (rule_matches(s, &s->rules[i], a, d, &applies, &uncond))
			return s->rules[i].action;
	}
	return s->def;
}

int orc_build(const struct orc_spec *s, struct sck_filter **out)
{
	/* random arch sets mix byte orders: the oracle does not care, sck_filter_add_arch does */
	SCK_OPTS(sck_filter_opts, o, .default_action = s->def, .bad_arch_action = s->bad,
		 .flags = s->flags | SCK_FILTER_MIXED_ENDIAN);
	struct sck_filter *f;
	int rc = sck_filter_new(&o, &f);

	if (rc)
		return rc;
	for (size_t i = 0; i < s->narch; i++) {
		rc = sck_filter_add_arch(f, s->arches[i]);
		if (rc)
			goto fail;
	}
	for (size_t i = 0; i < s->nrules; i++) {
		const struct orc_rule *r = &s->rules[i];
		struct sck_rule sr = {.name = r->name,
				      .nr = r->nr,
				      .arch = r->arch,
				      .action = r->action,
				      .conds = r->conds,
				      .nconds = r->nconds};
		rc = sck_filter_add_rule(f, &sr);
		if (rc)
			goto fail;
	}
	*out = f;
	return 0;
fail:
	sck_filter_free(f);
	return rc;
}

int orc_emu(const struct sck_filter *f, unsigned int flags, struct sck_bpf_emu **emu, size_t *len)
{
	SCK_OPTS(sck_filter_compile_opts, co, .flags = flags);
	struct sck_filter_prog *p;
	const struct sock_filter *in;
	int rc = sck_filter_compile(f, &co, &p);

	if (rc)
		return rc;
	in = sck_filter_prog_insns(p, len);
	rc = sck_bpf_emu_new(in, *len, emu);
	sck_filter_prog_free(p);
	return rc;
}
