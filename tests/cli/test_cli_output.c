// SPDX-License-Identifier: MIT
/* How commands write -o files: atomically for regular files, in place for devices and fifos. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sck_test.h"

static const char *write_asm_source(const char *dir)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/p.asm", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("A = nr\nreturn ALLOW\n", f);
	fclose(f);
	return path;
}

Test(cli_output, dev_null_stays_a_device)
{
	const char *dir = sck_test_tmpdir();
	struct sck_test_cmd r;
	struct stat st;

	cr_assert_not_null(dir);
	cr_assert_eq(sck_test_sck(&r, NULL,
				  (const char *const[]){"asm", "-o", "/dev/null",
							write_asm_source(dir), NULL}),
		     0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(stat("/dev/null", &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "/dev/null is no longer a character device");
}

Test(cli_output, regular_file_replaced_whole)
{
	const char *dir = sck_test_tmpdir();
	char out[256], cmd[600];
	struct sck_test_cmd r;
	struct stat st;
	FILE *f;

	cr_assert_not_null(dir);
	snprintf(out, sizeof(out), "%s/out.bpf", dir);
	f = fopen(out, "w");
	fputs("old content that is longer than the new program, to see truncation", f);
	fclose(f);
	cr_assert_eq(
		sck_test_sck(&r, NULL,
			     (const char *const[]){"asm", "-o", out, write_asm_source(dir), NULL}),
		0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(stat(out, &st), 0);
	cr_expect_eq(st.st_size, 16, "two instructions, 16 bytes");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}
