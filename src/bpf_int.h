/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the BPF modules (builder, validator, emulator, disassembler, assembler):
 * the opcode tables of classic BPF and of seccomp's subset.
 */
#ifndef SCK_BPF_INT_H
#define SCK_BPF_INT_H

#include <stdbool.h>
#include <stdint.h>

/* True for an opcode classic BPF knows (the socket filter's table), whatever the user. */
bool sck_bpf_code_classic(uint16_t code);

/* True for an opcode seccomp accepts (its whitelist; LD|W|ABS still needs a valid offset). */
bool sck_bpf_code_seccomp(uint16_t code);

#endif /* SCK_BPF_INT_H */
