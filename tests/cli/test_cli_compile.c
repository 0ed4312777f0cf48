// SPDX-License-Identifier: MIT
/*
 * `sck compile`: every output format, --stats (to stderr when the program goes to stdout, to
 * stdout with -o), -a, stdin and --builtin, exit statuses and the one-line messages for bad
 * profiles (FILE:LINE:COL, or the JSON path), and no output file left behind on failure.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

static const char good[] =
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"write\"],"
	"\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
	"\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]}\n";

static char dir[256];

static const char *file(const char *name, const char *content)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ % 4];
	FILE *fp;

	if (!dir[0])
		snprintf(dir, sizeof(dir), "%s", sck_test_tmpdir());
	snprintf(p, 512, "%s/%s", dir, name);
	if (content) {
		fp = fopen(p, "w");
		cr_assert(fp);
		fputs(content, fp);
		fclose(fp);
	}
	return p;
}

static struct sck_test_cmd run(const char *input, const char *const *argv)
{
	struct sck_test_cmd r;

	cr_assert_eq(sck_test_sck(&r, input, argv), 0);
	return r;
}

Test(cli_compile, raw_to_file_loads_in_emulator)
{
	const char *in = file("p.json", good), *out = file("p.bpf", NULL);
	struct sck_test_cmd r =
		run(NULL, (const char *const[]){"compile", "-a", "x86_64", "-o", out, in, NULL});
	struct stat st;

	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "");
	cr_expect_str_eq(r.err, "");
	cr_assert_eq(stat(out, &st), 0);
	cr_expect(st.st_size > 0 && st.st_size % 8 == 0);
	sck_test_cmd_fini(&r);
	/* the emulator CLI agrees with the profile */
	r = run(NULL, (const char *const[]){"emu", "-a", "x86_64", out, "read", NULL});
	cr_expect_eq(r.status, 0);
	cr_expect(strncmp(r.out, "ALLOW\n", 6) == 0, "%s", r.out);
	sck_test_cmd_fini(&r);
	r = run(NULL, (const char *const[]){"emu", "-a", "x86_64", out, "personality", "9", NULL});
	cr_expect(strncmp(r.out, "ERRNO(1)\n", 9) == 0, "%s", r.out);
	sck_test_cmd_fini(&r);
	unlink(out);
	unlink(in);
}

Test(cli_compile, formats)
{
	const char *in = file("f.json", good);
	static const char *const fmts[] = {"raw", "c", "text", "dot"};

	for (size_t i = 0; i < 4; i++) {
		struct sck_test_cmd r = run(NULL, (const char *const[]){"compile", "-f", fmts[i],
									"-a", "x86_64", in, NULL});
		cr_expect_eq(r.status, 0, "%s: %s", fmts[i], r.err);
		cr_expect(r.out_len > 0, "%s: empty", fmts[i]);
		if (i == 0)
			cr_expect_eq(r.out_len % 8, 0);
		if (i == 2)
			cr_expect(strstr(r.out, "A = arch") && strstr(r.out, "personality"), "%s",
				  r.out);
		if (i == 3)
			cr_expect(strstr(r.out, "digraph"), "%s", r.out);
		sck_test_cmd_fini(&r);
	}
	{
		struct sck_test_cmd r =
			run(NULL, (const char *const[]){"compile", "-f", "xml", in, NULL});
		cr_expect_eq(r.status, 2);
		cr_expect(strstr(r.err, "sck: compile: unknown format 'xml'"), "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	unlink(in);
}

Test(cli_compile, stats)
{
	const char *in = file("s.json", good), *out = file("s.bpf", NULL);
	struct sck_test_cmd r = run(NULL, (const char *const[]){"compile", "--stats", "-a",
								"x86_64", "-a", "x86", in, NULL});

	/* program on stdout: stats on stderr */
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.err, "length: ") && strstr(r.err, "x86_64: executed mean ") &&
			  strstr(r.err, "x86: executed mean ") && strstr(r.err, "cached "),
		  "%s", r.err);
	sck_test_cmd_fini(&r);
	r = run(NULL, (const char *const[]){"compile", "--stats", "-o", out, in, NULL});
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "length: ") && strstr(r.out, "constant-ALLOW"), "%s", r.out);
	cr_expect_str_eq(r.err, "");
	sck_test_cmd_fini(&r);
	unlink(out);
	unlink(in);
}

Test(cli_compile, stdin_and_builtin)
{
	struct sck_test_cmd r =
		run(good, (const char *const[]){"compile", "-f", "text", "-", NULL});

	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "return ALLOW"));
	sck_test_cmd_fini(&r);
	r = run(NULL, (const char *const[]){"compile", "--builtin", "-f", "c", NULL});
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(r.out_len > 100);
	sck_test_cmd_fini(&r);
}

static void expect_bad(const char *name, const char *content, const char *const *extra,
		       const char *msg)
{
	const char *in = file(name, content), *out = file("never.bpf", NULL);
	const char *argv[16] = {"compile", "-o", out};
	size_t n = 3;
	struct sck_test_cmd r;
	char want[600];

	for (; extra && *extra; extra++)
		argv[n++] = *extra;
	argv[n++] = in;
	argv[n] = NULL;
	unlink(out);
	r = run(NULL, argv);
	snprintf(want, sizeof(want), "sck: compile: %s%s\n", in, msg);
	cr_expect_eq(r.status, 2, "%s: status %d", name, r.status);
	cr_expect_str_eq(r.err, want);
	cr_expect_str_eq(r.out, "");
	cr_expect_neq(access(out, F_OK), 0, "%s: output left behind", name);
	sck_test_cmd_fini(&r);
	unlink(in);
}

Test(cli_compile, bad_profiles)
{
	expect_bad("m.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [,]}", NULL,
		   ":2:15: unexpected character");
	expect_bad("u.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\"", NULL,
		   ":1:35: unexpected end of the JSON text");
	expect_bad("o.json",
		   "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		   "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":"
		   "\"SCMP_CMP_FOO\"}]}]}",
		   NULL, ": syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\"");
	expect_bad("n.json",
		   "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"nosuch\"],"
		   "\"action\":\"SCMP_ACT_ALLOW\"}]}",
		   (const char *const[]){"-a", "x86_64", NULL},
		   ": syscalls[0].names[0]: unknown syscall \"nosuch\" on x86_64");
	expect_bad("a.json", "{\"defaultAction\":\"SCMP_ACT_NOPE\"}", NULL,
		   ": defaultAction: unknown action \"SCMP_ACT_NOPE\"");
	expect_bad(
		"r.json",
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		NULL, ": syscalls[0].args[0].index: value 9 out of range (at most 5)");
	{
		struct sck_test_cmd r =
			run(NULL, (const char *const[]){"compile", "/nonexistent/x.json", NULL});
		cr_expect_eq(r.status, 2);
		cr_expect_str_eq(r.err,
				 "sck: compile: /nonexistent/x.json: No such file or directory\n");
		sck_test_cmd_fini(&r);
	}
	{
		struct sck_test_cmd r = run(NULL, (const char *const[]){"compile", NULL});
		cr_expect_eq(r.status, 2);
		sck_test_cmd_fini(&r);
		r = run(NULL, (const char *const[]){"compile", "-a", "vax", "x.json", NULL});
		cr_expect_eq(r.status, 2);
		sck_test_cmd_fini(&r);
	}
}

Test(cli_compile, ignore_unknown_warns)
{
	const char *in =
		file("w.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":["
			       "\"read\",\"nosuch\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	struct sck_test_cmd r = run(NULL, (const char *const[]){"compile", "--ignore-unknown", "-a",
								"x86_64", "-f", "text", in, NULL});
	char want[600];

	snprintf(want, sizeof(want),
		 "sck: compile: %s: warning: syscalls[0].names[1]: unknown syscall \"nosuch\" on "
		 "x86_64 ignored\n",
		 in);
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(r.err, want);
	sck_test_cmd_fini(&r);
	unlink(in);
}

Test(cli_compile, docker_default)
{
	const char *path = sck_test_shared("profiles/docker-default.json");
	struct sck_test_cmd r;

	if (!path)
		cr_skip("../shared/profiles/docker-default.json absent");
	r = run(NULL, (const char *const[]){"compile", "--stats", "-f", "text", path, NULL});
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "x32: executed mean"), "%s", r.err);
	sck_test_cmd_fini(&r);
}

Test(cli_compile, too_long_exits_1_without_output)
{
	size_t cap = 1 << 20, n = 0;
	char *json = malloc(cap);
	const char *in, *out = file("big.bpf", NULL);
	struct sck_test_cmd r;

	cr_assert(json);
	n += (size_t)snprintf(json, cap, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(
			json + n, cap - n,
			"%s{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
			"[{\"index\":1,\"value\":%d,\"op\":\"SCMP_CMP_EQ\"},{\"index\":2,"
			"\"value\":%d,\"op\":\"SCMP_CMP_EQ\"}]}",
			i ? "," : "", i * 7 + 1, i);
	snprintf(json + n, cap - n, "]}");
	in = file("big.json", json);
	unlink(out);
	r = run(NULL, (const char *const[]){"compile", "-o", out, in, NULL});
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "cannot compile: the program would exceed 4096 instructions"), "%s",
		  r.err);
	cr_expect_neq(access(out, F_OK), 0);
	sck_test_cmd_fini(&r);
	unlink(in);
	free(json);
}

/* The instructions `sck emu` reports for @name on x86_64 under program @bpf. */
static unsigned int executed(const char *bpf, const char *name)
{
	struct sck_test_cmd r =
		run(NULL, (const char *const[]){"emu", "-a", "x86_64", bpf, name, "0", "0", NULL});
	const char *p = strstr(r.out, "instructions: ");
	unsigned int n;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(p, "%s", r.out);
	n = (unsigned int)strtoul(p + 14, NULL, 10);
	sck_test_cmd_fini(&r);
	return n;
}

/* The action line `sck emu` prints for @nr on x86_64 under program @bpf. */
static char *action(const char *bpf, unsigned int nr)
{
	char num[16], *a;
	struct sck_test_cmd r;

	snprintf(num, sizeof(num), "%u", nr);
	r = run(NULL, (const char *const[]){"emu", "-a", "x86_64", bpf, num, NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	a = strndup(r.out, strcspn(r.out, "\n"));
	sck_test_cmd_fini(&r);
	return a;
}

Test(cli_compile, hot_syscalls_run_fewer_instructions)
{
	const char *plain = file("plain.bpf", NULL), *hot = file("hot.bpf", NULL);
	static const char *const names[] = {"futex", "epoll_wait", "getrandom"};
	struct sck_test_cmd r;

	r = run(NULL,
		(const char *const[]){"compile", "--builtin", "-a", "x86_64", "-o", plain, NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	r = run(NULL, (const char *const[]){"compile", "--builtin", "-a", "x86_64", "--hot",
					    "futex=1000,epoll_wait", "--hot", "getrandom", "-o",
					    hot, NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unsigned int a = executed(plain, names[i]), b = executed(hot, names[i]);
		cr_expect_lt(b, a, "%s: %u instructions with --hot, %u without", names[i], b, a);
	}
	/* the verdicts are the same on every number around the table */
	for (unsigned int nr = 0; nr < 480; nr += 7) {
		char *a = action(plain, nr), *b = action(hot, nr);
		cr_expect_str_eq(a, b, "nr %u", nr);
		free(a);
		free(b);
	}
	unlink(plain);
	unlink(hot);
}
