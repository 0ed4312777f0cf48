// SPDX-License-Identifier: MIT
/* `sck syscalls`: one line by name or number, the whole table by number, exit statuses. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

static struct sck_test_cmd run(const char *const *argv)
{
	struct sck_test_cmd r;

	cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	return r;
}

static void expect_line(const char *const *argv, const char *line)
{
	struct sck_test_cmd r = run(argv);

	cr_expect_eq(r.status, 0, "%s: status %d, stderr %s", argv[2], r.status, r.err);
	cr_expect_str_eq(r.out, line);
	cr_expect_str_eq(r.err, "");
	sck_test_cmd_fini(&r);
}

Test(cli_syscalls, one_by_name)
{
	expect_line((const char *const[]){"syscalls", "-a", "x86_64", "read", NULL}, "read 0\n");
	expect_line((const char *const[]){"syscalls", "-a", "arm64", "openat", NULL},
		    "openat 56\n");
	expect_line((const char *const[]){"syscalls", "-a", "x32", "read", NULL},
		    "read 1073741824\n");
	expect_line((const char *const[]){"syscalls", "-a", "mipsle", "read", NULL}, "read 4003\n");
	expect_line((const char *const[]){"syscalls", "--arch", "mips64p32", "read", NULL},
		    "read 6000\n");
	expect_line((const char *const[]){"syscalls", "-a", "s390x", "openat", NULL},
		    "openat 288\n");
	expect_line((const char *const[]){"syscalls", "-a", "SCMP_ARCH_ARM", "openat", NULL},
		    "openat 322\n");
}

Test(cli_syscalls, one_by_number)
{
	expect_line((const char *const[]){"syscalls", "-a", "x86_64", "257", NULL}, "openat 257\n");
	expect_line((const char *const[]){"syscalls", "-a", "x32", "0x40000000", NULL},
		    "read 1073741824\n");
	expect_line((const char *const[]){"syscalls", "-a", "mips64", "5000", NULL}, "read 5000\n");
}

Test(cli_syscalls, native_by_default)
{
	const struct sck_arch *a = sck_arch_native();
	struct sck_test_cmd r = run((const char *const[]){"syscalls", "close", NULL});
	char want[64];

	if (!a)
		cr_skip_test("no native arch");
	snprintf(want, sizeof(want), "close %d\n", sck_syscall_nr(a, "close"));
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(r.out, want);
	sck_test_cmd_fini(&r);
}

Test(cli_syscalls, whole_table_by_number)
{
	const char *const archs[] = {"x86_64", "x32", "arm", "mips64n32", "sparc", "riscv"};

	for (size_t k = 0; k < sizeof(archs) / sizeof(archs[0]); k++) {
		const struct sck_arch *a = sck_arch_from_name(archs[k]);
		struct sck_test_cmd r =
			run((const char *const[]){"syscalls", "-a", archs[k], NULL});
		size_t lines = 0;
		long prev = -1;
		char *save = NULL;

		cr_expect_eq(r.status, 0);
		for (char *l = strtok_r(r.out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char name[128];
			long nr;

			cr_assert_eq(sscanf(l, "%127s %ld", name, &nr), 2, "line '%s'", l);
			cr_expect_geq(nr, prev, "%s: %s out of order", archs[k], name);
			cr_expect_eq(sck_syscall_nr(a, name), nr, "%s %s", archs[k], name);
			prev = nr;
			lines++;
		}
		cr_expect_eq(lines, sck_syscall_count(a), "%s", archs[k]);
		sck_test_cmd_fini(&r);
	}
}

static void expect_usage(const char *const *argv, const char *needle)
{
	struct sck_test_cmd r = run(argv);

	cr_expect_eq(r.status, 2, "status %d", r.status);
	cr_expect_str_eq(r.out, "");
	cr_expect(strncmp(r.err, "sck: syscalls: ", 15) == 0, "stderr: %s", r.err);
	cr_expect_not_null(strstr(r.err, needle), "stderr: %s", r.err);
	cr_expect_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
	sck_test_cmd_fini(&r);
}

Test(cli_syscalls, errors_exit_2)
{
	expect_usage((const char *const[]){"syscalls", "-a", "vax", "read", NULL}, "vax");
	expect_usage((const char *const[]){"syscalls", "-a", "x86_64", "no_such", NULL}, "no_such");
	expect_usage((const char *const[]){"syscalls", "-a", "aarch64", "open", NULL}, "open");
	expect_usage((const char *const[]){"syscalls", "-a", "x86_64", "100000", NULL}, "100000");
	expect_usage((const char *const[]){"syscalls", "-a", "x86", "send", NULL}, "socketcall");
	expect_usage((const char *const[]){"syscalls", "-q", NULL}, "-q");
	expect_usage((const char *const[]){"syscalls", "-a", NULL}, "-a");
	expect_usage((const char *const[]){"syscalls", "read", "write", NULL}, "too many");
}

Test(cli_syscalls, help)
{
	struct sck_test_cmd r = run((const char *const[]){"syscalls", "--help", NULL});

	cr_expect_eq(r.status, 0);
	cr_expect_not_null(strstr(r.out, "sck syscalls"));
	sck_test_cmd_fini(&r);
}
