// SPDX-License-Identifier: MIT
/*
 * Argument probes (probes.h): from the conditional rules of a filter, the calls that exercise
 * each syscall's argument decision, deduplicated and sorted, and the instructions the emulator
 * executes over them. Shared by `sck compile --stats`, bench/bench_args.c and the tests.
 */
#include "probes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HIGH_FLIP 0xffffffff00000000ULL

struct vec {
	struct seccomp_data *d;
	size_t n, cap;
	int err;
};

static void push(struct vec *v, const struct seccomp_data *d)
{
	if (v->err)
		return;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct seccomp_data *nd = realloc(v->d, cap * sizeof(*nd));
		if (!nd) {
			v->err = -ENOMEM;
			return;
		}
		v->d = nd;
		v->cap = cap;
	}
	v->d[v->n++] = *d;
}

/* One probe: number @nr, argument @idx = @val (the low word only on 32-bit arches). */
static void push_arg(struct vec *v, const struct sck_arch *a, uint32_t nr, unsigned int idx,
		     uint64_t val)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = a->audit_arch};

	d.args[idx] = a->bits == 32 ? (uint32_t)val : val;
	push(v, &d);
}

static uint64_t lowbit(uint64_t m)
{
	return m & (~m + 1);
}

/* An argument value meeting (@meet) or missing condition @c; false when none exists. */
static bool witness(const struct sck_cond *c, bool meet, uint64_t *out)
{
	uint64_t v = c->value;

	switch (c->op) {
	case SCK_CMP_EQ:
		*out = meet ? v : v ^ 1;
		return true;
	case SCK_CMP_NE:
		*out = meet ? v ^ 1 : v;
		return true;
	case SCK_CMP_LT:
		*out = meet ? v - 1 : v;
		return !meet || v > 0;
	case SCK_CMP_LE:
		*out = meet ? v : v + 1;
		return meet || v < UINT64_MAX;
	case SCK_CMP_GT:
		*out = meet ? v + 1 : v;
		return !meet || v < UINT64_MAX;
	case SCK_CMP_GE:
		*out = meet ? v : v - 1;
		return meet || v > 0;
	case SCK_CMP_MASKED_EQ:
		*out = meet ? (v & c->mask) : (v & c->mask) ^ lowbit(c->mask);
		return meet || c->mask != 0;
	}
	return false;
}

static void operand_probes(struct vec *v, const struct sck_arch *a, uint32_t nr,
			   const struct sck_cond *c)
{
	uint64_t x = c->value;

	push_arg(v, a, nr, c->arg, x);
	push_arg(v, a, nr, c->arg, x + 1);
	push_arg(v, a, nr, c->arg, x - 1);
	push_arg(v, a, nr, c->arg, x ^ HIGH_FLIP);
	if (c->op == SCK_CMP_MASKED_EQ) {
		uint64_t m = c->mask, e = x & m;
		push_arg(v, a, nr, c->arg, e);
		push_arg(v, a, nr, c->arg, e | ~m);
		push_arg(v, a, nr, c->arg, m);
		push_arg(v, a, nr, c->arg, e ^ lowbit(m));
		push_arg(v, a, nr, c->arg, e ^ HIGH_FLIP);
	}
}

static void rule_probes(struct vec *v, const struct sck_arch *a, uint32_t nr,
			const struct sck_profile_arg_rule *r)
{
	struct seccomp_data base = {.nr = (int)nr, .arch = a->audit_arch};

	for (size_t k = 0; k < r->nconds; k++) {
		uint64_t x = 0;
		if (witness(&r->conds[k], true, &x))
			base.args[r->conds[k].arg % 6] = x;
	}
	for (size_t miss = 0; miss <= r->nconds; miss++) {
		struct seccomp_data d = base;
		uint64_t x = 0;
		if (miss < r->nconds) {
			if (!witness(&r->conds[miss], false, &x))
				continue;
			d.args[r->conds[miss].arg % 6] = x;
		}
		if (a->bits == 32)
			for (int i = 0; i < 6; i++)
				d.args[i] = (uint32_t)d.args[i];
		push(v, &d);
	}
}

static int cmp_probe(const void *pa, const void *pb)
{
	const struct seccomp_data *a = pa, *b = pb;

	for (int i = 0; i < 6; i++)
		if (a->args[i] != b->args[i])
			return a->args[i] < b->args[i] ? -1 : 1;
	return 0;
}

static int rule_nr(const struct sck_profile_arg_rule *r, const struct sck_arch *a)
{
	if (r->arch && r->arch != a)
		return -1;
	return r->name ? sck_syscall_nr(a, r->name) : r->nr;
}

static int cmp_sys(const void *pa, const void *pb)
{
	const struct sck_probe_sys *a = pa, *b = pb;

	return a->nr < b->nr ? -1 : a->nr > b->nr;
}

int sck_probes_build(const struct sck_profile_arg_rule *rules, size_t n,
		     const struct sck_arch *arch, struct sck_probe_set *out)
{
	struct sck_probe_set s = {.arch = arch};
	size_t cap = 0;
	int rc = 0;

	if ((!rules && n) || !arch || !out)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int nr = rule_nr(&rules[i], arch);
		bool seen = false;
		if (nr < 0)
			continue;
		for (size_t k = 0; k < s.nsys && !seen; k++)
			seen = s.sys[k].nr == (uint32_t)nr;
		if (seen)
			continue;
		if (s.nsys == cap) {
			struct sck_probe_sys *ns;
			cap = cap ? cap * 2 : 16;
			ns = realloc(s.sys, cap * sizeof(*ns));
			if (!ns) {
				rc = -ENOMEM;
				goto fail;
			}
			s.sys = ns;
		}
		s.sys[s.nsys++] = (struct sck_probe_sys){.name = sck_syscall_name(arch, nr),
							 .nr = (uint32_t)nr};
	}
	if (s.nsys)
		qsort(s.sys, s.nsys, sizeof(*s.sys), cmp_sys);
	for (size_t k = 0; k < s.nsys; k++) {
		struct sck_probe_sys *y = &s.sys[k];
		struct vec v = {0};
		size_t u = 0;
		for (size_t i = 0; i < n; i++)
			if (rule_nr(&rules[i], arch) == (int)y->nr)
				for (size_t c = 0; c < rules[i].nconds; c++)
					if (rules[i].conds[c].arg < 6)
						operand_probes(&v, arch, y->nr, &rules[i].conds[c]);
		for (size_t i = 0; i < n; i++)
			if (rule_nr(&rules[i], arch) == (int)y->nr)
				rule_probes(&v, arch, y->nr, &rules[i]);
		if (v.err) {
			free(v.d);
			rc = v.err;
			goto fail;
		}
		if (v.n)
			qsort(v.d, v.n, sizeof(*v.d), cmp_probe);
		for (size_t i = 0; i < v.n; i++)
			if (u == 0 || cmp_probe(&v.d[u - 1], &v.d[i]) != 0)
				v.d[u++] = v.d[i];
		/* the emulator reads seccomp_data as the arch's kernel lays it out: on a big-endian
		 * ABI the high word of each 64-bit argument comes first */
		for (size_t i = 0; i < u && !arch->little_endian; i++)
			for (int j = 0; j < 6; j++) {
				uint32_t w[2] = {(uint32_t)(v.d[i].args[j] >> 32),
						 (uint32_t)v.d[i].args[j]};
				memcpy(&v.d[i].args[j], w, sizeof(w));
			}
		y->probes = v.d;
		y->nprobes = u;
		s.total += u;
	}
	*out = s;
	return 0;
fail:
	sck_probes_fini(&s);
	return rc;
}

void sck_probes_fini(struct sck_probe_set *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->nsys; k++)
		free(s->sys[k].probes);
	free(s->sys);
	memset(s, 0, sizeof(*s));
}

void sck_probes_cost(const struct sck_bpf_emu *emu, const struct seccomp_data *d, size_t n,
		     struct sck_probe_cost *out)
{
	double sum = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		uint32_t ex = 0;
		sck_bpf_emu_run(emu, &d[i], &ex);
		sum += ex;
		if (ex > out->max) {
			out->max = ex;
			out->at_max = i;
		}
	}
	out->n = n;
	out->mean = n ? sum / (double)n : 0;
}
