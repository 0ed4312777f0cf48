// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the OCI / Docker profile reader (sck_profile_parse) on arbitrary bytes, with
 * fixed options (x86_64 and x32, Docker's default caps, kernel 6.1; unknown names ignored and the
 * ENOSYS stub on or off by the input's length) so that a run does not depend on the machine. A refused profile must leave a NUL-terminated diagnostic and no filter; an
 * accepted one must compile with both generators (or be refused as too big by both) into
 * programs the validator accepts, which must agree on the table's boundaries and on 48 numbers spread
 * over it from an offset the input's hash picks. Any difference is __builtin_trap().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSAMPLE 48

static void check_prog(const struct sck_filter_prog *p, struct sck_bpf_emu **emu)
{
	const struct sock_filter *insn;
	size_t len = 0;
	int rc;

	insn = sck_filter_prog_insns(p, &len);
	if (!insn || sck_bpf_check(insn, len, NULL) < 0)
		__builtin_trap();
	rc = sck_bpf_emu_new(insn, len, emu);
	if (rc < 0 && rc != -ENOMEM)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sck_arch *arches[] = {sck_arch_from_name("x86_64"), sck_arch_from_name("x32")};
	SCK_OPTS(sck_profile_opts, o, .arches = arches, .narches = 2, .main_arch = arches[0],
		 .kernel = "6.1",
		 .flags = (size % 2 ? SCK_PROFILE_IGNORE_UNKNOWN : 0) |
			  (size % 3 ? SCK_PROFILE_ENOSYS_NEWER : 0));
	SCK_OPTS(sck_filter_compile_opts, lin, .flags = SCK_COMPILE_LINEAR);
	struct sck_profile_info info = {.sz = sizeof(info)};
	struct sck_filter_prog *po = NULL, *pl = NULL;
	struct sck_bpf_emu *eo = NULL, *el = NULL;
	struct sck_filter *f = NULL;
	struct sck_diag diag;
	uint32_t seed = 2166136261u;
	int rc, ro, rl;

	if (size > 64 * 1024)
		return 0;
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 16777619u;
	memset(&diag, 0xff, sizeof(diag));
	rc = sck_profile_parse((const char *)data, size, &o, &f, &info, &diag);
	if (rc < 0) {
		if (f || memchr(diag.msg, '\0', sizeof(diag.msg)) == NULL)
			__builtin_trap();
		return 0;
	}
	if (!f || info.listener_path[sizeof(info.listener_path) - 1] ||
	    info.listener_metadata[sizeof(info.listener_metadata) - 1])
		__builtin_trap();
	ro = sck_filter_compile(f, NULL, &po);
	rl = sck_filter_compile(f, &lin, &pl);
	if (ro == -ENOMEM || rl == -ENOMEM || ro == -E2BIG || rl == -E2BIG)
		goto out;
	if (ro < 0 || rl < 0)
		__builtin_trap();
	check_prog(po, &eo);
	check_prog(pl, &el);
	if (!eo || !el)
		goto out;
	for (size_t a = 0; a < 2; a++) {
		uint32_t base = arches[a]->nr_base & arches[a]->nr_select; /* x32: its bit */
		int max = sck_syscall_max(arches[a]) - (int)base;
		int nrs[NSAMPLE + 4];
		size_t n = 0;

		/* The boundaries, then numbers spread over the table from an offset the input picks:
		 * the whole table every time would cost a hundred times more per input, and the
		 * compiler target already sweeps rule sets number by number. */
		nrs[n++] = -1;
		nrs[n++] = 0;
		nrs[n++] = max;
		nrs[n++] = max + 1;
		for (int i = 0; i < NSAMPLE; i++)
			nrs[n++] = (int)((seed + (uint32_t)i * (uint32_t)(max + 1) / NSAMPLE) %
					 (uint32_t)(max + 1));
		for (size_t i = 0; i < n; i++) {
			struct seccomp_data d = {.nr = (int)(base + (uint32_t)nrs[i]),
						 .arch = arches[a]->audit_arch};

			if (sck_bpf_emu_run(eo, &d, NULL) != sck_bpf_emu_run(el, &d, NULL))
				__builtin_trap();
			d.args[0] = 1;
			d.args[1] = 0xffffffffffffffffull;
			if (sck_bpf_emu_run(eo, &d, NULL) != sck_bpf_emu_run(el, &d, NULL))
				__builtin_trap();
		}
	}
out:
	sck_bpf_emu_free(eo);
	sck_bpf_emu_free(el);
	sck_filter_prog_free(po);
	sck_filter_prog_free(pl);
	sck_filter_free(f);
	return 0;
}
