// SPDX-License-Identifier: MIT
/*
 * sck_profile_arg_rules_alloc: the conditional rules of a parsed profile, in order, with runc's
 * splitting of a repeated argument index and the per-arch copies x32 needs (low words only);
 * unconditional rules left out; -EINVAL for NULL arguments.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

static const char json[] =
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
	"{\"index\":1,\"value\":21505,\"op\":\"SCMP_CMP_EQ\"},"
	"{\"index\":1,\"value\":21506,\"op\":\"SCMP_CMP_EQ\"}]},"
	"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38,\"args\":["
	"{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"},"
	"{\"index\":2,\"value\":5,\"op\":\"SCMP_CMP_GT\"}]}]}";

static struct sck_filter *parse(const char *const *arches)
{
	const struct sck_arch *a[4];
	size_t n = 0;
	struct sck_filter *f = NULL;

	for (; arches[n]; n++)
		a[n] = sck_arch_from_name(arches[n]);
	SCK_OPTS(sck_profile_opts, o, .arches = a, .narches = n);
	cr_assert_eq(sck_profile_parse(json, strlen(json), &o, &f, NULL, NULL), 0);
	return f;
}

Test(profile_args, conditional_rules_in_order)
{
	struct sck_filter *f = parse((const char *const[]){"x86_64", NULL});
	struct sck_profile_arg_rule *r = NULL;
	size_t n = 0;

	cr_assert_eq(sck_profile_arg_rules_alloc(f, &r, &n), 0);
	/* runc splits the repeated index 1 into two rules; read has no condition */
	cr_assert_eq(n, 3);
	cr_expect_str_eq(r[0].name, "ioctl");
	cr_expect_eq(r[0].nconds, 1);
	cr_expect_eq(r[0].conds[0].arg, 1);
	cr_expect_eq(r[0].conds[0].op, SCK_CMP_EQ);
	cr_expect_eq(r[0].conds[0].value, 21505);
	cr_expect_eq(r[1].conds[0].value, 21506);
	cr_expect_eq(r[0].action, SECCOMP_RET_ALLOW);
	cr_expect_null(r[0].arch);
	cr_expect_str_eq(r[2].name, "clone");
	cr_expect_eq(r[2].action, SECCOMP_RET_ERRNO | 38);
	cr_expect_eq(r[2].nconds, 2);
	cr_expect_eq(r[2].conds[0].op, SCK_CMP_MASKED_EQ);
	cr_expect_eq(r[2].conds[0].mask, 2114060288);
	cr_expect_eq(r[2].conds[0].value, 0);
	cr_expect_eq(r[2].conds[1].op, SCK_CMP_GT);
	free(r);
	sck_filter_free(f);
}

Test(profile_args, x32_copies_name_their_arch)
{
	struct sck_filter *f = parse((const char *const[]){"x86_64", "x32", NULL});
	struct sck_profile_arg_rule *r = NULL;
	size_t n = 0, x32 = 0;

	cr_assert_eq(sck_profile_arg_rules_alloc(f, &r, &n), 0);
	for (size_t i = 0; i < n; i++) {
		cr_expect_not_null(r[i].arch, "rule %zu: per-arch copies", i);
		if (r[i].arch && r[i].arch->id == SCK_ARCH_X32) {
			x32++;
			cr_expect(r[i].conds[0].flags & SCK_COND_LOW32);
		}
	}
	cr_expect_eq(x32, 3);
	free(r);
	sck_filter_free(f);
}

Test(profile_args, no_conditions_empty_list)
{
	struct sck_filter *f = NULL;
	struct sck_profile_arg_rule *r = NULL;
	size_t n = 7;

	cr_assert_eq(sck_filter_new(NULL, &f), 0);
	cr_assert_eq(sck_profile_arg_rules_alloc(f, &r, &n), 0);
	cr_expect_eq(n, 0);
	cr_expect_not_null(r);
	free(r);
	sck_filter_free(f);
}

Test(profile_args, null_arguments)
{
	struct sck_filter *f = NULL;
	struct sck_profile_arg_rule *r = NULL;
	size_t n = 0;

	cr_assert_eq(sck_filter_new(NULL, &f), 0);
	cr_expect_eq(sck_profile_arg_rules_alloc(NULL, &r, &n), -EINVAL);
	cr_expect_eq(sck_profile_arg_rules_alloc(f, NULL, &n), -EINVAL);
	cr_expect_eq(sck_profile_arg_rules_alloc(f, &r, NULL), -EINVAL);
	cr_expect_null(r);
	sck_filter_free(f);
}
