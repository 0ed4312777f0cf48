// SPDX-License-Identifier: MIT
/*
 * The public side of the filter compiler: the filter object and its rules, compiling through
 * the IR into a program object, and what one does with a program: load it (async-signal-safe),
 * export it (raw, C, text, dot) and measure it with the emulator.
 */
#include "filter/cmp_arg.h"
#include "filter/cmp_tree.h"
#include "bpf_int.h"
#include "filter/filter_int.h"
#include "grow_int.h"
#include "opts_int.h"
#include "sck/syscalls.h"
#include "syscalls_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool action_valid(uint32_t action)
{
	return sck_action_name(action) != NULL;
}

int sck_filter_new(const struct sck_filter_opts *opts, struct sck_filter **out)
{
	struct sck_filter *f;
	unsigned int flags;
	int rc;

	if (!out)
		return -EINVAL;
	rc = sck_opts_check(opts, sizeof(*opts));
	if (rc)
		return rc;
	flags = SCK_OPTS_GET(opts, flags, 0U);
	if (flags &
	    ~(unsigned int)(SCK_FILTER_OCI | SCK_FILTER_NO_MULTIPLEX | SCK_FILTER_MIXED_ENDIAN))
		return -EINVAL;
	/* as for rules: an action the kernel does not define would kill the process */
	if (!action_valid(SCK_OPTS_GET(opts, default_action, SECCOMP_RET_KILL_THREAD)) ||
	    !action_valid(SCK_OPTS_GET(opts, bad_arch_action, SECCOMP_RET_KILL_THREAD)))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->def_action = SCK_OPTS_GET(opts, default_action, SECCOMP_RET_KILL_THREAD);
	f->bad_arch_action = SCK_OPTS_GET(opts, bad_arch_action, SECCOMP_RET_KILL_THREAD);
	f->flags = flags;
	*out = f;
	return 0;
}

void sck_filter_free(struct sck_filter *f)
{
	if (!f)
		return;
	while (f->arena) {
		struct sck_fblk *b = f->arena;
		f->arena = b->next;
		free(b);
	}
	free(f->rules);
	free(f->weights);
	free(f->overrides);
	free(f);
}

bool sck_filter_drops_action(const struct sck_filter *f, uint32_t action)
{
	return (f->flags & SCK_FILTER_OCI) && action == f->def_action;
}

bool sck_filter_arch_wide(const struct sck_filter *f, const struct sck_arch *arch)
{
	return arch->bits == 64 && !((f->flags & SCK_FILTER_OCI) && arch->long_bits == 32);
}

int sck_filter_add_arch(struct sck_filter *f, const struct sck_arch *arch)
{
	if (!f || !arch)
		return -EINVAL;
	for (size_t i = 0; i < f->narch; i++)
		if (f->arches[i] == arch)
			return -EEXIST;
	if (sck_syscall_max(arch) < 0 || sck_syscall_count(arch) == 0)
		return -EDOM;
	/* one program, one byte order: the other order's kernels cannot load it (libseccomp
	 * refuses the set with -EDOM too) */
	if (f->narch && f->arches[0]->little_endian != arch->little_endian &&
	    !(f->flags & SCK_FILTER_MIXED_ENDIAN))
		return -EDOM;
	if (f->narch == SCK_FILTER_MAX_ARCH)
		return -ENOMEM;
	f->arches[f->narch++] = arch;
	return 0;
}

/* Whether @name (index @idx) means something on @a: a syscall of its table or a sub-call. */
static bool name_on(const struct sck_arch *a, const char *name, int idx)
{
	struct sck_syscall_mux mx;

	return sck_syscall_nr_at(a, idx) >= 0 || sck_syscall_mux(a, name, &mx) == 0;
}

static bool name_known(const struct sck_filter *f, const struct sck_rule *r, int idx)
{
	if (r->arch)
		return name_on(r->arch, r->name, idx);
	if (f->narch) {
		for (size_t i = 0; i < f->narch; i++)
			if (name_on(f->arches[i], r->name, idx))
				return true;
		return false;
	}
	for (size_t i = 0; i < sck_arch_count(); i++)
		if (name_on(sck_arch_at(i), r->name, idx))
			return true;
	return false;
}

/* @n bytes (16-aligned) from the filter's arena: one malloc per 4 KiB, not two per rule. */
static void *arena_alloc(struct sck_filter *f, size_t n)
{
	struct sck_fblk *b = f->arena;

	n = (n + 15) & ~(size_t)15;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 4096 - sizeof(*b) ? n : 4096 - sizeof(*b);
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = f->arena;
		b->used = 0;
		b->cap = cap;
		f->arena = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

int sck_filter_add_rule(struct sck_filter *f, const struct sck_rule *rule)
{
	return sck_filter_add_rule_at(f, rule,
				      rule && rule->name ? sck_syscall_name_index(rule->name) : -1);
}

int sck_filter_add_rule_at(struct sck_filter *f, const struct sck_rule *rule, int name_idx)
{
	const char *name = NULL;
	struct sck_cond *conds = NULL;

	if (!f || !rule || (!rule->name && rule->nr < 0) || rule->flags ||
	    (rule->nconds && !rule->conds) || !action_valid(rule->action))
		return -EINVAL;
	for (size_t i = 0; i < rule->nconds; i++) {
		const struct sck_cond *c = &rule->conds[i];
		if (c->arg > 5 || c->op < SCK_CMP_EQ || c->op > SCK_CMP_MASKED_EQ ||
		    (c->flags & ~(unsigned int)SCK_COND_LOW32))
			return -EINVAL;
	}
	if (!rule->name)
		name_idx = -1;
	else if (!name_known(f, rule, name_idx))
		return -ENOENT;
	if (sck_filter_drops_action(f, rule->action))
		return 0;
	if (sck_grow(&f->rules, &f->caprules, f->nrules + 1, sizeof(*f->rules)))
		return -ENOMEM;
	if (rule->name && name_idx >= 0) {
		/* the same string, for as long as sck lives */
		name = sck_syscall_names[name_idx];
	} else if (rule->name) {
		size_t n = strlen(rule->name) + 1;
		char *copy = arena_alloc(f, n);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, rule->name, n);
		name = copy;
	}
	if (rule->nconds) {
		conds = arena_alloc(f, rule->nconds * sizeof(*conds));
		if (!conds)
			return -ENOMEM; /* (the name stays in the arena until the filter goes) */
		memcpy(conds, rule->conds, rule->nconds * sizeof(*conds));
	}
	f->rules[f->nrules++] = (struct sck_frule){.name = name,
						   .name_idx = name_idx,
						   .nr = rule->nr,
						   .arch = rule->arch,
						   .action = rule->action,
						   .conds = conds,
						   .nconds = rule->nconds};
	return 0;
}

int sck_filter_set_weight(struct sck_filter *f, const struct sck_arch *arch, int nr,
			  uint32_t weight)
{
	if (!f || !arch || nr < 0)
		return -EINVAL;
	for (size_t i = 0; i < f->nweights; i++) {
		if (f->weights[i].arch == arch && f->weights[i].nr == (uint32_t)nr) {
			f->weights[i].weight = weight;
			return 0;
		}
	}
	if (sck_grow(&f->weights, &f->capweights, f->nweights + 1, sizeof(*f->weights)))
		return -ENOMEM;
	f->weights[f->nweights++] = (struct sck_fweight){arch, (uint32_t)nr, weight};
	return 0;
}

int sck_filter_add_override(struct sck_filter *f, const struct sck_arch *arch, uint32_t lo,
			    uint32_t hi, uint32_t action)
{
	struct sck_foverride *no;

	if (!f || !arch || lo > hi || !action_valid(action))
		return -EINVAL;
	no = realloc(f->overrides, (f->noverrides + 1) * sizeof(*no));
	if (!no)
		return -ENOMEM;
	f->overrides = no;
	f->overrides[f->noverrides++] = (struct sck_foverride){arch, lo, hi, action};
	return 0;
}

/* ---- compiling ---- */

void sck_filter_prog_free(struct sck_filter_prog *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->narch; i++)
		free(p->allow[i]);
	free(p->insns);
	free(p);
}

/* The spans of @g's numbers whose verdict is the constant @allow (an index of ir->verdicts). */
static int group_allow(const struct sck_ir_group *g, size_t allow, struct sck_nr_span **out,
		       size_t *nout)
{
	struct sck_nr_span *s = malloc((g->nranges + 1) * sizeof(*s));
	size_t k = 0;

	if (!s)
		return -ENOMEM;
	for (size_t r = 0; r < g->nranges; r++) {
		const struct sck_ir_range *rg = &g->ranges[r];
		if (rg->verdict != allow)
			continue;
		if (k && s[k - 1].hi + 1 == rg->lo)
			s[k - 1].hi = rg->hi;
		else
			s[k++] = (struct sck_nr_span){rg->lo, rg->hi};
	}
	*out = s;
	*nout = k;
	return 0;
}

static int fill_allow(struct sck_filter_prog *p, const struct sck_ir *ir)
{
	/* (verdicts are interned: one at most is the constant SECCOMP_RET_ALLOW) */
	size_t allow = SIZE_MAX;

	for (size_t v = 0; v < ir->nverdicts && allow == SIZE_MAX; v++)
		if (sck_ir_verdict_const(&ir->verdicts[v]) &&
		    ir->verdicts[v].final == SECCOMP_RET_ALLOW)
			allow = v;
	for (size_t i = 0; i < p->narch; i++) {
		const struct sck_ir_group *g = NULL;
		size_t j;

		for (j = 0; j < ir->ngroups; j++)
			if (ir->groups[j].audit == p->arches[i]->audit_arch)
				g = &ir->groups[j];
		if (!g)
			continue;
		/* an arch of a group met before (x32 after x86_64) has its spans: a copy */
		for (j = 0; j < i && p->arches[j]->audit_arch != p->arches[i]->audit_arch; j++)
			;
		if (j < i && p->allow[j]) {
			size_t sz = (p->nallow[j] + 1) * sizeof(*p->allow[j]);
			p->allow[i] = malloc(sz);
			if (!p->allow[i])
				return -ENOMEM;
			memcpy(p->allow[i], p->allow[j], sz);
			p->nallow[i] = p->nallow[j];
			continue;
		}
		if (group_allow(g, allow, &p->allow[i], &p->nallow[i]))
			return -ENOMEM;
	}
	return 0;
}

/* what the layout of a multi-section program may hold before its copies merge (trampolines too) */
#define BPF_LAYOUT_MAX (4 * SCK_GEN_DEDUP_MAX)

/*
 * Lay the program out. Several sections may repeat each other's code (the same argument decision
 * per arch): with @sections, a program too long for the kernel has its copies merged before it is
 * refused (a program that fits is left as it is). @emitted is scaled as merging shrank the
 * program, for the estimate of the pressure that fits.
 */
static int finish(struct sck_bpf_builder *b, bool sections, struct sock_filter **insns, size_t *len,
		  size_t *emitted)
{
	size_t before;
	int rc = sck_bpf_builder_finish_cap(b, sections ? BPF_LAYOUT_MAX : SCK_BPF_MAXINSNS, insns,
					    len);

	if (rc || *len <= SCK_BPF_MAXINSNS)
		return rc;
	before = *len;
	rc = sck_bpf_dedup(*insns, len);
	if (!rc && *len > SCK_BPF_MAXINSNS)
		rc = -E2BIG;
	if (rc) {
		free(*insns);
		*insns = NULL;
		*emitted = *emitted * *len / before;
	}
	return rc;
}

/*
 * The fastest argument decisions first. When the program does not fit, the planner's estimate
 * picks a pressure expected to fit; then a binary search between the highest pressure that did
 * not fit and the lowest that did. @merge: let copies merge (finish) in a program too long,
 * before any pressure: a merged copy costs a jump where a path enters it, pressure costs more.
 */
static int search(const struct sck_ir *ir, unsigned int flags, struct sck_argplan **plans,
		  struct sck_tree_plan *trees, bool merge, struct sck_filter_prog *p)
{
	struct sck_bpf_builder *b = NULL;
	int rc = sck_bpf_builder_new(&b);

	if (rc)
		return rc;
	/* (one builder for every step: each starts with the room the ones before grew) */
	for (unsigned int pressure = 0, lo = 0, hi = 0, have = 0;; sck_bpf_builder_reset(b)) {
		struct sock_filter *insns = NULL;
		size_t emitted = 0, len = 0;
		rc = (flags & SCK_COMPILE_LINEAR)
			     ? sck_gen_linear(ir, b)
			     : sck_gen_opt(ir, b, pressure, merge, plans, trees, &emitted);
		if (!rc)
			rc = finish(b, merge, &insns, &len, &emitted);
		/* anything but a size or memory failure is the builder refusing what a generator
		 * emitted (an unbound label ...): a bug, reported as the validator's refusal is */
		if (rc && rc != -E2BIG && rc != -ENOMEM)
			rc = -EFAULT;
		if (rc == -E2BIG && !(flags & SCK_COMPILE_LINEAR) &&
		    pressure < sck_arg_pressure_max()) {
			lo = pressure; /* the highest that did not fit */
			if (have) {
				rc = 0;
				if (hi - lo <= 1)
					break;
				pressure = lo + (hi - lo) / 2;
				continue;
			}
			pressure = sck_arg_pressure_fit(plans, SCK_FILTER_MAX_ARCH, pressure,
							emitted, SCK_BPF_MAXINSNS);
			continue;
		}
		if (rc)
			break;
		free(p->insns);
		p->insns = insns;
		p->len = len;
		hi = pressure; /* the lowest that fits */
		have = 1;
		if (pressure == 0 || hi - lo <= 1)
			break;
		pressure = lo + (hi - lo) / 2;
	}
	sck_bpf_builder_free(b);
	return rc;
}

int sck_filter_compile(const struct sck_filter *f, const struct sck_filter_compile_opts *opts,
		       struct sck_filter_prog **out)
{
	struct sck_ir ir;
	struct sck_filter_prog *p = NULL;
	struct sck_argplan *plans[SCK_FILTER_MAX_ARCH] = {0};
	struct sck_tree_plan *trees = NULL;
	unsigned int flags;
	int rc;

	if (!f || !out)
		return -EINVAL;
	rc = sck_opts_check(opts, sizeof(*opts));
	if (rc)
		return rc;
	flags = SCK_OPTS_GET(opts, flags, 0U);
	if (flags & ~(unsigned int)SCK_COMPILE_LINEAR)
		return -EINVAL;
	rc = sck_ir_build(f, &ir);
	if (rc)
		return rc;
	p = calloc(1, sizeof(*p));
	trees = calloc(ir.ngroups ? ir.ngroups : 1, sizeof(*trees));
	if (!p || !trees) {
		rc = -ENOMEM;
		goto out;
	}
	/* (the linear reference stays rule by rule, copies and all) */
	rc = search(&ir, flags, plans, trees, ir.ngroups > 1 && !(flags & SCK_COMPILE_LINEAR), p);
	if (rc)
		goto out;
	if (sck_bpf_check(p->insns, p->len, NULL) != 0) {
		rc = p->len > SCK_BPF_MAXINSNS ? -E2BIG : -EFAULT;
		goto out;
	}
	p->notify = ir.notify;
	p->narch = sck_filter_arches(f, p->arches);
	rc = fill_allow(p, &ir);
	if (rc)
		goto out;
	*out = p;
	p = NULL;
out:
	for (size_t i = 0; i < SCK_FILTER_MAX_ARCH; i++)
		sck_argplan_free(plans[i]);
	for (size_t i = 0; trees && i < ir.ngroups; i++)
		sck_tree_plan_fini(&trees[i]);
	free(trees);
	sck_filter_prog_free(p);
	sck_ir_fini(&ir);
	return rc;
}

const struct sock_filter *sck_filter_prog_insns(const struct sck_filter_prog *p, size_t *len)
{
	if (!p || !len)
		return NULL;
	*len = p->len;
	return p->insns;
}

/* ---- loading ---- */

int sck_filter_prog_load(const struct sck_filter_prog *p, unsigned int flags)
{
	unsigned int kflags = flags & ~SCK_LOAD_NO_NNP;
	int rc;

	if (!p || (kflags & ~(unsigned int)SCK_FILTER_FLAGS_ALL))
		return -EINVAL;
	if (p->notify)
		kflags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	if ((kflags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) &&
	    !(kflags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return -EINVAL;
	/* the kernel refuses TSYNC with a listener unless TSYNC_ESRCH says how to fail */
	if ((kflags & SECCOMP_FILTER_FLAG_TSYNC) && (kflags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		kflags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	if (!(flags & SCK_LOAD_NO_NNP)) {
		rc = sck_no_new_privs();
		if (rc)
			return rc;
	}
	return sck_set_mode_filter(p->insns, p->len, kflags);
}

int sck_filter_load(const struct sck_filter *f, unsigned int flags)
{
	struct sck_filter_prog *p = NULL;
	int rc;

	if (!f)
		return -EINVAL;
	rc = sck_filter_compile(f, NULL, &p);
	if (rc)
		return rc;
	rc = sck_filter_prog_load(p, flags);
	sck_filter_prog_free(p);
	return rc;
}

/* ---- export ---- */

/* The byte order of @p's arches: 'l' or 'b' when they share one, 0 when mixed. */
static char prog_order(const struct sck_filter_prog *p)
{
	bool le = p->narch ? p->arches[0]->little_endian : true;

	for (size_t i = 1; i < p->narch; i++)
		if (p->arches[i]->little_endian != le)
			return 0;
	return le ? 'l' : 'b';
}

static int export_c(const struct sck_filter_prog *p, char **out, size_t *len)
{
	size_t cap = 256 + p->len * 48 + p->narch * 16, n = 0;
	char *s = malloc(cap), order = prog_order(p);
	int w;

	if (!s)
		return -ENOMEM;
	w = snprintf(s, cap, "/* generated by sck: %zu instructions, for", p->len);
	n += (size_t)w;
	for (size_t i = 0; i < p->narch; i++) {
		w = snprintf(s + n, cap - n, "%s %s", i ? "," : "", p->arches[i]->name);
		n += (size_t)w;
	}
	/* the numbers compile anywhere; the argument-word offsets are the byte order's */
	w = snprintf(s + n, cap - n,
		     " (%s byte order) */\nstatic const struct sock_filter sck_filter[] = {\n",
		     order == 'l'   ? "little-endian"
		     : order == 'b' ? "big-endian"
				    : "mixed");
	n += (size_t)w;
	for (size_t i = 0; i < p->len; i++) {
		const struct sock_filter *in = &p->insns[i];
		w = snprintf(s + n, cap - n, "\t{ 0x%02x, %u, %u, 0x%08" PRIx32 " },\n", in->code,
			     in->jt, in->jf, (uint32_t)in->k);
		n += (size_t)w;
	}
	w = snprintf(s + n, cap - n, "};\n");
	n += (size_t)w;
	*out = s;
	*len = n;
	return 0;
}

int sck_filter_prog_export_alloc(const struct sck_filter_prog *p, enum sck_filter_format fmt,
				 char **out, size_t *len)
{
	char *buf;

	if (!p || !out || !len)
		return -EINVAL;
	switch (fmt) {
	case SCK_FORMAT_RAW:
	case SCK_FORMAT_RAW_TARGET:
		buf = malloc(p->len * sizeof(*p->insns) + 1);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, p->insns, p->len * sizeof(*p->insns));
		buf[p->len * sizeof(*p->insns)] = 0;
		if (fmt == SCK_FORMAT_RAW_TARGET &&
		    prog_order(p) == (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 'b' : 'l'))
			sck_bpf_swap((struct sock_filter *)(void *)buf, p->len);
		*out = buf;
		*len = p->len * sizeof(*p->insns);
		return 0;
	case SCK_FORMAT_C:
		return export_c(p, out, len);
	case SCK_FORMAT_TEXT:
	case SCK_FORMAT_DOT: {
		/* syscall names per path: the disassembler follows each arch check */
		int rc = fmt == SCK_FORMAT_TEXT ? sck_bpf_disasm_alloc(p->insns, p->len, NULL, &buf)
						: sck_bpf_dot_alloc(p->insns, p->len, NULL, &buf);
		if (rc)
			return rc;
		*out = buf;
		*len = strlen(buf);
		return 0;
	}
	}
	return -EINVAL;
}

/* ---- stats ---- */

int sck_filter_prog_stats(const struct sck_filter_prog *p, const struct sck_arch *arch,
			  struct sck_filter_stats *out)
{
	struct sck_filter_stats st = {0};
	struct sck_bpf_emu *emu = NULL;
	size_t ai = 0;
	uint8_t *bitmap = NULL;
	int max, rc;
	double sum = 0;

	if (!p || !out || out->sz < sizeof(size_t))
		return -EINVAL;
	if (!arch)
		arch = p->arches[0];
	for (ai = 0; ai < p->narch && p->arches[ai] != arch; ai++)
		;
	if (ai == p->narch)
		return -EDOM;
	max = sck_syscall_max(arch);
	if (max < 0 || (uint32_t)max < arch->nr_base)
		return -EDOM;
	rc = sck_bpf_emu_new(p->insns, p->len, &emu);
	if (rc)
		return rc;
	st.len = p->len;
	for (uint32_t nr = arch->nr_base;; nr++) {
		struct seccomp_data d = {.nr = (int)nr, .arch = arch->audit_arch};
		uint32_t ex = 0;
		sck_bpf_emu_run(emu, &d, &ex);
		sum += ex;
		if (ex > st.max_executed)
			st.max_executed = ex;
		st.numbers++;
		if (nr == (uint32_t)max)
			break;
	}
	st.mean_executed = sum / st.numbers;
	/* the kernel's cache covers numbers below its table size; x32's carry the x32 bit and are
	 * never cached */
	if (arch->nr_base < SCK_X32_SYSCALL_BIT) {
		size_t nbits = (size_t)max + 1;
		bitmap = calloc((nbits + 7) / 8, 1);
		if (!bitmap) {
			rc = -ENOMEM;
			goto out;
		}
		rc = sck_bpf_cache_bitmap(p->insns, p->len, arch, bitmap, nbits);
		if (rc < 0)
			goto out;
	}
	/* the arch's syscalls (its table, ascending) inside the spans allowed whatever the
	 * arguments: one walk over both */
	for (size_t s = 0, si = 0, n = sck_syscall_count(arch); s < n; s++) {
		const struct sck_syscall *sc = sck_syscall_at(arch, s);
		uint32_t nr;
		if (!sc || sc->nr < 0)
			continue;
		nr = (uint32_t)sc->nr;
		while (si < p->nallow[ai] && p->allow[ai][si].hi < nr)
			si++;
		if (si == p->nallow[ai] || p->allow[ai][si].lo > nr)
			continue;
		st.const_allow++;
		if (bitmap && nr <= (uint32_t)max && (bitmap[nr / 8] & (1u << (nr % 8))))
			st.cached++;
	}
	rc = 0;
	st.sz = out->sz < sizeof(st) ? out->sz : sizeof(st);
	memcpy(out, &st, st.sz);
out:
	free(bitmap);
	sck_bpf_emu_free(emu);
	return rc;
}
