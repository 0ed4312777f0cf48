// SPDX-License-Identifier: MIT
/*
 * Rules of the libseccomp compatibility library: seccomp_rule_add and its _array / _exact
 * variants, and seccomp_syscall_priority. A rule's syscall is a number of the native arch (or a
 * pseudo number); it is translated by name to each arch of the filter, multiplexed through
 * socketcall(2) / ipc(2) on x86 and s390 (args[0] tested for the sub-call, the rule's other
 * comparisons kept), and merged into that arch's libseccomp-style database (sck_scmp_tree_*, <sck/filter.h>). A rule
 * is added to every arch or to none.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

#include "compat_int.h"
#include "filter/filter_int.h"
#include "syscalls_int.h"

struct op {
	size_t arch;
	int nr;
	bool mux;
	unsigned int call;
};

/*
 * The name of native @syscall as libseccomp translates it to another arch, or NULL: a pseudo
 * number only names a syscall the native arch lacks (chown32 on x86_64, not socket). Its
 * sck_syscall_name_index in *idx.
 */
static const char *native_name(int syscall, int *idx)
{
	if (syscall < 0)
		return compat_pnr_name_on(compat_native_token(), syscall, idx);
	*idx = sck_syscall_name_index_of_nr(sck_arch_native(), syscall);
	return *idx >= 0 ? sck_syscall_names[*idx] : NULL;
}

/* @p when it is the pseudo number of a socket or IPC call, else 0. */
static int mux_pnr_value(int p)
{
	return (p <= -101 && p >= -120) || (p <= -201 && p >= -224) ? p : 0;
}

/*
 * The operations adding a rule on @syscall means, arch by arch: the arch's number for the same
 * name (libseccomp translates through the native arch's names; a pseudo number cannot be
 * translated), and on the multiplexing arches, for a socket or IPC call, its direct number where
 * the kernel has one plus socketcall / ipc with args[0] == the sub-call (an _exact rule keeps
 * its pseudo number instead of the direct one).
 */
static int plan(const struct compat_ctx *c, int syscall, bool exact, unsigned int nargs,
		struct op *ops, size_t *nops)
{
	uint32_t native = compat_native_token();
	const char *name = NULL;
	bool named = false;
	int pnr = 0, idx = -1; /* pnr 0: not looked up yet */
	size_t n = 0;

	if (syscall == -1) { /* SCMP_FLTATR_API_TSKIP: -1 is -1 on every arch */
		for (size_t i = 0; i < c->narches; i++)
			ops[n++] = (struct op){.arch = i, .nr = -1};
		*nops = n;
		return 0;
	}
	for (size_t i = 0; i < c->narches; i++) {
		uint32_t tok = c->arches[i].token;
		const struct sck_arch *sa = c->arches[i].sa;
		bool mux = c->arches[i].mux;
		int s = syscall, p = 0, direct = syscall;

		if (tok != native || mux) { /* the name is needed: look it up once per rule */
			if (!named) {
				if (tok != native) {
					name = native_name(syscall, &idx);
				} else if (s >= 0) {
					idx = sck_syscall_name_index_of_nr(sa, s);
					name = idx >= 0 ? sck_syscall_names[idx] : NULL;
				} else {
					name = compat_pnr_name(s);
					idx = sck_syscall_name_index(name);
				}
				named = true;
			}
			if (!name && tok != native)
				return -EFAULT;
			if (name && !pnr)
				pnr = compat_pnr_of_index(idx, name);
		}
		if (tok != native) {
			direct = sck_syscall_nr_at(sa, idx);
			s = direct >= 0 && !(mux && mux_pnr_value(pnr)) ? direct : pnr;
			/*
			 * A syscall newer than libseccomp 2.5.4's tables (sck knows it, libseccomp
			 * has no pseudo number for it): no rule on an arch that lacks it.
			 */
			if (s == __NR_SCMP_ERROR)
				continue;
		}
		if (mux && name)
			p = mux_pnr_value(pnr);
		if (p) {
			if (exact && nargs)
				return -EINVAL; /* socketcall / ipc would change the arguments' meaning */
			if (direct >= 0)
				ops[n++] = (struct op){.arch = i, .nr = direct};
			else if (exact)
				ops[n++] = (struct op){.arch = i, .nr = s};
			int m = sck_syscall_nr(sa, p > -200 ? "socketcall" : "ipc");
			if (m >= 0)
				ops[n++] = (struct op){
					.arch = i,
					.nr = m,
					.mux = true,
					.call = (unsigned int)(p > -200 ? -p - 100 : -p - 200)};
			continue;
		}
		if (direct < 0 || s < 0) {
			if (exact)
				return -EDOM;
			/*
			 * The arch lacks the call: libseccomp keeps the rule on the pseudo number,
			 * which its program then compares with nr as it is. No kernel has such a
			 * number; the rule stays in the database (its conflicts count) and
			 * compat_compile leaves it out.
			 */
			ops[n++] = (struct op){.arch = i, .nr = s};
			continue;
		}
		ops[n++] = (struct op){.arch = i, .nr = direct};
	}
	*nops = n;
	return 0;
}

static int rule_add(struct compat_ctx *c, bool exact, uint32_t action, int syscall,
		    unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array)
{
	struct sck_scmp_cmp cmps[6], mcmps[6];
	struct sck_scmp_tree *trees[64];
	struct compat_sys *sys[64];
	struct op ops[64];
	size_t at[64], nops = 0, nm = 0;
	unsigned int seen = 0;
	int rc = 0;

	/* libseccomp's order: the arguments, the context and number, the action, the default */
	if (arg_cnt > 6 || (arg_cnt && !arg_array) || !compat_valid(c) ||
	    !compat_nr_valid(c, syscall))
		return -EINVAL;
	/* a listener with TSYNC needs SECCOMP_FILTER_FLAG_TSYNC_ESRCH: API level 6 */
	if (!compat_action_valid(action) ||
	    (action == SCMP_ACT_NOTIFY && c->tsync && compat_api_level() < 6))
		return -EINVAL;
	if (action == c->act_default)
		return -EACCES;
	if (exact && c->narches > 1)
		return -EOPNOTSUPP;
	for (unsigned int i = 0; i < arg_cnt; i++) {
		const struct scmp_arg_cmp *a = &arg_array[i];
		if (a->arg > 5 || a->op <= _SCMP_CMP_MIN || a->op >= _SCMP_CMP_MAX ||
		    (seen & (1u << a->arg)))
			return -EINVAL;
		seen |= 1u << a->arg;
		cmps[i] = (struct sck_scmp_cmp){a->arg, (enum sck_scmp_op)a->op, a->datum_a,
						a->datum_b};
		if (a->arg != 0)
			mcmps[nm++] = cmps[i];
	}
	if (c->narches * 2 > sizeof(ops) / sizeof(ops[0]))
		return -ENOMEM;
	rc = plan(c, syscall, exact, arg_cnt, ops, &nops);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nops; i++)
		trees[i] = NULL;
	/*
	 * The databases first (creating one may move its arch's others), then a working copy of
	 * each that a conditional rule changes, so that a refused rule changes none; an
	 * unconditional rule cannot be refused and is applied at the end.
	 */
	for (size_t i = 0; i < nops; i++) {
		struct compat_arch *a = &c->arches[ops[i].arch];
		struct compat_sys *s = compat_sys_get(a, ops[i].nr, true);

		if (!s)
			return -ENOMEM;
		at[i] = (size_t)(s - a->sys);
	}
	for (size_t i = 0; i < nops; i++)
		sys[i] = &c->arches[ops[i].arch].sys[at[i]];
	for (size_t i = 0; i < nops && rc == 0; i++) {
		bool arg32 = c->arches[ops[i].arch].arg32;

		if ((!ops[i].mux && arg_cnt == 0) || compat_sys_uncond(sys[i], NULL))
			continue;
		/* a database may be touched twice (socket on s390: direct and socketcall) */
		for (size_t j = 0; j < i; j++)
			if (sys[j] == sys[i] && trees[j]) {
				trees[i] = trees[j];
				trees[j] = NULL;
				break;
			}
		if (!trees[i])
			rc = sys[i]->tree ? sck_scmp_tree_dup(sys[i]->tree, &trees[i])
					  : sck_scmp_tree_new(&trees[i]);
		if (rc < 0)
			break;
		if (ops[i].mux) {
			struct sck_scmp_cmp m[6];
			memcpy(m + 1, mcmps, nm * sizeof(m[0]));
			m[0] = (struct sck_scmp_cmp){0, SCK_SCMP_EQ, ops[i].call, 0};
			rc = sck_scmp_tree_add_in_place(trees[i], arg32, action, m, nm + 1);
		} else {
			rc = sck_scmp_tree_add_in_place(trees[i], arg32, action, cmps, arg_cnt);
		}
	}
	for (size_t i = 0; i < nops; i++) {
		if (!trees[i])
			continue;
		if (rc == 0) {
			sck_scmp_tree_free(sys[i]->tree);
			sys[i]->tree = trees[i];
		} else {
			sck_scmp_tree_free(trees[i]);
		}
	}
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nops; i++) {
		if (ops[i].mux || arg_cnt != 0 || compat_sys_uncond(sys[i], NULL))
			continue;
		sck_scmp_tree_free(sys[i]->tree);
		sys[i]->tree = NULL;
		sys[i]->uncond = true;
		sys[i]->uncond_act = action;
	}
	if (action == SCMP_ACT_NOTIFY)
		c->notify = true;
	return rc;
}

COMPAT_API int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
				      unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array)
{
	return rule_add(ctx, false, action, syscall, arg_cnt, arg_array);
}

COMPAT_API int seccomp_rule_add_exact_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
					    unsigned int arg_cnt,
					    const struct scmp_arg_cmp *arg_array)
{
	return rule_add(ctx, true, action, syscall, arg_cnt, arg_array);
}

static int rule_add_va(scmp_filter_ctx ctx, bool exact, uint32_t action, int syscall,
		       unsigned int arg_cnt, va_list ap)
{
	struct scmp_arg_cmp a[6];

	if (arg_cnt > 6)
		return -EINVAL;
	for (unsigned int i = 0; i < arg_cnt; i++)
		a[i] = va_arg(ap, struct scmp_arg_cmp);
	return rule_add(ctx, exact, action, syscall, arg_cnt, arg_cnt ? a : NULL);
}

COMPAT_API int seccomp_rule_add(scmp_filter_ctx ctx, uint32_t action, int syscall,
				unsigned int arg_cnt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg_cnt);
	rc = rule_add_va(ctx, false, action, syscall, arg_cnt, ap);
	va_end(ap);
	return rc;
}

COMPAT_API int seccomp_rule_add_exact(scmp_filter_ctx ctx, uint32_t action, int syscall,
				      unsigned int arg_cnt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg_cnt);
	rc = rule_add_va(ctx, true, action, syscall, arg_cnt, ap);
	va_end(ap);
	return rc;
}

COMPAT_API int seccomp_syscall_priority(scmp_filter_ctx ctx, int syscall, uint8_t priority)
{
	struct compat_ctx *c = ctx;
	struct op ops[64];
	size_t nops = 0;
	int rc;

	if (!compat_valid(c) || !compat_nr_valid(c, syscall))
		return -EINVAL;
	if (c->narches * 2 > sizeof(ops) / sizeof(ops[0]))
		return -ENOMEM;
	rc = plan(c, syscall, false, 0, ops, &nops);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nops; i++) {
		struct compat_sys *s = compat_sys_get(&c->arches[ops[i].arch], ops[i].nr, true);
		if (!s)
			return -ENOMEM;
		s->prio = priority;
		s->has_prio = true;
	}
	return 0;
}
