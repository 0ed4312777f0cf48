// SPDX-License-Identifier: MIT
/*
 * The filter compiler against the oracle (test_filter_oracle.c): full sweeps of every (arch,
 * syscall number) with boundary arguments for a hand-made rule set, OCI mode and multiplexers,
 * the hand-made set's cache and stats, and the optimizer against the linear reference generator
 * and the oracle on thousands of random rule sets.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck_test.h"
#include "test_filter_helpers.h"
#include "test_filter_oracle.h"

/* Argument values worth trying for @s: boundaries of every condition, and the usual suspects. */
static size_t boundary_values(const struct orc_spec *s, uint64_t *out, size_t cap)
{
	static const uint64_t base[] = {0,
					1,
					2,
					0x7fffffff,
					0x80000000,
					0xfffffffe,
					0xffffffff,
					0x100000000ULL,
					0x100000001ULL,
					0xffffffff00000000ULL,
					0x7fffffffffffffffULL,
					0x8000000000000000ULL,
					0xfffffffffffffffeULL,
					0xffffffffffffffffULL};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]) && n < cap; i++)
		out[n++] = base[i];
	for (size_t r = 0; r < s->nrules; r++) {
		for (size_t c = 0; c < s->rules[r].nconds; c++) {
			uint64_t v = s->rules[r].conds[c].value, m = s->rules[r].conds[c].mask;
			uint64_t cand[] = {v - 1,
					   v,
					   v + 1,
					   v ^ (1ULL << 32),
					   v | 0xffffffff00000000ULL,
					   v & 0xffffffffU,
					   (uint64_t)(int64_t)(int32_t)(uint32_t)v,
					   (v & 0xffffffffU) | (1ULL << 32),
					   m,
					   m | v,
					   ~m,
					   (v - 1) ^ (1ULL << 32)};
			for (size_t k = 0; k < sizeof(cand) / sizeof(cand[0]) && n < cap; k++)
				out[n++] = cand[k];
		}
	}
	return n;
}

static void describe(const struct orc_spec *s)
{
	if (getenv("SCK_TEST_DUMP")) {
		struct sck_filter *f;
		struct sck_filter_prog *p;
		if (orc_build(s, &f) == 0 && sck_filter_compile(f, NULL, &p) == 0) {
			size_t len;
			const struct sock_filter *in = sck_filter_prog_insns(p, &len);
			char *t;
			if (sck_bpf_disasm_alloc(in, len, NULL, &t) == 0) {
				fprintf(stderr, "%s", t);
				free(t);
			}
			sck_filter_prog_free(p);
		}
		sck_filter_free(f);
	}
	fprintf(stderr, "spec: def %#x bad %#x flags %u arches", s->def, s->bad, s->flags);
	for (size_t i = 0; i < s->narch; i++)
		fprintf(stderr, " %s", s->arches[i]->name);
	fprintf(stderr, "\n");
	for (size_t i = 0; i < s->nrules; i++) {
		const struct orc_rule *r = &s->rules[i];
		fprintf(stderr, "  rule %s/%d arch %s action %#x:", r->name ? r->name : "-", r->nr,
			r->arch ? r->arch->name : "*", r->action);
		for (size_t c = 0; c < r->nconds; c++)
			fprintf(stderr, " a%u op%d f%u v%#llx m%#llx;", r->conds[c].arg,
				r->conds[c].op, r->conds[c].flags,
				(unsigned long long)r->conds[c].value,
				(unsigned long long)r->conds[c].mask);
		fprintf(stderr, "\n");
	}
}

struct checker {
	const struct orc_spec *s;
	struct sck_bpf_emu *opt, *lin;
	uint64_t vals[1024];
	size_t nvals;
	uint64_t rng;
	size_t checked;
	uint32_t max_exec;
};

/*
 * @d as a kernel of @d->arch's byte order lays it out: the emulator loads 32-bit words in host
 * order, so on a big-endian ABI the high word of each 64-bit field must come first.
 */
static struct seccomp_data kernel_layout(const struct seccomp_data *d)
{
	const struct sck_arch *a = sck_arch_from_audit(d->arch);
	struct seccomp_data k = *d;

	if (a && !a->little_endian) {
		for (int i = 0; i < 6; i++) {
			uint32_t w[2] = {(uint32_t)(d->args[i] >> 32), (uint32_t)d->args[i]};
			memcpy(&k.args[i], w, 8);
		}
	}
	return k;
}

static bool check_one(struct checker *c, const struct seccomp_data *d0)
{
	uint32_t want = orc_eval(c->s, d0), got, ex = 0;
	struct seccomp_data kd = kernel_layout(d0);
	const struct seccomp_data *d = &kd;

	got = sck_bpf_emu_run(c->opt, d, &ex);
	if (ex > c->max_exec)
		c->max_exec = ex;
	c->checked++;
	if (got != want || (c->lin && sck_bpf_emu_run(c->lin, d, NULL) != want)) {
		describe(c->s);
		fprintf(stderr,
			"data: arch %#x nr %#x args %#llx %#llx %#llx %#llx %#llx %#llx: want %#x "
			"opt %#x lin %#x\n",
			d->arch, (uint32_t)d->nr, (unsigned long long)d0->args[0],
			(unsigned long long)d0->args[1], (unsigned long long)d0->args[2],
			(unsigned long long)d0->args[3], (unsigned long long)d0->args[4],
			(unsigned long long)d0->args[5], want, got,
			c->lin ? sck_bpf_emu_run(c->lin, d, NULL) : 0);
		return false;
	}
	return true;
}

/* @tries calls of number @nr on @audit with arguments drawn from the boundary values. */
static bool check_nr(struct checker *c, uint32_t audit, uint32_t nr, int tries)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = audit};

	if (!check_one(c, &d))
		return false;
	for (int t = 0; t < tries; t++) {
		for (int i = 0; i < 6; i++)
			d.args[i] = c->vals[sck_test_rand(&c->rng) % c->nvals];
		if (!check_one(c, &d))
			return false;
	}
	return true;
}

static bool spec_nr_has_rule(const struct orc_spec *s, const struct sck_arch *a, uint32_t nr)
{
	for (size_t i = 0; i < s->nrules; i++) {
		const struct orc_rule *r = &s->rules[i];
		struct sck_syscall_mux mx;
		int n = r->name ? sck_syscall_nr(a, r->name) : r->nr;
		if (n >= 0 && (uint32_t)n == nr)
			return true;
		if (r->name && sck_syscall_mux(a, r->name, &mx) == 0 && (uint32_t)mx.nr == nr)
			return true;
	}
	return false;
}

/* Every number of every arch of @s (and a foreign arch), boundary arguments where rules are. */
static void sweep(struct orc_spec *s, bool with_linear, uint64_t seed)
{
	struct sck_filter *f = NULL;
	struct checker c = {.s = s, .rng = seed};
	size_t len;

	cr_assert_eq(orc_build(s, &f), 0);
	cr_assert_eq(orc_emu(f, 0, &c.opt, &len), 0);
	if (with_linear)
		cr_assert_eq(orc_emu(f, SCK_COMPILE_LINEAR, &c.lin, &len), 0);
	c.nvals = boundary_values(s, c.vals, 1024);
	orc_prepare(s);
	for (size_t i = 0; i < s->narch; i++) {
		const struct sck_arch *a = s->arches[i];
		int max = sck_syscall_max(a);
		for (uint32_t nr = a->nr_base; nr <= (uint32_t)max + 2; nr++)
			cr_assert(check_nr(&c, a->audit_arch, nr,
					   spec_nr_has_rule(s, a, nr) ? 40 : 0));
		cr_assert(check_nr(&c, a->audit_arch, 0xffffffffU, 2));
		cr_assert(check_nr(&c, a->audit_arch, X32_BIT - 1, 2));
		cr_assert(check_nr(&c, a->audit_arch, X32_BIT + 1, 2));
	}
	cr_assert(check_nr(&c, AUDIT_ARCH_ARM, 3, 2));
	sck_bpf_emu_free(c.opt);
	sck_bpf_emu_free(c.lin);
	sck_filter_free(f);
}

/* ---- semantics by full sweeps ---- */

static void handmade(struct orc_spec *s)
{
	static const char *allow[] = {"read",	    "write",   "close",	     "openat",
				      "mmap",	    "futex",   "exit_group", "rt_sigreturn",
				      "brk",	    "fstat",   "getrandom",  "clock_gettime",
				      "newfstatat", "pread64", NULL};
	s->nrules = 0;
	for (int i = 0; allow[i]; i++)
		s->rules[s->nrules++] =
			(struct orc_rule){.name = allow[i], .action = SECCOMP_RET_ALLOW};
	s->rules[s->nrules++] =
		(struct orc_rule){.name = "personality",
				  .action = SECCOMP_RET_ALLOW,
				  .conds = {{.arg = 0, .op = SCK_CMP_EQ, .value = 0xffffffff}},
				  .nconds = 1};
	s->rules[s->nrules++] =
		(struct orc_rule){.name = "personality",
				  .action = SECCOMP_RET_ALLOW,
				  .conds = {{.arg = 0, .op = SCK_CMP_EQ, .value = 8}},
				  .nconds = 1};
	s->rules[s->nrules++] = (struct orc_rule){
		.name = "clone",
		.action = SECCOMP_RET_ALLOW,
		.conds = {{.arg = 0, .op = SCK_CMP_MASKED_EQ, .mask = 0x7e020000, .value = 0}},
		.nconds = 1};
	s->rules[s->nrules++] =
		(struct orc_rule){.name = "socket",
				  .action = SECCOMP_RET_ERRNO | 97,
				  .conds = {{.arg = 0, .op = SCK_CMP_EQ, .value = 40}},
				  .nconds = 1};
	s->rules[s->nrules++] = (struct orc_rule){.name = "socket", .action = SECCOMP_RET_ALLOW};
	s->rules[s->nrules++] = (struct orc_rule){.name = "bind", .action = SECCOMP_RET_TRAP | 3};
	s->rules[s->nrules++] = (struct orc_rule){
		.name = "ioctl",
		.action = ERRNO(5),
		.conds = {{.arg = 1, .op = SCK_CMP_GT, .value = 0x100000005ULL},
			  {.arg = 2, .op = SCK_CMP_LE, .value = 0xfffffffffffffff0ULL}},
		.nconds = 2};
	s->rules[s->nrules++] = (struct orc_rule){
		.name = "ioctl",
		.action = SECCOMP_RET_LOG,
		.conds = {{.arg = 1, .op = SCK_CMP_LT, .value = 0x80000000ULL},
			  {.arg = 0, .op = SCK_CMP_NE, .value = 3, .flags = SCK_COND_LOW32}},
		.nconds = 2};
	s->rules[s->nrules++] =
		(struct orc_rule){.name = "lseek",
				  .action = SECCOMP_RET_TRACE | 7,
				  .conds = {{.arg = 2, .op = SCK_CMP_GE, .value = 0x200000000ULL},
					    {.arg = 3,
					     .op = SCK_CMP_MASKED_EQ,
					     .mask = 0xff00000000ULL,
					     .value = 0x1200000000ULL}},
				  .nconds = 2};
	s->rules[s->nrules++] =
		(struct orc_rule){.name = "semop",
				  .action = ERRNO(6),
				  .conds = {{.arg = 1, .op = SCK_CMP_EQ, .value = 3}},
				  .nconds = 1};
	s->rules[s->nrules++] = (struct orc_rule){.name = "shmget", .action = ERRNO(7)};
	s->rules[s->nrules++] = (struct orc_rule){.nr = 1000, .action = ERRNO(8)};
	s->rules[s->nrules++] = (struct orc_rule){
		.name = "kill", .arch = A("i386"), .action = SECCOMP_RET_KILL_THREAD};
}

Test(filter, sweep_handmade, .timeout = 400)
{
	const char *sets[][4] = {{"x86_64", "i386", "x32", NULL}, {"aarch64", "arm", NULL},
				 {"s390x", "s390", NULL},	  {"ppc64le", "ppc", NULL},
				 {"mips", "mips64n32", NULL},	  {"riscv64", NULL}};
	uint64_t seed = sck_test_seed("filter/sweep_handmade");

	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		for (unsigned int flags = 0; flags <= SCK_FILTER_OCI; flags++) {
			struct orc_spec s = {
				.def = ERRNO(1), .bad = SECCOMP_RET_KILL_PROCESS, .flags = flags};
			for (int i = 0; i < 4 && sets[k][i]; i++) {
				const struct sck_arch *a = sck_arch_from_name(sets[k][i]);
				if (a && sck_syscall_count(a))
					s.arches[s.narch++] = a;
			}
			if (!s.narch)
				continue;
			handmade(&s);
			/* rules whose names an arch group lacks entirely would be -ENOENT */
			for (size_t r = 0; r < s.nrules; r++) {
				bool ok = false;
				for (size_t i = 0; i < s.narch; i++) {
					struct sck_syscall_mux mx;
					const struct orc_rule *rr = &s.rules[r];
					if (rr->arch && rr->arch != s.arches[i])
						continue;
					if (!rr->name ||
					    sck_syscall_nr(s.arches[i], rr->name) >= 0 ||
					    sck_syscall_mux(s.arches[i], rr->name, &mx) == 0)
						ok = true;
				}
				if (!ok)
					s.rules[r--] = s.rules[--s.nrules];
			}
			sweep(&s, true, seed);
		}
	}
}

Test(filter, oci_mode)
{
	struct orc_spec s = {.def = ERRNO(1),
			     .bad = SECCOMP_RET_KILL_PROCESS,
			     .flags = SCK_FILTER_OCI,
			     .narch = 1};
	struct sck_filter *f;
	struct sck_bpf_emu *opt;
	size_t len;
	const struct sck_arch *x = A("x86_64");
	struct seccomp_data d = {.arch = AUDIT_ARCH_X86_64};

	s.arches[0] = x;
	/* conditional, then unconditional, then another unconditional: the first unconditional */
	s.rules[s.nrules++] = (struct orc_rule){.name = "write",
						.action = ERRNO(3),
						.conds = {{.arg = 0, .op = SCK_CMP_EQ, .value = 1}},
						.nconds = 1};
	s.rules[s.nrules++] = (struct orc_rule){.name = "write", .action = ERRNO(4)};
	s.rules[s.nrules++] = (struct orc_rule){.name = "write", .action = ERRNO(6)};
	/* a rule returning the default is dropped, so it does not hide the later one */
	s.rules[s.nrules++] = (struct orc_rule){.name = "read", .action = ERRNO(1)};
	s.rules[s.nrules++] = (struct orc_rule){.name = "read", .action = SECCOMP_RET_ALLOW};
	cr_assert_eq(orc_build(&s, &f), 0);
	cr_assert_eq(orc_emu(f, 0, &opt, &len), 0);
	d.nr = sck_syscall_nr(x, "write");
	d.args[0] = 1;
	cr_assert_eq(sck_bpf_emu_run(opt, &d, NULL), ERRNO(4));
	d.nr = sck_syscall_nr(x, "read");
	cr_assert_eq(sck_bpf_emu_run(opt, &d, NULL), SECCOMP_RET_ALLOW);
	sck_bpf_emu_free(opt);
	sck_filter_free(f);
	sweep(&s, true, 1);
}

Test(filter, multiplexer)
{
	struct orc_spec s = {.def = ERRNO(1), .bad = SECCOMP_RET_KILL_PROCESS, .narch = 1};
	struct sck_filter *f;
	struct sck_bpf_emu *opt;
	size_t len;
	const struct sck_arch *x = A("i386");
	struct sck_syscall_mux mx;
	struct seccomp_data d = {.arch = AUDIT_ARCH_I386};

	s.arches[0] = x;
	s.rules[s.nrules++] = (struct orc_rule){.name = "socket",
						.action = ERRNO(3),
						.conds = {{.arg = 0, .op = SCK_CMP_EQ, .value = 2}},
						.nconds = 1};
	s.rules[s.nrules++] = (struct orc_rule){.name = "msgrcv", .action = ERRNO(4)};
	cr_assert_eq(orc_build(&s, &f), 0);
	cr_assert_eq(orc_emu(f, 0, &opt, &len), 0);
	cr_assert_eq(sck_syscall_mux(x, "socket", &mx), 0);
	d.nr = mx.nr;
	d.args[0] = mx.call; /* socketcall(SYS_SOCKET, ...): the condition on arg 0 is the call's */
	cr_assert_eq(sck_bpf_emu_run(opt, &d, NULL), ERRNO(3));
	cr_assert_eq(sck_syscall_mux(x, "msgrcv", &mx), 0);
	d.nr = mx.nr;
	d.args[0] = mx.call | (1u << 16); /* ipc(2) version in the high 16 bits */
	cr_assert_eq(sck_bpf_emu_run(opt, &d, NULL), ERRNO(4));
	sck_bpf_emu_free(opt);
	sck_filter_free(f);
	sweep(&s, true, 2);
	s.flags = SCK_FILTER_NO_MULTIPLEX;
	sweep(&s, true, 3);
	s.flags = SCK_FILTER_OCI;
	sweep(&s, true, 4);
}

/* ---- size and cache ---- */

Test(filter, cache_and_stats)
{
	struct orc_spec s = {.def = ERRNO(1), .bad = SECCOMP_RET_KILL_PROCESS};
	struct sck_filter *f;
	struct sck_filter_prog *p;

	s.arches[s.narch++] = A("x86_64");
	s.arches[s.narch++] = A("i386");
	s.arches[s.narch++] = A("x32");
	handmade(&s);
	cr_assert_eq(orc_build(&s, &f), 0);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	for (size_t i = 0; i < s.narch; i++) {
		struct sck_filter_stats st = {.sz = sizeof(st)};
		cr_assert_eq(sck_filter_prog_stats(p, s.arches[i], &st), 0);
		cr_assert_gt(st.const_allow, 10);
		cr_assert_eq(st.numbers,
			     (uint32_t)sck_syscall_max(s.arches[i]) - s.arches[i]->nr_base + 1);
		cr_assert_leq(st.max_executed, 32, "%s: max %u", s.arches[i]->name,
			      st.max_executed);
		if (s.arches[i]->id != SCK_ARCH_X32)
			cr_assert_eq(st.cached, st.const_allow, "%s: %u of %u cached",
				     s.arches[i]->name, st.cached, st.const_allow);
	}
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

/* ---- random rule sets: optimizer == linear reference == oracle ---- */

static const char *const pool[] = {"read",  "write",   "close",	 "openat", "socket",
				   "bind",  "connect", "ioctl",	 "mmap",   "futex",
				   "semop", "shmget",  "msgrcv", "kill",   "getpid",
				   "clone", "execve",  "prctl",	 "lseek",  "personality"};
static const char *const arch_pool[] = {"x86_64", "x32",   "i386",  "aarch64",
					"arm",	  "s390x", "ppc64", "mips"};

static uint64_t rnd_value(uint64_t *rng)
{
	static const uint64_t v[] = {0,
				     1,
				     2,
				     3,
				     5,
				     0xff,
				     0x7fffffff,
				     0x80000000,
				     0xfffffffe,
				     0xffffffff,
				     0x100000000ULL,
				     0x100000005ULL,
				     0xffffffff00000000ULL,
				     0xfffffffffffffffeULL,
				     0xffffffffffffffffULL};
	uint64_t r = sck_test_rand(rng);
	switch (r % 4) {
	case 0:
		return sck_test_rand(rng);
	case 1:
		return sck_test_rand(rng) & 0xff;
	default:
		return v[(r >> 8) % (sizeof(v) / sizeof(v[0]))];
	}
}

static void random_spec(uint64_t *rng, struct orc_spec *s)
{
	static const uint32_t acts[] = {SECCOMP_RET_ALLOW,
					ERRNO(1),
					ERRNO(2),
					ERRNO(3),
					SECCOMP_RET_KILL_PROCESS,
					SECCOMP_RET_TRAP | 1,
					SECCOMP_RET_LOG,
					SECCOMP_RET_TRACE | 2,
					SECCOMP_RET_KILL_THREAD};
	size_t na = sizeof(acts) / sizeof(acts[0]);

	memset(s, 0, sizeof(*s));
	s->def = acts[sck_test_rand(rng) % na];
	s->bad = acts[sck_test_rand(rng) % na];
	s->flags =
		(unsigned int)(sck_test_rand(rng) % 4) & (SCK_FILTER_OCI | SCK_FILTER_NO_MULTIPLEX);
	for (size_t i = 0; i < 8; i++) {
		const struct sck_arch *a = sck_arch_from_name(arch_pool[i]);
		if (a && sck_syscall_count(a) && sck_test_rand(rng) % 3 == 0 && s->narch < 4)
			s->arches[s->narch++] = a;
	}
	if (!s->narch)
		s->arches[s->narch++] = sck_arch_from_name("x86_64");
	s->nrules = 1 + sck_test_rand(rng) % 24;
	for (size_t i = 0; i < s->nrules; i++) {
		struct orc_rule *r = &s->rules[i];
		uint64_t k = sck_test_rand(rng);
		if (k % 8 == 0) {
			r->name = NULL;
			r->nr = (int)(sck_test_rand(rng) % 470);
			if (k % 16 == 8)
				r->nr |= (int)X32_BIT;
		} else {
			r->name = pool[(k >> 4) % (sizeof(pool) / sizeof(pool[0]))];
		}
		if (k % 13 == 0)
			r->arch = s->arches[(k >> 12) % s->narch];
		r->action = acts[(k >> 20) % na];
		r->nconds = (k >> 28) % 4 == 3 ? 0 : (k >> 30) % 4;
		for (size_t c = 0; c < r->nconds; c++) {
			struct sck_cond *cd = &r->conds[c];
			uint64_t q = sck_test_rand(rng);
			cd->arg = (unsigned int)(q % 3 == 0 ? q % 6 : q % 2);
			cd->op = (enum sck_cmp_op)(1 + (q >> 8) % 7);
			cd->flags = (q >> 16) % 4 == 0 ? SCK_COND_LOW32 : 0;
			cd->value = rnd_value(rng);
			cd->mask = (q >> 20) % 3 ? rnd_value(rng) : cd->value | rnd_value(rng);
			if ((q >> 24) % 3 == 0 && cd->op == SCK_CMP_MASKED_EQ)
				cd->value &= cd->mask;
		}
	}
}

Test(filter, random_vs_linear, .timeout = 400)
{
	uint64_t rng = sck_test_seed("filter/random_vs_linear");
	int sets = 0, skipped = 0;

	for (int iter = 0; iter < 2200; iter++) {
		struct orc_spec s;
		struct sck_filter *f = NULL;
		struct checker c = {.s = &s};
		size_t len;

		random_spec(&rng, &s);
		c.rng = sck_test_rand(&rng);
		if (orc_build(&s, &f) != 0) {
			skipped++; /* a name none of the random arches has */
			continue;
		}
		cr_assert_eq(orc_emu(f, 0, &c.opt, &len), 0);
		cr_assert_eq(orc_emu(f, SCK_COMPILE_LINEAR, &c.lin, &len), 0);
		c.nvals = boundary_values(&s, c.vals, 1024);
		orc_prepare(&s);
		for (size_t i = 0; i < s.narch; i++) {
			const struct sck_arch *a = s.arches[i];
			for (size_t r = 0; r < s.nrules; r++) {
				struct sck_syscall_mux mx;
				int n = s.rules[r].name ? sck_syscall_nr(a, s.rules[r].name)
							: s.rules[r].nr;
				if (n >= 0) {
					cr_assert(check_nr(&c, a->audit_arch, (uint32_t)n, 30));
					cr_assert(check_nr(&c, a->audit_arch, (uint32_t)n + 1, 1));
					cr_assert(check_nr(&c, a->audit_arch, (uint32_t)n - 1, 1));
				}
				if (s.rules[r].name &&
				    sck_syscall_mux(a, s.rules[r].name, &mx) == 0)
					cr_assert(check_nr(&c, a->audit_arch, (uint32_t)mx.nr, 40));
			}
			for (int t = 0; t < 16; t++)
				cr_assert(check_nr(&c, a->audit_arch,
						   (uint32_t)sck_test_rand(&c.rng) % 600 +
							   (t & 1 ? a->nr_base : 0),
						   1));
			cr_assert(check_nr(&c, a->audit_arch, 0xffffffffU, 1));
			cr_assert(check_nr(&c, a->audit_arch, X32_BIT, 1));
		}
		cr_assert(check_nr(&c, 0x12345678, 1, 1));
		sck_bpf_emu_free(c.opt);
		sck_bpf_emu_free(c.lin);
		sck_filter_free(f);
		sets++;
	}
	cr_log_info("random rule sets: %d compiled and checked, %d refused (unknown names)", sets,
		    skipped);
	cr_assert_gt(sets, 2000);
}
