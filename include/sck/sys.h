/* SPDX-License-Identifier: MIT */
/*
 * The seed: sck's C form of the Go package goseccomp/lowlevel. Kernel constants under their
 * kernel names (defined here when the build machine's <linux/seccomp.h> is older), thin views of
 * the architecture table, the seccomp_data field loader, and one wrapper per kernel operation:
 * no_new_privs, action availability, filter install (every flag), strict mode, notification sizes.
 *
 * Every fallible function returns >= 0 on success or a negative errno; errno is never the only
 * signal. Functions that install a filter change the calling thread for good: a filter cannot be
 * removed.
 */
#ifndef SCK_SYS_H
#define SCK_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef SCK_API
#define SCK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* seccomp(2) operations. */
#ifndef SECCOMP_SET_MODE_STRICT
#define SECCOMP_SET_MODE_STRICT 0
#endif
#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2 /* Linux 4.14 */
#endif
#ifndef SECCOMP_GET_NOTIF_SIZES
#define SECCOMP_GET_NOTIF_SIZES 3 /* Linux 5.0 */
#endif

/* Modes, as /proc/PID/status "Seccomp:" reports them. */
#ifndef SECCOMP_MODE_DISABLED
#define SECCOMP_MODE_DISABLED 0
#endif
#ifndef SECCOMP_MODE_STRICT
#define SECCOMP_MODE_STRICT 1
#endif
#ifndef SECCOMP_MODE_FILTER
#define SECCOMP_MODE_FILTER 2
#endif

/* Filter return actions, most restrictive first. */
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U /* Linux 4.14 */
#endif
#ifndef SECCOMP_RET_KILL_THREAD
#define SECCOMP_RET_KILL_THREAD 0x00000000U
#endif
#ifndef SECCOMP_RET_KILL
#define SECCOMP_RET_KILL SECCOMP_RET_KILL_THREAD
#endif
#ifndef SECCOMP_RET_TRAP
#define SECCOMP_RET_TRAP 0x00030000U
#endif
#ifndef SECCOMP_RET_ERRNO
#define SECCOMP_RET_ERRNO 0x00050000U
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U /* Linux 5.0 */
#endif
#ifndef SECCOMP_RET_TRACE
#define SECCOMP_RET_TRACE 0x7ff00000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG 0x7ffc0000U /* Linux 4.14 */
#endif
#ifndef SECCOMP_RET_ALLOW
#define SECCOMP_RET_ALLOW 0x7fff0000U
#endif
#ifndef SECCOMP_RET_ACTION_FULL
#define SECCOMP_RET_ACTION_FULL 0xffff0000U
#endif
#ifndef SECCOMP_RET_ACTION
#define SECCOMP_RET_ACTION 0x7fff0000U
#endif
#ifndef SECCOMP_RET_DATA
#define SECCOMP_RET_DATA 0x0000ffffU
#endif

/* Flags of SECCOMP_SET_MODE_FILTER. */
#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1) /* Linux 4.14 */
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2) /* Linux 4.17 */
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3) /* Linux 5.0 */
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4) /* Linux 5.7 */
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5) /* Linux 6.0 */
#endif

/* Every filter flag this build knows. */
#define SCK_FILTER_FLAGS_ALL                                                                       \
	(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |    \
	 SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |                      \
	 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

/*
 * Where text input (a profile, assembler source, a CLI spec) went wrong: 1-based line and column
 * (0 when not applicable) and a one-line message. Optional, caller-owned, filled on failure.
 */
struct sck_diag {
	unsigned int line, col;
	char msg[160];
};

/*
 * Extensible option structs all start with `size_t sz`. Declare one with
 *     SCK_OPTS(sck_x_opts, o, .field = v);
 * which zeroes the whole struct (padding included) and sets sz; pass &o. NULL means defaults.
 * A library built later reads fields past sz as zero; one built earlier refuses non-zero bytes it
 * does not know with -E2BIG.
 */
#define SCK_OPTS(type, name, ...)                                                                  \
	struct type name;                                                                          \
	do {                                                                                       \
		__builtin_memset(&(name), 0, sizeof(name));                                        \
		(name) = (struct type){.sz = sizeof(struct type), __VA_ARGS__};                    \
	} while (0)

/* The kernel's limit on a classic BPF program (BPF_MAXINSNS). */
#define SCK_BPF_MAXINSNS 4096

/*
 * The largest errno a syscall can return (MAX_ERRNO, <linux/err.h>): only -4095..-1 read as
 * errors. The kernel caps SECCOMP_RET_ERRNO's data at it, and a notification answer's error
 * must not exceed it.
 */
#define SCK_ERRNO_MAX 4095

/*
 * sck_arch_is_64bit - whether the kernel treats @arch as a 64-bit ABI (its audit arch carries
 * __AUDIT_ARCH_64BIT; x32 and mips n32 do, their registers being 64 bits wide).
 * @arch: any name sck_arch_from_name() accepts. NULL or unknown: false. Thread-safe.
 */
SCK_API bool sck_arch_is_64bit(const char *arch);

/*
 * sck_arch_is_little_endian - whether @arch is little-endian.
 * @arch: any name sck_arch_from_name() accepts. NULL or unknown: false. Thread-safe.
 */
SCK_API bool sck_arch_is_little_endian(const char *arch);

/*
 * sck_audit_arch - the AUDIT_ARCH_* value seccomp_data.arch holds for @arch.
 * @arch: any name sck_arch_from_name() accepts. Returns 0 when @arch is NULL or unknown.
 * Thread-safe.
 */
SCK_API uint32_t sck_audit_arch(const char *arch);

/*
 * sck_load_data_field - the instruction that loads one 32-bit word of struct seccomp_data into
 * the accumulator: BPF_LD|BPF_W|BPF_ABS with the field's offset.
 * @field:     "Number", "Arch", "InstructionPointer", "Arg0" .. "Arg5" (the seed's names) or
 *             "nr", "arch", "instruction_pointer", "args[0]" .. "args[5]" (the kernel's).
 * @high_word: load the upper 32 bits of a 64-bit field (instruction_pointer, args) instead of the
 *             lower, placed according to @arch's byte order. Ignored for nr and arch.
 * @arch:      any name sck_arch_from_name() accepts.
 * @out:       receives the instruction on success; untouched on failure.
 * Returns 0, or -EINVAL when @field or @arch is NULL or unknown or @out is NULL. Thread-safe.
 */
SCK_API int sck_load_data_field(const char *field, bool high_word, const char *arch,
				struct sock_filter *out);

/*
 * sck_no_new_privs - set the calling thread's no_new_privs bit (PR_SET_NO_NEW_PRIVS), which lets
 * a process without CAP_SYS_ADMIN install filters. It cannot be unset, and children inherit it.
 * Returns 0, or the kernel's -errno (-EINVAL on kernels before 3.5).
 */
SCK_API int sck_no_new_privs(void);

/*
 * sck_action_avail - whether the running kernel knows the return action @action
 * (SECCOMP_GET_ACTION_AVAIL, Linux 4.14; the data bits of @action are ignored by the kernel).
 * Returns false when the kernel says no, or cannot be asked. Thread-safe.
 */
SCK_API bool sck_action_avail(uint32_t action);

/*
 * sck_set_mode_filter - install @prog on top of the calling thread's filter stack
 * (seccomp(SECCOMP_SET_MODE_FILTER), or prctl(PR_SET_SECCOMP) where seccomp(2) is missing and
 * @flags is 0).
 * @prog:  the program; @len its length in instructions, 1 .. SCK_BPF_MAXINSNS.
 * @flags: any combination of SECCOMP_FILTER_FLAG_*.
 * Returns the listener fd (O_CLOEXEC, owned by the caller) when @flags has
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, else 0. Errors, with nothing installed:
 *   -EINVAL  @prog NULL, @len 0 or above SCK_BPF_MAXINSNS, unknown @flags bits (all checked
 *            before the kernel is called); or the kernel refused the program or flag combination
 *   -EACCES  no no_new_privs and no CAP_SYS_ADMIN
 *   -ESRCH   TSYNC could not synchronise another thread (the kernel's thread-id answer, or
 *            TSYNC_ESRCH)
 *   -EBUSY   NEW_LISTENER while another filter in the stack already has a listener
 *   -ENOMEM, -EFAULT, -ENOSYS and any other -errno the kernel gives, unchanged.
 * Async-signal-safe.
 */
SCK_API int sck_set_mode_filter(const struct sock_filter *prog, size_t len, unsigned int flags);

/*
 * sck_set_mode_strict - put the calling thread in strict mode: from then on only read, write,
 * _exit and sigreturn are allowed; anything else kills it with SIGKILL.
 * Returns 0, or the kernel's -errno (-EINVAL when already in filter mode).
 */
SCK_API int sck_set_mode_strict(void);

/*
 * sck_filter_flag_avail - whether the running kernel knows filter flag @flag (one
 * SECCOMP_FILTER_FLAG_* bit, WAIT_KILLABLE_RECV probed together with NEW_LISTENER as the kernel
 * requires). Installs nothing: the kernel checks flags before it reads the program, and sck
 * passes none. Thread-safe.
 */
SCK_API bool sck_filter_flag_avail(unsigned int flag);

/* Sizes of the user-notification structures as the running kernel has them. */
struct sck_notif_sizes {
	uint16_t seccomp_notif;
	uint16_t seccomp_notif_resp;
	uint16_t seccomp_data;
};

/*
 * sck_get_notif_sizes - ask the kernel (SECCOMP_GET_NOTIF_SIZES, Linux 5.0) for the sizes of
 * struct seccomp_notif, seccomp_notif_resp and seccomp_data; allocate from these, not sizeof.
 * @out: receives the sizes on success; untouched on failure.
 * Returns 0, -EINVAL for a NULL @out (or a kernel before 5.0), or the kernel's -errno.
 */
SCK_API int sck_get_notif_sizes(struct sck_notif_sizes *out);

/*
 * sck_seccomp_mode - the seccomp mode (SECCOMP_MODE_*) of process @pid (0: the calling process)
 * and, when @filters is not NULL, the number of filters in its stack, as /proc/PID/status
 * reports them (the count is 0 on kernels before 5.9, which do not report it).
 * Returns the mode, or -errno when /proc cannot be read (-ENOENT: no such process or no
 * procfs; -EINVAL: a negative @pid; -ENODATA: a kernel without the Seccomp line).
 */
SCK_API int sck_seccomp_mode(int pid, unsigned int *filters);

/*
 * sck_action_name - the name of the action part (SECCOMP_RET_ACTION_FULL bits) of filter return
 * value @ret: "KILL_PROCESS", "KILL_THREAD", "TRAP", "ERRNO", "USER_NOTIF", "TRACE", "LOG" or
 * "ALLOW". Returns a pointer to a static string, or NULL for an action the kernel does not define
 * (which the kernel treats as KILL_PROCESS). Thread-safe.
 */
SCK_API const char *sck_action_name(uint32_t ret);

/*
 * sck_action_format - write filter return value @ret as text: "ALLOW", "LOG", "KILL_PROCESS",
 * "KILL_THREAD", "USER_NOTIF", or with its data "ERRNO(1)", "TRAP(N)", "TRACE(N)" (decimal); an
 * undefined action as "UNKNOWN(0xXXXXXXXX)".
 * @buf: receives the NUL-terminated text; @cap: its size in bytes.
 * Returns the length written (without the NUL), -EINVAL for a NULL @buf, or -ERANGE when @cap is
 * too small (nothing useful written). Thread-safe.
 */
SCK_API int sck_action_format(uint32_t ret, char *buf, size_t cap);

/*
 * sck_dump_filter_alloc - copy filter @index of process @pid's stack
 * (PTRACE_SECCOMP_GET_FILTER). Index 0 is the OLDEST filter, the first installed, and the
 * newest has the highest index: that is what the kernel does (get_nth_filter() counts back from
 * the newest), whatever ptrace(2) says. The caller must have CAP_SYS_ADMIN, be able to
 * ptrace-attach @pid and not be under seccomp itself; @pid is seized (PTRACE_SEIZE), stopped
 * with PTRACE_INTERRUPT, read and detached, and then runs on as before. If @pid is a child of
 * the caller that dies meanwhile, this call reaps it.
 * @prog receives a malloc'd array the caller frees, @len its length; both untouched on failure.
 * Returns 0; -ENOENT past the last filter; -ESRCH no such process (or it died meanwhile);
 * -EPERM/-EACCES without the privilege (or when the caller has a seccomp filter itself);
 * -EINVAL (NULL argument, pid <= 0 or the calling process); -EMEDIUMTYPE when @pid is not in
 * filter mode; -ENOMEM; -EIO when the kernel reports an impossible length; other -errno from
 * ptrace unchanged. Not thread-safe with respect to other tracers of @pid. Linux 4.4.
 */
SCK_API int sck_dump_filter_alloc(int pid, unsigned int index, struct sock_filter **prog,
				  size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* SCK_SYS_H */
