// SPDX-License-Identifier: MIT
/*
 * The built-in profile's program embedded in sck at build time (tools/gen_builtin.c,
 * mk/builtin.mk) is exactly what compiling profiles/default.json at run time gives, as `sck run`
 * would compile it without -p: same length, same instructions, same load flags.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

extern const struct sock_filter sck_builtin_insns[];
extern const size_t sck_builtin_len;
extern const unsigned int sck_builtin_load_flags;

Test(builtin_prog, equals_runtime_compile)
{
	SCK_OPTS(sck_profile_opts, po, .flags = SCK_PROFILE_IGNORE_UNKNOWN);
	struct sck_profile_info info = {.sz = sizeof(info)};
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_diag diag;
	const struct sock_filter *in;
	size_t jlen, len = 0;
	const char *json = sck_profile_builtin(&jlen);

	cr_assert_eq(sck_profile_parse(json, jlen, &po, &f, &info, &diag), 0, "%s", diag.msg);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	in = sck_filter_prog_insns(p, &len);
	cr_assert_gt(sck_builtin_len, 0, "the built-in program was not embedded");
	cr_assert_eq(sck_builtin_len, len);
	cr_assert(memcmp(sck_builtin_insns, in, len * sizeof(*in)) == 0);
	cr_assert_eq(sck_builtin_load_flags, info.load_flags);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}
