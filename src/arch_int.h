/* SPDX-License-Identifier: MIT */
/*
 * What the library asks the architecture table (src/arch.c) beyond the public lookups: whether a
 * name is one of an arch's own names, without searching the whole table.
 */
#ifndef SCK_ARCH_INT_H
#define SCK_ARCH_INT_H

#include <stdbool.h>

#include "sck/arch.h"

/*
 * Whether sck_arch_from_name(@name) is @arch (not NULL), @name not NULL: "native" for the native
 * arch, else one of @arch's aliases (no alias names two arches: test_arch_names checks the
 * table).
 */
bool sck_arch_named(const struct sck_arch *arch, const char *name);

#endif /* SCK_ARCH_INT_H */
