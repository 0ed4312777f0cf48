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
 * @arch: any entry of <sck/arch.h>; entries that share a numbering (armeb and arm, aarch64_be and
 *        aarch64, mipsel and mips, ppc64le and ppc64 ...) share a table.
 * @name: the kernel's name of the syscall ("openat", "_llseek", "arm_fadvise64_64" ...).
 * Returns the number (>= 0), -EINVAL for a NULL argument, -ENOENT when @arch has no such
 * syscall (whether the name is unknown everywhere or only absent on @arch). A call that @arch
 * reaches only through socketcall(2) or ipc(2) is -ENOENT here: see sck_syscall_mux().
 * Constant time (a precomputed hash). Thread-safe.
 */
SCK_API int sck_syscall_nr(const struct sck_arch *arch, const char *name);

/*
 * sck_syscall_name - the name of syscall number @nr on @arch (x32: with 0x40000000 set).
 * Returns a static string, or NULL when @arch is NULL or has no syscall @nr. Where the kernel
 * gives one number two names (arm 341: arm_sync_file_range and sync_file_range2), the first in
 * strcmp order. Thread-safe.
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

/*
 * Multiplexers. On several ABIs the socket and SysV IPC calls are also reachable through one
 * entry point that takes the call as its first argument: socketcall(2) (x86, mips o32, ppc,
 * ppc64, s390, s390x, sparc, sparc64) and ipc(2) (the same list). Most of those ABIs also have
 * the direct syscalls (x86 and s390 since Linux 4.3), so a filter that means to cover "socket"
 * must match both the direct number and socketcall with args[0] == SYS_SOCKET.
 */
enum sck_syscall_mux_kind {
	SCK_SYSCALL_MUX_SOCKETCALL = 1, /* socketcall(call, args): call is SYS_* of <linux/net.h> */
	SCK_SYSCALL_MUX_IPC = 2,	/* ipc(call, ...): call is SEMOP ... of <linux/ipc.h> */
};

/*
 * One way to reach a call through a multiplexer.
 * @kind:      which multiplexer.
 * @nr:        the multiplexer's syscall number on the arch (x86 socketcall: 102).
 * @call:      the sub-call number the kernel expects in args[0] (SYS_SOCKET is 1, SEMOP is 1).
 * @call_mask: the bits of args[0] the kernel decodes as the call. The kernel reads args[0] as a
 *             32-bit value on every ABI; ipc(2) further keeps only the low 16 bits and takes the
 *             high 16 as an interface version (msgrcv and shmat use it), so a filter compares
 *             (args[0] & call_mask) == call, and ignores the upper word on 64-bit ABIs.
 */
struct sck_syscall_mux {
	enum sck_syscall_mux_kind kind;
	int nr;
	unsigned int call;
	uint32_t call_mask;
};

/*
 * sck_syscall_mux - how @arch reaches syscall @name through socketcall(2) or ipc(2).
 * @name: a socket call ("socket", "bind", ... "send", "recv", "accept4", "recvmmsg",
 *        "sendmmsg") or a SysV IPC call ("semop", "semget", "semctl", "semtimedop", "msgsnd",
 *        "msgrcv", "msgget", "msgctl", "shmat", "shmdt", "shmget", "shmctl").
 * @out:  filled on success only.
 * Returns 0, -EINVAL for a NULL argument, -ENOENT when @name is not multiplexed on @arch
 * (the arch has no such multiplexer, or @name is not one of its sub-calls). Whether @arch also
 * has a direct syscall for @name is sck_syscall_nr()'s answer. Thread-safe.
 */
SCK_API int sck_syscall_mux(const struct sck_arch *arch, const char *name,
			    struct sck_syscall_mux *out);

/*
 * sck_syscall_mux_name - the name of sub-call @call of multiplexer number @nr on @arch (as a
 * filter or a tracer sees it: @call is args[0], of which only the bits of the call mask count).
 * Returns a static string ("socket", "shmat" ...), or NULL when @arch is NULL, @nr is not a
 * multiplexer of @arch, or @call is not one of its sub-calls. Thread-safe.
 */
SCK_API const char *sck_syscall_mux_name(const struct sck_arch *arch, int nr, uint64_t call);

#ifdef __cplusplus
}
#endif

#endif /* SCK_SYSCALLS_H */
