// SPDX-License-Identifier: MIT
/*
 * The syscall name hash (syscalls_int.h) and the lookup through it: every name of the tables
 * finds its own index, every near miss (a name cut short, lengthened, or with one byte changed)
 * finds the name it spells or nothing, and the hash gives the same numbers on every machine (the
 * generator that places the names may run on a machine of the other byte order), and each name is
 * a syscall of some arch.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "sck.h"
#include "syscalls_int.h"

/* The index of @s by a plain walk of the sorted names, -1 when absent. */
static int index_by_walk(const char *s)
{
	for (uint32_t i = 0; i < sck_syscall_name_count; i++)
		if (strcmp(sck_syscall_names[i], s) == 0)
			return (int)i;
	return -1;
}

Test(name_hash, every_name_finds_itself)
{
	for (uint32_t i = 0; i < sck_syscall_name_count; i++)
		cr_expect_eq(sck_syscall_name_index(sck_syscall_names[i]), (int)i, "%s",
			     sck_syscall_names[i]);
	cr_expect_eq(sck_syscall_name_index(NULL), -1);
	cr_expect_eq(sck_syscall_name_index(""), -1);
}

Test(name_hash, near_misses)
{
	for (uint32_t i = 0; i < sck_syscall_name_count; i++) {
		char buf[64];
		size_t n = strlen(sck_syscall_names[i]);

		cr_assert_lt(n + 2, sizeof(buf));
		for (size_t cut = 0; cut < n; cut++) {
			memcpy(buf, sck_syscall_names[i], cut);
			buf[cut] = 0;
			cr_expect_eq(sck_syscall_name_index(buf), index_by_walk(buf), "%s", buf);
		}
		memcpy(buf, sck_syscall_names[i], n);
		buf[n] = 'x';
		buf[n + 1] = 0;
		cr_expect_eq(sck_syscall_name_index(buf), index_by_walk(buf), "%s", buf);
		for (size_t k = 0; k < n; k++) {
			memcpy(buf, sck_syscall_names[i], n + 1);
			buf[k] ^= 0x20;
			cr_expect_eq(sck_syscall_name_index(buf), index_by_walk(buf), "%s", buf);
		}
	}
}

/* Computed on x86_64 (little-endian): a big-endian machine must compute the same. */
Test(name_hash, same_on_every_machine)
{
	cr_expect_eq(sck_syscall_hash("read", 4, 0), 2369507472u);
	cr_expect_eq(sck_syscall_hash("", 0, 0), 0u);
	cr_expect_eq(sck_syscall_hash("rt_sigprocmask", 14, 7), 1381123305u);
	cr_expect_eq(sck_syscall_hash("ab", 2, 1), 2882565323u);
	cr_expect_eq(sck_syscall_hash_str("rt_sigprocmask", 7), 1381123305u);
}

/* The profile reader takes a name of the tables for a syscall of some arch (read_syscall). */
Test(name_hash, every_name_is_a_syscall_somewhere)
{
	for (uint32_t i = 0; i < sck_syscall_name_count; i++) {
		bool some = false;

		for (size_t k = 0; k < sck_arch_count() && !some; k++)
			some = sck_syscall_nr(sck_arch_at(k), sck_syscall_names[i]) >= 0;
		cr_expect(some, "%s is no arch's syscall", sck_syscall_names[i]);
	}
}
