// SPDX-License-Identifier: MIT
/*
 * The facts the arch table keeps as data (issue 18): the x32 selector bit and the lookup of a
 * call's ABI from (audit arch, nr), the width of long, and the quirks (socketcall/ipc, s390's
 * syscall 0 and clone argument order), each checked against what the syscall tables and the
 * kernel's numbering say.
 */
#include <criterion/criterion.h>
#include <linux/audit.h>
#include <string.h>

#include <sck.h>

#include "sck_test.h"

static const struct sck_arch *A(const char *name)
{
	const struct sck_arch *a = sck_arch_from_name(name);
	cr_assert(a, "arch %s", name);
	return a;
}

Test(arch_facts, from_audit_nr)
{
	cr_assert_eq(SCK_X32_SYSCALL_BIT, 0x40000000u);
	cr_assert_eq(sck_arch_from_audit_nr(AUDIT_ARCH_X86_64, 0), A("x86_64"));
	cr_assert_eq(sck_arch_from_audit_nr(AUDIT_ARCH_X86_64, 0x3fffffffu), A("x86_64"));
	cr_assert_eq(sck_arch_from_audit_nr(AUDIT_ARCH_X86_64, SCK_X32_SYSCALL_BIT), A("x32"));
	cr_assert_eq(sck_arch_from_audit_nr(AUDIT_ARCH_X86_64, SCK_X32_SYSCALL_BIT | 1), A("x32"));
	/* the kernel's in_x32_syscall() looks at the bit alone */
	cr_assert_eq(sck_arch_from_audit_nr(AUDIT_ARCH_X86_64, 0x80000000u), A("x86_64"));
	cr_assert_eq(sck_arch_from_audit_nr(AUDIT_ARCH_I386, SCK_X32_SYSCALL_BIT), A("x86"));
	cr_assert_eq(sck_arch_from_audit_nr(AUDIT_ARCH_MIPS, 4001), A("mips"));
	cr_assert_eq(sck_arch_from_audit_nr(AUDIT_ARCH_MIPS, 0), A("mips"));
	cr_assert_null(sck_arch_from_audit_nr(0, 0));
	cr_assert_null(sck_arch_from_audit_nr(0x12345678u, SCK_X32_SYSCALL_BIT));
	/* every entry is found from its own audit arch and first number */
	for (size_t i = 0; i < sck_arch_count(); i++) {
		const struct sck_arch *a = sck_arch_at(i);
		cr_assert_eq(sck_arch_from_audit_nr(a->audit_arch, a->nr_base), a, "%s", a->name);
		if (sck_syscall_max(a) >= 0)
			cr_assert_eq(
				sck_arch_from_audit_nr(a->audit_arch, (uint32_t)sck_syscall_max(a)),
				a, "%s", a->name);
	}
}

Test(arch_facts, nr_select_only_where_an_audit_arch_is_shared)
{
	for (size_t i = 0; i < sck_arch_count(); i++) {
		const struct sck_arch *a = sck_arch_at(i);
		size_t sharing = 0;
		for (size_t j = 0; j < sck_arch_count(); j++) {
			const struct sck_arch *b = sck_arch_at(j);
			if (b == a || b->audit_arch != a->audit_arch)
				continue;
			sharing++;
			/* the selector bits tell the two apart */
			cr_assert_neq(a->nr_base & a->nr_select, b->nr_base & b->nr_select,
				      "%s / %s", a->name, b->name);
		}
		cr_assert_eq(a->nr_select != 0, sharing > 0, "%s", a->name);
	}
	cr_assert_eq(A("x86_64")->nr_select, SCK_X32_SYSCALL_BIT);
	cr_assert_eq(A("x32")->nr_base, SCK_X32_SYSCALL_BIT);
}

Test(arch_facts, long_bits)
{
	for (size_t i = 0; i < sck_arch_count(); i++) {
		const struct sck_arch *a = sck_arch_at(i);
		cr_assert(a->long_bits == 32 || a->long_bits == 64, "%s", a->name);
		cr_assert_leq(a->long_bits, a->bits, "%s", a->name);
	}
	cr_assert_eq(A("x32")->long_bits, 32);
	cr_assert_eq(A("mips64n32")->long_bits, 32);
	cr_assert_eq(A("mipsel64n32")->long_bits, 32);
	cr_assert_eq(A("x86_64")->long_bits, 64);
	cr_assert_eq(A("mips64")->long_bits, 64);
	cr_assert_eq(A("x86")->long_bits, 32);
}

Test(arch_facts, quirks_match_the_tables)
{
	for (size_t i = 0; i < sck_arch_count(); i++) {
		const struct sck_arch *a = sck_arch_at(i);
		bool s390 = strncmp(a->name, "s390", 4) == 0;
		cr_assert_eq(!!(a->quirks & SCK_ARCH_Q_SOCKETCALL),
			     sck_syscall_nr(a, "socketcall") >= 0, "%s", a->name);
		cr_assert_eq(!!(a->quirks & SCK_ARCH_Q_IPC), sck_syscall_nr(a, "ipc") >= 0, "%s",
			     a->name);
		cr_assert_eq(!!(a->quirks & SCK_ARCH_Q_NR0_MUX), s390, "%s", a->name);
		cr_assert_eq(!!(a->quirks & SCK_ARCH_Q_CLONE_FLAGS_ARG1), s390, "%s", a->name);
	}
}
