// SPDX-License-Identifier: MIT
/*
 * The seed's pure functions: the seccomp_data field loader on little- and big-endian arches,
 * with the seed's and the kernel's field names, and every bad input; the constants; action
 * names. Nothing here touches the kernel.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "sck.h"

static const struct {
	const char *seed, *kernel;
	unsigned int off;
} fields[] = {
	{"Number", "nr", 0},
	{"Arch", "arch", 4},
	{"InstructionPointer", "instruction_pointer", 8},
	{"Arg0", "args[0]", 16},
	{"Arg1", "args[1]", 24},
	{"Arg2", "args[2]", 32},
	{"Arg3", "args[3]", 40},
	{"Arg4", "args[4]", 48},
	{"Arg5", "args[5]", 56},
};

static unsigned int expected_off(unsigned int base, bool high, bool le)
{
	if (base < 8)
		return base; /* nr and arch: high_word ignored */
	return base + ((high == le) ? 4 : 0);
}

Test(load_field, every_field_every_arch)
{
	static const char *const arches[] = {"amd64", "386",	   "arm",     "arm64",	"s390x",
					     "ppc64", "ppc64le",   "mips",    "mipsle", "sparc64",
					     "x32",   "mips64p32", "riscv64", "native"};

	for (size_t a = 0; a < sizeof(arches) / sizeof(arches[0]); a++) {
		bool le = sck_arch_is_little_endian(arches[a]);

		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			for (int high = 0; high <= 1; high++) {
				struct sock_filter s1, s2;
				unsigned int want = expected_off(fields[f].off, high, le);

				cr_assert_eq(
					sck_load_data_field(fields[f].seed, high, arches[a], &s1),
					0);
				cr_assert_eq(
					sck_load_data_field(fields[f].kernel, high, arches[a], &s2),
					0);
				cr_expect_eq(s1.code, BPF_LD | BPF_W | BPF_ABS);
				cr_expect_eq(s1.jt, 0);
				cr_expect_eq(s1.jf, 0);
				cr_expect_eq(s1.k, want, "%s %s high=%d: k=%u want %u", arches[a],
					     fields[f].seed, high, s1.k, want);
				cr_expect_eq(memcmp(&s1, &s2, sizeof(s1)), 0);
			}
		}
	}
}

Test(load_field, little_and_big_endian_words)
{
	struct sock_filter s;

	/* Little-endian: low word first. */
	cr_assert_eq(sck_load_data_field("Arg1", false, "amd64", &s), 0);
	cr_expect_eq(s.k, offsetof(struct seccomp_data, args[1]));
	cr_assert_eq(sck_load_data_field("Arg1", true, "amd64", &s), 0);
	cr_expect_eq(s.k, offsetof(struct seccomp_data, args[1]) + 4);
	/* Big-endian: high word first. */
	cr_assert_eq(sck_load_data_field("Arg1", true, "s390x", &s), 0);
	cr_expect_eq(s.k, offsetof(struct seccomp_data, args[1]));
	cr_assert_eq(sck_load_data_field("Arg1", false, "s390x", &s), 0);
	cr_expect_eq(s.k, offsetof(struct seccomp_data, args[1]) + 4);
	/* 32-bit big-endian arch: the field is still a 64-bit slot in seccomp_data. */
	cr_assert_eq(sck_load_data_field("InstructionPointer", false, "mips", &s), 0);
	cr_expect_eq(s.k, 12);
	/* high_word is ignored for nr and arch. */
	cr_assert_eq(sck_load_data_field("Number", true, "s390x", &s), 0);
	cr_expect_eq(s.k, 0);
	cr_assert_eq(sck_load_data_field("Arch", true, "amd64", &s), 0);
	cr_expect_eq(s.k, 4);
}

Test(load_field, bad_input_leaves_out_untouched)
{
	static const char *const bad_fields[] = {"",	    "number", "Arg6", "args[6]",
						 "Arg",	    "args[0", "NR",   "InstructionPointer ",
						 "args[-1]"};
	const struct sock_filter canary = {0xdead, 7, 9, 0xabcdef};
	struct sock_filter s;

	for (size_t i = 0; i < sizeof(bad_fields) / sizeof(bad_fields[0]); i++) {
		s = canary;
		cr_expect_eq(sck_load_data_field(bad_fields[i], false, "amd64", &s), -EINVAL,
			     "field '%s'", bad_fields[i]);
		cr_expect_eq(memcmp(&s, &canary, sizeof(s)), 0);
	}
	s = canary;
	cr_expect_eq(sck_load_data_field(NULL, false, "amd64", &s), -EINVAL);
	cr_expect_eq(sck_load_data_field("Arg0", false, NULL, &s), -EINVAL);
	cr_expect_eq(sck_load_data_field("Arg0", false, "vax", &s), -EINVAL);
	cr_expect_eq(sck_load_data_field("Arg0", true, "AMD64", &s), -EINVAL);
	cr_expect_eq(memcmp(&s, &canary, sizeof(s)), 0);
	cr_expect_eq(sck_load_data_field("Arg0", false, "amd64", NULL), -EINVAL);
}

Test(constants, kernel_values)
{
	cr_expect_eq(SECCOMP_SET_MODE_STRICT, 0);
	cr_expect_eq(SECCOMP_SET_MODE_FILTER, 1);
	cr_expect_eq(SECCOMP_GET_ACTION_AVAIL, 2);
	cr_expect_eq(SECCOMP_GET_NOTIF_SIZES, 3);
	cr_expect_eq(SECCOMP_RET_KILL_PROCESS, 0x80000000U);
	cr_expect_eq(SECCOMP_RET_KILL_THREAD, 0);
	cr_expect_eq(SECCOMP_RET_KILL, SECCOMP_RET_KILL_THREAD);
	cr_expect_eq(SECCOMP_RET_TRAP, 0x00030000U);
	cr_expect_eq(SECCOMP_RET_ERRNO, 0x00050000U);
	cr_expect_eq(SECCOMP_RET_USER_NOTIF, 0x7fc00000U);
	cr_expect_eq(SECCOMP_RET_TRACE, 0x7ff00000U);
	cr_expect_eq(SECCOMP_RET_LOG, 0x7ffc0000U);
	cr_expect_eq(SECCOMP_RET_ALLOW, 0x7fff0000U);
	cr_expect_eq(SECCOMP_FILTER_FLAG_TSYNC, 1);
	cr_expect_eq(SECCOMP_FILTER_FLAG_LOG, 2);
	cr_expect_eq(SECCOMP_FILTER_FLAG_SPEC_ALLOW, 4);
	cr_expect_eq(SECCOMP_FILTER_FLAG_NEW_LISTENER, 8);
	cr_expect_eq(SECCOMP_FILTER_FLAG_TSYNC_ESRCH, 16);
	cr_expect_eq(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 32);
	cr_expect_eq(SCK_BPF_MAXINSNS, 4096);
	cr_expect_eq(sizeof(struct sck_notif_sizes), 6);
}

Test(actions, names_and_format)
{
	static const struct {
		uint32_t ret;
		const char *text;
	} cases[] = {
		{SECCOMP_RET_ALLOW, "ALLOW"},
		{SECCOMP_RET_ERRNO | 1, "ERRNO(1)"},
		{SECCOMP_RET_ERRNO | 0xffff, "ERRNO(65535)"},
		{SECCOMP_RET_KILL_PROCESS, "KILL_PROCESS"},
		{SECCOMP_RET_KILL_THREAD, "KILL_THREAD"},
		{SECCOMP_RET_TRAP | 3, "TRAP(3)"},
		{SECCOMP_RET_TRACE | 7, "TRACE(7)"},
		{SECCOMP_RET_LOG, "LOG"},
		{SECCOMP_RET_USER_NOTIF, "USER_NOTIF"},
		{0x00010000, "UNKNOWN(0x00010000)"},
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = sck_action_format(cases[i].ret, buf, sizeof(buf));

		cr_expect_eq(n, (int)strlen(cases[i].text));
		cr_expect_str_eq(buf, cases[i].text);
	}
	cr_expect_str_eq(sck_action_name(SECCOMP_RET_ERRNO | 5), "ERRNO");
	cr_expect_null(sck_action_name(0x12340000));
	cr_expect_eq(sck_action_format(SECCOMP_RET_ALLOW, NULL, 10), -EINVAL);
	cr_expect_eq(sck_action_format(SECCOMP_RET_ALLOW, buf, 5), -ERANGE);
	cr_expect_eq(sck_action_format(SECCOMP_RET_ALLOW, buf, 6), 5);
}
