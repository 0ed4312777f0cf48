// SPDX-License-Identifier: MIT
/*
 * The profile reader: every field of the OCI LinuxSeccomp object and of Docker's extensions,
 * checked through the verdicts the compiled program returns in the emulator; unsigned 64-bit
 * values up to 2^64-1 exactly; runc's rules (default-action rules dropped, repeated indexes OR-ed,
 * unconditional rules first, EPERM by default, the -ENOSYS stub); arches, archMap, includes and
 * excludes; unknown syscalls and keys. Bad input is in test_profile_errors.c, Docker's profile
 * and the built-in one in test_profile_docker.c.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"
#include "test_profile_helpers.h"

static uint32_t run_nr(struct ctx *c, const char *arch, uint32_t nr)
{
	const struct sck_arch *a = sck_arch_from_name(arch);
	struct seccomp_data d = {.arch = a->audit_arch, .nr = (int)nr};

	return sck_bpf_emu_run(c->emu, &d, NULL);
}

/* ---- fields ---- */

Test(profile, actions)
{
	static const struct {
		const char *name, *extra;
		uint32_t want;
	} t[] = {
		{"SCMP_ACT_KILL", "", SECCOMP_RET_KILL_THREAD},
		{"SCMP_ACT_KILL_THREAD", "", SECCOMP_RET_KILL_THREAD},
		{"SCMP_ACT_KILL_PROCESS", "", SECCOMP_RET_KILL_PROCESS},
		{"SCMP_ACT_TRAP", "", SECCOMP_RET_TRAP},
		{"SCMP_ACT_ERRNO", "", ERRNO(1)},
		{"SCMP_ACT_ERRNO", ",\"errnoRet\":13", ERRNO(13)},
		{"SCMP_ACT_ERRNO", ",\"errnoRet\":0", ERRNO(0)},
		{"SCMP_ACT_ERRNO", ",\"errnoRet\":4095", ERRNO(4095)},
		{"SCMP_ACT_TRACE", "", SECCOMP_RET_TRACE | 1},
		{"SCMP_ACT_TRACE", ",\"errnoRet\":7", SECCOMP_RET_TRACE | 7},
		{"SCMP_ACT_ALLOW", "", SECCOMP_RET_ALLOW},
		{"SCMP_ACT_LOG", "", SECCOMP_RET_LOG},
		{"SCMP_ACT_NOTIFY", "", SECCOMP_RET_USER_NOTIF},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char json[256];
		struct ctx c;
		snprintf(
			json, sizeof(json),
			"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":99,\"syscalls\":"
			"[{\"names\":[\"getpid\"],\"action\":\"%s\"%s}]}",
			t[i].name, t[i].extra);
		build(&c, json, "x86_64", 0);
		cr_expect_eq(run(&c, "x86_64", "getpid", 0, 0), t[i].want, "%s%s", t[i].name,
			     t[i].extra);
		cr_expect_eq(run(&c, "x86_64", "read", 0, 0), ERRNO(99));
		done(&c);
	}
}

Test(profile, default_action_and_errno)
{
	struct ctx c;

	build(&c, "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}", "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "getpid", 0, 0), ERRNO(1)); /* EPERM, as runc */
	cr_expect_eq(c.info.default_action, ERRNO(1));
	done(&c);
	build(&c, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38}", "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "getpid", 0, 0), ERRNO(38));
	done(&c);
	build(&c, "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":null}", "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_KILL_PROCESS);
	done(&c);
}

Test(profile, names_name_and_comment)
{
	struct ctx c;

	build(&c,
	      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	      "{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"comment\":\"io\"},"
	      "{\"name\":\"getpid\",\"action\":\"SCMP_ACT_TRAP\"},"
	      "{\"names\":[],\"action\":\"SCMP_ACT_LOG\"}]}",
	      "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "write", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "getpid", 0, 0), SECCOMP_RET_TRAP);
	cr_expect_eq(run(&c, "x86_64", "close", 0, 0), ERRNO(1));
	cr_expect_eq(c.info.rules, 3);
	done(&c);
}

Test(profile, operators)
{
	static const struct {
		const char *op;
		uint64_t value, two;
		uint64_t yes, no;
	} t[] = {
		{"SCMP_CMP_EQ", 5, 0, 5, 6},
		{"SCMP_CMP_NE", 5, 0, 6, 5},
		{"SCMP_CMP_LT", 5, 0, 4, 5},
		{"SCMP_CMP_LE", 5, 0, 5, 6},
		{"SCMP_CMP_GT", 5, 0, 6, 5},
		{"SCMP_CMP_GE", 5, 0, 5, 4},
		/* value is the mask, valueTwo the expected value */
		{"SCMP_CMP_MASKED_EQ", 0xf0, 0x30, 0x3f, 0x4f},
		{"SCMP_CMP_EQ", UINT64_MAX, 0, UINT64_MAX, 0xffffffff},
		{"SCMP_CMP_GT", 0xffffffff, 0, 0x100000000, 0xffffffff},
		{"SCMP_CMP_LT", 0x100000000, 0, 0xffffffff, 0x100000000},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char json[320];
		struct ctx c;
		snprintf(
			json, sizeof(json),
			"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
			"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":%llu,"
			"\"valueTwo\":%llu,\"op\":\"%s\"}]}]}",
			(unsigned long long)t[i].value, (unsigned long long)t[i].two, t[i].op);
		build(&c, json, "x86_64", 0);
		cr_expect_eq(run(&c, "x86_64", "read", 0, t[i].yes), SECCOMP_RET_ALLOW, "%s %llu",
			     t[i].op, (unsigned long long)t[i].yes);
		cr_expect_eq(run(&c, "x86_64", "read", 0, t[i].no), ERRNO(1), "%s %llu", t[i].op,
			     (unsigned long long)t[i].no);
		done(&c);
	}
}

Test(profile, uint64_max_exactly)
{
	struct ctx c;

	build(&c,
	      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	      "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":18446744073709551615,"
	      "\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\","
	      "\"args\":[{\"index\":0,\"value\":9223372036854775808,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	      "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", UINT64_MAX, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "read", UINT64_MAX - 1, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "write", 1ULL << 63, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "write", (1ULL << 63) - 1, 0), ERRNO(1));
	done(&c);
}

Test(profile, repeated_index_is_or)
{
	struct ctx c;

	/* runc: an index used twice makes each condition its own rule (OR) */
	build(&c,
	      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	      "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_"
	      "EQ\"},"
	      "{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":9,\"op\":"
	      "\"SCMP_CMP_EQ\"}]},{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
	      "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":2,\"op\":"
	      "\"SCMP_CMP_EQ\"}]}]}",
	      "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 1, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "read", 2, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "read", 3, 9), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "read", 3, 0), ERRNO(1));
	/* distinct indexes: AND */
	cr_expect_eq(run(&c, "x86_64", "write", 1, 2), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "write", 1, 0), ERRNO(1));
	done(&c);
}

Test(profile, duplicate_and_conflicting_rules)
{
	struct ctx c;

	build(&c,
	      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
	      "\"value\":1,"
	      "\"op\":\"SCMP_CMP_EQ\"}]},"
	      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_TRAP\"},"
	      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\"},"
	      "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	      "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	      "{\"names\":[\"close\"],\"action\":\"SCMP_ACT_ERRNO\"},"
	      "{\"names\":[\"close\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
	      "x86_64", 0);
	/* the first unconditional rule wins over conditional ones and later ones */
	cr_expect_eq(run(&c, "x86_64", "read", 1, 0), SECCOMP_RET_TRAP);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_TRAP);
	cr_expect_eq(run(&c, "x86_64", "write", 0, 0), SECCOMP_RET_ALLOW);
	/* a rule with the default action is dropped: the ALLOW after it counts */
	cr_expect_eq(run(&c, "x86_64", "close", 0, 0), SECCOMP_RET_ALLOW);
	done(&c);
}

/* A conditional rule on read with @conds (JSON), action @act. */
#define CRULE(act, conds) "{\"names\":[\"read\"],\"action\":\"" act "\",\"args\":[" conds "]}"
#define C_EQ(i, v) "{\"index\":" #i ",\"value\":" #v ",\"op\":\"SCMP_CMP_EQ\"}"

/* libseccomp 2.5 refuses these (-EEXIST from seccomp_rule_add), so runc refuses the profile */
Test(profile, conflicting_conditional_rules)
{
	struct ctx c;

	/* the same conditions with another action, in the same order or not */
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" CRULE(
		    "SCMP_ACT_ALLOW", C_EQ(0, 1)) "," CRULE("SCMP_ACT_LOG", C_EQ(0, 1)) "]}",
	    -EINVAL,
	    "syscalls[1].names[0]: conflicting rules for \"read\": the conditions of "
	    "syscalls[0]",
	    0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" CRULE(
		    "SCMP_ACT_ALLOW",
		    C_EQ(0, 1) "," C_EQ(1, 2)) "," CRULE("SCMP_ACT_TRAP",
							 C_EQ(1, 2) "," C_EQ(0, 1)) "]}",
	    -EINVAL, "conflicting rules", 0, 0);
	/* runc splits a repeated index into rules of their own: one of them clashes */
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" CRULE(
		    "SCMP_ACT_ALLOW", C_EQ(0, 1)) "," CRULE("SCMP_ACT_LOG",
							    C_EQ(0, 2) "," C_EQ(0, 1)) "]}",
	    -EINVAL, "conflicting rules", 0, 0);
	/* a rule that starts an earlier rule's chain (conditions in argument order) */
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" CRULE(
		    "SCMP_ACT_LOG", C_EQ(0, 1) "," C_EQ(1, 1)) "," CRULE("SCMP_ACT_ALLOW",
									 C_EQ(0, 1)) "]}",
	    -EINVAL, "conflicting rules", 0, 0);
	/* accepted as libseccomp accepts them: a rule extending an earlier chain (dropped), and
	 * conditional rules after an unconditional one (dropped) */
	build(&c,
	      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" CRULE(
		      "SCMP_ACT_ALLOW",
		      C_EQ(0, 1)) "," CRULE("SCMP_ACT_LOG",
					    C_EQ(0, 1) "," C_EQ(
						    1, 1)) ","
							   "{\"names\":[\"write\"],\"action\":"
							   "\"SCMP_ACT_TRAP\"},"
							   "{\"names\":[\"write\"],\"action\":"
							   "\"SCMP_ACT_LOG\",\"args\":[" C_EQ(
								   0, 1) "]},"
									 "{\"names\":[\"write\"],"
									 "\"action\":\"SCMP_ACT_"
									 "ALLOW\",\"args\":[" C_EQ(
										 0, 1) "]}]}",
	      "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 1, 1), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "read", 1, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "write", 1, 0), SECCOMP_RET_TRAP);
	done(&c);
	/* accepted: the same rule twice, a rule with the default action (runc drops it), other
	 * conditions, other syscalls */
	build(&c,
	      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" CRULE(
		      "SCMP_ACT_ALLOW",
		      C_EQ(0,
			   1)) "," CRULE("SCMP_ACT_ALLOW",
					 C_EQ(0,
					      1)) "," CRULE("SCMP_ACT_ERRNO",
							    C_EQ(0,
								 1)) "," CRULE("SCMP_ACT_LOG",
									       C_EQ(0, 1) "," C_EQ(
										       1,
										       1)) ","
											   "{\"name"
											   "s\":["
											   "\"write"
											   "\"],"
											   "\"actio"
											   "n\":"
											   "\"SCMP_"
											   "ACT_"
											   "LOG\","
											   "\"args"
											   "\":"
											   "[" C_EQ(
												   0,
												   1) "]}]}",
	      "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 1, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "read", 2, 1), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "write", 1, 0), SECCOMP_RET_LOG);
	done(&c);
}

Test(profile, architectures_and_flags)
{
	struct ctx c;
	const char *json =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\","
		"\"SCMP_ARCH_AARCH64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
		"\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\"listenerPath\":\"/run/l.sock\","
		"\"listenerMetadata\":\"meta\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
		"\"SCMP_ACT_ALLOW\"}]}";

	build(&c, json, NULL, 0);
	/* native first, then the profile's */
	cr_expect_eq(c.info.narches, 3);
	cr_expect_eq(c.info.load_flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	cr_expect_str_eq(c.info.listener_path, "/run/l.sock");
	cr_expect_str_eq(c.info.listener_metadata, "meta");
	cr_expect_eq(run(&c, "x86", "read", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "aarch64", "read", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "aarch64", "write", 0, 0), ERRNO(1));
	{
		struct seccomp_data d = {.arch = sck_arch_from_name("riscv64")->audit_arch};
		cr_expect_eq(sck_bpf_emu_run(c.emu, &d, NULL), SECCOMP_RET_KILL_THREAD);
	}
	done(&c);
}

Test(profile, archmap_and_includes)
{
	struct ctx c;
	const char *json =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":"
		"\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},"
		"{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}]"
		","
		"\"syscalls\":["
		"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":"
		"[\"amd64\"]}},"
		"{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":"
		"[\"arm64\"]}},"
		"{\"names\":[\"close\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"arches\":"
		"[\"amd64\"]}},"
		"{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
		"[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"chroot\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
		"[\"CAP_SYS_CHROOT\"]}},"
		"{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":"
		"[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"gettid\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":"
		"\"4.8\"}},"
		"{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{"
		"\"minKernel\":"
		"\"99.0\"}},"
		"{\"names\":[\"getuid\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"minKernel\":"
		"\"5.0\"}}]}";

	if (sck_arch_native()->id != SCK_ARCH_X86_64)
		cr_skip("the archMap entry of this test is x86_64's");
	build(&c, json, NULL, 0);
	cr_expect_eq(c.info.narches, 3); /* x86_64 with x86 and x32 */
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86", "read", 0, 0), SECCOMP_RET_ALLOW); /* the whole filter */
	cr_expect_eq(run(&c, "x86_64", "write", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "close", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "mount", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "chroot", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "getpid", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "gettid", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "getppid", 0, 0), ERRNO(1));
	cr_expect_eq(run(&c, "x86_64", "getuid", 0, 0), ERRNO(1));
	done(&c);

	/* settable caps, kernel and main arch */
	{
		static const char *const caps[] = {"CAP_SYS_ADMIN", NULL};
		const struct sck_arch *a64 = sck_arch_from_name("aarch64");
		struct sck_filter *f;
		struct sck_filter_prog *p;
		const struct sock_filter *insns;
		size_t n;
		SCK_OPTS(sck_profile_opts, o, .caps = caps, .kernel = "4.7", .main_arch = a64);
		cr_assert_eq(parse(json, &o, &f, NULL), 0);
		cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
		insns = sck_filter_prog_insns(p, &n);
		cr_assert_eq(sck_bpf_emu_new(insns, n, &c.emu), 0);
		c.f = f;
		/* native x86_64, plus aarch64 and arm from the aarch64 entry of archMap */
		cr_expect_eq(run(&c, "aarch64", "write", 0, 0), SECCOMP_RET_ALLOW);
		cr_expect_eq(run(&c, "x86_64", "write", 0, 0), SECCOMP_RET_ALLOW);
		cr_expect_eq(run(&c, "x86_64", "read", 0, 0), ERRNO(1));
		cr_expect_eq(run(&c, "x86_64", "close", 0, 0), SECCOMP_RET_ALLOW);
		cr_expect_eq(run(&c, "x86_64", "mount", 0, 0), SECCOMP_RET_ALLOW);
		cr_expect_eq(run(&c, "x86_64", "chroot", 0, 0), ERRNO(1));
		cr_expect_eq(run(&c, "x86_64", "getpid", 0, 0), ERRNO(1));
		cr_expect_eq(run(&c, "x86_64", "gettid", 0, 0), ERRNO(1));
		cr_expect_eq(run(&c, "x86_64", "getuid", 0, 0), SECCOMP_RET_ALLOW);
		sck_filter_prog_free(p);
		done(&c);
	}
}

Test(profile, x32_compares_low_words)
{
	struct ctx c;

	/* libseccomp treats x32 as a 32-bit ABI: low word only, operand truncated */
	build(&c,
	      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	      "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":4294967301,"
	      "\"op\":\"SCMP_CMP_EQ\"}]}]}",
	      NULL, 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0x100000005, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run(&c, "x86_64", "read", 5, 0), ERRNO(1));
	done(&c);
	{
		const struct sck_arch *a[] = {sck_arch_from_name("x86_64"),
					      sck_arch_from_name("x32")};
		struct sck_filter_prog *p;
		const struct sock_filter *insns;
		size_t n;
		SCK_OPTS(sck_profile_opts, o, .arches = a, .narches = 2);
		cr_assert_eq(
			parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
			      "[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
			      "\"value\":4294967301,\"op\":\"SCMP_CMP_EQ\"}]}]}",
			      &o, &c.f, NULL),
			0);
		cr_assert_eq(sck_filter_compile(c.f, NULL, &p), 0);
		insns = sck_filter_prog_insns(p, &n);
		cr_assert_eq(sck_bpf_emu_new(insns, n, &c.emu), 0);
		sck_filter_prog_free(p);
		cr_expect_eq(run(&c, "x32", "read", 5, 0), SECCOMP_RET_ALLOW);
		cr_expect_eq(run(&c, "x32", "read", 0xffffffff00000005, 0), SECCOMP_RET_ALLOW);
		cr_expect_eq(run(&c, "x32", "read", 6, 0), ERRNO(1));
		cr_expect_eq(run(&c, "x86_64", "read", 5, 0), ERRNO(1));
		done(&c);
	}
}

Test(profile, enosys_newer)
{
	struct ctx c;
	const char *json = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
			   "[\"read\",\"openat\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	int openat = sck_syscall_nr(sck_arch_from_name("x86_64"), "openat");

	build(&c, json, "x86_64", SCK_PROFILE_ENOSYS_NEWER);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
	cr_expect_eq(run_nr(&c, "x86_64", (uint32_t)openat - 1), ERRNO(1));
	cr_expect_eq(run_nr(&c, "x86_64", (uint32_t)openat + 1), ERRNO(ENOSYS));
	cr_expect_eq(run_nr(&c, "x86_64", 0x3fffffff), ERRNO(ENOSYS));
	cr_expect_eq(run_nr(&c, "x86_64", 0xffffffff), ERRNO(1)); /* nr -1: the filter */
	done(&c);
	build(&c, json, "x86_64", 0);
	cr_expect_eq(run_nr(&c, "x86_64", (uint32_t)openat + 1), ERRNO(1));
	done(&c);
	/* not with an allowing default, nor when the default is ENOSYS already */
	build(&c,
	      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
	      "\"action\":\"SCMP_ACT_TRAP\"}]}",
	      "x86_64", SCK_PROFILE_ENOSYS_NEWER);
	cr_expect_eq(run_nr(&c, "x86_64", 300), SECCOMP_RET_ALLOW);
	done(&c);
}

static int nwarn;
static char lastwarn[256];

static void on_warn(void *arg, const char *msg)
{
	(void)arg;
	nwarn++;
	snprintf(lastwarn, sizeof(lastwarn), "%s", msg);
}

Test(profile, unknown_syscalls)
{
	const char *json = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
			   "[\"read\",\"no_such_call\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	struct sck_filter *f = NULL;
	struct sck_diag d;

	bad(json, -ENOENT, "syscalls[0].names[1]: unknown syscall \"no_such_call\" on", 0, 0);
	{
		SCK_OPTS(sck_profile_opts, o, .flags = SCK_PROFILE_IGNORE_UNKNOWN, .warn = on_warn);
		nwarn = 0;
		cr_expect_eq(parse(json, &o, &f, &d), 0);
		cr_expect_eq(nwarn, 1);
		cr_expect(strstr(lastwarn, "syscalls[0].names[1]"), "%s", lastwarn);
		sck_filter_free(f);
	}
	/* a syscall of another arch is no error: nothing on this one (as libseccomp) */
	{
		struct ctx c;
		build(&c,
		      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
		      "[\"s390_runtime_instr\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
		      "x86_64", 0);
		cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
		done(&c);
	}
	/* unknown keys warn */
	{
		SCK_OPTS(sck_profile_opts, o, .warn = on_warn);
		nwarn = 0;
		cr_expect_eq(
			parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"bogus\":1}", &o, &f, &d), 0);
		cr_expect_eq(nwarn, 1);
		sck_filter_free(f);
	}
	/* at every level, each with its path; a null member counts as absent, not unknown */
	{
		static const struct {
			const char *json, *warn;
		} cases[] = {
			{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]"
			 ","
			 "\"action\":\"SCMP_ACT_ALLOW\",\"comment\":null,\"nmaes\":1}]}",
			 "syscalls[0]: unknown key \"nmaes\" ignored"},
			{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]"
			 ","
			 "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,"
			 "\"valueTwo\":null,\"op\":\"SCMP_CMP_EQ\",\"opp\":2}]}]}",
			 "syscalls[0].args[0]: unknown key \"opp\" ignored"},
			{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]"
			 ","
			 "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":null,\"cap\":[]}}]"
			 "}",
			 "syscalls[0].includes: unknown key \"cap\" ignored"},
			{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":"
			 "\"SCMP_ARCH_X86_64\",\"subArchitectures\":null,\"subs\":[]}]}",
			 "archMap[0]: unknown key \"subs\" ignored"},
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			SCK_OPTS(sck_profile_opts, o, .warn = on_warn);
			nwarn = 0;
			lastwarn[0] = 0;
			f = NULL;
			cr_expect_eq(parse(cases[i].json, &o, &f, &d), 0, "case %zu: %s", i, d.msg);
			cr_expect_eq(nwarn, 1, "case %zu: %d warnings", i, nwarn);
			cr_expect(strstr(lastwarn, cases[i].warn) != NULL, "case %zu: %s", i,
				  lastwarn);
			sck_filter_free(f);
		}
	}
}
