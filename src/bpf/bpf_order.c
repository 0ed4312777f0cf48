// SPDX-License-Identifier: MIT
/*
 * Byte order and data layout across machines: swapping a program between byte orders (a
 * big-endian kernel loads code and k big-endian), telling the byte order of the architectures a
 * program dispatches on, and laying a 64-bit seccomp_data field out as another arch's kernel
 * does, so that the emulator on this host sees what a filter sees there.
 */
#include "bpf/bpf_text_int.h"
#include "sck/bpf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sck_bpf_swap(struct sock_filter *prog, size_t len)
{
	if (!prog)
		return;
	for (size_t i = 0; i < len; i++) {
		prog[i].code = __builtin_bswap16(prog[i].code);
		prog[i].k = __builtin_bswap32(prog[i].k);
	}
}

int sck_bpf_arch_order(const struct sock_filter *prog, size_t len)
{
	struct sck_bpf_track *st;
	bool little = false, big = false;

	if (!prog || len == 0 || len > SCK_BPF_MAXINSNS)
		return -EINVAL;
	st = malloc(len * sizeof(*st));
	if (!st)
		return -ENOMEM;
	sck_bpf_track_init(st, len);
	for (size_t i = 0; i < len; i++) {
		const struct sock_filter *in = &prog[i];
		const struct sck_arch *a;

		/* `A == AUDIT_ARCH_*` on the arch word: the taken side runs for that arch */
		if (st[i].reached && st[i].a_arch && in->code == (BPF_JMP | BPF_JEQ | BPF_K) &&
		    (a = sck_arch_from_audit(in->k)) != NULL) {
			little |= a->little_endian;
			big |= !a->little_endian;
		}
		sck_bpf_track_step(st, len, i, in);
	}
	free(st);
	if (little && big)
		return -EDOM;
	if (!little && !big)
		return -ENOENT;
	return little ? SCK_BYTE_ORDER_LITTLE : SCK_BYTE_ORDER_BIG;
}

/*
 * The uint64_t to store so that the word at the field's offset +0 is what @arch's kernel puts
 * there: the low half of @v on a little-endian arch, the high half on a big-endian one
 * (seccomp_data's 64-bit fields are stored in the ABI's byte order; populate_seccomp_data()).
 * The words themselves are numbers to the filter's 32-bit loads, whatever the byte order.
 */
static uint64_t layout(const struct sck_arch *arch, uint64_t v)
{
	const bool host_le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	return arch->little_endian == host_le ? v : (v << 32) | (v >> 32);
}

int sck_bpf_data_set_arg(struct seccomp_data *data, const struct sck_arch *arch, unsigned int idx,
			 uint64_t value)
{
	if (!data || !arch || idx > 5)
		return -EINVAL;
	data->args[idx] = layout(arch, value);
	return 0;
}

int sck_bpf_data_set_ip(struct seccomp_data *data, const struct sck_arch *arch, uint64_t value)
{
	if (!data || !arch)
		return -EINVAL;
	data->instruction_pointer = layout(arch, value);
	return 0;
}
