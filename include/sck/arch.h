/* SPDX-License-Identifier: MIT */
/*
 * Architectures sck knows: one static table holding, for every Linux ABI that seccomp can see, its
 * names (Go's GOARCH, the kernel's `uname -m`, libseccomp/OCI), its audit arch token, its word size
 * and byte order. Every lookup returns a const pointer into that table, valid for the life of the
 * process; nothing here allocates or fails in any other way.
 */
#ifndef SCK_ARCH_H
#define SCK_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef SCK_API
#define SCK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Stable identifiers of the table's entries; values are ABI and never reused. */
enum sck_arch_id {
	SCK_ARCH_UNKNOWN = 0,
	SCK_ARCH_X86_64 = 1,
	SCK_ARCH_X86 = 2,
	SCK_ARCH_X32 = 3,
	SCK_ARCH_ARM = 4,
	SCK_ARCH_ARMEB = 5,
	SCK_ARCH_AARCH64 = 6,
	SCK_ARCH_AARCH64BE = 7,
	SCK_ARCH_LOONGARCH64 = 8,
	SCK_ARCH_MIPS = 9,
	SCK_ARCH_MIPSEL = 10,
	SCK_ARCH_MIPS64 = 11,
	SCK_ARCH_MIPSEL64 = 12,
	SCK_ARCH_MIPS64N32 = 13,
	SCK_ARCH_MIPSEL64N32 = 14,
	SCK_ARCH_PPC = 15,
	SCK_ARCH_PPC64 = 16,
	SCK_ARCH_PPC64LE = 17,
	SCK_ARCH_RISCV32 = 18,
	SCK_ARCH_RISCV64 = 19,
	SCK_ARCH_S390 = 20,
	SCK_ARCH_S390X = 21,
	SCK_ARCH_SPARC = 22,
	SCK_ARCH_SPARC64 = 23,
};

struct sck_syscall_table; /* see <sck/syscalls.h> */

/*
 * One architecture (strictly: one syscall ABI). Read-only; obtained only from the lookups below.
 * Fields are only ever appended.
 *
 * @id:            stable identifier.
 * @name:          canonical name, the kernel's `uname -m` style ("x86_64", "aarch64", "mips64n32").
 * @audit_arch:    the AUDIT_ARCH_* value the kernel puts in seccomp_data.arch. x32 shares
 *                 x86_64's value; its syscall numbers carry @nr_base instead.
 * @nr_base:       what the kernel's syscall numbers of this ABI start from: 0x40000000 for x32
 *                 (the __X32_SYSCALL_BIT), 4000/5000/6000 for mips o32/n64/n32, else 0.
 * @bits:          64 when the audit arch has __AUDIT_ARCH_64BIT (the kernel fills seccomp_data
 *                 from 64-bit registers, x32 and mips n32 included), else 32.
 * @little_endian: byte order of the ABI, which decides where the low word of a 64-bit
 *                 seccomp_data field sits.
 * @aliases:       every name that resolves to this entry, NULL-terminated.
 * @syscalls:      the syscall table of this ABI (see <sck/syscalls.h>), NULL while unknown.
 */
struct sck_arch {
	enum sck_arch_id id;
	const char *name;
	uint32_t audit_arch;
	uint32_t nr_base;
	unsigned int bits;
	bool little_endian;
	const char *const *aliases;
	const struct sck_syscall_table *syscalls;
};

/*
 * sck_arch_from_name - look an architecture up by any of its names.
 * @name: a GOARCH name ("amd64", "386", "mips64p32le" ...), a `uname -m` name ("x86_64", "i686",
 *        "aarch64" ...), a libseccomp/OCI name ("x86", "x32", "SCMP_ARCH_X86_64" ...), or "native"
 *        for the architecture this library was built for. Case-sensitive.
 * Returns a pointer into the static table, or NULL when @name is NULL or unknown.
 * Thread-safe.
 */
SCK_API const struct sck_arch *sck_arch_from_name(const char *name);

/*
 * sck_arch_from_audit - look an architecture up by its AUDIT_ARCH_* value.
 * AUDIT_ARCH_X86_64 gives x86_64 (x32 shares the value; tell them apart by the syscall number's
 * 0x40000000 bit). Returns NULL for a value no entry has. Thread-safe.
 */
SCK_API const struct sck_arch *sck_arch_from_audit(uint32_t audit_arch);

/*
 * sck_arch_from_id - the entry with identifier @id, or NULL for SCK_ARCH_UNKNOWN or a value
 * this build does not know. Thread-safe.
 */
SCK_API const struct sck_arch *sck_arch_from_id(enum sck_arch_id id);

/*
 * sck_arch_native - the architecture this library was compiled for (x32 when built with
 * -mx32). Never NULL on the architectures of the table; NULL on any other. Thread-safe.
 */
SCK_API const struct sck_arch *sck_arch_native(void);

/* sck_arch_count - number of entries in the table (for iteration with sck_arch_at). */
SCK_API size_t sck_arch_count(void);

/* sck_arch_at - entry @index of the table, in id order, or NULL past the end. Thread-safe. */
SCK_API const struct sck_arch *sck_arch_at(size_t index);

#ifdef __cplusplus
}
#endif

#endif /* SCK_ARCH_H */
