// SPDX-License-Identifier: MIT
/*
 * `sck learn`: the profile written for real programs (the OCI shape, the native ABI, the calls
 * used and only those), CMD's exit status passed through, and no file when sck or CMD's exec
 * failed.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

Test(cli_learn, true_profile)
{
	struct sck_test_cmd r;
	const char *dir = sck_test_tmpdir();
	char path[256], want[128], *p;

	SCK_TEST_NEED_NOTIFY();
	cr_assert(dir);
	snprintf(path, sizeof(path), "%s/true.json", dir);
	{
		const char *argv[] = {"learn", "-o", path, "--", "/bin/true", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	}
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(r.err_len, 0, "%s", r.err);
	p = sck_test_read_file(path);
	cr_assert(p);
	cr_assert(strstr(p, "\"defaultAction\": \"SCMP_ACT_ERRNO\""), "%s", p);
	snprintf(want, sizeof(want), "\"architectures\": [\"SCMP_ARCH_%s\"]",
		 sck_arch_native()->id == SCK_ARCH_X86_64 ? "X86_64" : "");
	if (sck_arch_native()->id == SCK_ARCH_X86_64)
		cr_assert(strstr(p, want), "%s", p);
	cr_assert(strstr(p, "\"execve\""), "%s", p);
	cr_assert(strstr(p, "\"exit_group\""), "%s", p);
	cr_assert(strstr(p, "\"action\": \"SCMP_ACT_ALLOW\""), "%s", p);
	/* Only what was used. */
	cr_assert_null(strstr(p, "\"mount\""), "%s", p);
	cr_assert_null(strstr(p, "\"socket\""), "%s", p);
	free(p);
	sck_test_cmd_fini(&r);
	unlink(path);
	rmdir(dir);
}

Test(cli_learn, status_and_children)
{
	struct sck_test_cmd r;
	const char *dir = sck_test_tmpdir();
	char path[256], *p;

	SCK_TEST_NEED_NOTIFY();
	cr_assert(dir);
	snprintf(path, sizeof(path), "%s/sh.json", dir);
	{
		const char *argv[] = {"learn",
				      "-o",
				      path,
				      "--",
				      "sh",
				      "-c",
				      "/bin/mkdir -p /nonexistent-sck/x 2>/dev/null; exit 4",
				      NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	}
	cr_assert_eq(r.status, 4, "%s", r.err);
	p = sck_test_read_file(path);
	cr_assert(p);
	/* mkdir ran in a forked child of the shell. */
	cr_assert(strstr(p, "\"mkdir\""), "%s", p);
	cr_assert(strstr(p, "\"wait4\""), "%s", p);
	free(p);
	sck_test_cmd_fini(&r);
	unlink(path);
	rmdir(dir);
}

Test(cli_learn, failures_leave_no_file)
{
	struct sck_test_cmd r;
	const char *dir = sck_test_tmpdir();
	char path[256];

	SCK_TEST_NEED_NOTIFY();
	cr_assert(dir);
	snprintf(path, sizeof(path), "%s/none.json", dir);
	{
		const char *argv[] = {"learn", "-o", path, "--", "sck-no-such-command-xyz", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	}
	cr_assert_eq(r.status, 127);
	cr_assert_neq(access(path, F_OK), 0);
	sck_test_cmd_fini(&r);
	{
		const char *argv[] = {"learn", "--", "/bin/true", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	}
	cr_assert_eq(r.status, 125);
	cr_assert(strstr(r.err, "missing -o PROFILE"), "%s", r.err);
	sck_test_cmd_fini(&r);
	rmdir(dir);
}

Test(cli_learn, args_conditions_round_trip)
{
	struct sck_test_cmd r;
	const char *dir = sck_test_tmpdir();
	char path[256], *p;

	SCK_TEST_NEED_NOTIFY();
	cr_assert(dir);
	snprintf(path, sizeof(path), "%s/args.json", dir);
	{
		/* A subshell forks: clone without namespace flags. */
		const char *argv[] = {"learn", "--args", "-o",	     path, "--",
				      "sh",    "-c",	 "(exit 0)", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_assert_eq(r.status, 0, "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	p = sck_test_read_file(path);
	cr_assert(p);
	cr_assert(strstr(p,
			 "\"names\": [\"clone\"],\n\t\t\t\"action\": \"SCMP_ACT_ALLOW\",\n"
			 "\t\t\t\"args\": [{\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, "
			 "\"op\": \"SCMP_CMP_MASKED_EQ\"}]"),
		  "%s", p);
	/* clone is only in its conditional rule. */
	cr_assert_null(strstr(p, "\t\t\t\t\"clone\""), "%s", p);
	free(p);
	{
		const char *argv[] = {"run", "-p", path, "--", "sh", "-c", "(exit 0)", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_assert_eq(r.status, 0, "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	unlink(path);
	rmdir(dir);
}

/* --hot: the counts of the calls CMD made, in the form `sck compile --hot @FILE` reads. */
Test(cli_learn, hot_counts_feed_compile)
{
	struct sck_test_cmd r;
	const char *dir = sck_test_tmpdir();
	char prof[256], hot[256], at[260], bpf[256], *h, *p;
	unsigned long execs;

	SCK_TEST_NEED_NOTIFY();
	cr_assert(dir);
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	snprintf(hot, sizeof(hot), "%s/hot.txt", dir);
	snprintf(bpf, sizeof(bpf), "%s/p.bpf", dir);
	snprintf(at, sizeof(at), "@%s", hot);
	{
		/* a shell that runs /bin/true 7 times: at least 8 execve */
		const char *argv[] = {
			"learn",   "--hot", hot,
			"-o",	   prof,    "--",
			"/bin/sh", "-c",    "for i in 1 2 3 4 5 6 7; do /bin/true; done",
			NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	}
	cr_assert_eq(r.status, 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	h = sck_test_read_file(hot);
	cr_assert(h);
	/* one line, name=count pairs, the most frequent first */
	cr_assert(strchr(h, '\n') == h + strlen(h) - 1, "%s", h);
	cr_assert(strstr(h, "execve=") && strstr(h, "exit_group="), "%s", h);
	p = strstr(h, "execve=");
	execs = strtoul(p + 7, NULL, 10);
	cr_expect_geq(execs, 8, "the shell and 7 children: %s", h);
	{
		const char *argv[] = {"compile", "--hot", at, "-o", bpf, prof, NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	}
	cr_expect_eq(r.status, 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	free(h);
	unlink(prof);
	unlink(hot);
	unlink(bpf);
	rmdir(dir);
}
