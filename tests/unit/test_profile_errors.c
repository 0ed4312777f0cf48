// SPDX-License-Identifier: MIT
/*
 * The profile reader on bad input: malformed JSON with its line and column, wrong types, unknown
 * names and out-of-range values with their JSON path and errno, the empty and the huge profile,
 * and the API's own errors (NULL arguments, opts size and tail, flags, files).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"
#include "test_profile_helpers.h"

/* ---- bad input ---- */

Test(profile, malformed_json_line_col)
{
	bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [ {\"names\": [\"read\"],, "
	    "}]}",
	    -EINVAL, "", 2, 36);
	bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\"", -EINVAL, "unexpected end", 1, 35);
	bad("", -EINVAL, "unexpected end", 1, 1);
	bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\"} x", -EINVAL, "", 1, 37);
	bad("{\"defaultAction\": 'SCMP_ACT_ERRNO'}", -EINVAL, "", 1, 19);
	bad("\n\n   [1, 2", -EINVAL, "unexpected end", 3, 9);
}

Test(profile, wrong_types)
{
	bad("[]", -EINVAL, "expected a JSON object", 0, 0);
	bad("{}", -EINVAL, "defaultAction: missing", 0, 0);
	bad("{\"defaultAction\":1}", -EINVAL, "defaultAction: expected a string", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}", -EINVAL,
	    "syscalls: expected an array", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[1]}", -EINVAL,
	    "syscalls[0]: expected an object", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":\"read\","
	    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    -EINVAL, "syscalls[0].names: expected an array", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[7],"
	    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    -EINVAL, "syscalls[0].names[0]: expected a string", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]}]}", -EINVAL,
	    "syscalls[0].action: missing", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":\"0\",\"op\":\"SCMP_CMP_EQ\"}]}]}",
	    -EINVAL, "syscalls[0].args[0].index: expected an unsigned integer", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0}]}]}",
	    -EINVAL, "syscalls[0].args[0].op: missing", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":\"x\"}", -EINVAL,
	    "flags: expected an array", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":\"CAP_X\"}}]}",
	    -EINVAL, "syscalls[0].includes.caps: expected an array", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	    "\"name\":\"write\",\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    -EINVAL, "both \"name\" and \"names\"", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],"
	    "\"archMap\":[]}",
	    -EINVAL, "archMap: both", 0, 0);
}

Test(profile, unknown_names)
{
	bad("{\"defaultAction\":\"SCMP_ACT_FOO\"}", -EINVAL,
	    "defaultAction: unknown action \"SCMP_ACT_FOO\"", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{},{},{},{},{},{},{},{},{},{},"
	    "{},{},{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
	    "\"value\":1,\"op\":\"SCMP_CMP_FOO\"}]}]}",
	    -EINVAL, "syscalls[0].action: missing", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	    "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_FOO\"}]}]}",
	    -EINVAL, "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\"", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_PDP11\"]}",
	    -EINVAL, "architectures[0]: unknown architecture \"SCMP_ARCH_PDP11\"", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_FOO\"]}",
	    -EINVAL, "flags[0]: unknown flag", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_"
	    "64\","
	    "\"subArchitectures\":[\"SCMP_ARCH_VAX\"]}]}",
	    -EINVAL, "archMap[0].subArchitectures[0]: unknown architecture", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	    "\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"four\"}}]}",
	    -EINVAL, "syscalls[0].includes.minKernel: invalid kernel version", 0, 0);
}

Test(profile, out_of_range)
{
	const char *fmt =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":%s,\"value\":%s,"
		"\"op\":\"SCMP_CMP_EQ\"}]}]}";
	static const struct {
		const char *index, *value, *msg;
		unsigned int col;
	} t[] = {
		{"6", "0", "args[0].index: value 6 out of range (at most 5)", 0},
		{"-1", "0", "args[0].index: negative value", 0},
		{"0", "-1", "args[0].value: negative value -1", 0},
		{"0", "1.5", "args[0].value: expected an unsigned integer, got 1.5", 0},
		{"0", "1e3", "args[0].value: expected an unsigned integer", 0},
		{"0", "18446744073709551616", "integer out of range", 118},
		{"0", "99999999999999999999999", "integer out of range", 118},
		{"0", "\"5\"", "args[0].value: expected an unsigned integer, got a string", 0},
		{"0", "true", "args[0].value: expected an unsigned integer, got a boolean", 0},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char json[400];
		snprintf(json, sizeof(json), fmt, t[i].index, t[i].value);
		bad(json, -EINVAL, t[i].msg, t[i].col ? 1 : 0, t[i].col);
	}
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":4096}", -EINVAL,
	    "defaultErrnoRet: value 4096 out of range (at most 4095)", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	    "\"SCMP_ACT_ERRNO\",\"errnoRet\":-2}]}",
	    -EINVAL, "syscalls[0].errnoRet: negative", 0, 0);
}

/*
 * An integer above 2^64-1 is found wherever it starts (the reader looks at every 20th byte for a
 * run of 20 digits), in any field, known or not; 2^64-1 itself and long digit runs inside
 * strings are not errors.
 */
Test(profile, out_of_range_at_any_offset)
{
	for (unsigned int pad = 0; pad < 45; pad++) {
		char json[400], sp[64];
		struct sck_filter *f = NULL;
		memset(sp, ' ', pad);
		sp[pad] = 0;
		snprintf(json, sizeof(json), "{\"defaultAction\":\"SCMP_ACT_ERRNO\",%s\"x\":[%s]}",
			 sp, "18446744073709551616");
		bad(json, -EINVAL, "integer out of range", 1, 40 + pad);
		snprintf(json, sizeof(json), "{%s\"defaultAction\":\"SCMP_ACT_ERRNO\",\"x\":%s}",
			 sp, "184467440737095516150");
		bad(json, -EINVAL, "integer out of range", 1, 39 + pad);
		snprintf(json, sizeof(json),
			 "{\"defaultAction\":\"SCMP_ACT_ERRNO\",%s\"x\":[18446744073709551615,"
			 "\"123456789012345678901234567890\"]}",
			 sp);
		cr_expect_eq(sck_profile_parse(json, strlen(json), NULL, &f, NULL, NULL), 0,
			     "pad %u", pad);
		sck_filter_free(f);
	}
}

Test(profile, empty_and_huge)
{
	struct ctx c;
	size_t cap = 4 << 20, n = 0;
	char *json = malloc(cap);
	const struct sck_arch *x86_64 = sck_arch_from_name("x86_64");

	build(&c, "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
	done(&c);
	build(&c, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}", "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), ERRNO(1));
	done(&c);
	/* 20000 entries over every syscall: compiles, verdicts as the last table says */
	cr_assert(json);
	n += (size_t)snprintf(json, cap, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (int i = 0; i < 20000; i++) {
		const struct sck_syscall *s =
			sck_syscall_at(x86_64, (size_t)i % sck_syscall_count(x86_64));
		n += (size_t)snprintf(json + n, cap - n,
				      "%s{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ERRNO\","
				      "\"errnoRet\":%d}",
				      i ? "," : "", s->name, 2 + (int)(s->nr % 7));
	}
	snprintf(json + n, cap - n, "]}");
	build(&c, json, "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), ERRNO(2)); /* read is 0 */
	cr_expect_eq(run(&c, "x86_64", "write", 0, 0), ERRNO(3));
	done(&c);
	free(json);
}

Test(profile, api_errors)
{
	struct sck_filter *f = NULL;
	struct sck_diag d;
	char dir[256];

	cr_expect_eq(sck_profile_parse(NULL, 0, NULL, &f, NULL, NULL), -EINVAL);
	cr_expect_eq(sck_profile_parse("{}", 2, NULL, NULL, NULL, NULL), -EINVAL);
	{
		struct sck_profile_opts o = {.sz = 1};
		cr_expect_eq(sck_profile_parse("{}", 2, &o, &f, NULL, NULL), -EINVAL);
	}
	{
		struct {
			struct sck_profile_opts o;
			uint64_t tail;
		} big = {.o = {.sz = sizeof(big)}, .tail = 1};
		cr_expect_eq(sck_profile_parse("{}", 2, &big.o, &f, NULL, NULL), -E2BIG);
	}
	{
		SCK_OPTS(sck_profile_opts, o, .flags = 1u << 9);
		cr_expect_eq(sck_profile_parse("{}", 2, &o, &f, NULL, NULL), -EINVAL);
	}
	{
		SCK_OPTS(sck_profile_opts, o, .kernel = "x");
		cr_expect_eq(sck_profile_parse("{}", 2, &o, &f, NULL, &d), -EINVAL);
	}
	cr_expect_eq(sck_profile_parse_file("/nonexistent/p.json", NULL, &f, NULL, &d), -ENOENT);
	snprintf(dir, sizeof(dir), "%s", sck_test_tmpdir());
	cr_expect_eq(sck_profile_parse_file(dir, NULL, &f, NULL, &d), -EISDIR);
	rmdir(dir);
	cr_expect_null(f);
}
