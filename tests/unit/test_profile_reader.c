// SPDX-License-Identifier: MIT
/*
 * Corners of the profile reader's fast paths: rules with the default action (skipped before
 * anything, their names still counted for the -ENOSYS stub), names checked before anything
 * else of a rule, conflicts kept per syscall in one table for all of them, and rules without
 * conditions on several arches.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sck.h"
#include "test_profile_helpers.h"

static uint32_t run_nr(struct ctx *c, const char *arch, uint32_t nr)
{
	const struct sck_arch *a = sck_arch_from_name(arch);
	struct seccomp_data d = {.arch = a->audit_arch, .nr = (int)nr};

	return sck_bpf_emu_run(c->emu, &d, NULL);
}

Test(profile_reader, default_action_names_count_for_enosys)
{
	struct ctx c;
	const struct sck_arch *x = sck_arch_from_name("x86_64");
	int openat = sck_syscall_nr(x, "openat"), read = sck_syscall_nr(x, "read");
	/* openat only in a rule with the default action (dropped), and an unknown name there */
	const char *json =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"nosuchcall\",\"openat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";

	build(&c, json, "x86_64", SCK_PROFILE_ENOSYS_NEWER);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run_nr(&c, "x86_64", (uint32_t)openat), ERRNO(1));
	cr_expect_eq(run_nr(&c, "x86_64", (uint32_t)openat + 1), ERRNO(ENOSYS));
	done(&c);
	build(&c, json, "x86_64", 0);
	cr_expect_eq(run_nr(&c, "x86_64", (uint32_t)read + 1), ERRNO(1));
	cr_expect_eq(run_nr(&c, "x86_64", (uint32_t)openat + 1), ERRNO(1));
	done(&c);
}

Test(profile_reader, names_checked_first)
{
	/* a bad name is reported before a bad action */
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",7],"
	    "\"action\":\"SCMP_ACT_NOPE\"}]}",
	    -EINVAL, "syscalls[0].names[1]: expected a string, got an integer", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",null],"
	    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    -EINVAL, "syscalls[0].names[1]: expected a string, got null", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    -EINVAL, "syscalls[0].names[1]: empty syscall name", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\","
	    "\"nosuchcall\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    -ENOENT, "syscalls[0].names[1]: unknown syscall \"nosuchcall\"", 0, 0);
}

/* Many syscalls with the same conditions and other actions: no clash between syscalls. */
Test(profile_reader, conflicts_per_syscall)
{
	static const char *const names[] = {"read",  "write",	"close",    "openat", "fstat",
					    "lseek", "mmap",	"mprotect", "munmap", "brk",
					    "ioctl", "pread64", "pwrite64", "readv",  "writev"};
	static const char *const acts[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRAP"};
	char json[16384];
	size_t n = 0;
	struct ctx c;

	n += (size_t)snprintf(json + n, sizeof(json) - n,
			      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (unsigned v = 0; v < 4; v++)
			n += (size_t)snprintf(
				json + n, sizeof(json) - n,
				"%s{\"names\":[\"%s\"],\"action\":\"%s\",\"args\":[{\"index\":0,"
				"\"value\":%u,\"op\":\"SCMP_CMP_EQ\"}]}",
				i || v ? "," : "", names[i], acts[(i + v) % 3], v);
	n += (size_t)snprintf(json + n, sizeof(json) - n, "]}");
	cr_assert_lt(n, sizeof(json) - 1);
	build(&c, json, "x86_64", 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		static const uint32_t ret[] = {SECCOMP_RET_ALLOW, SECCOMP_RET_LOG,
					       SECCOMP_RET_TRAP};
		for (unsigned v = 0; v < 4; v++)
			cr_expect_eq(run(&c, "x86_64", names[i], v, 0), ret[(i + v) % 3], "%s %u",
				     names[i], v);
		cr_expect_eq(run(&c, "x86_64", names[i], 9, 0), ERRNO(1));
	}
	done(&c);
	/* and still a clash within one syscall, named by the earlier rule's index */
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	    "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
	    "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
	    "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
	    "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
	    "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,"
	    "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	    -EINVAL,
	    "syscalls[2].names[0]: conflicting rules for \"read\": the conditions of syscalls[1]",
	    0, 0);
}

/* A rule without conditions on three arches, one with a condition x32 sees as low-word only. */
Test(profile_reader, rules_on_several_arches)
{
	struct sck_filter *f = NULL;
	struct sck_profile_info info = {.sz = sizeof(info)};
	struct sck_diag d;
	const char *json =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		"\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":["
		"{\"names\":[\"read\",\"arm_fadvise64_64\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}";
	SCK_OPTS(sck_profile_opts, o, .kernel = "6.18");

	cr_assert_eq(sck_profile_parse(json, strlen(json), &o, &f, &info, &d), 0, "%s", d.msg);
	/* read once for all arches; write once per arch (x32 compares the low word only);
	 * arm_fadvise64_64 on none of them */
	cr_expect_eq(info.rules, 4);
	sck_filter_free(f);
}
