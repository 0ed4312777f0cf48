// SPDX-License-Identifier: MIT
/* The architecture table and the seed's views of it: every name, audit arch, bits, byte order. */
#include <criterion/criterion.h>
#include <linux/audit.h>
#include <string.h>

#include "sck.h"

Test(arch, placeholder)
{
	cr_assert_eq(sck_audit_arch("amd64"), AUDIT_ARCH_X86_64);
}
