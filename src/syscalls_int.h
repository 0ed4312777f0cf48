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
 * The name hash: slot (sck_syscall_hash_str(name, seed) & mask) holds 1 + the name's index, 0
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

/* FNV-1a over the bytes of @s, started from @seed, with a final avalanche step. */
static inline uint32_t sck_syscall_hash_str(const char *s, uint32_t seed)
{
	uint32_t h = 2166136261u ^ seed;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x45d9f3bu;
	h ^= h >> 16;
	return h;
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
