// SPDX-License-Identifier: MIT
/*
 * `sck emu [-a ARCH] [--ip N] [--raw-args] [--byte-order ORDER] [--stack FILE]... FILE SYSCALL
 * [ARG0 .. ARG5]`: run a filter (on top of earlier-installed ones given with --stack, in the
 * order given) on one syscall, as the kernel of ARCH would. Line 1: the effective action
 * (`ALLOW`, `ERRNO(1)` ...); line 2: `instructions: N`, the instructions executed over every
 * filter of the stack. The arguments and --ip are numbers, laid out in seccomp_data as ARCH's
 * kernel lays them out (on a big-endian arch the high word first: sck_bpf_data_set_arg);
 * --raw-args takes them as the two 32-bit words at the field's offsets +0 (low 32 bits of the
 * number) and +4 (high 32 bits). Files may be in either byte order (bpf_io.h).
 */
#include "bpf_io.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A 64-bit number: decimal, 0x hex, or negative decimal as two's complement. */
static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	if (s[0] == '-') {
		long long v = strtoll(s, &end, 10);

		if (errno || *end)
			return false;
		*out = (uint64_t)v;
		return true;
	}
	*out = strtoull(s, &end, 0);
	return !errno && !*end;
}

static int load_one(const char *path, const struct sck_arch *arch, enum sck_cli_order order,
		    struct sck_bpf_emu **emu)
{
	struct sck_bpf_verdict why;
	struct sock_filter *prog;
	size_t len;
	int rc = sck_cli_read_bpf("emu", path, arch, order, &prog, &len);

	if (rc)
		return rc;
	if (sck_bpf_check(prog, len, &why) < 0) {
		sck_cli_err("emu", "%s: instruction %zu: %s", path, why.index,
			    sck_bpf_fault_str(why.fault));
		free(prog);
		return SCK_EXIT_NO;
	}
	rc = sck_bpf_emu_new(prog, len, emu);
	free(prog);
	if (rc < 0) {
		sck_cli_err("emu", "%s: %s", path, strerror(-rc));
		return SCK_EXIT_NO;
	}
	return SCK_EXIT_OK;
}

/* What a 64-bit field of seccomp_data holds for @v on @arch, or for raw words. */
static uint64_t field_of(const struct sck_arch *arch, bool raw, uint64_t v)
{
	struct seccomp_data d;

	if (raw) {
		/* the word at +0 is the number's low half, the word at +4 its high half */
		uint32_t w[2] = {(uint32_t)v, (uint32_t)(v >> 32)};
		memcpy(&d.args[0], w, sizeof(w));
	} else {
		sck_bpf_data_set_arg(&d, arch, 0, v);
	}
	return d.args[0];
}

int sck_cmd_emu(int argc, char **argv)
{
	static const struct option longopts[] = {{"arch", required_argument, NULL, 'a'},
						 {"ip", required_argument, NULL, 'i'},
						 {"stack", required_argument, NULL, 's'},
						 {"raw-args", no_argument, NULL, 'R'},
						 {"byte-order", required_argument, NULL, 'B'},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	const struct sck_arch *arch = sck_arch_native(), *hint = NULL;
	enum sck_cli_order order = SCK_CLI_ORDER_AUTO;
	bool raw = false;
	struct sck_bpf_emu **stack = NULL;
	const char **stack_paths = NULL;
	struct seccomp_data data;
	size_t nstack = 0, nloaded = 0;
	uint64_t ip = 0, v;
	uint32_t executed = 0, ret;
	char action[64];
	const char *sys;
	int opt, rc = SCK_EXIT_OK, nargs;

	stack_paths = calloc((size_t)argc + 1, sizeof(*stack_paths));
	if (!stack_paths)
		return SCK_EXIT_NO;
	while ((opt = getopt_long(argc, argv, "+a:i:s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			arch = sck_cli_arch("emu", optarg);
			if (!arch) {
				rc = SCK_EXIT_USAGE;
				goto out;
			}
			hint = arch;
			break;
		case 'R':
			raw = true;
			break;
		case 'B':
			if (sck_cli_parse_order("emu", optarg, &order)) {
				rc = SCK_EXIT_USAGE;
				goto out;
			}
			break;
		case 'i':
			if (!parse_u64(optarg, &ip)) {
				rc = sck_cli_usage("emu", "bad instruction pointer '%s'", optarg);
				goto out;
			}
			break;
		case 's':
			stack_paths[nstack++] = optarg;
			break;
		case 'h':
			rc = sck_cli_help("emu");
			goto out;
		default:
			rc = sck_cli_bad_option("emu", "+a:i:s:h", argv);
			goto out;
		}
	}
	nargs = argc - optind - 2;
	if (nargs < 0 || nargs > 6) {
		rc = sck_cli_usage("emu", "expected FILE SYSCALL [ARG0 .. ARG5]");
		goto out;
	}
	if (!arch) {
		rc = sck_cli_usage("emu", "no native architecture; use -a ARCH");
		goto out;
	}
	memset(&data, 0, sizeof(data));
	data.arch = arch->audit_arch;
	data.instruction_pointer = field_of(arch, raw, ip);
	sys = argv[optind + 1];
	if (isdigit((unsigned char)sys[0]) || sys[0] == '-') {
		/* 0 .. 0xffffffff, or a negative number down to INT32_MIN */
		if (!parse_u64(sys, &v) ||
		    (v > UINT32_MAX && ((int64_t)v >= 0 || (int64_t)v < INT32_MIN))) {
			rc = sck_cli_usage("emu", "bad syscall number '%s'", sys);
			goto out;
		}
		data.nr = (int)(uint32_t)v;
	} else {
		int nr = sck_syscall_nr(arch, sys);

		if (nr < 0) {
			sck_cli_err("emu", "unknown syscall '%s' on %s", sys, arch->name);
			rc = SCK_EXIT_USAGE;
			goto out;
		}
		data.nr = nr;
	}
	for (int i = 0; i < nargs; i++) {
		if (!parse_u64(argv[optind + 2 + i], &v)) {
			rc = sck_cli_usage("emu",
					   "bad argument %d '%s' (a number: decimal, 0x hex, "
					   "negative decimal)",
					   i, argv[optind + 2 + i]);
			goto out;
		}
		data.args[i] = field_of(arch, raw, v);
	}
	/* --stack files were installed first, FILE last. */
	stack_paths[nstack++] = argv[optind];
	stack = calloc(nstack, sizeof(struct sck_bpf_emu *));
	if (!stack) {
		rc = SCK_EXIT_NO;
		goto out;
	}
	for (; nloaded < nstack; nloaded++) {
		rc = load_one(stack_paths[nloaded], hint, order, &stack[nloaded]);
		if (rc)
			goto out;
	}
	ret = sck_bpf_emu_run_stack((const struct sck_bpf_emu *const *)stack, nstack, &data,
				    &executed);
	if (sck_action_format(sck_action_effective(ret), action, sizeof(action)) < 0)
		snprintf(action, sizeof(action), "0x%08x", (unsigned int)ret);
	printf("%s\ninstructions: %u\n", action, (unsigned int)executed);
	rc = SCK_EXIT_OK;
out:
	for (size_t i = 0; i < nloaded; i++)
		sck_bpf_emu_free(stack[i]);
	free(stack);
	free(stack_paths);
	return rc;
}
