/* SPDX-License-Identifier: MIT */
/*
 * Classic BPF for seccomp: a program builder with labels, a validator that accepts exactly what
 * the kernel accepts, an emulator (single programs and stacks, with the kernel's action rules),
 * the kernel's action-cache predicate, a disassembler (text and Graphviz dot) and an assembler
 * that reads the disassembler's text back. Programs are plain arrays of struct sock_filter.
 */
#ifndef SCK_BPF_H
#define SCK_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sck/arch.h"
#include "sck/sys.h"

#ifndef SCK_API
#define SCK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Builder ---------------------------------------------------------------------------- */

/* A program under construction. Not thread-safe. */
struct sck_bpf_builder;

/* Jump target meaning "the next instruction" (offset 0). */
#define SCK_BPF_NEXT (-1)

/*
 * sck_bpf_builder_new - an empty builder. Returns 0 and *out, or -EINVAL (NULL @out), -ENOMEM.
 */
SCK_API int sck_bpf_builder_new(struct sck_bpf_builder **out);

/* sck_bpf_builder_free - release @b; NULL is a no-op. */
SCK_API void sck_bpf_builder_free(struct sck_bpf_builder *b);

/*
 * sck_bpf_label - a label id for jumps. @name NULL makes a new anonymous label; a name returns
 * the same id every time it is asked for. Returns the id (>= 0), -EINVAL, or -ENOMEM.
 */
SCK_API int sck_bpf_label(struct sck_bpf_builder *b, const char *name);

/*
 * sck_bpf_bind - make @label point at the next instruction to be appended.
 * Returns 0, -EINVAL (bad builder or label id), -EEXIST (label already bound).
 */
SCK_API int sck_bpf_bind(struct sck_bpf_builder *b, int label);

/*
 * sck_bpf_stmt - append a non-jump instruction. Returns its index, -EINVAL for a NULL @b or
 * a BPF_JMP @code (use sck_bpf_jump), -E2BIG past 65535 instructions, -ENOMEM.
 */
SCK_API int sck_bpf_stmt(struct sck_bpf_builder *b, uint16_t code, uint32_t k);

/*
 * sck_bpf_jump - append a jump. @code is BPF_JMP|op|src; @jt and @jf are label ids, or
 * SCK_BPF_NEXT; for BPF_JA only @jt counts. Targets must be bound later (BPF jumps only go
 * forward). Returns the index, -EINVAL, -E2BIG, -ENOMEM.
 */
SCK_API int sck_bpf_jump(struct sck_bpf_builder *b, uint16_t code, uint32_t k, int jt, int jf);

/*
 * sck_bpf_builder_finish_alloc - resolve every jump and return the program. A conditional
 * jump whose target is more than 255 instructions away goes through an inserted BPF_JA
 * trampoline. @prog receives a malloc'd array the caller frees, @len its length.
 * Returns 0, or -EINVAL (NULL argument; a label used but never bound, bound behind its jump, or
 * bound at the end with no instruction after it), -E2BIG
 * (the result exceeds SCK_BPF_MAXINSNS), -ENODATA (empty), -ENOMEM. The builder stays usable.
 */
SCK_API int sck_bpf_builder_finish_alloc(struct sck_bpf_builder *b, struct sock_filter **prog,
					 size_t *len);

/* ---- Validator -------------------------------------------------------------------------- */

/* Why the kernel would refuse a program. Values are ABI. */
enum sck_bpf_fault {
	SCK_BPF_FAULT_NONE = 0,
	SCK_BPF_FAULT_EMPTY = 1,       /* no instructions */
	SCK_BPF_FAULT_TOO_LONG = 2,    /* more than SCK_BPF_MAXINSNS */
	SCK_BPF_FAULT_OPCODE = 3,      /* not classic BPF, or not allowed in seccomp */
	SCK_BPF_FAULT_LOAD = 4,	       /* LD|W|ABS offset misaligned or past seccomp_data */
	SCK_BPF_FAULT_JUMP = 5,	       /* jump target past the end */
	SCK_BPF_FAULT_NO_RET = 6,      /* the last instruction is not a RET */
	SCK_BPF_FAULT_DIV_ZERO = 7,    /* division by the constant 0 */
	SCK_BPF_FAULT_SHIFT = 8,       /* shift by a constant of 32 or more */
	SCK_BPF_FAULT_MEM_INDEX = 9,   /* scratch memory index of 16 or more */
	SCK_BPF_FAULT_MEM_UNINIT = 10, /* scratch memory read before a write on some path */
};

/* Where and why a program was refused. */
struct sck_bpf_verdict {
	enum sck_bpf_fault fault;
	size_t index; /* the faulty instruction (len for EMPTY/TOO_LONG) */
};

/*
 * sck_bpf_check - validate @prog as seccomp(SECCOMP_SET_MODE_FILTER) would.
 * @why: optional; filled with the fault and the instruction index when refused.
 * Faults are found in the kernel's order (the classic checks over the whole program, then the
 * last RET, then the scratch-memory walk, then seccomp's whitelist), so @why names the index
 * the kernel stops at. Returns 0 when the kernel would accept it, -EINVAL when it would not (or
 * @prog is NULL with @len > 0; @why is not written then). Thread-safe.
 */
SCK_API int sck_bpf_check(const struct sock_filter *prog, size_t len, struct sck_bpf_verdict *why);

/* sck_bpf_fault_str - a short English description of @fault (static string, never NULL). */
SCK_API const char *sck_bpf_fault_str(enum sck_bpf_fault fault);

/* ---- Emulator --------------------------------------------------------------------------- */

/* A validated program, ready to run many times. Immutable: runs are thread-safe. */
struct sck_bpf_emu;

/*
 * sck_bpf_emu_new - validate @prog (as sck_bpf_check) and prepare it for emulation; the
 * program is copied. Returns 0 and *out, -EINVAL (refused; sck_bpf_check tells why), -ENOMEM.
 */
SCK_API int sck_bpf_emu_new(const struct sock_filter *prog, size_t len, struct sck_bpf_emu **out);

/* sck_bpf_emu_free - release @emu; NULL is a no-op. */
SCK_API void sck_bpf_emu_free(struct sck_bpf_emu *emu);

/*
 * sck_bpf_emu_run - run @emu on @data as the kernel would. Returns the program's raw return
 * value (before the kernel's action rules); @executed (optional) receives the number of
 * instructions executed. A division by a zero X ends the program with 0, as in the kernel.
 */
SCK_API uint32_t sck_bpf_emu_run(const struct sck_bpf_emu *emu, const struct seccomp_data *data,
				 uint32_t *executed);

/*
 * sck_bpf_emu_run_path - sck_bpf_emu_run that also records the path: the index of each
 * instruction executed, in order, into @path (the first @cap of them; @path may be NULL when
 * @cap is 0). Classic BPF only jumps forward, so a run executes at most as many instructions
 * as the program has: a @cap of the program's length always holds the whole path. @executed
 * (optional) receives the number of instructions executed. For tools that reason about which
 * fields a verdict depended on (sck audit). Thread-safe. Since SCK_0.2.
 */
SCK_API uint32_t sck_bpf_emu_run_path(const struct sck_bpf_emu *emu,
				      const struct seccomp_data *data, uint16_t *path, size_t cap,
				      uint32_t *executed);

/*
 * sck_bpf_emu_run_stack - evaluate a stack of filters as the kernel does: @stack[0] installed
 * first, @stack[n-1] last; every filter runs (newest first) and the most restrictive action
 * wins, the newest filter winning among equals. Returns the raw winning value; @executed
 * (optional) receives the instructions executed over all filters. @n == 0 gives ALLOW.
 */
SCK_API uint32_t sck_bpf_emu_run_stack(const struct sck_bpf_emu *const *stack, size_t n,
				       const struct seccomp_data *data, uint32_t *executed);

/*
 * sck_action_effective - what the kernel does with filter return value @ret: an action it
 * does not define becomes SECCOMP_RET_KILL_PROCESS, ERRNO data above 4095 (MAX_ERRNO) is
 * capped at 4095. Other values are returned as they are.
 */
SCK_API uint32_t sck_action_effective(uint32_t ret);

/*
 * sck_bpf_cache_bitmap - the kernel's action cache (Linux 5.11+): which syscall numbers of
 * @arch @prog allows without looking at anything but nr and arch, so that the kernel skips
 * running it. Bit nr of @bitmap (nbits bits, caller-owned; bit nr % 8 of byte nr / 8) is set
 * for each such seccomp_data.nr < @nbits and cleared for the others (the kernel caches only
 * numbers below its syscall count, so never x32's). Returns the number of bits set, or -EINVAL
 * (NULL argument or a program sck_bpf_check refuses). Thread-safe.
 */
SCK_API int sck_bpf_cache_bitmap(const struct sock_filter *prog, size_t len,
				 const struct sck_arch *arch, uint8_t *bitmap, size_t nbits);

/* ---- Byte order and data layout ---------------------------------------------------------- */

/*
 * Byte orders of a raw program (an array of struct sock_filter as it sits in a file or in
 * memory): the 16-bit code and the 32-bit k of each instruction are stored in the machine's byte
 * order, jt and jf are single bytes. A kernel loads a program only in its own order. Values are
 * ABI.
 */
enum sck_byte_order {
	SCK_BYTE_ORDER_HOST = 0,   /* the order of the machine this library runs on */
	SCK_BYTE_ORDER_LITTLE = 1, /* little-endian (x86, arm, aarch64, ppc64le, riscv ...) */
	SCK_BYTE_ORDER_BIG = 2,	   /* big-endian (s390x, ppc64, mips64, sparc ...) */
};

/*
 * sck_bpf_swap - reverse the byte order of @len instructions of @prog in place: code and k are
 * byte-swapped, jt and jf stay. Applying it twice gives the program back. Use it to write a
 * program for a machine of the other byte order, or to read one written there. @prog NULL or
 * @len 0: nothing happens. Thread-safe on distinct buffers.
 */
SCK_API void sck_bpf_swap(struct sock_filter *prog, size_t len);

/*
 * sck_bpf_arch_order - the byte order of the architectures @prog (host byte order) dispatches
 * on: every taken `A == AUDIT_ARCH_*` compare on a load of seccomp_data.arch, found with the
 * disassembler's tracking pass (the audit arch value says the order: __AUDIT_ARCH_LE).
 * Returns SCK_BYTE_ORDER_LITTLE or SCK_BYTE_ORDER_BIG when every arch checked has that order;
 * -ENOENT when the program checks no arch sck knows; -EDOM when it checks arches of both
 * orders; -EINVAL for a NULL @prog, @len 0 or above SCK_BPF_MAXINSNS; -ENOMEM. Thread-safe.
 */
SCK_API int sck_bpf_arch_order(const struct sock_filter *prog, size_t len);

/*
 * sck_bpf_data_set_arg - store the 64-bit argument @value as args[@idx] of @data the way the
 * kernel of @arch lays it out, so that a filter's 32-bit loads (and sck_bpf_emu_run) see what
 * they see on that machine: on a big-endian arch the high word sits at the field's offset +0
 * and the low word at +4, on a little-endian one the reverse. From a host of the other byte
 * order than @arch the two 32-bit halves are therefore exchanged in the stored uint64_t. The
 * value is stored as given: a 32-bit arch's kernel passes zero-extended 32-bit values, so pass
 * those to mimic it. Returns 0; -EINVAL (NULL @data or @arch, @idx above 5). Thread-safe on
 * distinct @data.
 */
SCK_API int sck_bpf_data_set_arg(struct seccomp_data *data, const struct sck_arch *arch,
				 unsigned int idx, uint64_t value);

/*
 * sck_bpf_data_set_ip - store @value as instruction_pointer of @data, laid out for @arch as
 * sck_bpf_data_set_arg lays out an argument. Returns 0, or -EINVAL (NULL @data or @arch).
 */
SCK_API int sck_bpf_data_set_ip(struct seccomp_data *data, const struct sck_arch *arch,
				uint64_t value);

/* ---- Disassembler and assembler --------------------------------------------------------- */

/* Options of the disassembler. */
struct sck_bpf_disasm_opts {
	size_t sz;
	/* the arch of syscall names (on compares that follow an `A = nr` load) and of the byte
	 * order that tells the high word of a 64-bit field from the low one; NULL: the arch every
	 * path reaching the instruction checked `A = arch` against (x32 on the taken side of
	 * `A >= 0x40000000` under x86_64), else native */
	const struct sck_arch *arch;
};

/*
 * sck_bpf_disasm_alloc - the program as text, one instruction a line with its index
 * (`0003: if (A == read) goto 0010 else goto 0004`), in the syntax sck_bpf_asm_alloc reads
 * back (documented in sck-bpf-tools(1)): sck_bpf_asm_alloc(sck_bpf_disasm_alloc(p)) == p byte
 * for byte for every program. An instruction without a named form (an opcode seccomp does not
 * know, or a non-zero field the kernel ignores) is written `.insn CODE, JT, JF, K`. With
 * @opts->arch set, the text starts with an `.arch NAME` line; without it, a syscall name read
 * on another arch than the native one is written `ARCH:NAME` (`x32:rmdir` in the x32 branch of
 * an x86_64 filter). Comments after ';' explain arch tokens, unknown actions and capped errnos.
 * @out receives a malloc'd NUL-terminated string the caller frees; untouched on failure.
 * Returns 0, -EINVAL (NULL @prog or @out, @len 0 or above SCK_BPF_MAXINSNS, opts sz smaller
 * than a size_t), -E2BIG (non-zero opts bytes this build does not know), -ENOMEM. Thread-safe.
 */
SCK_API int sck_bpf_disasm_alloc(const struct sock_filter *prog, size_t len,
				 const struct sck_bpf_disasm_opts *opts, char **out);

/*
 * sck_bpf_dot_alloc - the program's control-flow graph in Graphviz dot: one box per basic
 * block holding its lines of text, edges labelled true/false after the condition as printed,
 * blocks that return filled by action (ALLOW green, ERRNO gold, TRAP orange, KILL red ...),
 * jumps past the end drawn to a red node. Arguments, ownership and errors as
 * sck_bpf_disasm_alloc.
 */
SCK_API int sck_bpf_dot_alloc(const struct sock_filter *prog, size_t len,
			      const struct sck_bpf_disasm_opts *opts, char **out);

/* Options of the assembler. */
struct sck_bpf_asm_opts {
	size_t sz;
	/* the arch syscall names and 64-bit field words resolve on, unless the text has an
	 * `.arch` line; NULL: the arch each path checked for (as the disassembler), else native */
	const struct sck_arch *arch;
};

/*
 * sck_bpf_asm_alloc - assemble @text (NUL-terminated; the disassembler's syntax, with labels
 * `name:`, syscall names (`ARCH:NAME` for another arch's), action names, decimal and 0x
 * numbers) into raw BPF. @prog receives a
 * malloc'd array the caller frees, @len its length; both untouched on failure.
 * @diag (optional) receives the 1-based line and column and a message on any text error.
 * Returns 0; -EINVAL (syntax error, a jump backwards or a conditional one past 255
 * instructions, an index prefix that does not match its position, no instruction, NULL
 * @text/@prog/@len, opts sz smaller than a size_t); -ENOENT (unknown syscall, arch or label name);
 * -E2BIG (more than SCK_BPF_MAXINSNS instructions, or non-zero opts bytes this build does not
 * know); -ENOMEM. The result is not validated: run sck_bpf_check on it. Thread-safe.
 */
SCK_API int sck_bpf_asm_alloc(const char *text, const struct sck_bpf_asm_opts *opts,
			      struct sock_filter **prog, size_t *len, struct sck_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* SCK_BPF_H */
