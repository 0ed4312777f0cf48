/* SPDX-License-Identifier: MIT */
/*
 * Internal layout of the syscall tables. The data is generated at build time from
 * src/syscalls/syscalls.csv by tools/gen-syscall-tables.c into $(BUILD)/gen/syscalls_tab.c; the
 * lookups live in src/syscalls/syscalls.c. One global, sorted list of names is shared by every
 * ABI; a precomputed open-addressing hash maps a name to its index in that list, and each ABI has
 * a column of numbers indexed by name plus its entries sorted by number.
 */
#ifndef SCK_SYSCALLS_INT_H
#define SCK_SYSCALLS_INT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "sck/syscalls.h"

/* A cell of an ABI's number column where the ABI has no such syscall. */
#define SCK_SYSCALL_ABSENT (-1)

struct sck_syscall_table {
	const char *abi;		 /* the CSV column: "x86_64", "mips64n32" ... */
	const struct sck_syscall *by_nr; /* ordered by number, then name */
	const int32_t *nr_of;		 /* indexed like sck_syscall_names; SCK_SYSCALL_ABSENT */
	uint32_t count;			 /* entries in by_nr */
	int32_t max;			 /* largest number */
	const uint16_t *idx; /* indexed like by_nr: the name's index in sck_syscall_names */
};

/* Every name of every ABI, sorted (strcmp order). */
extern const char *const sck_syscall_names[];
extern const uint32_t sck_syscall_name_count;

/*
 * The name hash: slot (sck_syscall_hash(name, length, seed) & mask) holds 1 + the name's index, 0
 * for an empty slot; collisions continue in the next slot (linear probing). The generator picks
 * the seed that minimises the longest probe sequence.
 */
extern const uint16_t sck_syscall_hash_slots[];
extern const uint32_t sck_syscall_hash_mask;
extern const uint32_t sck_syscall_hash_seed;

/* One table per distinct numbering (CSV column). */
extern const struct sck_syscall_table sck_syscalls_x86_64, sck_syscalls_x86, sck_syscalls_x32,
	sck_syscalls_arm, sck_syscalls_aarch64, sck_syscalls_loongarch64, sck_syscalls_mips,
	sck_syscalls_mips64, sck_syscalls_mips64n32, sck_syscalls_ppc, sck_syscalls_ppc64,
	sck_syscalls_riscv32, sck_syscalls_riscv64, sck_syscalls_s390, sck_syscalls_s390x,
	sck_syscalls_sparc, sck_syscalls_sparc64, sck_syscalls_parisc, sck_syscalls_parisc64;

/* @p[0..7] as a little-endian number on any machine (one load where the machine is). */
static inline uint64_t sck_syscall_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

static inline uint64_t sck_syscall_le32(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

/*
 * The name hash of the @n bytes at @s, started from @seed: eight bytes at a time, the last one to
 * eight read as two overlapping halves (or three bytes), the length mixed in first so that the
 * overlap cannot make two names alike. The same on every machine: the generator may run on
 * another one.
 */
static inline uint32_t sck_syscall_hash(const char *s, size_t n, uint32_t seed)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t h = ((uint64_t)seed << 32 | n) * 0x9e3779b97f4a7c15u, w = 0;

	for (; n > 8; p += 8, n -= 8)
		h = (h ^ sck_syscall_le64(p)) * 0xff51afd7ed558ccdu;
	if (n >= 4)
		w = sck_syscall_le32(p) | sck_syscall_le32(p + n - 4) << 32;
	else if (n > 0)
		w = (uint64_t)p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	h = (h ^ h >> 32) * 0x9e3779b97f4a7c15u; /* every bit of h into the low ones */
	return (uint32_t)(h ^ h >> 32);
}

/* sck_syscall_hash of the string @s. */
static inline uint32_t sck_syscall_hash_str(const char *s, uint32_t seed)
{
	size_t n = 0;

	while (s[n])
		n++;
	return sck_syscall_hash(s, n, seed);
}

/* Index of @name in sck_syscall_names, or -1 (a name resolved once, then looked up per arch). */
int sck_syscall_name_index(const char *name);

/*
 * The index in sck_syscall_names of sck_syscall_name(@arch, @nr), or -1 (no such number): a
 * number resolved to its name's index without hashing the name.
 */
int sck_syscall_name_index_of_nr(const struct sck_arch *arch, int nr);

/* Sub-calls that socketcall(2) and ipc(2) multiplex, all ABIs together. */
#define SCK_SYSCALL_MUX_CALLS 32

/* One sub-call an ABI multiplexes: its name's index in sck_syscall_names (-1: none) and how. */
struct sck_syscall_mux_at {
	int idx;
	struct sck_syscall_mux mux;
};

/*
 * Every sub-call @arch reaches through a multiplexer (what sck_syscall_mux gives for its name),
 * into @out (room for SCK_SYSCALL_MUX_CALLS): the compiler looks rules up by name index instead
 * of by name. Returns how many.
 */
size_t sck_syscall_mux_list(const struct sck_arch *arch, struct sck_syscall_mux_at *out);

/* sck_syscall_nr(@arch, sck_syscall_names[@idx]) without hashing the name again; @idx < 0 too. */
static inline int sck_syscall_nr_at(const struct sck_arch *arch, int idx)
{
	const struct sck_syscall_table *t = arch ? arch->syscalls : NULL;

	if (!t || idx < 0 || t->nr_of[idx] == SCK_SYSCALL_ABSENT)
		return -ENOENT;
	return t->nr_of[idx];
}

#endif /* SCK_SYSCALLS_INT_H */
