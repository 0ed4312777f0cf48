// SPDX-License-Identifier: MIT
/*
 * `sck trace`: the lines it prints for real programs (execve with its decoded path and argv,
 * exit_group, calls of forked and exec'd children), CMD's exit status passed through (code,
 * 128+signal, 126, 127, 125 for sck's own usage errors), and -o FILE written whole.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

Test(cli_trace, true_exits_0_with_execve_and_exit_group)
{
	struct sck_test_cmd r;
	const char *argv[] = {"trace", "--", "/bin/true", NULL};

	SCK_TEST_NEED_NOTIFY();
	cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "execve(\"/bin/true\", [\"/bin/true\"], 0x"), "%s", r.err);
	cr_assert(strstr(r.err, "] exit_group(0)\n"), "%s", r.err);
	cr_assert(strstr(r.err, "[pid "), "%s", r.err);
	cr_assert(strstr(r.err, "openat(AT_FDCWD, \""), "%s", r.err);
	cr_assert_eq(r.out_len, 0);
	sck_test_cmd_fini(&r);
}

Test(cli_trace, exit_status_passed_through)
{
	struct sck_test_cmd r;
	const char *argv[] = {"trace", "--", "sh", "-c", "exit 3", NULL};
	const char *killed[] = {"trace", "--", "sh", "-c", "kill -TERM $$", NULL};

	SCK_TEST_NEED_NOTIFY();
	cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	cr_assert_eq(r.status, 3, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "exit_group(3)"), "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(sck_test_sck(&r, NULL, killed), 0);
	cr_assert_eq(r.status, 128 + 15, "status %d", r.status);
	cr_assert(strstr(r.err, "kill("), "%s", r.err);
	sck_test_cmd_fini(&r);
}

Test(cli_trace, missing_and_unexecutable_commands)
{
	struct sck_test_cmd r;
	const char *missing[] = {"trace", "--", "sck-no-such-command-xyz", NULL};
	const char *missing_path[] = {"trace", "--", "/nonexistent/cmd", NULL};
	const char *noexec[] = {"trace", "--", "/etc/passwd", NULL};
	const char *nocmd[] = {"trace", NULL};
	const char *badopt[] = {"trace", "--bogus", "--", "/bin/true", NULL};

	SCK_TEST_NEED_NOTIFY();
	cr_assert_eq(sck_test_sck(&r, NULL, missing), 0);
	cr_assert_eq(r.status, 127);
	cr_assert(strstr(r.err, "sck: sck-no-such-command-xyz: command not found"), "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(sck_test_sck(&r, NULL, missing_path), 0);
	cr_assert_eq(r.status, 127);
	sck_test_cmd_fini(&r);
	cr_assert_eq(sck_test_sck(&r, NULL, noexec), 0);
	cr_assert_eq(r.status, 126, "status %d: %s", r.status, r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(sck_test_sck(&r, NULL, nocmd), 0);
	cr_assert_eq(r.status, 125);
	cr_assert(strstr(r.err, "sck: trace: missing CMD"), "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(sck_test_sck(&r, NULL, badopt), 0);
	cr_assert_eq(r.status, 125);
	sck_test_cmd_fini(&r);
}

Test(cli_trace, children_traced_through_fork_and_exec)
{
	struct sck_test_cmd r;
	const char *argv[] = {"trace", "--", "sh", "-c", "/bin/true; /bin/echo hi; exit 0", NULL};
	char first[32] = "", *p;

	SCK_TEST_NEED_NOTIFY();
	cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
	cr_assert_str_eq(r.out, "hi\n");
	cr_assert(strstr(r.err, "execve(\"/bin/true\", [\"/bin/true\"]"), "%s", r.err);
	cr_assert(strstr(r.err, "execve(\"/bin/echo\", [\"/bin/echo\", \"hi\"]"), "%s", r.err);
	/* The children's calls come from other thread ids than the shell's. */
	p = strstr(r.err, "execve(\"/bin/true\"");
	cr_assert(p);
	while (p > r.err && p[-1] != '\n')
		p--;
	sscanf(p, "[pid %31[0-9]]", first);
	cr_assert(first[0]);
	cr_assert(strstr(r.err, "write(1, 0x"), "%s", r.err);
	{
		const char *sh = strstr(r.err, "] exit_group(0)");
		size_t exits = 0;

		for (; sh; sh = strstr(sh + 1, "] exit_group(0)"))
			exits++;
		cr_assert_geq(exits, 3, "%s", r.err); /* true, echo and the shell */
	}
	sck_test_cmd_fini(&r);
}

Test(cli_trace, output_file)
{
	struct sck_test_cmd r;
	const char *dir = sck_test_tmpdir();
	char path[256], *buf = NULL;
	size_t len = 0;
	FILE *f;

	SCK_TEST_NEED_NOTIFY();
	cr_assert(dir);
	snprintf(path, sizeof(path), "%s/trace.txt", dir);
	{
		const char *argv[] = {"trace", "-o", path, "--", "/bin/true", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	}
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(r.err_len, 0, "%s", r.err);
	f = fopen(path, "r");
	cr_assert(f);
	cr_assert(getdelim(&buf, &len, '\0', f) > 0);
	fclose(f);
	cr_assert(strstr(buf, "execve(\"/bin/true\""), "%s", buf);
	cr_assert(strstr(buf, "exit_group(0)\n"), "%s", buf);
	free(buf);
	sck_test_cmd_fini(&r);
	unlink(path);
	rmdir(dir);
}

Test(cli_trace, output_device_written_in_place)
{
	struct sck_test_cmd r;
	const char *argv[] = {"trace", "-o", "/dev/null", "--", "/bin/true", NULL};
	struct stat st;

	SCK_TEST_NEED_NOTIFY();
	cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(r.err_len, 0, "%s", r.err);
	/* Never replaced by a regular file. */
	cr_assert_eq(stat("/dev/null", &st), 0);
	cr_assert(S_ISCHR(st.st_mode));
	sck_test_cmd_fini(&r);
}
