// SPDX-License-Identifier: MIT
/*
 * The profile reader: every field of the OCI LinuxSeccomp object and of Docker's extensions,
 * checked through the verdicts the compiled program returns in the emulator; every kind of bad
 * input with its errno and its place (line and column, or the JSON path); unsigned 64-bit values
 * up to 2^64-1 exactly; runc's rules (default-action rules dropped, repeated indexes OR-ed,
 * unconditional rules first, EPERM by default, the -ENOSYS stub); Docker's profile as it is.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

struct ctx {
	struct sck_bpf_emu *emu;
	struct sck_filter *f;
	struct sck_profile_info info;
};

static int parse(const char *json, const struct sck_profile_opts *o, struct sck_filter **f,
		 struct sck_diag *d)
{
	return sck_profile_parse(json, strlen(json), o, f, NULL, d);
}

/* Compile @json for @arch (NULL: the profile's own arches) with @flags. */
static void build(struct ctx *c, const char *json, const char *arch, unsigned int flags)
{
	const struct sck_arch *a = arch ? sck_arch_from_name(arch) : NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_diag d;
	const struct sock_filter *insns;
	size_t n;
	int rc;
	SCK_OPTS(sck_profile_opts, o, .arches = a ? &a : NULL, .narches = a ? 1 : 0, .flags = flags,
		 .kernel = "6.18");

	c->info = (struct sck_profile_info){.sz = sizeof(c->info)};
	rc = sck_profile_parse(json, strlen(json), &o, &c->f, &c->info, &d);
	cr_assert_eq(rc, 0, "parse: %d %u:%u %s", rc, d.line, d.col, d.msg);
	cr_assert_eq(sck_filter_compile(c->f, NULL, &p), 0);
	insns = sck_filter_prog_insns(p, &n);
	cr_assert_eq(sck_bpf_emu_new(insns, n, &c->emu), 0);
	sck_filter_prog_free(p);
}

static void done(struct ctx *c)
{
	sck_bpf_emu_free(c->emu);
	sck_filter_free(c->f);
}

static uint32_t run(struct ctx *c, const char *arch, const char *name, uint64_t a0, uint64_t a1)
{
	const struct sck_arch *a = sck_arch_from_name(arch);
	struct seccomp_data d = {.arch = a->audit_arch, .args = {a0, a1}};
	int nr = sck_syscall_nr(a, name);

	cr_assert(nr >= 0, "%s on %s", name, arch);
	d.nr = nr;
	return sck_bpf_emu_run(c->emu, &d, NULL);
}

static uint32_t run_nr(struct ctx *c, const char *arch, uint32_t nr)
{
	const struct sck_arch *a = sck_arch_from_name(arch);
	struct seccomp_data d = {.arch = a->audit_arch, .nr = (int)nr};

	return sck_bpf_emu_run(c->emu, &d, NULL);
}

/* Parse @json and expect @err with @msg in the message (and a line when @line). */
static void bad(const char *json, int err, const char *msg, unsigned int line, unsigned int col)
{
	struct sck_filter *f = NULL;
	struct sck_diag d;
	SCK_OPTS(sck_profile_opts, o, .kernel = "6.18");
	int rc = parse(json, &o, &f, &d);

	cr_expect_eq(rc, err, "%s: rc %d, want %d (%s)", json, rc, err, d.msg);
	cr_expect_null(f);
	cr_expect(strstr(d.msg, msg), "'%s' not in '%s'", msg, d.msg);
	if (line) {
		cr_expect_eq(d.line, line, "line %u, want %u (%s)", d.line, line, d.msg);
		cr_expect_eq(d.col, col, "col %u, want %u (%s)", d.col, col, d.msg);
	}
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
}

/* ---- bad input ---- */

Test(profile, malformed_json_line_col)
{
	bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [ {\"names\": [\"read\"],, "
	    "}]}",
	    -EINVAL, "", 2, 36);
	bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\"", -EINVAL, "unexpected end", 1, 35);
	bad("", -EINVAL, "unexpected end", 1, 1);
	bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\"} x", -EINVAL, "", 1, 37);
	bad("{\"defaultAction\": 'SCMP_ACT_ERRNO'}", -EINVAL, "", 1, 19);
	bad("\n\n   [1, 2", -EINVAL, "unexpected end", 3, 9);
}

Test(profile, wrong_types)
{
	bad("[]", -EINVAL, "expected a JSON object", 0, 0);
	bad("{}", -EINVAL, "defaultAction: missing", 0, 0);
	bad("{\"defaultAction\":1}", -EINVAL, "defaultAction: expected a string", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}", -EINVAL,
	    "syscalls: expected an array", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[1]}", -EINVAL,
	    "syscalls[0]: expected an object", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":\"read\","
	    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    -EINVAL, "syscalls[0].names: expected an array", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[7],"
	    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    -EINVAL, "syscalls[0].names[0]: expected a string", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]}]}", -EINVAL,
	    "syscalls[0].action: missing", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":\"0\",\"op\":\"SCMP_CMP_EQ\"}]}]}",
	    -EINVAL, "syscalls[0].args[0].index: expected an unsigned integer", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0}]}]}",
	    -EINVAL, "syscalls[0].args[0].op: missing", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":\"x\"}", -EINVAL,
	    "flags: expected an array", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":\"CAP_X\"}}]}",
	    -EINVAL, "syscalls[0].includes.caps: expected an array", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
	    "\"name\":\"write\",\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    -EINVAL, "both \"name\" and \"names\"", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],"
	    "\"archMap\":[]}",
	    -EINVAL, "archMap: both", 0, 0);
}

Test(profile, unknown_names)
{
	bad("{\"defaultAction\":\"SCMP_ACT_FOO\"}", -EINVAL,
	    "defaultAction: unknown action \"SCMP_ACT_FOO\"", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{},{},{},{},{},{},{},{},{},{},"
	    "{},{},{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
	    "\"value\":1,\"op\":\"SCMP_CMP_FOO\"}]}]}",
	    -EINVAL, "syscalls[0].action: missing", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	    "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_FOO\"}]}]}",
	    -EINVAL, "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\"", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_PDP11\"]}",
	    -EINVAL, "architectures[0]: unknown architecture \"SCMP_ARCH_PDP11\"", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_FOO\"]}",
	    -EINVAL, "flags[0]: unknown flag", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_"
	    "64\","
	    "\"subArchitectures\":[\"SCMP_ARCH_VAX\"]}]}",
	    -EINVAL, "archMap[0].subArchitectures[0]: unknown architecture", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	    "\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"four\"}}]}",
	    -EINVAL, "syscalls[0].includes.minKernel: invalid kernel version", 0, 0);
}

Test(profile, out_of_range)
{
	const char *fmt =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":%s,\"value\":%s,"
		"\"op\":\"SCMP_CMP_EQ\"}]}]}";
	static const struct {
		const char *index, *value, *msg;
		unsigned int col;
	} t[] = {
		{"6", "0", "args[0].index: value 6 out of range (at most 5)", 0},
		{"-1", "0", "args[0].index: negative value", 0},
		{"0", "-1", "args[0].value: negative value -1", 0},
		{"0", "1.5", "args[0].value: expected an unsigned integer, got 1.5", 0},
		{"0", "1e3", "args[0].value: expected an unsigned integer", 0},
		{"0", "18446744073709551616", "integer out of range", 118},
		{"0", "99999999999999999999999", "integer out of range", 118},
		{"0", "\"5\"", "args[0].value: expected an unsigned integer, got a string", 0},
		{"0", "true", "args[0].value: expected an unsigned integer, got a boolean", 0},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char json[400];
		snprintf(json, sizeof(json), fmt, t[i].index, t[i].value);
		bad(json, -EINVAL, t[i].msg, t[i].col ? 1 : 0, t[i].col);
	}
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":4096}", -EINVAL,
	    "defaultErrnoRet: value 4096 out of range (at most 4095)", 0, 0);
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	    "\"SCMP_ACT_ERRNO\",\"errnoRet\":-2}]}",
	    -EINVAL, "syscalls[0].errnoRet: negative", 0, 0);
}

Test(profile, empty_and_huge)
{
	struct ctx c;
	size_t cap = 4 << 20, n = 0;
	char *json = malloc(cap);
	const struct sck_arch *x86_64 = sck_arch_from_name("x86_64");

	build(&c, "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), SECCOMP_RET_ALLOW);
	done(&c);
	build(&c, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}", "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), ERRNO(1));
	done(&c);
	/* 20000 entries over every syscall: compiles, verdicts as the last table says */
	cr_assert(json);
	n += (size_t)snprintf(json, cap, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (int i = 0; i < 20000; i++) {
		const struct sck_syscall *s =
			sck_syscall_at(x86_64, (size_t)i % sck_syscall_count(x86_64));
		n += (size_t)snprintf(json + n, cap - n,
				      "%s{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ERRNO\","
				      "\"errnoRet\":%d}",
				      i ? "," : "", s->name, 2 + (int)(s->nr % 7));
	}
	snprintf(json + n, cap - n, "]}");
	build(&c, json, "x86_64", 0);
	cr_expect_eq(run(&c, "x86_64", "read", 0, 0), ERRNO(2)); /* read is 0 */
	cr_expect_eq(run(&c, "x86_64", "write", 0, 0), ERRNO(3));
	done(&c);
	free(json);
}

Test(profile, api_errors)
{
	struct sck_filter *f = NULL;
	struct sck_diag d;
	char dir[256];

	cr_expect_eq(sck_profile_parse(NULL, 0, NULL, &f, NULL, NULL), -EINVAL);
	cr_expect_eq(sck_profile_parse("{}", 2, NULL, NULL, NULL, NULL), -EINVAL);
	{
		struct sck_profile_opts o = {.sz = 1};
		cr_expect_eq(sck_profile_parse("{}", 2, &o, &f, NULL, NULL), -EINVAL);
	}
	{
		struct {
			struct sck_profile_opts o;
			uint64_t tail;
		} big = {.o = {.sz = sizeof(big)}, .tail = 1};
		cr_expect_eq(sck_profile_parse("{}", 2, &big.o, &f, NULL, NULL), -E2BIG);
	}
	{
		SCK_OPTS(sck_profile_opts, o, .flags = 1u << 9);
		cr_expect_eq(sck_profile_parse("{}", 2, &o, &f, NULL, NULL), -EINVAL);
	}
	{
		SCK_OPTS(sck_profile_opts, o, .kernel = "x");
		cr_expect_eq(sck_profile_parse("{}", 2, &o, &f, NULL, &d), -EINVAL);
	}
	cr_expect_eq(sck_profile_parse_file("/nonexistent/p.json", NULL, &f, NULL, &d), -ENOENT);
	snprintf(dir, sizeof(dir), "%s", sck_test_tmpdir());
	cr_expect_eq(sck_profile_parse_file(dir, NULL, &f, NULL, &d), -EISDIR);
	rmdir(dir);
	cr_expect_null(f);
}

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
