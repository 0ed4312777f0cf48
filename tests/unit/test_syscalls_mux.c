// SPDX-License-Identifier: MIT
/*
 * The compiler's list of multiplexed sub-calls by name index (sck_syscall_mux_list, which the IR
 * build looks rules up in instead of comparing names): on every arch and for every name of the
 * tables, it says exactly what sck_syscall_mux says.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "sck.h"
#include "syscalls_int.h"

Test(syscalls_mux, list_by_index_matches_lookup_by_name)
{
	size_t with = 0;

	for (size_t i = 0; i < sck_arch_count(); i++) {
		const struct sck_arch *a = sck_arch_at(i);
		struct sck_syscall_mux_at list[SCK_SYSCALL_MUX_CALLS];
		size_t n = sck_syscall_mux_list(a, list), found = 0;

		with += n > 0;
		for (uint32_t idx = 0; idx < sck_syscall_name_count; idx++) {
			const char *name = sck_syscall_names[idx];
			struct sck_syscall_mux m;
			int rc = sck_syscall_mux(a, name, &m);
			size_t k = 0;

			while (k < n && list[k].idx != (int)idx)
				k++;
			cr_expect_eq(k < n, rc == 0, "%s %s", a->name, name);
			if (rc || k == n)
				continue;
			found++;
			cr_expect_eq(list[k].mux.kind, m.kind, "%s %s", a->name, name);
			cr_expect_eq(list[k].mux.nr, m.nr, "%s %s", a->name, name);
			cr_expect_eq(list[k].mux.call, m.call, "%s %s", a->name, name);
			cr_expect_eq(list[k].mux.call_mask, m.call_mask, "%s %s", a->name, name);
		}
		/* every entry of the list is a name of the tables */
		cr_expect_eq(found, n, "%s", a->name);
	}
	/* x86, mips, mipsel, ppc, ppc64, ppc64le, s390, s390x, sparc, sparc64 */
	cr_expect_eq(with, 10);
	cr_expect_eq(sck_syscall_mux_list(NULL, NULL), 0);
}
