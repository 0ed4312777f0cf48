/* SPDX-License-Identifier: MIT */
/*
 * Syscall tables: name <-> number for every architecture of <sck/arch.h>, as the kernel's ABI
 * numbers them (x32 numbers include 0x40000000, mips o32/n64/n32 their 4000/5000/6000 base).
 * Tables are static, generated at build time from src/syscalls/syscalls.csv; every pointer
 * returned lives forever. All functions are thread-safe.
 */
#ifndef SCK_SYSCALLS_H
#define SCK_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sck/arch.h"

#ifndef SCK_API
#define SCK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* One entry of a table. */
struct sck_syscall {
	const char *name;
	int nr;
};

/*
 * sck_syscall_nr - the number of syscall @name on @arch.
 * Returns the number (>= 0), -EINVAL for a NULL argument, -ENOENT when @arch has no such
 * syscall (whether the name is unknown everywhere or only absent on @arch).
 */
SCK_API int sck_syscall_nr(const struct sck_arch *arch, const char *name);

/*
 * sck_syscall_name - the name of syscall number @nr on @arch (x32: with 0x40000000 set).
 * Returns a static string, or NULL when @arch is NULL or has no syscall @nr.
 */
SCK_API const char *sck_syscall_name(const struct sck_arch *arch, int nr);

/* sck_syscall_count - number of syscalls of @arch (0 for NULL). */
SCK_API size_t sck_syscall_count(const struct sck_arch *arch);

/*
 * sck_syscall_at - entry @index of @arch's table, ordered by number; NULL past the end or for
 * a NULL @arch.
 */
SCK_API const struct sck_syscall *sck_syscall_at(const struct sck_arch *arch, size_t index);

/*
 * sck_syscall_max - the largest syscall number of @arch (x32: with 0x40000000 set).
 * Returns it, or -EINVAL for a NULL @arch.
 */
SCK_API int sck_syscall_max(const struct sck_arch *arch);

#ifdef __cplusplus
}
#endif

#endif /* SCK_SYSCALLS_H */
