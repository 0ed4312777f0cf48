/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the BPF modules (builder, validator, emulator, disassembler, assembler):
 * the opcode tables of classic BPF and of seccomp's subset.
 */
#ifndef SCK_BPF_INT_H
#define SCK_BPF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>

#include "sck/bpf.h"

#define SCK_BPF_BUILD_MAX 65535 /* instructions a builder holds before layout */

/* A builder instruction (16 bytes). */
struct sck_bpf_binsn {
	uint16_t code;
	uint32_t k;
	int jt, jf; /* label ids or SCK_BPF_NEXT */
};

/* The program builder (bpf_build.c); here so that the compiler appends its jumps inline. */
struct sck_bpf_builder {
	struct sck_bpf_binsn *insn;
	size_t n, cap;
	/* labels: where each points (index of its instruction, -1 while unbound), and their
	 * names (NULL: anonymous), kept only once some label has one */
	int *lpos;
	char **lname;
	size_t nlab, labcap;
};

/* Whether @label is SCK_BPF_NEXT (-1) or a label of @b: -1 ... nlab - 1, one unsigned compare. */
static inline bool sck_bpf_label_ok(const struct sck_bpf_builder *b, int label)
{
	return (unsigned int)label + 1U <= b->nlab;
}

/* sck_bpf_label(@b, NULL), inline while there is room: the same result. */
static inline int sck_bpf_label_inline(struct sck_bpf_builder *b)
{
	if (b->nlab >= b->labcap || b->lname || b->nlab >= (size_t)0x7fffffff)
		return sck_bpf_label(b, NULL);
	b->lpos[b->nlab] = -1;
	return (int)b->nlab++;
}

/* sck_bpf_bind, inline for a label not bound yet: the same result. */
static inline int sck_bpf_bind_inline(struct sck_bpf_builder *b, int label)
{
	if ((unsigned int)label >= b->nlab || b->lpos[label] >= 0)
		return sck_bpf_bind(b, label);
	b->lpos[label] = (int)b->n; /* below SCK_BPF_BUILD_MAX */
	return 0;
}

/* sck_bpf_stmt, inline while the instruction fits the array: the same result. */
static inline int sck_bpf_stmt_inline(struct sck_bpf_builder *b, uint16_t code, uint32_t k)
{
	if (BPF_CLASS(code) == BPF_JMP || b->n >= b->cap || b->n >= SCK_BPF_BUILD_MAX)
		return sck_bpf_stmt(b, code, k);
	b->insn[b->n] = (struct sck_bpf_binsn){
		.code = code, .k = k, .jt = SCK_BPF_NEXT, .jf = SCK_BPF_NEXT};
	return (int)b->n++;
}

/*
 * sck_bpf_jump, inline while the instruction fits the array: the same checks and the same
 * result. (The compilers append a jump for about every other instruction.)
 */
static inline int sck_bpf_jump_inline(struct sck_bpf_builder *b, uint16_t code, uint32_t k, int jt,
				      int jf)
{
	struct sck_bpf_binsn *in;

	if (BPF_CLASS(code) != BPF_JMP || BPF_OP(code) == BPF_JA || b->n >= b->cap ||
	    b->n >= SCK_BPF_BUILD_MAX || !sck_bpf_label_ok(b, jt) || !sck_bpf_label_ok(b, jf))
		return sck_bpf_jump(b, code, k, jt, jf);
	in = &b->insn[b->n];
	*in = (struct sck_bpf_binsn){.code = code, .k = k, .jt = jt, .jf = jf};
	return (int)b->n++;
}

/*
 * Empty @b as sck_bpf_builder_new left it, but keep its arrays (their capacities): for a
 * compiler that builds one program after another.
 */
void sck_bpf_builder_reset(struct sck_bpf_builder *b);

/*
 * Room in @b for @insns instructions and @labels labels (a hint: what is built does not depend
 * on it). Returns 0 or -ENOMEM (@b as it was).
 */
int sck_bpf_builder_reserve(struct sck_bpf_builder *b, size_t insns, size_t labels);

/* True for an opcode classic BPF knows (the socket filter's table), whatever the user. */
bool sck_bpf_code_classic(uint16_t code);

/* True for an opcode seccomp accepts (its whitelist; LD|W|ABS still needs a valid offset). */
bool sck_bpf_code_seccomp(uint16_t code);

/*
 * sck_bpf_builder_finish_alloc for programs of up to @cap instructions (more than the kernel
 * takes: the caller shrinks them, sck_bpf_dedup, before anything checks or loads them).
 */
int sck_bpf_builder_finish_cap(struct sck_bpf_builder *b, size_t cap, struct sock_filter **prog,
			       size_t *len);

/*
 * Merge equal code in the laid-out program @p of *@len instructions (bpf_dedup.c), in place;
 * *@len receives the new length, never more. Every input gets the same verdict through copies
 * of the same instructions, plus one `BPF_JA` each time a path enters a copy that was removed.
 * Returns 0; -EINVAL (NULL, empty, a jump out of the program); -ENOMEM.
 */
int sck_bpf_dedup(struct sock_filter *p, size_t *len);

#endif /* SCK_BPF_INT_H */
