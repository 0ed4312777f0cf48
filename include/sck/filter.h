/* SPDX-License-Identifier: MIT */
/*
 * The filter compiler: a rule model (default action, bad-arch action, a set of architectures and
 * an ordered list of rules, each a syscall, an action and conditions on its arguments) and its
 * compiler to one classic BPF program covering every architecture of the filter. Compiling and
 * loading are separate steps: compile anywhere (before fork), then load the compiled program in
 * the child with one async-signal-safe call. Semantics: docs/semantics.md. Optimization never
 * changes a verdict; a plain linear generator (SCK_COMPILE_LINEAR) is kept as the reference.
 */
#ifndef SCK_FILTER_H
#define SCK_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

#include "sck/arch.h"
#include "sck/sys.h"

#ifndef SCK_API
#define SCK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A filter under construction. Not thread-safe. */
struct sck_filter;

/* A compiled program: immutable, safe to share between threads and across fork. */
struct sck_filter_prog;

/* The most architectures one filter holds (sck_filter_add_arch). */
#define SCK_FILTER_MAX_ARCH 32

/* ---- Rule model ------------------------------------------------------------------------- */

/* Comparison operators of a condition. Values are ABI. */
enum sck_cmp_op {
	SCK_CMP_EQ = 1,	       /* arg == value */
	SCK_CMP_NE = 2,	       /* arg != value */
	SCK_CMP_LT = 3,	       /* arg <  value (unsigned) */
	SCK_CMP_LE = 4,	       /* arg <= value (unsigned) */
	SCK_CMP_GT = 5,	       /* arg >  value (unsigned) */
	SCK_CMP_GE = 6,	       /* arg >= value (unsigned) */
	SCK_CMP_MASKED_EQ = 7, /* (arg & mask) == value */
};

/* Flags of struct sck_cond. */
enum {
	/*
	 * Compare only the low 32 bits of the argument (and of value and mask): for arguments the
	 * kernel declares as int or unsigned int, whose upper half userspace may leave as garbage
	 * or sign-extend. Without it, 64-bit arches compare all 64 bits.
	 */
	SCK_COND_LOW32 = 1u << 0,
};

/*
 * One condition on one argument. On 32-bit arches (i386, arm, mips o32 ...) the kernel hands
 * seccomp zero-extended 32-bit arguments and every condition compares the low 32 bits of the
 * argument with the low 32 bits of @value and @mask (the upper halves are ignored).
 * @arg:   argument index, 0 .. 5.
 * @op:    the comparison.
 * @flags: SCK_COND_* bits.
 * @value: the operand; for SCK_CMP_MASKED_EQ the expected value of (arg & @mask).
 * @mask:  only for SCK_CMP_MASKED_EQ; ignored otherwise.
 */
struct sck_cond {
	unsigned int arg;
	enum sck_cmp_op op;
	unsigned int flags;
	uint64_t value;
	uint64_t mask;
};

/*
 * One rule: when syscall @name (or @nr) is called and every condition holds, return @action.
 * @name:   the syscall's name, resolved on each arch of the filter (an arch that has no such
 *          syscall gets no rule); NULL to use @nr.
 * @nr:     with @name NULL: the syscall number, the same on every arch the rule applies to (x32
 *          numbers carry 0x40000000, mips their 4000/5000/6000 base, as the kernel's do).
 *          Must be >= 0.
 * @arch:   NULL: every arch of the filter; else only that arch (it must be in the filter when
 *          compiling, or the rule is ignored).
 * @action: the full 32-bit filter return value (SECCOMP_RET_ERRNO | 1, SECCOMP_RET_ALLOW ...).
 * @conds:  @nconds conditions, all of which must hold (AND); @nconds 0 matches every call.
 * @flags:  0 (reserved).
 */
struct sck_rule {
	const char *name;
	int nr;
	const struct sck_arch *arch;
	uint32_t action;
	const struct sck_cond *conds;
	size_t nconds;
	unsigned int flags;
};

/* Flags of struct sck_filter_opts. */
enum {
	/*
	 * Resolve rules as runc + libseccomp do for OCI profiles (docs/semantics.md, "OCI mode"):
	 * a rule whose action equals the default action is dropped; for one syscall an
	 * unconditional rule overrides every conditional rule, added before or after it, and
	 * the first unconditional rule wins over later ones; several conditional rules of one
	 * syscall are merged as libseccomp merges them (its rule database, sck_scmp_tree_add)
	 * and its first matching path wins; a masked equality compares only the expected
	 * value's bits inside the mask. Without this flag the first matching rule wins.
	 */
	SCK_FILTER_OCI = 1u << 0,
	/*
	 * Multiplexed calls: do not extend rules on socket(2)-family or SysV IPC syscalls to
	 * socketcall(2) / ipc(2) on the arches that have them (by default they are extended).
	 */
	SCK_FILTER_NO_MULTIPLEX = 1u << 1,
	/*
	 * Allow arches of both byte orders in one filter (x86_64 with s390x ...). One program
	 * has one byte order: a kernel of the other order cannot load it, so the arches of that
	 * order can never run it as compiled. Without this flag sck_filter_add_arch refuses such
	 * an arch with -EDOM, as libseccomp does. For tests and the emulator.
	 */
	SCK_FILTER_MIXED_ENDIAN = 1u << 2,
};

/*
 * Options of sck_filter_new. NULL: every field zero.
 * @default_action:  returned when no rule matches. The zero value is SECCOMP_RET_KILL_THREAD,
 *                   the kernel's own 0; see also @flags.
 * @bad_arch_action: returned for a call whose seccomp_data.arch is none of the filter's arches,
 *                   and for an x32 call (nr with 0x40000000) under a filter that has x86_64
 *                   but not x32 (and the reverse). Zero: SECCOMP_RET_KILL_THREAD.
 * @flags:           SCK_FILTER_* bits.
 */
struct sck_filter_opts {
	size_t sz;
	uint32_t default_action;
	uint32_t bad_arch_action;
	unsigned int flags;
};

/*
 * sck_filter_new - an empty filter (no arches, no rules).
 * Returns 0 and *out; -EINVAL (NULL @out, bad opts size, unknown flags, or a default or bad-arch
 * action the kernel does not define), -E2BIG (opts tail not zero), -ENOMEM.
 */
SCK_API int sck_filter_new(const struct sck_filter_opts *opts, struct sck_filter **out);

/* sck_filter_free - release @f; NULL is a no-op. */
SCK_API void sck_filter_free(struct sck_filter *f);

/*
 * sck_filter_add_arch - add @arch to the filter. The first arch added is dispatched first
 * (make it the native one). A filter without arches compiles for the native arch.
 * Returns 0; -EEXIST (already there); -EINVAL (NULL argument); -EDOM (an arch without a
 * syscall table in this build, or one whose byte order differs from the filter's first arch's
 * without SCK_FILTER_MIXED_ENDIAN); -ENOMEM (SCK_FILTER_MAX_ARCH arches already).
 */
SCK_API int sck_filter_add_arch(struct sck_filter *f, const struct sck_arch *arch);

/*
 * sck_filter_add_rule - append @rule (copied) to the filter's ordered list.
 * Returns 0; -EINVAL (NULL argument, @nr < 0 without @name, a condition with @arg > 5, an
 * unknown op or flag, nconds > 0 with NULL conds, an action the kernel does not define);
 * -ENOENT (@name is a syscall of none of the filter's arches, or of no arch sck knows while
 * the filter has none yet); -ENOMEM.
 */
SCK_API int sck_filter_add_rule(struct sck_filter *f, const struct sck_rule *rule);

/*
 * sck_filter_add_override - syscall numbers @lo..@hi of @arch return @action, whatever the rules
 * say; where overrides overlap, the one added last wins. Where @arch shares its audit arch with
 * another ABI, the range is clipped to @arch's part of the number space (x86_64: below
 * SCK_X32_SYSCALL_BIT; x32: from it). An override whose @arch is not among the filter's arches
 * when it is compiled is ignored, as a rule is. runc's -ENOSYS stub is one: the numbers above the
 * largest a profile names return ENOSYS, so that a program falls back from a syscall newer than
 * the profile instead of being denied it.
 * Returns 0; -EINVAL (NULL @f or @arch, @lo > @hi, an action the kernel does not define);
 * -ENOMEM.
 */
SCK_API int sck_filter_add_override(struct sck_filter *f, const struct sck_arch *arch, uint32_t lo,
				    uint32_t hi, uint32_t action);

/*
 * sck_filter_set_weight - a frequency hint: syscall @nr of @arch is called @weight times as
 * often as a syscall without a hint (default weight 1 for every number up to the arch's
 * largest). The compiler shapes the search tree for the weighted mean. Verdicts never depend
 * on weights. Returns 0, -EINVAL (NULL @f or @arch, @nr < 0), -ENOMEM.
 */
SCK_API int sck_filter_set_weight(struct sck_filter *f, const struct sck_arch *arch, int nr,
				  uint32_t weight);

/* ---- Compiling -------------------------------------------------------------------------- */

/* Flags of struct sck_filter_compile_opts. */
enum {
	/* the plain linear generator (rule by rule): the reference the optimizer is tested against */
	SCK_COMPILE_LINEAR = 1u << 0,
};

/* Options of sck_filter_compile. NULL: defaults (the optimizing compiler). */
struct sck_filter_compile_opts {
	size_t sz;
	unsigned int flags; /* SCK_COMPILE_* */
};

/*
 * sck_filter_compile - compile @f into one BPF program for all its arches.
 * Returns 0 and *out; -EINVAL (NULL argument, opts sz smaller than a size_t, unknown flags);
 * -E2BIG (non-zero opts bytes this build does not know, or the program would exceed
 * SCK_BPF_MAXINSNS instructions: nothing that cannot load is returned); -EDOM (a filter without
 * arches on a machine whose native arch this build does not know); -EFAULT (the compiler
 * produced a program the validator refuses: a bug in sck, reported rather than returned);
 * -ENOMEM. The filter is not modified and can be compiled again.
 */
SCK_API int sck_filter_compile(const struct sck_filter *f,
			       const struct sck_filter_compile_opts *opts,
			       struct sck_filter_prog **out);

/* sck_filter_prog_free - release @p; NULL is a no-op. */
SCK_API void sck_filter_prog_free(struct sck_filter_prog *p);

/*
 * sck_filter_prog_insns - the instructions of @p (owned by @p, valid until it is freed);
 * @len receives their count. NULL for a NULL argument.
 */
SCK_API const struct sock_filter *sck_filter_prog_insns(const struct sck_filter_prog *p,
							size_t *len);

/* ---- Loading ---------------------------------------------------------------------------- */

/* Load flag: do not set no_new_privs first (the caller has CAP_SYS_ADMIN or set it). */
#define SCK_LOAD_NO_NNP (1u << 31)

/*
 * sck_filter_prog_load - install @p on the calling thread: sets no_new_privs (unless
 * SCK_LOAD_NO_NNP), adds SECCOMP_FILTER_FLAG_NEW_LISTENER when a rule returns
 * SECCOMP_RET_USER_NOTIF (and TSYNC_ESRCH when TSYNC is asked with a listener, which the kernel
 * requires), then calls seccomp(2).
 * @flags: SCK_LOAD_NO_NNP and any SECCOMP_FILTER_FLAG_* (TSYNC, LOG, SPEC_ALLOW,
 *         WAIT_KILLABLE_RECV, TSYNC_ESRCH; NEW_LISTENER forces a listener).
 * Returns the listener fd (O_CLOEXEC, owned by the caller) when there is one, else 0; -EINVAL
 * (NULL @p, unknown flags, WAIT_KILLABLE_RECV without a listener), or what
 * sck_no_new_privs / sck_set_mode_filter return (-EACCES, -ESRCH, -EBUSY ...).
 * Async-signal-safe: no allocation, no locks.
 */
SCK_API int sck_filter_prog_load(const struct sck_filter_prog *p, unsigned int flags);

/*
 * sck_filter_load - compile @f and load the result (sck_filter_compile then
 * sck_filter_prog_load). Not async-signal-safe. Returns as those do.
 */
SCK_API int sck_filter_load(const struct sck_filter *f, unsigned int flags);

/* ---- Export and stats ------------------------------------------------------------------- */

/* Export formats. Values are ABI. */
enum sck_filter_format {
	SCK_FORMAT_RAW = 1,  /* struct sock_filter array, host byte order (what seccomp(2) takes) */
	SCK_FORMAT_C = 2,    /* a C array initialiser, one instruction a line */
	SCK_FORMAT_TEXT = 3, /* disassembly (sck_bpf_disasm_alloc) */
	SCK_FORMAT_DOT = 4,  /* Graphviz control-flow graph (sck_bpf_dot_alloc) */
	/*
	 * struct sock_filter array in the byte order of the filter's arches when they all share
	 * one (big-endian for s390x, ppc64, mips64 ...: the file their kernels load), else in
	 * host byte order. For another order, take SCK_FORMAT_RAW and sck_bpf_swap.
	 */
	SCK_FORMAT_RAW_TARGET = 5,
};

/*
 * sck_filter_prog_export_alloc - @p in format @fmt. @out receives a malloc'd buffer the caller
 * frees (NUL-terminated for the text formats), @len its length without the NUL. The C format's
 * first comment names the arches and the byte order the program was compiled for (its loads of
 * 64-bit argument words assume that order; the initialiser's numbers compile on any machine).
 * Returns 0; -EINVAL (NULL argument, unknown format); -ENOMEM.
 */
SCK_API int sck_filter_prog_export_alloc(const struct sck_filter_prog *p,
					 enum sck_filter_format fmt, char **out, size_t *len);

/*
 * What a program costs on one arch, measured with the emulator (sck_bpf_emu_run) on every
 * syscall number from the arch's first (x32: 0x40000000) to its largest, every argument 0.
 * @sz:            set by the caller to sizeof(struct sck_filter_stats) (fields only appended).
 * @len:           instructions in the whole program.
 * @numbers:       syscall numbers measured.
 * @mean_executed: mean instructions executed over them.
 * @max_executed:  the largest count.
 * @const_allow:   syscall numbers (of the arch's table) allowed whatever their arguments.
 * @cached:        those of them the kernel's action cache (Linux 5.11) will skip the filter
 *                 for (sck_bpf_cache_bitmap).
 */
struct sck_filter_stats {
	size_t sz;
	size_t len;
	uint32_t numbers;
	double mean_executed;
	uint32_t max_executed;
	uint32_t const_allow;
	uint32_t cached;
};

/*
 * sck_filter_prog_stats - fill @out for @arch (NULL: the first arch of the filter).
 * Returns 0; -EINVAL (NULL @p or @out, @out->sz too small); -EDOM (@arch not in the filter);
 * -ENOMEM.
 */
SCK_API int sck_filter_prog_stats(const struct sck_filter_prog *p, const struct sck_arch *arch,
				  struct sck_filter_stats *out);

/* ---- libseccomp's rule database -------------------------------------------------------- */

/*
 * How libseccomp 2.5.4 resolves overlapping rules of one syscall, as a model sck's compiler and
 * the libseccomp compatibility library share (docs/semantics.md, "libseccomp's rule database"):
 * rules are merged into libseccomp's per-syscall decision tree, and the tree is flattened back
 * into first-match rules. SCK_FILTER_OCI filters apply it to each syscall's conditional rules.
 */

/* Comparison operators, numbered as libseccomp's enum scmp_compare (its ABI values). */
enum sck_scmp_op {
	SCK_SCMP_NE = 1,
	SCK_SCMP_LT = 2,
	SCK_SCMP_LE = 3,
	SCK_SCMP_EQ = 4,
	SCK_SCMP_GE = 5,
	SCK_SCMP_GT = 6,
	SCK_SCMP_MASKED_EQ = 7,
};

/* One comparison: argument @arg (0..5) @op @a; for MASKED_EQ, (arg & @a) == @b. */
struct sck_scmp_cmp {
	unsigned int arg;
	enum sck_scmp_op op;
	uint64_t a, b;
};

/* The rules of one syscall on one arch, merged as libseccomp merges them. Not thread-safe. */
struct sck_scmp_tree;

/* sck_scmp_tree_new - an empty tree. Returns 0 and *out; -EINVAL (NULL @out), -ENOMEM. */
SCK_API int sck_scmp_tree_new(struct sck_scmp_tree **out);

/* sck_scmp_tree_free - release @t; NULL is a no-op. */
SCK_API void sck_scmp_tree_free(struct sck_scmp_tree *t);

/* sck_scmp_tree_dup - a deep copy of @t. Returns 0 and *out; -EINVAL (NULL), -ENOMEM. */
SCK_API int sck_scmp_tree_dup(const struct sck_scmp_tree *t, struct sck_scmp_tree **out);

/*
 * sck_scmp_tree_add - merge a rule (@n comparisons on distinct arguments, any order) into @t as
 * libseccomp does. @arg32: the arch compares 32-bit arguments (libseccomp's 32-bit ABIs, x32 and
 * mips n32 included). Returns 0 (added, or covered by an earlier rule, as libseccomp drops it);
 * -EINVAL (NULL @t, NULL @c with @n > 0, @n > 6, an argument above 5 or used twice, an unknown
 * operator); -EEXIST (a rule with the same comparisons, or a prefix of them, has another
 * action: libseccomp refuses it); -ENOMEM. On error @t is unchanged.
 */
SCK_API int sck_scmp_tree_add(struct sck_scmp_tree *t, bool arg32, uint32_t action,
			      const struct sck_scmp_cmp *c, size_t n);

/* sck_scmp_tree_empty - no rule was added (true for NULL). */
SCK_API bool sck_scmp_tree_empty(const struct sck_scmp_tree *t);

/*
 * sck_scmp_tree_uncond - whether an unconditional rule decides every call of @t (false for
 * NULL); its action in *@act (when @act is not NULL).
 */
SCK_API bool sck_scmp_tree_uncond(const struct sck_scmp_tree *t, uint32_t *act);

/*
 * sck_scmp_tree_flatten - call @emit for each path of @t in evaluation order, with the path's
 * conditions (a 64-bit `==` as one test; otherwise a high-word test as a bound on the whole
 * argument, a low-word one with SCK_COND_LOW32; @n may exceed 6): the first path whose
 * conditions all hold gives libseccomp's verdict; none, the filter's default action. Rules of
 * one action that compare one argument each (an allowlist: the database matches exactly where
 * one of them does) come out as they were added. @arg32 as for sck_scmp_tree_add. Returns 0, the
 * first non-zero return of @emit, -EINVAL (NULL @t or @emit), -ENOMEM.
 */
SCK_API int sck_scmp_tree_flatten(const struct sck_scmp_tree *t, bool arg32,
				  int (*emit)(void *ctx, uint32_t action,
					      const struct sck_cond *conds, size_t n),
				  void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* SCK_FILTER_H */
