// SPDX-License-Identifier: MIT
/*
 * What the arch name lookups (src/arch.c) rely on in the table: no alias names two arches or
 * "native", every alias that starts with 'S' is a libseccomp SCMP_ARCH_ name going on with the
 * arch's name's first letter in upper case, and every other one starts with a lower-case letter
 * or a digit; and sck_arch_named says exactly whether sck_arch_from_name gives an arch, on every
 * alias and near misses.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arch_int.h"
#include "sck.h"

Test(arch_names, table_conventions)
{
	for (size_t i = 0; i < sck_arch_count(); i++) {
		for (const char *const *a = sck_arch_at(i)->aliases; *a; a++) {
			cr_expect_str_neq(*a, "native");
			if ((*a)[0] == 'S') {
				cr_expect(strncmp(*a, "SCMP_ARCH_", 10) == 0 && (*a)[10], "%s", *a);
				/* and goes on with the arch's name's first letter, in upper case */
				cr_expect_eq((*a)[10], sck_arch_at(i)->name[0] & ~0x20, "%s", *a);
			} else
				cr_expect(((*a)[0] >= 'a' && (*a)[0] <= 'z') ||
						  ((*a)[0] >= '0' && (*a)[0] <= '9'),
					  "%s", *a);
			for (size_t j = 0; j < sck_arch_count(); j++)
				for (const char *const *b = sck_arch_at(j)->aliases; *b; b++)
					cr_expect(b == a || strcmp(*a, *b) != 0, "%s twice", *a);
		}
	}
}

/* sck_arch_from_name by a plain walk of the table. */
static const struct sck_arch *by_walk(const char *name)
{
	if (strcmp(name, "native") == 0)
		return sck_arch_native();
	for (size_t i = 0; i < sck_arch_count(); i++)
		for (const char *const *a = sck_arch_at(i)->aliases; *a; a++)
			if (strcmp(*a, name) == 0)
				return sck_arch_at(i);
	return NULL;
}

static void expect_named(const char *name)
{
	const struct sck_arch *want = sck_arch_from_name(name);

	cr_expect_eq(want, by_walk(name), "%s", name);

	for (size_t i = 0; i < sck_arch_count(); i++)
		cr_expect_eq(sck_arch_named(sck_arch_at(i), name), sck_arch_at(i) == want, "%s, %s",
			     name, sck_arch_at(i)->name);
}

Test(arch_names, named_agrees_with_from_name)
{
	static const char *const others[] = {"native",
					     "",
					     "S",
					     "SCMP_ARCH_",
					     "SCMP_ARCH_X",
					     "SCMP_ARCH_x86_64",
					     "scmp_arch_x86_64",
					     "X86_64",
					     "x86_64 ",
					     "amd",
					     "amd644",
					     "SCMP_ARCH_X86_644"};

	for (size_t i = 0; i < sck_arch_count(); i++) {
		for (const char *const *a = sck_arch_at(i)->aliases; *a; a++) {
			char buf[64];
			size_t n = strlen(*a);

			cr_expect_eq(sck_arch_from_name(*a), sck_arch_at(i), "%s", *a);
			expect_named(*a);
			cr_assert_lt(n + 2, sizeof(buf));
			for (size_t cut = 0; cut < n; cut++) {
				memcpy(buf, *a, cut);
				buf[cut] = 0;
				expect_named(buf);
			}
			memcpy(buf, *a, n);
			memcpy(buf + n, "x", 2);
			expect_named(buf);
		}
	}
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		expect_named(others[i]);
}
