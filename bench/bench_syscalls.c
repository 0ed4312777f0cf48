// SPDX-License-Identifier: MIT
/*
 * Syscall lookups, sck against libseccomp in the same run: resolve every name of every arch
 * (name -> number), then every number back (number -> name), and report nanoseconds per lookup
 * and the ratio. The side-by-side figures use the same (arch, name) pairs for both libraries:
 * the arches libseccomp knows, and of those only the names both tables have.
 */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sck.h"

struct pair {
	const struct sck_arch *arch;
	uint32_t token; /* libseccomp's arch token; 0 when it has no such arch */
	const char *name;
	int nr;
};

static volatile long sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint32_t token_of(const struct sck_arch *a)
{
	static const struct {
		const char *name;
		uint32_t token;
	} map[] = {
		{"x86_64", SCMP_ARCH_X86_64},
		{"x86", SCMP_ARCH_X86},
		{"x32", SCMP_ARCH_X32},
		{"arm", SCMP_ARCH_ARM},
		{"aarch64", SCMP_ARCH_AARCH64},
		{"mips", SCMP_ARCH_MIPS},
		{"mipsel", SCMP_ARCH_MIPSEL},
		{"mips64", SCMP_ARCH_MIPS64},
		{"mipsel64", SCMP_ARCH_MIPSEL64},
		{"mips64n32", SCMP_ARCH_MIPS64N32},
		{"mipsel64n32", SCMP_ARCH_MIPSEL64N32},
		{"ppc", SCMP_ARCH_PPC},
		{"ppc64", SCMP_ARCH_PPC64},
		{"ppc64le", SCMP_ARCH_PPC64LE},
		{"s390", SCMP_ARCH_S390},
		{"s390x", SCMP_ARCH_S390X},
#ifdef SCMP_ARCH_RISCV64
		{"riscv64", SCMP_ARCH_RISCV64},
#endif
#ifdef SCMP_ARCH_LOONGARCH64
		{"loongarch64", SCMP_ARCH_LOONGARCH64},
#endif
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, a->name) == 0)
			return map[i].token;
	return 0;
}

/* Best of @rounds runs of fn over @pairs: ns per lookup. */
static double time_it(void (*fn)(const struct pair *, size_t), const struct pair *pairs, size_t n,
		      int rounds)
{
	double best = 1e300;

	for (int r = 0; r < rounds; r++) {
		double t0 = now_ns(), dt;

		fn(pairs, n);
		dt = (now_ns() - t0) / (double)n;
		if (dt < best)
			best = dt;
	}
	return best;
}

static void sck_names(const struct pair *p, size_t n)
{
	long acc = 0;

	for (size_t i = 0; i < n; i++)
		acc += sck_syscall_nr(p[i].arch, p[i].name);
	sink = acc;
}

static void sck_numbers(const struct pair *p, size_t n)
{
	long acc = 0;

	for (size_t i = 0; i < n; i++)
		acc += (long)(uintptr_t)sck_syscall_name(p[i].arch, p[i].nr);
	sink = acc;
}

static void scmp_names(const struct pair *p, size_t n)
{
	long acc = 0;

	for (size_t i = 0; i < n; i++)
		acc += seccomp_syscall_resolve_name_arch(p[i].token, p[i].name);
	sink = acc;
}

static void scmp_numbers(const struct pair *p, size_t n)
{
	long acc = 0;

	for (size_t i = 0; i < n; i++) {
		char *s = seccomp_syscall_resolve_num_arch(p[i].token, p[i].nr);

		acc += s ? s[0] : 0;
		free(s);
	}
	sink = acc;
}

int main(void)
{
	size_t total = 0, ncommon = 0, nall = 0;
	struct pair *all, *common;
	double a, b;

	for (size_t i = 0; i < sck_arch_count(); i++)
		total += sck_syscall_count(sck_arch_at(i));
	all = calloc(total, sizeof(*all));
	common = calloc(total, sizeof(*common));
	if (!all || !common)
		return 1;
	for (size_t i = 0; i < sck_arch_count(); i++) {
		const struct sck_arch *arch = sck_arch_at(i);
		uint32_t token = token_of(arch);
		const struct sck_syscall *s;

		for (size_t j = 0; (s = sck_syscall_at(arch, j)); j++) {
			struct pair p = {arch, token, s->name, s->nr};

			all[nall++] = p;
			/* Same pair in both tables (libseccomp numbers x32 with the bit too). */
			if (token && seccomp_syscall_resolve_name_arch(token, s->name) == s->nr)
				common[ncommon++] = p;
		}
	}

	printf("sck: %zu arches, %zu (arch, name) pairs\n", sck_arch_count(), nall);
	a = time_it(sck_names, all, nall, 50);
	printf("sck name->number, every name of every arch: %.1f ns/lookup\n", a);
	a = time_it(sck_numbers, all, nall, 50);
	printf("sck number->name, every number of every arch: %.1f ns/lookup\n", a);

	printf("side by side on the %zu pairs both libraries resolve to the same number:\n",
	       ncommon);
	a = time_it(sck_names, common, ncommon, 20);
	b = time_it(scmp_names, common, ncommon, 3);
	printf("  name->number: sck %.1f ns, libseccomp %.1f ns per lookup: libseccomp/sck = "
	       "%.1fx\n",
	       a, b, b / a);
	a = time_it(sck_numbers, common, ncommon, 20);
	b = time_it(scmp_numbers, common, ncommon, 3);
	printf("  number->name: sck %.1f ns, libseccomp %.1f ns per lookup: libseccomp/sck = "
	       "%.1fx\n",
	       a, b, b / a);
	free(all);
	free(common);
	return 0;
}
