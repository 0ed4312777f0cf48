// SPDX-License-Identifier: MIT
/* Raw BPF file input and output shared by the BPF subcommands, with byte orders; see bpf_io.h. */
#include "bpf_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const order_names[] = {
	[SCK_CLI_ORDER_HOST] = "host",
	[SCK_CLI_ORDER_TARGET] = "target",
	[SCK_CLI_ORDER_BIG] = "big",
	[SCK_CLI_ORDER_LITTLE] = "little",
};

int sck_cli_parse_order(const char *cmd, const char *s, enum sck_cli_order *out)
{
	for (size_t i = SCK_CLI_ORDER_HOST; i < sizeof(order_names) / sizeof(order_names[0]); i++) {
		if (strcmp(s, order_names[i]) == 0) {
			*out = (enum sck_cli_order)i;
			return SCK_EXIT_OK;
		}
	}
	return sck_cli_usage(cmd, "unknown byte order '%s' (host, target, big or little)", s);
}

bool sck_cli_host_le(void)
{
	return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
}

bool sck_cli_order_le(enum sck_cli_order o, bool target_le)
{
	switch (o) {
	case SCK_CLI_ORDER_HOST:
		return sck_cli_host_le();
	case SCK_CLI_ORDER_BIG:
		return false;
	case SCK_CLI_ORDER_LITTLE:
		return true;
	case SCK_CLI_ORDER_AUTO:
	case SCK_CLI_ORDER_TARGET:
		break;
	}
	return target_le;
}

/*
 * Whether every instruction of @p read in host order (@swapped false) or in the other one has a
 * code that fits in 8 bits, as every BPF opcode does.
 */
static bool codes_fit(const struct sock_filter *p, size_t len, bool swapped)
{
	for (size_t i = 0; i < len; i++) {
		uint16_t code = swapped ? __builtin_bswap16(p[i].code) : p[i].code;

		if (code > 0xff)
			return false;
	}
	return true;
}

/* The file's order (true: the other one than the host's), or an exit status in *rc. */
static bool file_swapped(const char *cmd, const char *path, const struct sock_filter *p, size_t len,
			 const struct sck_arch *arch, enum sck_cli_order order, int *rc)
{
	bool host_ok, swap_ok;
	const struct sck_arch *target = arch ? arch : sck_arch_native();

	*rc = SCK_EXIT_OK;
	if (order != SCK_CLI_ORDER_AUTO)
		return sck_cli_order_le(order, target ? target->little_endian
						      : sck_cli_host_le()) != sck_cli_host_le();
	host_ok = codes_fit(p, len, false);
	swap_ok = codes_fit(p, len, true);
	if (host_ok != swap_ok)
		return swap_ok;
	if (arch)
		return arch->little_endian != sck_cli_host_le();
	sck_cli_err(cmd,
		    "%s: cannot tell the byte order (%s); give --byte-order host|big|little or "
		    "-a ARCH",
		    path,
		    host_ok ? "every instruction code is 0"
			    : "instruction codes above 0xff in both orders: not BPF in either");
	*rc = SCK_EXIT_USAGE;
	return false;
}

int sck_cli_read_bpf(const char *cmd, const char *path, const struct sck_arch *arch,
		     enum sck_cli_order order, struct sock_filter **prog, size_t *len)
{
	struct sock_filter *p;
	char *buf;
	size_t n;
	bool swap;
	int rc;

	rc = sck_cli_read_file(path, &buf, &n);
	if (rc < 0) {
		sck_cli_err(cmd, "%s: %s", path, strerror(-rc));
		return SCK_EXIT_USAGE;
	}
	if (n == 0) {
		sck_cli_err(cmd, "%s: empty file, not a BPF program", path);
		rc = SCK_EXIT_USAGE;
	} else if (n % sizeof(struct sock_filter)) {
		sck_cli_err(cmd,
			    "%s: size %zu is not a multiple of 8 (raw BPF is an array of "
			    "struct sock_filter)",
			    path, n);
		rc = SCK_EXIT_USAGE;
	} else if (n / sizeof(struct sock_filter) > SCK_BPF_MAXINSNS) {
		sck_cli_err(cmd, "%s: %zu instructions, more than the kernel's limit of %d", path,
			    n / sizeof(struct sock_filter), SCK_BPF_MAXINSNS);
		rc = SCK_EXIT_USAGE;
	}
	if (rc) {
		free(buf);
		return rc;
	}
	p = malloc(n);
	if (!p) {
		free(buf);
		sck_cli_err(cmd, "%s", strerror(ENOMEM));
		return SCK_EXIT_NO;
	}
	memcpy(p, buf, n);
	free(buf);
	n /= sizeof(struct sock_filter);
	swap = file_swapped(cmd, path, p, n, arch, order, &rc);
	if (rc) {
		free(p);
		return rc;
	}
	if (swap)
		sck_bpf_swap(p, n);
	*prog = p;
	*len = n;
	return SCK_EXIT_OK;
}

int sck_cli_write_bpf(const char *path, const struct sock_filter *prog, size_t len, bool le)
{
	struct sock_filter *copy;
	int rc;

	if (le == sck_cli_host_le())
		return sck_cli_write_file(path, prog, len * sizeof(*prog));
	copy = malloc(len * sizeof(*prog));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, prog, len * sizeof(*prog));
	sck_bpf_swap(copy, len);
	rc = sck_cli_write_file(path, copy, len * sizeof(*prog));
	free(copy);
	return rc;
}
