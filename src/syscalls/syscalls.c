// SPDX-License-Identifier: MIT
/*
 * Syscall lookups over the generated tables (see src/syscalls_int.h): name -> number through the
 * shared name hash and the ABI's number column, number -> name by binary search of the ABI's
 * entries sorted by number, and the socketcall(2) / ipc(2) sub-call numbers, which are the same
 * on every ABI that has the multiplexers (<linux/net.h> SYS_*, <linux/ipc.h> call numbers).
 */
#include <errno.h>
#include <string.h>

#include "sck/syscalls.h"
#include "syscalls_int.h"

static const struct sck_syscall_table *table_of(const struct sck_arch *arch)
{
	return arch ? arch->syscalls : NULL;
}

int sck_syscall_name_index(const char *name)
{
	uint32_t h;

	if (!name)
		return -1;
	h = sck_syscall_hash(name, strlen(name), sck_syscall_hash_seed) & sck_syscall_hash_mask;
	for (;;) {
		unsigned int slot = sck_syscall_hash_slots[h];

		if (slot == 0)
			return -1;
		if (strcmp(sck_syscall_names[slot - 1], name) == 0)
			return (int)slot - 1;
		h = (h + 1) & sck_syscall_hash_mask;
	}
}

int sck_syscall_nr(const struct sck_arch *arch, const char *name)
{
	const struct sck_syscall_table *t = table_of(arch);
	int i;

	if (!arch || !name)
		return -EINVAL;
	if (!t)
		return -ENOENT;
	i = sck_syscall_name_index(name);
	if (i < 0 || t->nr_of[i] == SCK_SYSCALL_ABSENT)
		return -ENOENT;
	return t->nr_of[i];
}

/*
 * The position in @t->by_nr of the first entry numbered @nr (with two names for one number, the
 * first in order), or -1. Most numberings are dense from 0: entry @nr is tried first.
 */
static long by_nr_pos(const struct sck_syscall_table *t, int nr)
{
	size_t lo = 0, hi;

	if (!t || nr < 0)
		return -1;
	if ((size_t)nr < t->count && t->by_nr[nr].nr == nr && (nr == 0 || t->by_nr[nr - 1].nr < nr))
		return nr;
	hi = t->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->by_nr[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->count && t->by_nr[lo].nr == nr ? (long)lo : -1;
}

const char *sck_syscall_name(const struct sck_arch *arch, int nr)
{
	const struct sck_syscall_table *t = table_of(arch);
	long i = by_nr_pos(t, nr);

	return i < 0 ? NULL : t->by_nr[i].name;
}

/* (declared in syscalls_int.h) */
int sck_syscall_name_index_of_nr(const struct sck_arch *arch, int nr)
{
	const struct sck_syscall_table *t = table_of(arch);
	long i = by_nr_pos(t, nr);

	return i < 0 ? -1 : t->idx[i];
}

size_t sck_syscall_count(const struct sck_arch *arch)
{
	const struct sck_syscall_table *t = table_of(arch);

	return t ? t->count : 0;
}

const struct sck_syscall *sck_syscall_at(const struct sck_arch *arch, size_t index)
{
	const struct sck_syscall_table *t = table_of(arch);

	return t && index < t->count ? &t->by_nr[index] : NULL;
}

int sck_syscall_max(const struct sck_arch *arch)
{
	const struct sck_syscall_table *t = table_of(arch);

	if (!arch)
		return -EINVAL;
	return t ? t->max : -ENOENT;
}

/* Sub-calls: index is the call number; NULL where the kernel has none. */
static const char *const socketcalls[] = {
	NULL,	       "socket",     "bind",	"connect", "listen",  "accept",	  "getsockname",
	"getpeername", "socketpair", "send",	"recv",	   "sendto",  "recvfrom", "shutdown",
	"setsockopt",  "getsockopt", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg",
};

static const char *const ipccalls[25] = {
	[1] = "semop",	 [2] = "semget",  [3] = "semctl",  [4] = "semtimedop",
	[11] = "msgsnd", [12] = "msgrcv", [13] = "msgget", [14] = "msgctl",
	[21] = "shmat",	 [22] = "shmdt",  [23] = "shmget", [24] = "shmctl",
};

struct mux_desc {
	enum sck_syscall_mux_kind kind;
	unsigned int quirk; /* the SCK_ARCH_Q_* bit of the arches that have it */
	const char *entry;  /* the multiplexer's own syscall name */
	const char *const *calls;
	size_t ncalls;
	uint32_t mask;
};

static const struct mux_desc muxes[] = {
	{SCK_SYSCALL_MUX_SOCKETCALL, SCK_ARCH_Q_SOCKETCALL, "socketcall", socketcalls,
	 sizeof(socketcalls) / sizeof(socketcalls[0]), 0xffffffffu},
	{SCK_SYSCALL_MUX_IPC, SCK_ARCH_Q_IPC, "ipc", ipccalls,
	 sizeof(ipccalls) / sizeof(ipccalls[0]), 0xffffu},
};

#define NMUXES (sizeof(muxes) / sizeof(muxes[0]))

int sck_syscall_mux(const struct sck_arch *arch, const char *name, struct sck_syscall_mux *out)
{
	if (!arch || !name || !out)
		return -EINVAL;
	/* an arch with neither multiplexer has no sub-call: no name to look for */
	if (!(arch->quirks & (SCK_ARCH_Q_SOCKETCALL | SCK_ARCH_Q_IPC)))
		return -ENOENT;
	for (size_t m = 0; m < NMUXES; m++) {
		for (size_t c = 1; c < muxes[m].ncalls; c++) {
			int nr;

			if (!muxes[m].calls[c] || muxes[m].calls[c][0] != name[0] ||
			    strcmp(muxes[m].calls[c], name) != 0)
				continue;
			if (!(arch->quirks & muxes[m].quirk))
				return -ENOENT;
			nr = sck_syscall_nr(arch, muxes[m].entry);
			if (nr < 0)
				return -ENOENT;
			*out = (struct sck_syscall_mux){
				.kind = muxes[m].kind,
				.nr = nr,
				.call = (unsigned int)c,
				.call_mask = muxes[m].mask,
			};
			return 0;
		}
	}
	return -ENOENT;
}

/* (declared in syscalls_int.h) */
size_t sck_syscall_mux_list(const struct sck_arch *arch, struct sck_syscall_mux_at *out)
{
	size_t n = 0;

	for (size_t m = 0; arch && m < NMUXES; m++) {
		int nr;

		if (!(arch->quirks & muxes[m].quirk))
			continue;
		nr = sck_syscall_nr(arch, muxes[m].entry);
		if (nr < 0)
			continue;
		for (size_t c = 1; c < muxes[m].ncalls && n < SCK_SYSCALL_MUX_CALLS; c++) {
			if (!muxes[m].calls[c])
				continue;
			out[n++] = (struct sck_syscall_mux_at){
				.idx = sck_syscall_name_index(muxes[m].calls[c]),
				.mux = {.kind = muxes[m].kind,
					.nr = nr,
					.call = (unsigned int)c,
					.call_mask = muxes[m].mask},
			};
		}
	}
	return n;
}

const char *sck_syscall_mux_name(const struct sck_arch *arch, int nr, uint64_t call)
{
	if (!arch)
		return NULL;
	for (size_t m = 0; m < NMUXES; m++) {
		uint32_t c = (uint32_t)call & muxes[m].mask;

		if (!(arch->quirks & muxes[m].quirk) ||
		    sck_syscall_nr(arch, muxes[m].entry) != nr || nr < 0)
			continue;
		return c < muxes[m].ncalls ? muxes[m].calls[c] : NULL;
	}
	return NULL;
}
