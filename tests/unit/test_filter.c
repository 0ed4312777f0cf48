// SPDX-License-Identifier: MIT
/*
 * The filter compiler by emulation: API errors and export formats, the x32 / nr -1 / bad-arch
 * dispatch, programs too long or with too many ranges refused, and a repeated 32-bit argument
 * loaded once. Full sweeps against the oracle and random rule sets are in test_filter_sweep.c.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>

#include "test_filter_helpers.h"
#include "test_filter_oracle.h"

/* ---- API ---- */

Test(filter, api_errors)
{
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_cond bad = {.arg = 6, .op = SCK_CMP_EQ};
	struct sck_rule r = {.name = "read", .action = SECCOMP_RET_ALLOW};
	struct sck_filter_stats st = {.sz = sizeof(st)};
	char *buf;
	size_t len;

	cr_assert_eq(sck_filter_new(NULL, NULL), -EINVAL);
	{
		struct {
			struct sck_filter_opts o;
			uint64_t tail;
		} big;
		memset(&big, 0, sizeof(big));
		big.o.sz = sizeof(big);
		big.tail = 1;
		cr_assert_eq(sck_filter_new(&big.o, &f), -E2BIG);
		big.o.sz = 2;
		cr_assert_eq(sck_filter_new(&big.o, &f), -EINVAL);
	}
	{
		SCK_OPTS(sck_filter_opts, o, .flags = 1u << 20);
		cr_assert_eq(sck_filter_new(&o, &f), -EINVAL);
	}
	cr_assert_eq(sck_filter_new(NULL, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, NULL), -EINVAL);
	cr_assert_eq(sck_filter_add_arch(NULL, A("x86_64")), -EINVAL);
	cr_assert_eq(sck_filter_add_arch(f, A("x86_64")), 0);
	cr_assert_eq(sck_filter_add_arch(f, A("x86_64")), -EEXIST);
	cr_assert_eq(sck_filter_add_rule(f, NULL), -EINVAL);
	cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	r.name = "no_such_syscall";
	cr_assert_eq(sck_filter_add_rule(f, &r), -ENOENT);
	r.name = "socketcall"; /* not on x86_64 */
	cr_assert_eq(sck_filter_add_rule(f, &r), -ENOENT);
	r.name = NULL;
	r.nr = -1;
	cr_assert_eq(sck_filter_add_rule(f, &r), -EINVAL);
	r.nr = 5;
	r.action = 0x12340000; /* no such action */
	cr_assert_eq(sck_filter_add_rule(f, &r), -EINVAL);
	r.action = SECCOMP_RET_ALLOW;
	r.conds = &bad;
	r.nconds = 1;
	cr_assert_eq(sck_filter_add_rule(f, &r), -EINVAL);
	bad.arg = 0;
	bad.op = 8;
	cr_assert_eq(sck_filter_add_rule(f, &r), -EINVAL);
	bad.op = SCK_CMP_EQ;
	bad.flags = 2;
	cr_assert_eq(sck_filter_add_rule(f, &r), -EINVAL);
	r.conds = NULL;
	cr_assert_eq(sck_filter_add_rule(f, &r), -EINVAL);
	r.nconds = 0;
	r.flags = 1;
	cr_assert_eq(sck_filter_add_rule(f, &r), -EINVAL);
	cr_assert_eq(sck_filter_set_weight(f, NULL, 1, 2), -EINVAL);
	cr_assert_eq(sck_filter_set_weight(f, A("x86_64"), -1, 2), -EINVAL);
	cr_assert_eq(sck_filter_set_weight(f, A("x86_64"), 0, 100), 0);
	cr_assert_eq(sck_filter_compile(NULL, NULL, &p), -EINVAL);
	cr_assert_eq(sck_filter_compile(f, NULL, NULL), -EINVAL);
	{
		SCK_OPTS(sck_filter_compile_opts, co, .flags = 1u << 7);
		cr_assert_eq(sck_filter_compile(f, &co, &p), -EINVAL);
	}
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	cr_assert_not_null(sck_filter_prog_insns(p, &len));
	cr_assert_null(sck_filter_prog_insns(NULL, &len));
	cr_assert_eq(sck_filter_prog_stats(p, A("i386"), &st), -EDOM);
	cr_assert_eq(sck_filter_prog_stats(NULL, NULL, &st), -EINVAL);
	st.sz = 0;
	cr_assert_eq(sck_filter_prog_stats(p, NULL, &st), -EINVAL);
	cr_assert_eq(sck_filter_prog_export_alloc(p, 99, &buf, &len), -EINVAL);
	cr_assert_eq(sck_filter_prog_export_alloc(NULL, SCK_FORMAT_RAW, &buf, &len), -EINVAL);
	cr_assert_eq(sck_filter_prog_load(NULL, 0), -EINVAL);
	cr_assert_eq(sck_filter_prog_load(p, 1u << 20), -EINVAL);
	/* no notify rule, so no listener: WAIT_KILLABLE_RECV cannot apply (checked before nnp) */
	cr_assert_eq(sck_filter_prog_load(p, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV), -EINVAL);
	cr_assert_eq(sck_filter_load(NULL, 0), -EINVAL);
	sck_filter_prog_free(p);
	sck_filter_prog_free(NULL);
	sck_filter_free(f);
	sck_filter_free(NULL);
}

Test(filter, export)
{
	struct orc_spec s = {.def = ERRNO(1), .bad = SECCOMP_RET_KILL_PROCESS, .narch = 1};
	struct sck_filter *f;
	struct sck_filter_prog *p;
	const struct sock_filter *in;
	size_t len, n;
	char *buf;
	int lines = 0;

	s.arches[0] = A("x86_64");
	s.rules[s.nrules++] = (struct orc_rule){.name = "read", .action = SECCOMP_RET_ALLOW};
	cr_assert_eq(orc_build(&s, &f), 0);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	in = sck_filter_prog_insns(p, &len);
	cr_assert_eq(sck_filter_prog_export_alloc(p, SCK_FORMAT_RAW, &buf, &n), 0);
	cr_assert_eq(n, len * sizeof(*in));
	cr_assert_eq(memcmp(buf, in, n), 0);
	free(buf);
	cr_assert_eq(sck_filter_prog_export_alloc(p, SCK_FORMAT_C, &buf, &n), 0);
	cr_assert_eq(strlen(buf), n);
	for (char *q = buf; (q = strstr(q, "\t{ 0x")); q++)
		lines++;
	cr_assert_eq((size_t)lines, len);
	free(buf);
	cr_assert_eq(sck_filter_prog_export_alloc(p, SCK_FORMAT_TEXT, &buf, &n), 0);
	cr_assert_eq(strlen(buf), n);
	cr_assert_not_null(strstr(buf, "x86_64"), "%s", buf);
	free(buf);
	cr_assert_eq(sck_filter_prog_export_alloc(p, SCK_FORMAT_DOT, &buf, &n), 0);
	cr_assert_not_null(strstr(buf, "digraph"), "%s", buf);
	free(buf);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

/* ---- dispatch ---- */

Test(filter, x32_and_nr_minus_one)
{
	const uint32_t bad = SECCOMP_RET_KILL_PROCESS, def = ERRNO(9);
	struct orc_spec s = {.def = def, .bad = bad};
	struct sck_filter *f;
	struct sck_bpf_emu *opt, *lin;
	size_t len;
	const char *sets[3][2] = {{"x86_64", NULL}, {"x32", NULL}, {"x86_64", "x32"}};

	for (int k = 0; k < 3; k++) {
		bool has64 = false, has32 = false;
		s.narch = 0;
		s.nrules = 0;
		for (int i = 0; i < 2 && sets[k][i]; i++) {
			s.arches[s.narch++] = A(sets[k][i]);
			has64 |= strcmp(sets[k][i], "x86_64") == 0;
			has32 |= strcmp(sets[k][i], "x32") == 0;
		}
		s.rules[s.nrules++] =
			(struct orc_rule){.name = "write", .action = SECCOMP_RET_ALLOW};
		cr_assert_eq(orc_build(&s, &f), 0);
		cr_assert_eq(orc_emu(f, 0, &opt, &len), 0);
		cr_assert_eq(orc_emu(f, SCK_COMPILE_LINEAR, &lin, &len), 0);
		struct {
			uint32_t nr, want;
		} cases[] = {
			{1, has64 ? SECCOMP_RET_ALLOW : bad},
			{0, has64 ? def : bad},
			{X32_BIT - 1, has64 ? def : bad},
			{X32_BIT + 1, has32 ? SECCOMP_RET_ALLOW : bad},
			{X32_BIT, has32 ? def : bad},
			{0xfffffffeU, has32 ? def : bad},
			{0xffffffffU,
			 def}, /* a tracer's skipped call never takes the bad-arch path */
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct seccomp_data d = {.nr = (int)cases[i].nr, .arch = AUDIT_ARCH_X86_64};
			cr_assert_eq(sck_bpf_emu_run(opt, &d, NULL), cases[i].want, "set %d nr %#x",
				     k, cases[i].nr);
			cr_assert_eq(sck_bpf_emu_run(lin, &d, NULL), cases[i].want);
			cr_assert_eq(orc_eval(&s, &d), cases[i].want);
		}
		{
			struct seccomp_data d = {.nr = 4, .arch = AUDIT_ARCH_I386};
			cr_assert_eq(sck_bpf_emu_run(opt, &d, NULL), bad);
		}
		sck_bpf_emu_free(opt);
		sck_bpf_emu_free(lin);
		sck_filter_free(f);
	}
}

/*
 * Filters with no rules, or with rules of no conditions, on one arch and on three: each compiles
 * (optimized and linear) to programs that agree with the oracle. (fuzz_compile, built by clang,
 * found the empty arrays such filters leave offset by 0 from NULL; gcc's UBSan, which `make
 * SANITIZE=1` uses, does not check that.)
 */
Test(filter, no_rules_and_no_conditions)
{
	static const char *const sets[][3] = {{"x86_64"}, {"x86_64", "x86", "x32"}};

	for (size_t k = 0; k < 2 * sizeof(sets) / sizeof(sets[0]); k++) {
		struct orc_spec s = {.def = ERRNO(1), .bad = SECCOMP_RET_KILL_PROCESS};
		struct sck_bpf_emu *opt, *lin;
		struct sck_filter *f;
		size_t len;

		for (size_t a = 0; a < 3 && sets[k / 2][a]; a++)
			s.arches[s.narch++] = A(sets[k / 2][a]);
		if (k % 2)
			s.rules[s.nrules++] =
				(struct orc_rule){.name = "read", .action = SECCOMP_RET_ALLOW};
		cr_assert_eq(orc_build(&s, &f), 0, "set %zu", k);
		cr_assert_eq(orc_emu(f, 0, &opt, &len), 0, "set %zu", k);
		cr_assert_eq(orc_emu(f, SCK_COMPILE_LINEAR, &lin, &len), 0, "set %zu", k);
		for (uint32_t nr = 0; nr < 8; nr++) {
			struct seccomp_data d = {.nr = (int)nr, .arch = AUDIT_ARCH_X86_64};
			cr_expect_eq(sck_bpf_emu_run(opt, &d, NULL), orc_eval(&s, &d),
				     "set %zu nr %u", k, nr);
			cr_expect_eq(sck_bpf_emu_run(lin, &d, NULL), orc_eval(&s, &d),
				     "set %zu nr %u", k, nr);
		}
		sck_bpf_emu_free(opt);
		sck_bpf_emu_free(lin);
		sck_filter_free(f);
	}
	/* no arch added either (the native one), each default action */
	for (uint32_t def = 0; def < 2; def++) {
		SCK_OPTS(sck_filter_opts, o, .default_action = def ? ERRNO(1) : SECCOMP_RET_ALLOW);
		struct sck_filter *f;
		struct sck_filter_prog *p = NULL;
		cr_assert_eq(sck_filter_new(&o, &f), 0);
		cr_expect_eq(sck_filter_compile(f, NULL, &p), 0, "default %u", def);
		sck_filter_prog_free(p);
		sck_filter_free(f);
	}
}

/* ---- size and cache ---- */

Test(filter, too_long_refused)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = ERRNO(1));
	SCK_OPTS(sck_filter_compile_opts, lin, .flags = SCK_COMPILE_LINEAR);
	struct sck_filter *f;
	struct sck_filter_prog *p = NULL;
	struct sck_cond c = {.arg = 1, .op = SCK_CMP_GT};

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, A("x86_64")), 0);
	for (int i = 0; i < 1200; i++) {
		struct sck_rule r = {
			.nr = i % 400, .action = ERRNO(2 + i % 50), .conds = &c, .nconds = 1};
		c.value = (uint64_t)i * 0x100000001ULL;
		cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	}
	cr_assert_eq(sck_filter_compile(f, &lin, &p), -E2BIG);
	cr_assert_null(p);
	sck_filter_free(f);
}

/*
 * Rules of one syscall that compare one 32-bit argument (runc's OR of a repeated index) load it
 * once: each failed compare leaves the argument in A for the next rule. Checked on i386, where
 * arguments are 32-bit, with the verdicts of each value.
 */
Test(filter, or_rules_load_the_argument_once)
{
	static const uint64_t ok[] = {0, 8, 0x20000, 0x20008};
	static const uint64_t probe[] = {0,	  1,	   7,	    8,	     9,	      0x1ffff,
					 0x20000, 0x20001, 0x20007, 0x20008, 0x20009, 0xffffffff};
	struct sck_filter *f;
	struct sck_filter_prog *p;
	struct sck_bpf_emu *emu;
	const struct sock_filter *insns;
	size_t n, loads = 0;
	SCK_OPTS(sck_filter_opts, o, .default_action = ERRNO(1),
		 .bad_arch_action = SECCOMP_RET_KILL_PROCESS);

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, A("i386")), 0);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct sck_cond c = {.arg = 0, .op = SCK_CMP_EQ, .value = ok[i]};
		struct sck_rule r = {.name = "personality",
				     .action = SECCOMP_RET_ALLOW,
				     .conds = &c,
				     .nconds = 1};
		cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	}
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	insns = sck_filter_prog_insns(p, &n);
	for (size_t i = 0; i < n; i++)
		loads += insns[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
			 insns[i].k == offsetof(struct seccomp_data, args);
	cr_expect_eq(loads, 1, "args[0] loaded %zu times", loads);
	cr_assert_eq(sck_bpf_emu_new(insns, n, &emu), 0);
	for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		struct seccomp_data d = {.nr = sck_syscall_nr(A("i386"), "personality"),
					 .arch = AUDIT_ARCH_I386,
					 .args = {probe[i]}};
		bool allowed = false;
		for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
			allowed |= probe[i] == ok[k];
		cr_expect_eq(sck_bpf_emu_run(emu, &d, NULL), allowed ? SECCOMP_RET_ALLOW : ERRNO(1),
			     "arg0 %#llx", (unsigned long long)probe[i]);
	}
	sck_bpf_emu_free(emu);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

/* More verdict ranges than any program can test: -E2BIG before the planner's O(n^2) tables. */
Test(filter, too_many_ranges_refused_early, .timeout = 20)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = ERRNO(1));
	struct sck_filter *f;
	struct sck_filter_prog *p = NULL;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, A("x86_64")), 0);
	/* every other number allowed: 2 ranges a rule, 9000 ranges (the planner's tables would
	 * take 400 MB) */
	for (int i = 0; i < 4500; i++) {
		struct sck_rule r = {.nr = 2 * i, .action = SECCOMP_RET_ALLOW};
		cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	}
	cr_assert_eq(sck_filter_compile(f, NULL, &p), -E2BIG);
	cr_assert_null(p);
	sck_filter_free(f);
}
