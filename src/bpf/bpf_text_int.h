/* SPDX-License-Identifier: MIT */
/*
 * What the disassembler and the assembler share so that asm(disasm(p)) == p: the forward pass
 * that tracks, per instruction, which architecture the program has checked for on every path
 * reaching it (syscall names and the byte order of 64-bit fields are taken from that arch), and
 * whether the accumulator holds seccomp_data.nr or .arch. A taken `A == AUDIT_ARCH_*` on the arch
 * word sets the arch of that path; under x86_64, a taken `A >= 0x40000000` on nr makes it x32. The pass looks only at instructions
 * before the one being named, so the assembler can resolve names in index order with the same
 * answer the disassembler had.
 */
#ifndef SCK_BPF_TEXT_INT_H
#define SCK_BPF_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sck/arch.h"
#include "sck/bpf.h"

/* Per-instruction state of the tracking pass. */
struct sck_bpf_track {
	const struct sck_arch *arch; /* checked on every path reaching here; NULL: unknown */
	bool reached;		     /* some path reaches here */
	bool a_nr;		     /* A holds seccomp_data.nr on every path */
	bool a_arch;		     /* A holds seccomp_data.arch on every path */
};

/* Reset @st (@len entries) to "nothing known", with instruction 0 reached. */
void sck_bpf_track_init(struct sck_bpf_track *st, size_t len);

/* Propagate the state of instruction @i (which is @ins) to its successors in @st. */
void sck_bpf_track_step(struct sck_bpf_track *st, size_t len, size_t i,
			const struct sock_filter *ins);

/* The arch names resolve on at @i: @forced if set, else the tracked one, else native. */
const struct sck_arch *sck_bpf_track_arch(const struct sck_bpf_track *st, size_t i,
					  const struct sck_arch *forced);

/*
 * The seccomp_data field at byte offset @k as text ("nr", "arch", "args[2] >> 32", or the raw
 * "data[K]" for offsets that name no aligned word), the high/low words placed by @arch's byte
 * order. Writes at most @cap bytes into @buf.
 */
void sck_bpf_field_name(uint32_t k, const struct sck_arch *arch, char *buf, size_t cap);

/*
 * Offset of 64-bit field @base (0 instruction_pointer, 1..6 args[0..5]) word @high on @arch.
 */
uint32_t sck_bpf_field_offset(unsigned int base, bool high, const struct sck_arch *arch);

#endif
