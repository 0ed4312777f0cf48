// SPDX-License-Identifier: MIT
/* How commands write -o files: atomically for regular files, in place for devices and fifos. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* A private null device, so that a regression cannot damage the machine's /dev/null. */
Test(cli_output, devices_stay_devices)
{
	const char *dir = sck_test_tmpdir();
	char dev[256], cmd[600];
	struct sck_test_cmd r;
	struct stat st;

	cr_assert_not_null(dir);
	snprintf(dev, sizeof(dev), "%s/null", dir);
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0)
		cr_skip_test("cannot create a device node here");
	cr_assert_eq(
		sck_test_sck(&r, NULL,
			     (const char *const[]){"asm", "-o", dev, write_asm_source(dir), NULL}),
		0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_assert_eq(stat(dev, &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "the device was replaced by a regular file");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
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
