// SPDX-License-Identifier: MIT
/*
 * `sck compile --stats` per syscall with argument rules: one line per syscall and arch with the
 * number of argument probes and the instructions executed over them (mean, max), after the
 * per-arch lines; none for a profile without argument rules.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

/* ioctl allowed for three requests, personality(8) on x86_64 and x32 */
static const char args_profile[] =
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
	"\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":"
	"21505,\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\","
	"\"args\":[{\"index\":1,\"value\":21506,\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"ioctl\"],"
	"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":21520,\"op\":"
	"\"SCMP_CMP_EQ\"}]},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
	"[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]}\n";

static void line_of(const char *out, const char *prefix, size_t *probes, double *mean,
		    unsigned *max)
{
	const char *l = strstr(out, prefix);

	cr_assert(l, "no line '%s' in:\n%s", prefix, out);
	cr_assert_eq(sscanf(l + strlen(prefix), ": argument probes %zu, executed mean %lf max %u",
			    probes, mean, max),
		     3, "%s", l);
}

Test(cli_compile_args, stats_per_syscall_with_argument_rules)
{
	struct sck_test_cmd r;
	size_t n;
	double mean;
	unsigned max;
	const char *ioctl_line;

	cr_assert_eq(sck_test_sck(&r, args_profile,
				  (const char *const[]){"compile", "--stats", "-o", "/dev/null",
							"-", NULL}),
		     0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	/* each request v: v, v+1, v-1, v with the high word flipped; the rules' misses (v^1)
	 * fall on those: 0x5400..0x5403, 0x540f..0x5411 and three flipped = 10 */
	line_of(r.out, "  ioctl (x86_64)", &n, &mean, &max);
	cr_expect_eq(n, 10);
	cr_expect(mean > 0 && mean <= max && max < 40, "mean %.2f max %u", mean, max);
	line_of(r.out, "  ioctl (x32)", &n, &mean, &max);
	cr_expect_eq(n, 10);
	/* personality(8): 8, 9, 7, 8 flipped */
	line_of(r.out, "  personality (x86_64)", &n, &mean, &max);
	cr_expect_eq(n, 4);
	/* after the per-arch lines */
	ioctl_line = strstr(r.out, "  ioctl (x86_64)");
	cr_expect(strstr(r.out, "x32: executed mean") < ioctl_line, "%s", r.out);
	cr_expect_null(strstr(r.out, "  read ("));
	sck_test_cmd_fini(&r);
}

Test(cli_compile_args, no_argument_rules_no_lines)
{
	static const char plain[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
		"[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	struct sck_test_cmd r;

	cr_assert_eq(sck_test_sck(&r, plain,
				  (const char *const[]){"compile", "--stats", "-a", "x86_64", "-o",
							"/dev/null", "-", NULL}),
		     0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "x86_64: executed mean"), "%s", r.out);
	cr_expect_null(strstr(r.out, "argument probes"), "%s", r.out);
	sck_test_cmd_fini(&r);
}

/*
 * Overlapping conditional rules with different actions: `sck compile` resolves them as runc +
 * libseccomp 2.5.4 do (its rule database tests `a1 == 12` before `a1 >= 10`, whatever the order
 * in the profile), not by rule order.
 */
Test(cli_compile_args, overlapping_rules_resolved_as_libseccomp)
{
	static const char overlap[] =
		"{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[{\"names\":[\"write\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,\"args\":[{\"index\":1,\"value\":10,"
		"\"op\":\"SCMP_CMP_GE\"}]},{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\","
		"\"args\":[{\"index\":1,\"value\":12,\"op\":\"SCMP_CMP_EQ\"}]}]}";
	static const struct {
		const char *a1, *want;
	} cases[] = {{"12", "ALLOW\n"}, {"11", "ERRNO(1)\n"}, {"9", "KILL_PROCESS\n"}};
	char out[512];
	struct sck_test_cmd r;

	snprintf(out, sizeof(out), "%s/overlap.bpf", sck_test_tmpdir());
	cr_assert_eq(sck_test_sck(&r, overlap,
				  (const char *const[]){"compile", "-a", "x86_64", "-o", out, "-",
							NULL}),
		     0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(sck_test_sck(&r, NULL,
					  (const char *const[]){"emu", "-a", "x86_64", out, "write",
								"0", cases[i].a1, NULL}),
			     0);
		cr_expect(strncmp(r.out, cases[i].want, strlen(cases[i].want)) == 0, "a1 = %s: %s",
			  cases[i].a1, r.out);
		sck_test_cmd_fini(&r);
	}
	unlink(out);
}
