// SPDX-License-Identifier: MIT
/*
 * Regression tests for what the fuzzers (fuzz/) and the hardening work of issue 7 found, one test
 * per finding, named after it. Several are undefined behaviour that only the sanitizer build
 * (make SANITIZE=1 check) or valgrind turns into a failure; the plain build still runs them.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"

static void compile_both(const struct sck_filter *f)
{
	SCK_OPTS(sck_filter_compile_opts, lin, .flags = SCK_COMPILE_LINEAR);
	struct sck_filter_prog *p = NULL, *q = NULL;
	const struct sock_filter *pi, *qi;
	size_t plen = 0, qlen = 0;

	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	cr_assert_eq(sck_filter_compile(f, &lin, &q), 0);
	pi = sck_filter_prog_insns(p, &plen);
	qi = sck_filter_prog_insns(q, &qlen);
	cr_expect_eq(sck_bpf_check(pi, plen, NULL), 0);
	cr_expect_eq(sck_bpf_check(qi, qlen, NULL), 0);
	sck_filter_prog_free(p);
	sck_filter_prog_free(q);
}

/* fuzz_compile, empty input: a filter without rules made cmp_ir.c call memcpy(dst, NULL, 0). */
Test(regressions, compile_without_rules)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ALLOW,
		 .bad_arch_action = SECCOMP_RET_ALLOW);
	struct sck_filter *f = NULL;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	compile_both(f);
	sck_filter_free(f);
}

/* The same path in OCI mode: every rule dropped because it returns the default action. */
Test(regressions, compile_oci_all_rules_dropped)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ERRNO | 1,
		 .flags = SCK_FILTER_OCI);
	const struct sck_rule r = {.nr = 3, .action = SECCOMP_RET_ERRNO | 1};
	struct sck_filter *f = NULL;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	compile_both(f);
	sck_filter_free(f);
}

/* clang-tidy: sck_bpf_cache_bitmap with no bitmap and 0 bits called memset(NULL, 0, 0). */
Test(regressions, cache_bitmap_zero_bits)
{
	const struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	const struct sck_arch *a = sck_arch_from_name("x86_64");

	cr_assert_eq(sck_bpf_cache_bitmap(allow, 1, a, NULL, 0), 0);
}

/* test_security: a default or bad-arch action the kernel does not define was compiled into the
 * program (the kernel then kills the process); rules already refused such actions. */
Test(regressions, filter_undefined_default_action)
{
	SCK_OPTS(sck_filter_opts, d, .default_action = 0x12340000u);
	SCK_OPTS(sck_filter_opts, b, .bad_arch_action = 0x00010000u);
	struct sck_filter *f = NULL;

	cr_expect_eq(sck_filter_new(&d, &f), -EINVAL);
	cr_expect_eq(sck_filter_new(&b, &f), -EINVAL);
	cr_expect_null(f);
}

/* fuzz_bpf: a RET with junk in jt/jf is valid (the kernel ignores them) and must survive
 * disasm -> asm bit for bit (printed as .insn). */
Test(regressions, ret_with_jump_fields_roundtrip)
{
	const struct sock_filter p[] = {{BPF_RET | BPF_K, 0, 0x20, 0x7fff005a}};
	struct sock_filter *q = NULL;
	char *text = NULL;
	size_t qlen = 0;

	cr_assert_eq(sck_bpf_check(p, 1, NULL), 0);
	cr_assert_eq(sck_bpf_disasm_alloc(p, 1, NULL, &text), 0);
	cr_assert_eq(sck_bpf_asm_alloc(text, NULL, &q, &qlen, NULL), 0, "%s", text);
	cr_assert_eq(qlen, 1);
	cr_expect(memcmp(p, q, sizeof(p)) == 0, "%s", text);
	free(q);
	free(text);
}
