// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the assembler, an untrusted-text parser: any input must give 0 or a
 * negative errno with a diagnostic, never a crash; whatever assembles must survive the
 * disassembler and assemble back to the same bytes.
 * Build: clang -g -fsanitize=fuzzer,address,undefined -Iinclude -Ibuild/include -Isrc \
 *        fuzz/fuzz_bpf_asm.c build/libsck.a -o build/fuzz_bpf_asm
 * Seed corpus: tests/data/disasm-*.txt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_filter *p = NULL, *q = NULL;
	size_t len = 0, qlen = 0;
	struct sck_diag d;
	char *text = malloc(size + 1), *dis = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sck_bpf_asm_alloc(text, NULL, &p, &len, &d) == 0) {
		if (sck_bpf_disasm_alloc(p, len, NULL, &dis) != 0)
			abort();
		if (sck_bpf_asm_alloc(dis, NULL, &q, &qlen, &d) != 0 || qlen != len ||
		    memcmp(p, q, len * sizeof(*p)) != 0)
			abort();
	}
	free(q);
	free(dis);
	free(p);
	free(text);
	return 0;
}
