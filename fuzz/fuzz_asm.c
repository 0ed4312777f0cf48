// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the assembler (sck_bpf_asm_alloc) on arbitrary text. Whatever assembles is
 * validated, disassembled and assembled again: the second program must equal the first, bit for
 * bit (the disassembler prints nothing the assembler reads differently). Anything else is a
 * crash (__builtin_trap), as is any sanitizer report.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_filter *p = NULL, *q = NULL;
	struct sck_bpf_verdict why;
	struct sck_diag diag;
	size_t plen = 0, qlen = 0;
	char *text, *back = NULL;
	int rc;

	if (size > 256 * 1024)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = sck_bpf_asm_alloc(text, NULL, &p, &plen, &diag);
	free(text);
	if (rc < 0) {
		/* The diagnostic is a NUL-terminated string that fits its buffer. */
		if (memchr(diag.msg, '\0', sizeof(diag.msg)) == NULL)
			__builtin_trap();
		return 0;
	}
	if (plen == 0 || plen > SCK_BPF_MAXINSNS)
		__builtin_trap();
	(void)sck_bpf_check(p, plen, &why);
	rc = sck_bpf_disasm_alloc(p, plen, NULL, &back);
	if (rc == -ENOMEM)
		goto out;
	if (rc < 0)
		__builtin_trap();
	rc = sck_bpf_asm_alloc(back, NULL, &q, &qlen, &diag);
	if (rc == -ENOMEM)
		goto out;
	if (rc < 0 || qlen != plen || memcmp(p, q, plen * sizeof(*p)) != 0)
		__builtin_trap();
out:
	free(back);
	free(p);
	free(q);
	return 0;
}
