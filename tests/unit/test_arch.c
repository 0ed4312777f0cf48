// SPDX-License-Identifier: MIT
/*
 * The architecture table and the seed's views of it (Contract 1): every GOARCH name of the seed,
 * the uname and libseccomp/OCI aliases, audit arch values, word size and byte order, and what
 * NULL or unknown names give.
 */
#include <criterion/criterion.h>
#include <linux/audit.h>
#include <string.h>

#include "sck.h"

#ifndef AUDIT_ARCH_LOONGARCH64
#define AUDIT_ARCH_LOONGARCH64 (258 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE)
#endif

struct goarch {
	const char *name;
	uint32_t audit;
	bool is64, le;
};

/* The 22 GOARCH names the seed accepts, with the kernel's audit arch for each. */
static const struct goarch goarchs[] = {
	{"386", AUDIT_ARCH_I386, false, true},
	{"amd64", AUDIT_ARCH_X86_64, true, true},
	{"arm", AUDIT_ARCH_ARM, false, true},
	{"arm64", AUDIT_ARCH_AARCH64, true, true},
	{"armbe", AUDIT_ARCH_ARMEB, false, false},
	{"arm64be", EM_AARCH64 | __AUDIT_ARCH_64BIT, true, false},
	{"loong64", AUDIT_ARCH_LOONGARCH64, true, true},
	{"mips", AUDIT_ARCH_MIPS, false, false},
	{"mips64", AUDIT_ARCH_MIPS64, true, false},
	{"mips64le", AUDIT_ARCH_MIPSEL64, true, true},
	{"mips64p32", AUDIT_ARCH_MIPS64N32, true, false},
	{"mips64p32le", AUDIT_ARCH_MIPSEL64N32, true, true},
	{"mipsle", AUDIT_ARCH_MIPSEL, false, true},
	{"ppc", AUDIT_ARCH_PPC, false, false},
	{"ppc64", AUDIT_ARCH_PPC64, true, false},
	{"ppc64le", AUDIT_ARCH_PPC64LE, true, true},
	{"riscv", AUDIT_ARCH_RISCV32, false, true},
	{"riscv64", AUDIT_ARCH_RISCV64, true, true},
	{"s390", AUDIT_ARCH_S390, false, false},
	{"s390x", AUDIT_ARCH_S390X, true, false},
	{"sparc", AUDIT_ARCH_SPARC, false, false},
	{"sparc64", AUDIT_ARCH_SPARC64, true, false},
};

Test(arch, goarch_names)
{
	cr_assert_eq(sizeof(goarchs) / sizeof(goarchs[0]), 22);
	for (size_t i = 0; i < 22; i++) {
		const struct goarch *g = &goarchs[i];

		cr_expect_eq(sck_audit_arch(g->name), g->audit, "%s: audit 0x%x, want 0x%x",
			     g->name, sck_audit_arch(g->name), g->audit);
		cr_expect_eq(sck_arch_is_64bit(g->name), g->is64, "%s: 64-bit", g->name);
		cr_expect_eq(sck_arch_is_little_endian(g->name), g->le, "%s: endianness", g->name);
	}
}

Test(arch, aliases)
{
	static const struct {
		const char *alias, *canonical;
	} cases[] = {
		{"x86_64", "x86_64"},
		{"SCMP_ARCH_X86_64", "x86_64"},
		{"i386", "x86"},
		{"i686", "x86"},
		{"x86", "x86"},
		{"SCMP_ARCH_X86", "x86"},
		{"x32", "x32"},
		{"SCMP_ARCH_X32", "x32"},
		{"aarch64", "aarch64"},
		{"SCMP_ARCH_AARCH64", "aarch64"},
		{"armv7l", "arm"},
		{"SCMP_ARCH_ARM", "arm"},
		{"mipsel", "mipsel"},
		{"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
		{"mips64el", "mipsel64"},
		{"ppc64le", "ppc64le"},
		{"powerpc", "ppc"},
		{"SCMP_ARCH_S390X", "s390x"},
		{"riscv32", "riscv32"},
		{"loongarch64", "loongarch64"},
		{"aarch64_be", "aarch64_be"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sck_arch *a = sck_arch_from_name(cases[i].alias);

		cr_assert_not_null(a, "%s unknown", cases[i].alias);
		cr_expect_str_eq(a->name, cases[i].canonical, "%s", cases[i].alias);
	}
	/* x32 shares x86_64's audit arch; its numbers carry the x32 bit instead. */
	cr_expect_eq(sck_audit_arch("x32"), AUDIT_ARCH_X86_64);
	cr_expect_eq(sck_arch_from_name("x32")->nr_base, 0x40000000u);
	cr_expect(sck_arch_is_64bit("x32"));
	cr_expect_eq(sck_arch_from_name("mips")->nr_base, 4000u);
	cr_expect_eq(sck_arch_from_name("mips64")->nr_base, 5000u);
	cr_expect_eq(sck_arch_from_name("mips64n32")->nr_base, 6000u);
}

Test(arch, native)
{
	const struct sck_arch *n = sck_arch_native();

	cr_assert_not_null(n);
	cr_expect_eq(sck_arch_from_name("native"), n);
	cr_expect_eq(sck_audit_arch("native"), n->audit_arch);
#if defined(__x86_64__) && !defined(__ILP32__)
	cr_expect_eq(n->id, SCK_ARCH_X86_64);
	cr_expect_eq(sck_audit_arch("native"), AUDIT_ARCH_X86_64);
	cr_expect(sck_arch_is_64bit("native"));
	cr_expect(sck_arch_is_little_endian("native"));
#endif
}

Test(arch, unknown_and_null)
{
	static const char *const bad[] = {"",
					  "AMD64",
					  "amd",
					  "x86-64",
					  "native ",
					  "mips32",
					  "SCMP_ARCH_FOO",
					  "arm64 ",
					  "NATIVE",
					  "SCMP_ARCH_",
					  "SCMP_ARCH_X",
					  "SCMP_ARCH_X86_64 ",
					  "SCMP_ARCHX86",
					  "SCMP_ARCH_x86"};

	cr_expect_eq(sck_audit_arch(NULL), 0);
	cr_expect_not(sck_arch_is_64bit(NULL));
	cr_expect_not(sck_arch_is_little_endian(NULL));
	cr_expect_null(sck_arch_from_name(NULL));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(sck_audit_arch(bad[i]), 0, "'%s'", bad[i]);
		cr_expect_not(sck_arch_is_64bit(bad[i]), "'%s'", bad[i]);
		cr_expect_not(sck_arch_is_little_endian(bad[i]), "'%s'", bad[i]);
		cr_expect_null(sck_arch_from_name(bad[i]), "'%s'", bad[i]);
	}
}

Test(arch, table_lookups)
{
	size_t n = sck_arch_count();

	cr_assert_eq(n, 25);
	for (size_t i = 0; i < n; i++) {
		const struct sck_arch *a = sck_arch_at(i);

		cr_assert_not_null(a);
		cr_expect_eq(sck_arch_from_id(a->id), a);
		cr_expect_eq(sck_arch_from_name(a->name), a, "%s by its own name", a->name);
		cr_expect(a->bits == 32 || a->bits == 64);
		cr_expect_eq(a->bits == 64, (a->audit_arch & __AUDIT_ARCH_64BIT) != 0, "%s",
			     a->name);
		cr_expect_eq(a->little_endian, (a->audit_arch & __AUDIT_ARCH_LE) != 0, "%s",
			     a->name);
		if (a->id != SCK_ARCH_X32)
			cr_expect_eq(sck_arch_from_audit(a->audit_arch), a, "%s", a->name);
		for (const char *const *al = a->aliases; *al; al++)
			cr_expect_eq(sck_arch_from_name(*al), a, "%s", *al);
	}
	cr_expect_null(sck_arch_at(n));
	cr_expect_null(sck_arch_from_id(SCK_ARCH_UNKNOWN));
	cr_expect_null(sck_arch_from_id((enum sck_arch_id)999));
	cr_expect_null(sck_arch_from_audit(0));
	cr_expect_null(sck_arch_from_audit(0x12345678));
	cr_expect_eq(sck_arch_from_audit(AUDIT_ARCH_X86_64)->id, SCK_ARCH_X86_64);
	cr_expect_eq(sck_arch_from_audit(AUDIT_ARCH_PARISC)->id, SCK_ARCH_PARISC);
	cr_expect_eq(sck_arch_from_audit(AUDIT_ARCH_PARISC64)->id, SCK_ARCH_PARISC64);
	cr_expect_eq(sck_arch_from_name("hppa")->long_bits, 32);
}
