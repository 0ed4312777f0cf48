/* SPDX-License-Identifier: MIT */
/*
 * Architectures sck knows: one static table holding, for every Linux ABI that seccomp can see, its
 * names (Go's GOARCH, the kernel's `uname -m`, libseccomp/OCI), its audit arch token, its word size
 * and byte order, and the facts in which ABIs differ (the x32 bit, 32-bit longs on a 64-bit audit
 * arch, the multiplexers). Every lookup returns a const pointer into that table, valid for the
 * life of the process; nothing here allocates or fails in any other way.
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
	SCK_ARCH_PARISC = 24,
	SCK_ARCH_PARISC64 = 25,
};

struct sck_syscall_table; /* see <sck/syscalls.h> */

/*
 * The bit the kernel's x32 syscall numbers carry (__X32_SYSCALL_BIT, <asm/unistd.h>): x32 runs
 * under x86_64's audit arch, and this bit of seccomp_data.nr is what tells the two ABIs apart.
 */
#define SCK_X32_SYSCALL_BIT 0x40000000u

/* Bits of struct sck_arch's @quirks. Values are ABI. */
enum sck_arch_quirk {
	/* socketcall(2) multiplexes the socket calls (see sck_syscall_mux in <sck/syscalls.h>) */
	SCK_ARCH_Q_SOCKETCALL = 1u << 0,
	/* ipc(2) multiplexes the SysV IPC calls */
	SCK_ARCH_Q_IPC = 1u << 1,
	/*
	 * Syscall number 0 is a multiplexer too: s390's `svc 0` takes the real number in a
	 * register, so a filter that answers "newer than the profile" for large numbers (runc's
	 * -ENOSYS stub) answers the same for 0.
	 */
	SCK_ARCH_Q_NR0_MUX = 1u << 2,
	/*
	 * clone(2) takes the new stack first and the flags second (the kernel's
	 * CONFIG_CLONE_BACKWARDS2, s390): a rule on clone's flags compares args[1], not args[0].
	 */
	SCK_ARCH_Q_CLONE_FLAGS_ARG1 = 1u << 3,
};

/*
 * One architecture (strictly: one syscall ABI). Read-only; obtained only from the lookups below.
 * Fields are only ever appended.
 *
 * @id:            stable identifier.
 * @name:          canonical name, the kernel's `uname -m` style ("x86_64", "aarch64", "mips64n32").
 * @audit_arch:    the AUDIT_ARCH_* value the kernel puts in seccomp_data.arch. x32 shares
 *                 x86_64's value; its syscall numbers carry @nr_base instead.
 * @nr_base:       what the kernel's syscall numbers of this ABI start from: SCK_X32_SYSCALL_BIT
 *                 for x32, 4000/5000/6000 for mips o32/n64/n32, else 0.
 * @bits:          64 when the audit arch has __AUDIT_ARCH_64BIT (the kernel fills seccomp_data
 *                 from 64-bit registers, x32 and mips n32 included), else 32.
 * @little_endian: byte order of the ABI, which decides where the low word of a 64-bit
 *                 seccomp_data field sits.
 * @aliases:       every name that resolves to this entry, NULL-terminated.
 * @syscalls:      the syscall table of this ABI (see <sck/syscalls.h>), NULL while unknown.
 * @nr_select:     among the entries that share @audit_arch, the bits of a syscall number that tell
 *                 their ABIs apart: SCK_X32_SYSCALL_BIT for x86_64 (clear in its @nr_base) and
 *                 x32 (set); 0 for an entry that has its audit arch to itself. See
 *                 sck_arch_from_audit_nr.
 * @long_bits:     width of the ABI's C long and pointers: 32 on the 32-bit arches and on x32 and
 *                 mips n32 (ILP32 ABIs under a 64-bit audit arch, whose arguments the kernel
 *                 still hands seccomp as 64-bit registers), else 64.
 * @quirks:        SCK_ARCH_Q_* bits.
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
	uint32_t nr_select;
	uint16_t long_bits;
	uint16_t quirks; /* (16 bits: the struct keeps its padding) */
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
 * AUDIT_ARCH_X86_64 gives x86_64 (x32 shares the value; sck_arch_from_audit_nr tells them apart
 * by the syscall number). Returns NULL for a value no entry has. Thread-safe.
 */
SCK_API const struct sck_arch *sck_arch_from_audit(uint32_t audit_arch);

/*
 * sck_arch_from_audit_nr - the ABI of a call as seccomp sees it: @audit_arch is
 * seccomp_data.arch, @nr seccomp_data.nr. Under AUDIT_ARCH_X86_64 a number with
 * SCK_X32_SYSCALL_BIT set is an x32 call, any other an x86_64 one (as the kernel's
 * in_x32_syscall() decides); every other audit arch has one entry, whatever @nr.
 * Returns a pointer into the static table, or NULL for an audit arch no entry has.
 * Thread-safe.
 */
SCK_API const struct sck_arch *sck_arch_from_audit_nr(uint32_t audit_arch, uint32_t nr);

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
