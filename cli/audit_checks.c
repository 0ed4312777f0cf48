// SPDX-License-Identifier: MIT
/*
 * `sck audit`: the checks on the program, from what the evaluation (audit_eval.c) saw. Arch
 * checks (no arch check, arches allowed without being named, x32 and i386 numbers reaching
 * ALLOW), equivalent calls, dangerous calls allowed without conditions, conditions on pointer
 * arguments and on upper words that 32-bit arches never fill, default actions (new syscalls,
 * KILL_THREAD, TRACE, USER_NOTIF), dead code and allows the kernel's action cache misses.
 * docs/audit.md explains each finding.
 */
#include "audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool real_view(const struct audit_prog *p, const struct audit_arch_view *v)
{
	return v->arch && v->handled &&
	       (!p->only_ids || (p->only_ids & (1ull << (unsigned int)v->arch->id)));
}

/* Denied for every argument value, other than by ENOSYS (which asks libc to fall back). */
static bool denied(const struct audit_sum *s)
{
	return !(s->actions & AUDIT_ALLOW) && (s->actions & ~AUDIT_ENOSYS);
}

static const char *class_name(uint16_t actions)
{
	if (actions & AUDIT_KILL_PROCESS)
		return "KILL_PROCESS";
	if (actions & AUDIT_KILL_THREAD)
		return "KILL_THREAD";
	if (actions & AUDIT_TRAP)
		return "TRAP";
	if (actions & AUDIT_ERRNO)
		return "ERRNO (not ENOSYS)";
	if (actions & AUDIT_TRACE)
		return "TRACE";
	if (actions & AUDIT_NOTIF)
		return "USER_NOTIF";
	return "ENOSYS";
}

/* ---- Arches ------------------------------------------------------------------------------- */

static void check_arch(struct audit_prog *p, struct audit_report *r)
{
	const struct audit_arch_view *bogus = &p->views[p->nviews - 1];
	const struct audit_arch_view *x86_64 = audit_view(p, SCK_ARCH_X86_64);
	bool no_check = bogus->handled;

	if (no_check)
		audit_add(
			r, AUDIT_HIGH, "no-arch-check", "", "any", "",
			"compare seccomp_data.arch with each expected AUDIT_ARCH_* value first, "
			"and kill on any other",
			"calls are allowed whatever seccomp_data.arch holds: a process that "
			"switches "
			"ABI (int 0x80 on x86_64, a 32-bit binary) has its numbers judged as this "
			"ABI's");
	for (size_t i = 0; i + 1 < p->nviews; i++) {
		const struct audit_arch_view *v = &p->views[i];

		if (!v->arch || !v->handled || v->named || v->arch->id == SCK_ARCH_X32)
			continue;
		if (v->arch->id == SCK_ARCH_X86 && x86_64 && x86_64->named) {
			audit_add(r, AUDIT_HIGH, "i386-bypass", "", v->arch->name, "",
				  "kill any seccomp_data.arch other than AUDIT_ARCH_X86_64, or "
				  "write rules for i386 on purpose",
				  "i386 calls (int 0x80 works in any x86_64 process) reach ALLOW "
				  "although the filter only names x86_64: i386 numbers differ");
		} else if (!no_check) {
			audit_add(r, AUDIT_HIGH, "arch-unnamed", "", v->arch->name, "",
				  "compare seccomp_data.arch with each expected AUDIT_ARCH_* value "
				  "and kill on any other",
				  "calls of an ABI the filter never names reach ALLOW");
		}
	}
}

static void check_x32(struct audit_prog *p, struct audit_report *r)
{
	const struct audit_arch_view *x64 = audit_view(p, SCK_ARCH_X86_64);
	const struct audit_arch_view *x32 = audit_view(p, SCK_ARCH_X32);
	struct audit_list names = {0};
	size_t n = 0;

	if (!x64 || !x32 || !x64->handled || !x32->handled)
		return;
	for (size_t i = 0; i < x32->n; i++) {
		const char *name = sck_syscall_at(x32->arch, i)->name;
		const struct audit_sum *s64 = audit_sys(x64, name);
		char label[80];

		/* denied on x86_64 and allowed as x32, or restricted by arguments on x86_64 and
		 * allowed whatever they are as x32 */
		if (!(x32->sys[i].actions & AUDIT_ALLOW) || !s64 ||
		    !(denied(s64) ||
		      (x32->sys[i].all_allow && !s64->all_allow && (s64->actions & AUDIT_ALLOW))))
			continue;
		audit_sys_label(label, sizeof(label), x32->arch, name);
		audit_list_add(&names, label);
		n++;
	}
	if (n)
		audit_add(r, AUDIT_HIGH, "x32-bypass", audit_list_str(&names), "x32", "",
			  "after the x86_64 arch check, kill or deny nr >= 0x40000000 (or give x32 "
			  "the same rules)",
			  "%zu call%s denied (or restricted by arguments) on x86_64 reach ALLOW "
			  "through their x32 numbers (nr | 0x40000000): x32 shares x86_64's "
			  "AUDIT_ARCH",
			  n, n == 1 ? "" : "s");
	audit_list_fini(&names);
}

/* ---- Per arch ----------------------------------------------------------------------------- */

/* Whether @l holds @item as a whole entry ("open" is not in "openat"). */
static bool list_has(const struct audit_list *l, const char *item)
{
	size_t n = strlen(item);
	const char *s = audit_list_str(l);

	for (const char *p = s; (p = strstr(p, item)); p += n)
		if ((p == s || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* "a,b" as "a, b" for a sentence. */
static void spaced(char *buf, size_t cap, const char *list)
{
	size_t n = 0;

	for (; *list && n + 3 < cap; list++) {
		buf[n++] = *list;
		if (*list == ',')
			buf[n++] = ' ';
	}
	buf[n] = '\0';
}

static void check_equivs(struct audit_prog *p, const struct audit_arch_view *v,
			 struct audit_report *r)
{
	for (size_t e = 0; e < audit_nequivs; e++) {
		const struct audit_equiv *q = &audit_equivs[e];
		const char *const *to = q->to ? q->to : q->from;
		struct audit_list bad = {0}, good = {0}, all = {0};
		char label[80];

		for (const char *const *f = q->from; *f; f++) {
			const struct audit_sum *s = audit_sys(v, *f);
			bool hit = false;

			if (!s)
				continue;
			/* denied because it is not listed (an allow-list without it) is no
			 * decision to get around: only an explicit denial counts */
			if (q->kind == AUDIT_EQ_DENY && (!denied(s) || s->actions == v->common))
				continue;
			if (q->kind == AUDIT_EQ_RESTRICT &&
			    (!(s->actions & AUDIT_ALLOW) || s->all_allow))
				continue;
			for (const char *const *t = to; *t; t++) {
				const struct audit_sum *u = audit_sys(v, *t);

				if (!u || strcmp(*t, *f) == 0)
					continue;
				if (q->kind == AUDIT_EQ_DENY ? !(u->actions & AUDIT_ALLOW)
							     : !u->all_allow)
					continue;
				if (!list_has(&good, *t)) {
					snprintf(label, sizeof(label), "%s", *t);
					audit_list_add(&good, label);
				}
				hit = true;
			}
			if (hit) {
				snprintf(label, sizeof(label), "%s", *f);
				audit_list_add(&bad, label);
			}
		}
		if (bad.len) {
			char b[512], g[512];

			audit_list_add(&all, audit_list_str(&bad));
			audit_list_add(&all, audit_list_str(&good));
			spaced(b, sizeof(b), audit_list_str(&bad));
			spaced(g, sizeof(g), audit_list_str(&good));
			audit_add(
				r, q->sev,
				q->kind == AUDIT_EQ_DENY ? "equivalent-allowed"
							 : "equivalent-unrestricted",
				audit_list_str(&all), v->arch->name, "",
				"give the equivalent calls the same rule, or deny them with ENOSYS "
				"so that libc falls back to the call you check",
				"%s %s but %s %s allowed%s: %s", b,
				q->kind == AUDIT_EQ_DENY ? "denied" : "restricted by arguments", g,
				strchr(g, ',') ? "are" : "is",
				q->kind == AUDIT_EQ_RESTRICT ? " whatever its arguments" : "",
				q->why);
		}
		audit_list_fini(&bad);
		audit_list_fini(&good);
		audit_list_fini(&all);
	}
	/* socket(2) and SysV IPC calls through socketcall(2) / ipc(2) */
	for (const char *const *c = audit_mux_calls; *c; c++) {
		struct sck_syscall_mux mux;
		const struct audit_sum *s = audit_sys(v, *c);
		struct audit_sum m;
		uint32_t fixed[AUDIT_WORDS] = {0};
		unsigned int w;
		char names[96];

		if (!s || !denied(s) || s->actions == v->common ||
		    sck_syscall_mux(v->arch, *c, &mux) < 0)
			continue;
		w = audit_arg_word(v->arch, 0, false);
		fixed[w] = mux.call;
		fixed[audit_arg_word(v->arch, 0, true)] = 0;
		audit_eval_fixed(p, v, (uint32_t)mux.nr, fixed,
				 (uint16_t)(1u << w | 1u << audit_arg_word(v->arch, 0, true)), &m);
		if (!(m.actions & AUDIT_ALLOW))
			continue;
		snprintf(names, sizeof(names), "%s,%s", *c,
			 sck_syscall_name(v->arch, mux.nr) ? sck_syscall_name(v->arch, mux.nr)
							   : "socketcall");
		audit_add(r, AUDIT_HIGH, "equivalent-allowed", names, v->arch->name, "",
			  "deny the multiplexer's sub-call too (args[0] == the call number), or "
			  "the multiplexer itself",
			  "%s is denied but reachable through %s(%u, ...), which is allowed", *c,
			  mux.kind == SCK_SYSCALL_MUX_IPC ? "ipc" : "socketcall", mux.call);
	}
}

static void check_dangers(struct audit_prog *p, const struct audit_arch_view *v,
			  struct audit_report *r)
{
	/* one finding per severity and arch: a deny-list filter allows them all */
	for (int sev = AUDIT_HIGH; sev >= AUDIT_INFO; sev--) {
		struct audit_list names = {0};
		const char *why = NULL;
		bool flag = false;
		size_t n = 0;
		char whys[4096] = "";

		for (size_t d = 0; d < audit_ndangers; d++) {
			const struct audit_danger *row = &audit_dangers[d];
			const struct audit_sum *s = audit_sys(v, row->name);

			if (!s || (int)row->sev != sev)
				continue;
			if (row->arg < 0 && !s->all_allow)
				continue;
			if (row->arg >= 0) {
				uint32_t fixed[AUDIT_WORDS] = {0};
				unsigned int a = (unsigned int)row->arg;
				unsigned int lo = audit_arg_word(v->arch, a, false);
				unsigned int hi = audit_arg_word(v->arch, a, true);
				struct audit_sum m;

				fixed[lo] = (uint32_t)row->value;
				fixed[hi] = v->arch->bits == 64 ? (uint32_t)(row->value >> 32) : 0;
				audit_eval_fixed(p, v, (uint32_t)sck_syscall_nr(v->arch, row->name),
						 fixed, (uint16_t)(1u << lo | 1u << hi), &m);
				if (!(m.actions & AUDIT_ALLOW))
					continue;
				audit_list_addf(&names, "%s(args[%d]=0x%llx)", row->name, row->arg,
						(unsigned long long)row->value);
			} else {
				audit_list_add(&names, row->name);
			}
			why = row->why;
			flag = row->arg >= 0;
			snprintf(whys + strlen(whys), sizeof(whys) - strlen(whys), "%s%s %s",
				 n ? "; " : "", row->name, row->why);
			n++;
		}
		if (n == 1)
			audit_add(r, (enum audit_sev)sev, "dangerous-allowed",
				  audit_list_str(&names), v->arch->name, "",
				  "deny it, or allow only the arguments the program needs",
				  "%s is allowed%s: it %s", audit_list_str(&names),
				  flag ? "" : " whatever its arguments", why);
		else if (n)
			audit_add(
				r, (enum audit_sev)sev, "dangerous-allowed", audit_list_str(&names),
				v->arch->name, "",
				"deny them, or allow only the arguments the program needs",
				"%zu dangerous calls are allowed whatever their arguments (or with "
				"the flag named): %s",
				n, whys);
		audit_list_fini(&names);
	}
}

static void check_ptrs(const struct audit_arch_view *v, struct audit_report *r)
{
	for (size_t i = 0; i < audit_nptrs; i++) {
		const struct audit_sum *s = audit_sys(v, audit_ptrs[i].name);
		char label[80];

		if (!s)
			continue;
		for (unsigned int a = 0; a < 6; a++) {
			uint16_t words = (uint16_t)(1u << audit_arg_word(v->arch, a, false) |
						    1u << audit_arg_word(v->arch, a, true));

			if (!(audit_ptrs[i].mask & (1u << a)) || !(s->cmp_words & words))
				continue;
			snprintf(label, sizeof(label), "%s", audit_ptrs[i].name);
			audit_add(
				r, AUDIT_MEDIUM, "pointer-arg", label, v->arch->name, "",
				"drop the condition; check what the pointer points to with user "
				"notification or an LSM, not with seccomp",
				"%s: the filter compares args[%u], a pointer: it sees the address, "
				"never the memory, which another thread can change after the check",
				audit_ptrs[i].name, a);
		}
	}
}

static void check_trunc(const struct audit_arch_view *v, struct audit_report *r)
{
	struct audit_list names = {0};

	if (v->arch->bits != 32)
		return;
	for (size_t i = 0; i < v->n; i++) {
		for (unsigned int a = 0; a < 6; a++) {
			if (!(v->sys[i].cmp_nonzero & (1u << audit_arg_word(v->arch, a, true))))
				continue;
			audit_list_add(&names, sck_syscall_at(v->arch, i)->name);
			break;
		}
	}
	if (names.len)
		audit_add(
			r, AUDIT_MEDIUM, "truncated-64bit-operand", audit_list_str(&names),
			v->arch->name, "",
			"compare 32-bit values on 32-bit arches (their upper words are always 0)",
			"the filter compares the upper word of an argument with a non-zero value "
			"on a 32-bit arch, where the kernel passes 32-bit arguments: the condition "
			"never holds as written");
	audit_list_fini(&names);
}

static void check_default(const struct audit_arch_view *v, struct audit_report *r)
{
	if ((v->above.actions & AUDIT_ALLOW) || !(v->above.actions & ~AUDIT_ENOSYS))
		return;
	audit_add(r, AUDIT_LOW, "new-syscall-default", "", v->arch->name, "",
		  "return ERRNO(ENOSYS) for numbers above the highest one you know (runc and "
		  "sck compile --enosys-newer do)",
		  "numbers above the table's highest (%s%d) get %s: a program probing a newer "
		  "syscall (clone3, openat2, faccessat2 ...) sees a failure instead of ENOSYS and "
		  "does not fall back",
		  v->arch->nr_base >= 0x40000000u ? "0x40000000 + " : "",
		  sck_syscall_max(v->arch) - (int)(v->arch->nr_base & 0x40000000u),
		  class_name(v->above.actions));
}

/* ---- Whole program ------------------------------------------------------------------------ */

static void check_actions(struct audit_prog *p, struct audit_report *r)
{
	static const struct {
		uint16_t cls;
		enum audit_sev sev;
		const char *id, *fix, *expl;
	} rows[] = {
		{AUDIT_KILL_THREAD, AUDIT_MEDIUM, "kill-thread", "use KILL_PROCESS (or ERRNO)",
		 "KILL_THREAD kills one thread and leaves the rest of the process running without "
		 "it (holding its locks)"},
		{AUDIT_TRACE, AUDIT_INFO, "trace-action", "make sure a ptrace tracer is attached",
		 "TRACE without a tracer attached fails the call with ENOSYS"},
		{AUDIT_NOTIF, AUDIT_INFO, "user-notif", "make sure a supervisor holds the listener",
		 "USER_NOTIF hands the call to a listener the filter cannot know exists; without "
		 "one the call fails with ENOSYS"},
	};

	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		for (size_t i = 0; i + 1 < p->nviews; i++) {
			const struct audit_arch_view *v = &p->views[i];
			struct audit_list names = {0};
			size_t n = 0;
			uint16_t all = v->above.actions | v->other.actions;

			if (!v->arch)
				continue;
			for (size_t j = 0; j < v->n; j++) {
				char label[80];

				all |= v->sys[j].actions;
				if (!(v->sys[j].actions & rows[k].cls))
					continue;
				if (n++ < 8) {
					snprintf(label, sizeof(label), "%s",
						 sck_syscall_at(v->arch, j)->name);
					audit_list_add(&names, label);
				}
			}
			if (n > 8)
				audit_list_addf(&names, "... (%zu in all)", n);
			if (all & rows[k].cls)
				audit_add(r, v->handled ? rows[k].sev : AUDIT_INFO, rows[k].id,
					  v->handled ? audit_list_str(&names) : "",
					  v->handled ? v->arch->name : "other arches", "",
					  rows[k].fix, "%s%s", rows[k].expl,
					  v->handled ? ""
						     : " (only for arches the filter refuses)");
			audit_list_fini(&names);
		}
	}
}

static void add_range(struct audit_list *l, size_t from, size_t to)
{
	if (from == to)
		audit_list_addf(l, "%04zu", from);
	else
		audit_list_addf(l, "%04zu-%04zu", from, to);
}

static void check_dead(struct audit_prog *p, struct audit_report *r)
{
	bool *reach = calloc(p->len, sizeof(*reach));
	struct audit_list dead = {0}, never = {0};
	size_t nd = 0, nn = 0;

	if (!reach) {
		r->oom = true;
		return;
	}
	reach[0] = true;
	for (size_t i = 0; i < p->len; i++) {
		const struct sock_filter *in = &p->insns[i];

		if (!reach[i] || BPF_CLASS(in->code) == BPF_RET)
			continue;
		if (BPF_CLASS(in->code) != BPF_JMP) {
			reach[i + 1] = true;
		} else if (BPF_OP(in->code) == BPF_JA) {
			reach[i + 1 + in->k] = true;
		} else {
			reach[i + 1 + in->jt] = true;
			reach[i + 1 + in->jf] = true;
		}
	}
	for (size_t i = 0; i < p->len;) {
		size_t j = i;
		bool d = !reach[i], nv = reach[i] && !p->executed[i];

		if (!d && !nv) {
			i++;
			continue;
		}
		while (j + 1 < p->len && !reach[j + 1] == d &&
		       (reach[j + 1] && !p->executed[j + 1]) == nv)
			j++;
		add_range(d ? &dead : &never, i, j);
		*(d ? &nd : &nn) += j - i + 1;
		i = j + 1;
	}
	if (nd)
		audit_add(r, AUDIT_LOW, "dead-code", "", "", audit_list_str(&dead),
			  "remove them; a compiler that leaves them may have dropped what it meant",
			  "%zu instruction%s can never run: no jump leads to them", nd,
			  nd == 1 ? "" : "s");
	if (nn)
		audit_add(r, AUDIT_INFO, "never-executed", "", "", audit_list_str(&never),
			  "check the conditions that lead there: they may contradict each other",
			  "%zu instruction%s ran for no arch, number or argument value tried", nn,
			  nn == 1 ? "" : "s");
	audit_list_fini(&dead);
	audit_list_fini(&never);
	free(reach);
}

static void check_cache(struct audit_prog *p, const struct audit_arch_view *v,
			struct audit_report *r)
{
	int max = sck_syscall_max(v->arch);
	size_t nbits = (size_t)max + 1, n = 0;
	uint8_t *bits;
	struct audit_list names = {0};

	/* the kernel caches numbers below its table size: never x32's (0x40000000 +) */
	if (v->arch->nr_base >= 0x40000000u || max < 0)
		return;
	bits = calloc((nbits + 7) / 8, 1);
	if (!bits) {
		r->oom = true;
		return;
	}
	if (sck_bpf_cache_bitmap(p->insns, p->len, v->arch, bits, nbits) < 0)
		goto out;
	for (size_t i = 0; i < v->n; i++) {
		int nr = sck_syscall_at(v->arch, i)->nr;

		if (!v->sys[i].all_allow || (bits[nr / 8] & (1u << (nr % 8))))
			continue;
		if (n++ < 8)
			audit_list_add(&names, sck_syscall_at(v->arch, i)->name);
	}
	if (n > 8)
		audit_list_addf(&names, "... (%zu in all)", n);
	if (n)
		audit_add(r, AUDIT_INFO, "cache-miss", audit_list_str(&names), v->arch->name, "",
			  "decide these numbers before loading any argument",
			  "%zu call%s allowed whatever the arguments, but the program loads "
			  "arguments on the way, so the kernel's action cache (Linux 5.11) cannot "
			  "skip the filter for them",
			  n, n == 1 ? " is" : "s are");
out:
	audit_list_fini(&names);
	free(bits);
}

void audit_check_prog(struct audit_prog *p, struct audit_report *r)
{
	bool any_named = false;

	/* a filter that names no arch gets the per-arch checks for the native ABI only: every
	 * arch would get the same findings, once no-arch-check has said it */
	for (size_t i = 0; i < p->nviews; i++)
		any_named |= p->views[i].named;
	if (!any_named && !p->only_ids && sck_arch_native()) {
		p->only_ids = 1ull << (unsigned int)sck_arch_native()->id;
		if (sck_arch_native()->id == SCK_ARCH_X86_64)
			p->only_ids |= 1ull << SCK_ARCH_X32;
	}
	check_arch(p, r);
	check_x32(p, r);
	for (size_t i = 0; i + 1 < p->nviews; i++) {
		const struct audit_arch_view *v = &p->views[i];

		if (!real_view(p, v))
			continue;
		check_equivs(p, v, r);
		check_dangers(p, v, r);
		check_ptrs(v, r);
		check_trunc(v, r);
		check_default(v, r);
		/* a stack is cached only where every filter allows: not this check's question */
		if (!p->nstack)
			check_cache(p, v, r);
	}
	check_actions(p, r);
	if (p->nstack) {
		int filter = r->filter;

		for (size_t k = 0; k < p->nstack; k++) {
			r->filter = (int)k;
			check_dead(&p->stack[k], r);
		}
		r->filter = (int)p->nstack;
		check_dead(p, r);
		r->filter = filter;
	} else {
		check_dead(p, r);
	}
}
