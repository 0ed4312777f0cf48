// SPDX-License-Identifier: MIT
/*
 * An evaluator of libseccomp's pseudo filter code (seccomp_export_pfc of libseccomp 2.5.4): the
 * rule database as libseccomp itself prints it, nested `if` blocks by indentation, `else`,
 * `action X;`. The compat differential test uses it as the oracle where libseccomp's program and
 * sck's disagree: when libseccomp's program contradicts its own database, that is a libseccomp
 * code generation bug (docs/semantics.md), not a compat difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfc_eval.h"

struct line {
	int indent;
	const char *s;
	int abi; /* on an arch block's `if`: 1 x86_64, 2 x32 (they share AUDIT_ARCH_X86_64) */
};

static uint32_t parse_action(const char *s)
{
	unsigned int v = 0;

	if (sscanf(s, "ERRNO(%u)", &v) == 1)
		return 0x00050000u | (v & 0xffff);
	if (sscanf(s, "TRACE(%u)", &v) == 1)
		return 0x7ff00000u | (v & 0xffff);
	if (sscanf(s, "0x%x", &v) == 1)
		return v;
	if (!strncmp(s, "ALLOW", 5))
		return 0x7fff0000u;
	if (!strncmp(s, "KILL_PROCESS", 12))
		return 0x80000000u;
	if (!strncmp(s, "KILL", 4))
		return 0;
	if (!strncmp(s, "TRAP", 4))
		return 0x00030000u;
	if (!strncmp(s, "LOG", 3))
		return 0x7ffc0000u;
	if (!strncmp(s, "NOTIFY", 6))
		return 0x7fc00000u;
	return 0xdeadbeefu;
}

static int cond_true(const char *c, const struct seccomp_data *d)
{
	char lhs[32], op[4];
	unsigned long long v, m = 0;
	uint64_t x;
	int arg = -1, part = 0; /* 0 whole, 1 hi, 2 lo */

	if (sscanf(c, "$%31s %3s %lli", lhs, op, &v) != 3)
		return -1;
	if (!strcmp(op, "&")) {
		m = v;
		if (sscanf(c, "$%31s & %lli %3s %lli", lhs, &m, op, &v) != 4)
			return -1;
	}
	if (!strcmp(lhs, "arch"))
		x = d->arch;
	else if (!strcmp(lhs, "syscall"))
		x = d->nr;
	else if (sscanf(lhs, "a%d", &arg) == 1 && arg >= 0 && arg < 6) {
		part = strstr(lhs, ".hi32") ? 1 : strstr(lhs, ".lo32") ? 2 : 0;
		x = d->args[arg];
		/*
		 * The emulator reads seccomp_data in host (little-endian) order: on a big-endian
		 * arch the word a program loads as the high one is the host's low word. A plain
		 * $aN is a 32-bit ABI's argument: libseccomp loads its low word.
		 */
		if (!(d->arch & 0x40000000u)) /* no __AUDIT_ARCH_LE */
			x = (x >> 32) | (x << 32);
		x = part == 1 ? x >> 32 : (uint32_t)x;
	} else
		return -1;
	if (strstr(c, " & "))
		x &= m;
	if (!strcmp(op, "=="))
		return x == v;
	if (!strcmp(op, "!="))
		return x != v;
	if (!strcmp(op, ">"))
		return x > v;
	if (!strcmp(op, ">="))
		return x >= v;
	if (!strcmp(op, "<"))
		return x < v;
	if (!strcmp(op, "<="))
		return x <= v;
	return -1;
}

/* `else`, or `else # (comment)` after a binary search node of optimize level 2 */
static int is_else(const char *s)
{
	return !strncmp(s, "else", 4) && (s[4] == 0 || s[4] == ' ');
}

/* Evaluate lines [*i, end) at @indent; 1 with *out set when an action was reached. */
static int eval_block(const struct line *l, size_t n, size_t *i, int indent,
		      const struct seccomp_data *d, uint32_t *out)
{
	while (*i < n && l[*i].indent >= indent) {
		const struct line *x = &l[*i];
		if (x->indent > indent) { /* a body not taken */
			(*i)++;
			continue;
		}
		if (!strncmp(x->s, "action ", 7)) {
			*out = parse_action(x->s + 7);
			return 1;
		}
		if (!strncmp(x->s, "if (", 4)) {
			char cond[160];
			size_t len = strlen(x->s + 4);
			int t;
			if (len == 0 || len >= sizeof(cond))
				return -1;
			memcpy(cond, x->s + 4, len - 1);
			cond[len - 1] = 0;
			t = cond_true(cond, d);
			if (x->abi == 1 && (uint32_t)d->nr >= 0x40000000 &&
			    (uint32_t)d->nr != 0xffffffff)
				t = 0;
			if (x->abi == 2 &&
			    ((uint32_t)d->nr < 0x40000000 || (uint32_t)d->nr == 0xffffffff))
				t = 0;
			if (t < 0)
				return -1;
			(*i)++;
			if (t) {
				int r = eval_block(l, n, i, indent + 2, d, out);
				if (r)
					return r;
				if (*i < n && l[*i].indent == indent && is_else(l[*i].s))
					for ((*i)++; *i < n && l[*i].indent > indent; (*i)++)
						;
			} else {
				while (*i < n && l[*i].indent > indent)
					(*i)++;
				if (*i < n && l[*i].indent == indent && is_else(l[*i].s)) {
					int r;
					(*i)++;
					r = eval_block(l, n, i, indent + 2, d, out);
					if (r)
						return r;
				}
			}
			continue;
		}
		(*i)++; /* a stray else after a taken branch */
	}
	return 0;
}

int pfc_eval(const char *text, const struct seccomp_data *d, uint32_t *out)
{
	struct line *l = NULL;
	size_t n = 0, cap = 0, i = 0;
	int abi = 0;
	char *buf = strdup(text), *save = NULL;
	int r;

	if (!buf)
		return -1;
	for (char *s = strtok_r(buf, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		int ind = 0;
		while (s[ind] == ' ')
			ind++;
		if (!strncmp(s + ind, "# filter for arch ", 18)) {
			abi = !strncmp(s + ind + 18, "x86_64 ", 7) ? 1
			      : !strncmp(s + ind + 18, "x32 ", 4)  ? 2
								   : 0;
			continue;
		}
		if (s[ind] == '#' || s[ind] == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			l = realloc(l, cap * sizeof(*l));
			if (!l)
				return -1;
		}
		l[n++] = (struct line){ind, s + ind, ind == 0 ? abi : 0};
	}
	r = eval_block(l, n, &i, 0, d, out);
	free(l);
	free(buf);
	return r;
}
