// SPDX-License-Identifier: MIT
/* The `sck` program itself: --help, --version, unknown commands, and `sck info`. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

#define RUN(res, ...)                                                                              \
	cr_assert_eq(sck_test_sck(&(res), NULL, (const char *const[]){__VA_ARGS__, NULL}), 0)

Test(cli_main, help_and_version)
{
	struct sck_test_cmd r;

	RUN(r, "--help");
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "usage: sck COMMAND"), "%s", r.out);
	cr_expect(strstr(r.out, "info"));
	sck_test_cmd_fini(&r);

	RUN(r, "--version");
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(r.out, "sck " SCK_VERSION_STRING "\n");
	sck_test_cmd_fini(&r);

	RUN(r, "info", "--help");
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "usage: sck info"));
	sck_test_cmd_fini(&r);
}

Test(cli_main, bad_invocations_exit_2)
{
	struct sck_test_cmd r;

	cr_assert_eq(sck_test_sck(&r, NULL, (const char *const[]){NULL}), 0);
	cr_expect_eq(r.status, 2);
	sck_test_cmd_fini(&r);

	RUN(r, "frobnicate");
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "sck: frobnicate: unknown command (try 'sck --help')\n");
	cr_expect_eq(r.out_len, 0);
	sck_test_cmd_fini(&r);

	RUN(r, "info", "extra");
	cr_expect_eq(r.status, 2);
	cr_expect(strncmp(r.err, "sck: info: ", 11) == 0, "%s", r.err);
	cr_expect_eq(strchr(r.err, '\n') - r.err + 1, (long)r.err_len, "one line: %s", r.err);
	sck_test_cmd_fini(&r);
}

Test(cli_info, reports_the_kernel)
{
	static const char *const lines[] = {
		"  KILL_PROCESS         yes\n",	      "  KILL_THREAD          yes\n",
		"  TRAP                 yes\n",	      "  ERRNO                yes\n",
		"  USER_NOTIF           yes\n",	      "  TRACE                yes\n",
		"  LOG                  yes\n",	      "  ALLOW                yes\n",
		"  TSYNC                yes\n",	      "  SPEC_ALLOW           yes\n",
		"  NEW_LISTENER         yes\n",	      "  TSYNC_ESRCH          yes\n",
		"  WAIT_KILLABLE_RECV   yes\n",	      "seccomp mode: disabled (0), filters: 0\n",
		"notification sizes: seccomp_notif ", "notification sync wake-up: ",
	};
	struct sck_test_cmd r;
	char native[128];

	RUN(r, "info");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_eq(r.err_len, 0, "%s", r.err);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		cr_expect(strstr(r.out, lines[i]), "missing '%s' in:\n%s", lines[i], r.out);
	snprintf(native, sizeof(native), "native arch: %s (audit arch 0x%08x)\n",
		 sck_arch_native()->name, sck_arch_native()->audit_arch);
	cr_expect(strstr(r.out, native), "%s", r.out);
	sck_test_cmd_fini(&r);
}
