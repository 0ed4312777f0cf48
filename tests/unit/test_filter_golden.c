// SPDX-License-Identifier: MIT
/*
 * Per-arch golden disassembly of compiled filters (tests/data/filter-<arch>.txt): one rule set
 * with unconditional rules, 64-bit and low-32-bit argument conditions, masked equality and a
 * multiplexed call, compiled for a 64-bit little-endian, a 64-bit big-endian, a 32-bit and a
 * mips arch. A change of the generated code shows here as a readable diff; verdicts are proved
 * elsewhere (test_filter*.c). SCK_UPDATE_GOLDEN=1 rewrites the files after a reviewed change.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

static struct sck_filter *rule_set(const struct sck_arch *arch)
{
	static const struct sck_cond write_fd[] = {{.arg = 0, .op = SCK_CMP_LE, .value = 2}};
	static const struct sck_cond mmap_prot[] = {
		{.arg = 2, .op = SCK_CMP_MASKED_EQ, .mask = 0x4, .value = 0}};
	static const struct sck_cond socket_af[] = {
		{.arg = 0, .op = SCK_CMP_EQ, .flags = SCK_COND_LOW32, .value = 1}};
	static const struct sck_cond lseek_off[] = {
		{.arg = 1, .op = SCK_CMP_GT, .value = 0x100000000ULL}};
	const struct sck_rule rules[] = {
		{.name = "read", .action = SECCOMP_RET_ALLOW},
		{.name = "write", .action = SECCOMP_RET_ALLOW, .conds = write_fd, .nconds = 1},
		{.name = "mmap", .action = SECCOMP_RET_ALLOW, .conds = mmap_prot, .nconds = 1},
		{.name = "socket", .action = SECCOMP_RET_ALLOW, .conds = socket_af, .nconds = 1},
		{.name = "lseek",
		 .action = SECCOMP_RET_ERRNO | EINVAL,
		 .conds = lseek_off,
		 .nconds = 1},
		{.name = "lseek", .action = SECCOMP_RET_ALLOW},
		{.name = "exit_group", .action = SECCOMP_RET_ALLOW},
		{.name = "kexec_load", .action = SECCOMP_RET_KILL_PROCESS},
	};
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ERRNO | EPERM,
		 .bad_arch_action = SECCOMP_RET_KILL_PROCESS);
	struct sck_filter *f = NULL;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, arch), 0);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int rc = sck_filter_add_rule(f, &rules[i]);

		/* mmap is mmap2/old_mmap on some 32-bit arches: a rule on no arch is -ENOENT. */
		cr_assert(rc == 0 || rc == -ENOENT, "%s: rule %zu: %d", arch->name, i, rc);
	}
	return f;
}

/*
 * A small argument allowlist: ioctl requests on arg 1 (one shared high-word test, then a search
 * tree over the values), fcntl commands with one denied range, and clone flags where any of
 * three namespace bits is denied (one JSET).
 */
static struct sck_filter *allowlist(const struct sck_arch *arch)
{
	static const uint32_t req[] = {0x5401, 0x5402, 0x5403, 0x5413, 0x541b,
				       0x5421, 0x8901, 0x8912, 0x8927, 0xc0045877};
	static const struct sck_cond clone_ns[] = {
		{.arg = 0, .op = SCK_CMP_MASKED_EQ, .mask = 0x20000, .value = 0x20000},
		{.arg = 0, .op = SCK_CMP_MASKED_EQ, .mask = 0x4000000, .value = 0x4000000},
		{.arg = 0, .op = SCK_CMP_MASKED_EQ, .mask = 0x40000000, .value = 0x40000000}};
	static const struct sck_cond fcntl_cmd[] = {{.arg = 1, .op = SCK_CMP_GE, .value = 1024},
						    {.arg = 1, .op = SCK_CMP_LE, .value = 1040}};
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ERRNO | EPERM);
	struct sck_filter *f = NULL;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, arch), 0);
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		struct sck_cond c = {.arg = 1, .op = SCK_CMP_EQ, .value = req[i]};
		struct sck_rule r = {
			.name = "ioctl", .action = SECCOMP_RET_ALLOW, .conds = &c, .nconds = 1};
		cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	}
	for (size_t i = 0; i < 3; i++) {
		struct sck_rule r = {.name = "clone",
				     .action = SECCOMP_RET_ERRNO | EPERM,
				     .conds = &clone_ns[i],
				     .nconds = 1};
		cr_assert_eq(sck_filter_add_rule(f, &r), 0);
	}
	{
		struct sck_rule deny = {.name = "fcntl",
					.action = SECCOMP_RET_ERRNO | EINVAL,
					.conds = fcntl_cmd,
					.nconds = 2};
		struct sck_rule clone = {.name = "clone", .action = SECCOMP_RET_ALLOW};
		struct sck_rule fcntl = {.name = "fcntl", .action = SECCOMP_RET_ALLOW};
		cr_assert_eq(sck_filter_add_rule(f, &deny), 0);
		cr_assert_eq(sck_filter_add_rule(f, &clone), 0);
		cr_assert_eq(sck_filter_add_rule(f, &fcntl), 0);
	}
	return f;
}

static void check_golden(const char *name, const char *file,
			 struct sck_filter *(*build)(const struct sck_arch *))
{
	const struct sck_arch *arch = sck_arch_from_name(name);
	struct sck_filter_prog *p = NULL;
	const struct sock_filter *insns;
	char golden[128], *text = NULL, *want;
	struct sck_filter *f;
	size_t len;

	cr_assert_not_null(arch);
	f = build(arch);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	insns = sck_filter_prog_insns(p, &len);
	SCK_OPTS(sck_bpf_disasm_opts, o, .arch = arch);
	cr_assert_eq(sck_bpf_disasm_alloc(insns, len, &o, &text), 0);
	snprintf(golden, sizeof(golden), "tests/data/%s-%s.txt", file, arch->name);
	want = sck_test_read_src(golden);
	if ((!want || strcmp(text, want) != 0) && getenv("SCK_UPDATE_GOLDEN")) {
		FILE *out = fopen(sck_test_src(golden), "w");

		cr_assert_not_null(out);
		fputs(text, out);
		fclose(out);
		free(want);
		want = sck_test_read_src(golden);
	}
	cr_assert_not_null(want, "missing %s (SCK_UPDATE_GOLDEN=1 writes it)", golden);
	cr_expect_str_eq(text, want, "%s differs from the compiler's output:\n%s", golden, text);
	/* The golden text is a program: it assembles back to exactly what was compiled. */
	{
		SCK_OPTS(sck_bpf_asm_opts, ao, .arch = arch);
		struct sock_filter *q = NULL;
		size_t qlen = 0;

		cr_assert_eq(sck_bpf_asm_alloc(want, &ao, &q, &qlen, NULL), 0);
		cr_expect(qlen == len && memcmp(q, insns, len * sizeof(*q)) == 0,
			  "%s does not assemble to the compiled program", golden);
		free(q);
	}
	free(want);
	free(text);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

static void check_arch(const char *name)
{
	check_golden(name, "filter", rule_set);
}

Test(filter_golden, argument_allowlist_x86_64)
{
	check_golden("x86_64", "filter-args", allowlist);
}

Test(filter_golden, argument_allowlist_x86)
{
	check_golden("i386", "filter-args", allowlist);
}

Test(filter_golden, x86_64)
{
	check_arch("x86_64");
}

Test(filter_golden, aarch64)
{
	check_arch("aarch64");
}

Test(filter_golden, s390x_big_endian)
{
	check_arch("s390x");
}

Test(filter_golden, x86_32bit_with_socketcall)
{
	check_arch("x86");
}

Test(filter_golden, arm_32bit)
{
	check_arch("arm");
}

Test(filter_golden, mips_o32)
{
	check_arch("mips");
}
