// SPDX-License-Identifier: MIT
/*
 * `sck run`: real programs under the built-in default profile and under learned profiles, CMD's
 * exit status passed through, a denied mount with and without --report (the report's exact text,
 * and the same result for CMD either way), and the learn -> run round trip.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

static int run(struct sck_test_cmd *r, const char *const *argv)
{
	int rc = sck_test_sck(r, NULL, argv);

	cr_assert_eq(rc, 0);
	return r->status;
}

Test(cli_run, statuses_under_default_profile)
{
	struct sck_test_cmd r;
	const char *t[] = {"run", "--", "/bin/true", NULL};
	const char *three[] = {"run", "--", "sh", "-c", "exit 3", NULL};
	const char *sig[] = {"run", "--", "sh", "-c", "kill -TERM $$", NULL};
	const char *missing[] = {"run", "--", "sck-no-such-command-xyz", NULL};
	const char *noexec[] = {"run", "--", "/etc/passwd", NULL};
	const char *nocmd[] = {"run", NULL};
	const char *badprof[] = {"run", "-p", "/nonexistent/profile.json", "--", "/bin/true", NULL};

	cr_assert_eq(run(&r, t), 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, three), 3, "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, sig), 128 + 15, "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, missing), 127);
	cr_assert(strstr(r.err, "command not found"), "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, noexec), 126);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, nocmd), 125);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, badprof), 125);
	cr_assert(strstr(r.err, "sck: run: "), "%s", r.err);
	sck_test_cmd_fini(&r);
}

Test(cli_run, ordinary_programs_run)
{
	struct sck_test_cmd r;
	const char *ls[] = {"run", "--", "ls", "/", NULL};
	const char *sh[] = {"run", "--", "sh", "-c", "echo a | cat; /bin/echo b", NULL};

	cr_assert_eq(run(&r, ls), 0, "%s", r.err);
	cr_assert(strstr(r.out, "usr\n"), "%s", r.out);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, sh), 0, "%s", r.err);
	cr_assert_str_eq(r.out, "a\nb\n");
	sck_test_cmd_fini(&r);
}

Test(cli_run, mount_denied_and_reported)
{
	struct sck_test_cmd r;
	const char *dir = sck_test_tmpdir();
	char want[512];
	int plain;

	SCK_TEST_NEED_NOTIFY();
	if (access("/usr/bin/mount", X_OK) != 0 && access("/bin/mount", X_OK) != 0)
		cr_skip("no mount(8)");
	cr_assert(dir);
	{
		const char *argv[] = {"run", "--", "mount", "-t", "tmpfs", "none", dir, NULL};

		plain = run(&r, argv);
		umount2(dir, MNT_DETACH); /* in case it went through */
		cr_assert_neq(plain, 0, "mount was not denied: %s", r.err);
		cr_assert_null(strstr(r.err, "sck: denied"), "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	{
		const char *argv[] = {"run",   "--report", "--", "mount", "-t",
				      "tmpfs", "none",	   dir,	 NULL};

		cr_assert_eq(run(&r, argv), plain, "%s", r.err);
		umount2(dir, MNT_DETACH);
		snprintf(want, sizeof(want),
			 "sck: denied: mount(\"none\", \"%s\", \"tmpfs\", 0, NULL) = -EPERM [pid ",
			 dir);
		cr_assert(strstr(r.err, want), "want %s in: %s", want, r.err);
		sck_test_cmd_fini(&r);
	}
	rmdir(dir);
}

Test(cli_run, learn_then_run_round_trip)
{
	struct sck_test_cmd r;
	const char *dir = sck_test_tmpdir();
	char path[256];

	SCK_TEST_NEED_NOTIFY();
	cr_assert(dir);
	snprintf(path, sizeof(path), "%s/true.json", dir);
	{
		const char *argv[] = {"learn", "-o", path, "--", "/bin/true", NULL};

		cr_assert_eq(run(&r, argv), 0, "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	{
		const char *argv[] = {"run", "-p", path, "--", "/bin/true", NULL};

		cr_assert_eq(run(&r, argv), 0, "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	{
		const char *argv[] = {"run", "-p", path, "--report", "--", "/bin/true", NULL};

		cr_assert_eq(run(&r, argv), 0, "%s", r.err);
		cr_assert_null(strstr(r.err, "sck: denied"), "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	{
		/* ls needs calls /bin/true never made: they are denied, and reported. */
		const char *argv[] = {"run", "-p", path, "--report", "--", "ls", "/", NULL};

		cr_assert_neq(run(&r, argv), 0, "%s", r.err);
		cr_assert(strstr(r.err, "sck: denied: "), "%s", r.err);
		cr_assert(strstr(r.err, " = -EPERM [pid "), "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	unlink(path);
	rmdir(dir);
}
