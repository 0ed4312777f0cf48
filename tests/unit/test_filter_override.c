// SPDX-License-Identifier: MIT
/*
 * sck_filter_add_override (public since SCK_0.2): its errors, and by emulation that a range of
 * numbers returns its action whatever the rules say, clipped to an arch's part of a shared audit
 * arch (x86_64 / x32), the later override winning, and ignored for an arch the filter lacks.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include <sck.h>

#include "sck_test.h"

#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))

static const struct sck_arch *A(const char *name)
{
	const struct sck_arch *a = sck_arch_from_name(name);
	cr_assert(a, "arch %s", name);
	return a;
}

static uint32_t run(const struct sck_filter *f, unsigned int flags, const struct sck_arch *a,
		    uint32_t nr)
{
	SCK_OPTS(sck_filter_compile_opts, co, .flags = flags);
	struct sck_filter_prog *p = NULL;
	struct sck_bpf_emu *emu = NULL;
	const struct sock_filter *in;
	struct seccomp_data d = {.nr = (int)nr, .arch = a->audit_arch};
	size_t len;
	uint32_t ret;

	cr_assert_eq(sck_filter_compile(f, &co, &p), 0);
	in = sck_filter_prog_insns(p, &len);
	cr_assert_eq(sck_bpf_emu_new(in, len, &emu), 0);
	ret = sck_bpf_emu_run(emu, &d, NULL);
	sck_bpf_emu_free(emu);
	sck_filter_prog_free(p);
	return ret;
}

Test(filter_override, errors)
{
	struct sck_filter *f;

	cr_assert_eq(sck_filter_new(NULL, &f), 0);
	cr_assert_eq(sck_filter_add_override(NULL, A("x86_64"), 0, 1, ERRNO(1)), -EINVAL);
	cr_assert_eq(sck_filter_add_override(f, NULL, 0, 1, ERRNO(1)), -EINVAL);
	cr_assert_eq(sck_filter_add_override(f, A("x86_64"), 2, 1, ERRNO(1)), -EINVAL);
	cr_assert_eq(sck_filter_add_override(f, A("x86_64"), 0, 1, 0x00010000u), -EINVAL);
	cr_assert_eq(sck_filter_add_override(f, A("x86_64"), 5, 5, ERRNO(1)), 0);
	sck_filter_free(f);
}

Test(filter_override, ranges_win_over_rules)
{
	SCK_OPTS(sck_filter_opts, fo, .default_action = SECCOMP_RET_ALLOW);
	const struct sck_arch *x64 = A("x86_64"), *x32 = A("x32"), *arm = A("aarch64");
	const uint32_t bit = SCK_X32_SYSCALL_BIT;
	struct sck_rule r = {.nr = 150, .action = ERRNO(7)};
	struct sck_rule getpid = {.name = "getpid", .action = ERRNO(4)};
	struct sck_filter *f;

	cr_assert_eq(sck_filter_new(&fo, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, x64), 0);
	cr_assert_eq(sck_filter_add_arch(f, x32), 0);
	cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	cr_assert_eq(sck_filter_add_rule(f, &getpid), 0);
	/* x86_64's range runs into x32's numbers: clipped below the x32 bit */
	cr_assert_eq(sck_filter_add_override(f, x64, 100, 0xffffffffu, ERRNO(5)), 0);
	/* later overrides win where they overlap */
	cr_assert_eq(sck_filter_add_override(f, x64, 300, 310, ERRNO(6)), 0);
	/* x32's range starts below its numbers: clipped at the x32 bit */
	cr_assert_eq(sck_filter_add_override(f, x32, 0, bit + 10, ERRNO(8)), 0);
	/* an arch the filter lacks: ignored */
	cr_assert_eq(sck_filter_add_override(f, arm, 0, 0xffffffffu, ERRNO(9)), 0);
	for (unsigned int fl = 0; fl <= SCK_COMPILE_LINEAR; fl += SCK_COMPILE_LINEAR) {
		cr_assert_eq(run(f, fl, x64, 99), SECCOMP_RET_ALLOW);
		cr_assert_eq(run(f, fl, x64, 100), ERRNO(5));
		cr_assert_eq(run(f, fl, x64, 150), ERRNO(5), "the override before the rule");
		cr_assert_eq(run(f, fl, x64, 305), ERRNO(6));
		cr_assert_eq(run(f, fl, x64, bit - 1), ERRNO(5));
		cr_assert_eq(run(f, fl, x32, bit), ERRNO(8));
		cr_assert_eq(run(f, fl, x32, bit + 10), ERRNO(8));
		cr_assert_eq(run(f, fl, x32, bit + 11), SECCOMP_RET_ALLOW);
		cr_assert_eq(run(f, fl, x32, (uint32_t)sck_syscall_nr(x32, "getpid")), ERRNO(4));
		cr_assert_eq(run(f, fl, x64, (uint32_t)sck_syscall_nr(x64, "getpid")), ERRNO(4));
	}
	sck_filter_free(f);
}
