/* SPDX-License-Identifier: MIT */
/*
 * OCI / Docker seccomp profiles: the reader of the OCI runtime-spec LinuxSeccomp object
 * (defaultAction, defaultErrnoRet, architectures, flags, listenerPath, listenerMetadata,
 * syscalls[] with names, action, errnoRet and args) and of Docker's extensions (archMap, name,
 * comment, includes/excludes with caps, arches and minKernel). A profile becomes a struct
 * sck_filter in OCI mode, whose verdicts equal those of runc + libseccomp for the same profile
 * (docs/semantics.md, "Profiles"). Errors name the place: line and column for malformed JSON,
 * the JSON path (`syscalls[12].args[0].op`) for a semantic error. sck's own default profile
 * (profiles/default.json) is built in. The only part of libsck that needs a library beyond libc
 * (json-c).
 */
#ifndef SCK_PROFILE_H
#define SCK_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sck/arch.h"
#include "sck/filter.h"
#include "sck/sys.h"

#ifndef SCK_API
#define SCK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of struct sck_profile_opts. */
enum {
	/*
	 * A syscall name no arch sck knows is skipped with a warning (through @warn), as runc
	 * does; without it the name is an error.
	 */
	SCK_PROFILE_IGNORE_UNKNOWN = 1u << 0,
	/*
	 * runc's -ENOSYS stub: on each arch of the filter, syscall numbers above the largest one
	 * the profile names return ERRNO(ENOSYS), so that a program probing a syscall newer than
	 * the profile falls back instead of seeing EPERM. Not applied when the default action is
	 * SCMP_ACT_ALLOW or SCMP_ACT_LOG, or when defaultErrnoRet is ENOSYS (as runc).
	 */
	SCK_PROFILE_ENOSYS_NEWER = 1u << 1,
};

/*
 * Options of sck_profile_parse. NULL: every field zero.
 * @arches:    @narches architectures the filter is built for, the first dispatched first.
 *             0: the native arch followed by the profile's own (`architectures`, or the
 *             `archMap` entry of @main_arch with its subArchitectures), as runc adds them to
 *             libseccomp's filter, which always holds the native arch.
 * @main_arch: the arch Docker's `includes.arches`, `excludes.arches` and `archMap` are read
 *             for (Docker's runtime.GOARCH). NULL: @arches[0], or the native arch.
 * @caps:      NULL-terminated capability names ("CAP_SYS_ADMIN") the container has, for
 *             `includes.caps` / `excludes.caps`. NULL: Docker's default set (CAP_CHOWN,
 *             CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
 *             CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
 *             CAP_KILL, CAP_AUDIT_WRITE). An array holding only NULL: no capability.
 * @kernel:    the kernel release `minKernel` compares with ("5.15", "6.1.0-13-amd64").
 *             NULL: the running kernel (uname).
 * @flags:     SCK_PROFILE_* bits.
 * @warn:      called for each warning (a skipped unknown syscall, an ignored key) with a
 *             message naming its JSON path; NULL: warnings are dropped.
 * @warn_arg:  passed to @warn.
 */
struct sck_profile_opts {
	size_t sz;
	const struct sck_arch *const *arches;
	size_t narches;
	const struct sck_arch *main_arch;
	const char *const *caps;
	const char *kernel;
	unsigned int flags;
	void (*warn)(void *warn_arg, const char *msg);
	void *warn_arg;
};

/*
 * What a profile says besides its rules.
 * @sz:                set by the caller to sizeof(struct sck_profile_info).
 * @load_flags:        the `flags` array as SECCOMP_FILTER_FLAG_* bits, for
 *                     sck_filter_prog_load.
 * @default_action:    the filter's default action (the full SECCOMP_RET_* value).
 * @narches:           architectures of the filter.
 * @rules:             rules added to the filter (after Docker's includes/excludes, runc's
 *                     expansion of repeated argument indexes and its dropping of rules with
 *                     the default action; one per arch where x32/n32 need their own).
 * @listener_path:     `listenerPath` ("" when absent).
 * @listener_metadata: `listenerMetadata` ("" when absent).
 */
struct sck_profile_info {
	size_t sz;
	unsigned int load_flags;
	uint32_t default_action;
	size_t narches;
	size_t rules;
	char listener_path[108];
	char listener_metadata[1024];
};

/*
 * sck_profile_parse - read an OCI / Docker seccomp profile and build the filter it describes.
 * @json:  the profile text (need not be NUL-terminated); @len its length. An OCI runtime
 *         config.json (a top-level object with "ociVersion" and "linux" and no
 *         "defaultAction") is read for its linux.seccomp section; JSON paths in messages then
 *         start with "linux.seccomp.", and a config without that section is -EINVAL.
 * @opts:  NULL for defaults.
 * @out:   receives a new filter (SCK_FILTER_OCI) the caller frees with sck_filter_free.
 * @info:  optional; filled on success.
 * @diag:  optional; on failure receives the place: line and column of malformed JSON, or
 *         (line and column 0) a message that starts with the JSON path of the faulty value.
 * Returns 0; -EINVAL (NULL argument, bad opts, malformed JSON, a wrong type or value: unknown
 * action, operator, arch or flag, an index above 5, a value that is not an unsigned 64-bit
 * integer, an errnoRet above 4095, conflicting rules as libseccomp refuses them); -ENOENT (a
 * syscall name no arch knows, without SCK_PROFILE_IGNORE_UNKNOWN); -EDOM (an arch sck has no
 * syscall table for, or arches of both byte orders, which runc refuses too); -E2BIG (opts
 * tail, or more than 32 arches); -ENOMEM. Thread-safe (no shared state).
 */
SCK_API int sck_profile_parse(const char *json, size_t len, const struct sck_profile_opts *opts,
			      struct sck_filter **out, struct sck_profile_info *info,
			      struct sck_diag *diag);

/*
 * sck_profile_parse_file - sck_profile_parse on the contents of the file @path.
 * Returns as sck_profile_parse, plus what open/read return (-ENOENT, -EACCES, -EISDIR ...) and
 * -EFBIG for a file above 64 MiB; @diag's message then names the file.
 */
SCK_API int sck_profile_parse_file(const char *path, const struct sck_profile_opts *opts,
				   struct sck_filter **out, struct sck_profile_info *info,
				   struct sck_diag *diag);

/*
 * sck_profile_builtin - sck's built-in default profile (profiles/default.json, embedded at build
 * time): a container-style allow-list whose default is ERRNO(EPERM), denying module loading,
 * kexec, reboot, mounts, namespace changes, bpf, perf_event_open, keyrings, ptrace and the
 * like. Returns the JSON text (static, NUL-terminated); @len (optional) receives its length.
 */
SCK_API const char *sck_profile_builtin(size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* SCK_PROFILE_H */
