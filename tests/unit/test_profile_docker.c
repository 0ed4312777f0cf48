// SPDX-License-Identifier: MIT
/*
 * The profile reader on real profiles: Docker's default profile as it is (verdicts on x86_64, x86
 * and x32, and the instruction counts the emulator measures), the built-in profile, and random
 * byte mutations of the built-in profile, which either parse or fail cleanly with a message.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"
#include "test_profile_helpers.h"

Test(profile, docker_default_as_it_is)
{
	const char *path = sck_test_shared("profiles/docker-default.json");
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_profile_info info = {.sz = sizeof(info)};
	struct sck_diag d;
	const struct sck_arch *a[] = {sck_arch_from_name("x86_64"), sck_arch_from_name("x86"),
				      sck_arch_from_name("x32")};
	struct ctx c;
	const struct sock_filter *insns;
	size_t n;
	SCK_OPTS(sck_profile_opts, o, .arches = a, .narches = 3, .kernel = "6.18");

	if (!path)
		cr_skip("../shared/profiles/docker-default.json absent");
	cr_assert_eq(sck_profile_parse_file(path, &o, &f, &info, &d), 0, "%s", d.msg);
	cr_expect_eq(info.narches, 3);
	cr_expect_eq(info.default_action, ERRNO(1));
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	insns = sck_filter_prog_insns(p, &n);
	cr_assert_eq(sck_bpf_emu_new(insns, n, &c.emu), 0);
	c.f = f;
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "mount", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "clone", 0x11, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "clone", 0x10000000, 0), ERRNO(1)); /* CLONE_NEWUSER */
	cr_expect_eq(run(&c, "x86_64", "clone3", 0, 0), ERRNO(38));
	cr_expect_eq(run(&c, "x86_64", "personality", 8, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "personality", 9, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "socket", 39, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "socket", 40, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "chroot", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "ptrace", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86", "_llseek", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x32", "read", 0, 0), SECCOMP_RET_ALLOW);
	sck_filter_prog_free(p);
	done(&c);
}

/*
 * The figures for Docker's profile (amd64 with x86 and x32), counted by the emulator over
 * every number of each arch with arguments 0: a count, not a timing. x86_64 and x32 share one
 * tree, where the planner keeps x32 within 1.5 instructions of x86_64.
 */
Test(profile, docker_default_figures)
{
	const char *path = sck_test_shared("profiles/docker-default.json");
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_diag d;
	const struct sck_arch *a[] = {sck_arch_from_name("x86_64"), sck_arch_from_name("x86"),
				      sck_arch_from_name("x32")};
	const double mean_max[] = {9.5, 12, 11};
	SCK_OPTS(sck_profile_opts, o, .arches = a, .narches = 3, .kernel = "6.18");

	if (!path)
		cr_skip("../shared/profiles/docker-default.json absent");
	cr_assert_eq(sck_profile_parse_file(path, &o, &f, NULL, &d), 0, "%s", d.msg);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	for (size_t i = 0; i < 3; i++) {
		struct sck_filter_stats s = {.sz = sizeof(s)};
		cr_assert_eq(sck_filter_prog_stats(p, a[i], &s), 0);
		cr_expect_leq(s.mean_executed, mean_max[i], "%s: mean %.4f", a[i]->name,
			      s.mean_executed);
		cr_expect_leq(s.max_executed, 16, "%s: max %u", a[i]->name, s.max_executed);
		/* libseccomp -O2 wrote 1246 to 1276 instructions for it */
		cr_expect_leq(s.len, 498, "length %zu", s.len);
		if (i < 2)
			cr_expect_eq(s.cached, s.const_allow, "%s: %u of %u cached", a[i]->name,
				     s.cached, s.const_allow);
	}
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

Test(profile, builtin)
{
	size_t len = 0;
	const char *json = sck_profile_builtin(&len);
	struct ctx c;

	cr_assert(json && len == strlen(json) && len > 100);
	build(&c, json, "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "mount", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "kexec_load", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "unshare", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "setns", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "bpf", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "clone", 0x10000000, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "clone", 0x3d0f00, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "clone3", 0, 0), ERRNO(ENOSYS));
	cr_expect_eq(run(&c, "x86_64", "personality", 0xffffffff, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "personality", 0x0040000, 0), ERRNO(1));
	done(&c);
}

/* Never a crash: random byte mutations of a real profile either parse or fail cleanly. */
Test(profile, mutations_never_crash, .timeout = 120)
{
	uint64_t rng = sck_test_seed("profile/mutations_never_crash");
	const char *base = sck_profile_builtin(NULL);
	size_t len = strlen(base);
	char *buf = malloc(len + 64);
	static const char alphabet[] = "{}[],:\"\\0123456789-.eE+ \n\tabcnrtu";
	size_t ok = 0, failed = 0;

	cr_assert(buf);
	for (int i = 0; i < 3000; i++) {
		struct sck_filter *f = NULL;
		struct sck_diag d;
		size_t n = len;
		int rc, edits = 1 + (int)(sck_test_rand(&rng) % 4);
		memcpy(buf, base, len);
		for (int e = 0; e < edits && n > 0; e++) {
			size_t at = sck_test_rand(&rng) % n;
			char ch = alphabet[sck_test_rand(&rng) % (sizeof(alphabet) - 1)];
			switch (sck_test_rand(&rng) % 3) {
			case 0:
				buf[at] = ch;
				break;
			case 1: /* delete */
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
				break;
			default: /* truncate */
				n = at + 1;
				break;
			}
		}
		rc = sck_profile_parse(buf, n, NULL, &f, NULL, &d);
		cr_assert(rc == 0 || rc == -EINVAL || rc == -ENOENT || rc == -EDOM || rc == -E2BIG,
			  "rc %d", rc);
		if (rc == 0) {
			struct sck_filter_prog *p = NULL;
			ok++;
			rc = sck_filter_compile(f, NULL, &p);
			cr_assert(rc == 0 || rc == -E2BIG, "compile %d", rc);
			sck_filter_prog_free(p);
			sck_filter_free(f);
		} else {
			failed++;
			cr_assert(d.msg[0], "no message for %d", rc);
		}
	}
	fprintf(stderr, "mutations: %zu parsed, %zu refused with a message\n", ok, failed);
	free(buf);
}
