// SPDX-License-Identifier: MIT
/*
 * An OCI runtime config.json where a profile is expected: sck_profile_parse reads its
 * linux.seccomp section (messages name "linux.seccomp.PATH"; a config without one is refused),
 * and `sck compile` and `sck run -p` take the file as it is.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

#define CONFIG(SECCOMP)                                                                            \
	"{\n  \"ociVersion\": \"1.0.2-dev\",\n  \"process\": {\"args\": [\"sh\"]},\n"              \
	"  \"root\": {\"path\": \"rootfs\"},\n  \"linux\": {\"namespaces\": []" SECCOMP "}\n}\n"

static const char with_seccomp[] =
	CONFIG(",\n    \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
	       "[{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", "
	       "\"errnoRet\": 13}]}");

Test(profile_config, linux_seccomp_read)
{
	struct sck_profile_info info = {.sz = sizeof(info)};
	struct sck_filter *f = NULL;
	struct sck_diag diag;

	cr_assert_eq(sck_profile_parse(with_seccomp, strlen(with_seccomp), NULL, &f, &info, &diag),
		     0, "%s", diag.msg);
	cr_expect_eq(info.default_action, SECCOMP_RET_ALLOW);
	cr_expect_geq(info.rules, 2);
	sck_filter_free(f);
}

Test(profile_config, errors_name_the_section)
{
	static const char bad[] =
		CONFIG(",\n    \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
		       "\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": "
		       "\"SCMP_ACT_MAYBE\"}]}");
	static const char none[] = CONFIG("");
	struct sck_filter *f = NULL;
	struct sck_diag diag;

	cr_expect_eq(sck_profile_parse(bad, strlen(bad), NULL, &f, NULL, &diag), -EINVAL);
	cr_expect(strstr(diag.msg, "linux.seccomp.syscalls[0].action: "), "%s", diag.msg);
	cr_expect_eq(sck_profile_parse(none, strlen(none), NULL, &f, NULL, &diag), -EINVAL);
	cr_expect(strstr(diag.msg, "linux.seccomp: missing"), "%s", diag.msg);
	cr_expect_null(f);
}

static const char *write_tmp(const char *dir, const char *name, const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	cr_assert(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

Test(cli_config, compile_and_run)
{
	const char *dir = sck_test_tmpdir();
	char cfg[256], target[256];
	struct sck_test_cmd r;

	cr_assert(dir);
	snprintf(cfg, sizeof(cfg), "%s", write_tmp(dir, "config.json", with_seccomp));
	{
		const char *argv[] = {"compile", "-f", "text", cfg, NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_expect_eq(r.status, 0, "%s", r.err);
		cr_expect(strstr(r.out, "mkdir"), "%s", r.out);
		sck_test_cmd_fini(&r);
	}
	snprintf(target, sizeof(target), "%s/made", dir);
	{
		const char *argv[] = {"run", "-p", cfg, "--", "/bin/mkdir", target, NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_expect_eq(r.status, 1, "%s", r.err);
		cr_expect(strstr(r.err, "Permission denied"), "%s", r.err);
		cr_expect_neq(access(target, F_OK), 0);
		sck_test_cmd_fini(&r);
	}
	{
		const char *argv[] = {"run", "-p", cfg, "--", "/bin/true", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_expect_eq(r.status, 0, "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	snprintf(cfg, sizeof(cfg), "%s", write_tmp(dir, "config.json", CONFIG("")));
	{
		const char *argv[] = {"compile", cfg, NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_expect_eq(r.status, 2, "%s", r.err);
		cr_expect(strstr(r.err, "linux.seccomp: missing"), "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	unlink(cfg);
	rmdir(dir);
}
