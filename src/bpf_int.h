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

struct sck_bpf_builder;

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
