// SPDX-License-Identifier: MIT
/*
 * Arch tokens and syscall names for the libseccomp compatibility library: libseccomp's
 * SCMP_ARCH_* tokens (the arches libseccomp 2.5.4 knows and sck has tables for) mapped onto
 * sck's arch table, which ABIs libseccomp compares as 32-bit, and name resolution with
 * libseccomp's pseudo syscall numbers (__PNR_*, negative, for names an arch lacks; the table is
 * generated at build time from the system's <seccomp-syscalls.h>).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compat_int.h"
#include "syscalls_int.h"

struct compat_pnr {
	const char *name;
	int nr;
};
extern const struct compat_pnr sck_compat_pnr[], sck_compat_pnr_bynr[];
extern const size_t sck_compat_npnr;

static const struct {
	const char *sck_name;
	uint32_t token;
	bool arg32;
} arches[] = {
	{"x86_64", SCMP_ARCH_X86_64, false},
	{"i386", SCMP_ARCH_X86, true},
	{"x32", SCMP_ARCH_X32, true},
	{"arm", SCMP_ARCH_ARM, true},
	{"aarch64", SCMP_ARCH_AARCH64, false},
	{"mips", SCMP_ARCH_MIPS, true},
	{"mipsel", SCMP_ARCH_MIPSEL, true},
	{"mips64", SCMP_ARCH_MIPS64, false},
	{"mipsel64", SCMP_ARCH_MIPSEL64, false},
	{"mips64n32", SCMP_ARCH_MIPS64N32, true},
	{"mipsel64n32", SCMP_ARCH_MIPSEL64N32, true},
	{"ppc", SCMP_ARCH_PPC, true},
	{"ppc64", SCMP_ARCH_PPC64, false},
	{"ppc64le", SCMP_ARCH_PPC64LE, false},
	{"s390", SCMP_ARCH_S390, true},
	{"s390x", SCMP_ARCH_S390X, false},
	{"riscv64", SCMP_ARCH_RISCV64, false},
	{"parisc", SCMP_ARCH_PARISC, true},
	{"parisc64", SCMP_ARCH_PARISC64, false},
};
#define NARCHES (sizeof(arches) / sizeof(arches[0]))

static int arch_index(uint32_t token)
{
	if (token == SCMP_ARCH_NATIVE)
		token = compat_native_token();
	for (size_t i = 0; i < NARCHES; i++)
		if (arches[i].token == token)
			return (int)i;
	return -1;
}

/* sck's entry for arches[i], looked up once (a benign race writes the same pointer). */
static const struct sck_arch *arch_at(int i)
{
	static const struct sck_arch *cache[NARCHES];
	const struct sck_arch *a = __atomic_load_n(&cache[i], __ATOMIC_RELAXED);

	if (!a) {
		a = sck_arch_from_name(arches[i].sck_name);
		__atomic_store_n(&cache[i], a, __ATOMIC_RELAXED);
	}
	return a;
}

const struct sck_arch *compat_arch_of(uint32_t token)
{
	int i = arch_index(token);
	return i < 0 ? NULL : arch_at(i);
}

uint32_t compat_token_of(const struct sck_arch *sa)
{
	for (size_t i = 0; sa && i < NARCHES; i++)
		if (arch_at((int)i) == sa)
			return arches[i].token;
	return 0;
}

uint32_t compat_native_token(void)
{
	static uint32_t native;
	uint32_t t = __atomic_load_n(&native, __ATOMIC_RELAXED);

	if (!t) {
		t = compat_token_of(sck_arch_native());
		__atomic_store_n(&native, t, __ATOMIC_RELAXED);
	}
	return t;
}

bool compat_arch_arg32(uint32_t token)
{
	int i = arch_index(token);
	return i >= 0 && arches[i].arg32;
}

bool compat_arch_big_endian(uint32_t token)
{
	const struct sck_arch *sa = compat_arch_of(token);
	return sa && !sa->little_endian;
}

static int pnr_cmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct compat_pnr *)elt)->name);
}

int compat_pnr_of(const char *name)
{
	const struct compat_pnr *p =
		bsearch(name, sck_compat_pnr, sck_compat_npnr, sizeof(sck_compat_pnr[0]), pnr_cmp);
	return p ? p->nr : __NR_SCMP_ERROR;
}

/*
 * The pseudo number of each name of sck's tables, by sck_syscall_name_index (0: none), or NULL
 * without memory. A memo of the generated tables, built at the first lookup and kept for the
 * process (published once: a thread that loses the race frees its copy).
 */
static const int32_t *pnr_by_index(void)
{
	static const int32_t *memo;
	const int32_t *t = __atomic_load_n(&memo, __ATOMIC_ACQUIRE), *none = NULL;
	int32_t *n;

	if (t)
		return t;
	n = calloc(sck_syscall_name_count, sizeof(*n));
	if (!n)
		return NULL;
	for (size_t i = 0; i < sck_compat_npnr; i++) {
		int j = sck_syscall_name_index(sck_compat_pnr[i].name);
		if (j >= 0)
			n[j] = sck_compat_pnr[i].nr;
	}
	if (!__atomic_compare_exchange_n(&memo, &none, n, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free(n);
		return none;
	}
	return n;
}

int compat_pnr_of_index(int idx, const char *name)
{
	const int32_t *t = idx >= 0 ? pnr_by_index() : NULL;

	if (t)
		return t[idx] ? t[idx] : __NR_SCMP_ERROR;
	return name ? compat_pnr_of(name) : __NR_SCMP_ERROR;
}

const char *compat_pnr_name(int pnr)
{
	size_t lo = 0, hi = sck_compat_npnr;

	/* the first of the names sharing a number, in name order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sck_compat_pnr_bynr[mid].nr < pnr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sck_compat_npnr && sck_compat_pnr_bynr[lo].nr == pnr
		       ? sck_compat_pnr_bynr[lo].name
		       : NULL;
}

/*
 * The name of pseudo number @pnr where arch @token names that syscall by it, or NULL; with the
 * name's sck_syscall_name_index in *idx when @idx is not NULL.
 */
const char *compat_pnr_name_on(uint32_t token, int pnr, int *idx)
{
	const char *name = compat_pnr_name(pnr);
	int i = sck_syscall_name_index(name);

	if (idx)
		*idx = i;
	return name && compat_resolve_index(compat_arch_of(token), compat_arch_mux(token), name,
					    i) == pnr
		       ? name
		       : NULL;
}

int compat_resolve_index(const struct sck_arch *sa, bool mux, const char *name, int idx)
{
	int nr, s;

	if (!sa || !name)
		return __NR_SCMP_ERROR;
	if (mux) {
		nr = compat_pnr_of_index(idx, name);
		if ((nr <= -101 && nr >= -120) || (nr <= -201 && nr >= -224))
			return nr; /* multiplexed: libseccomp names the sub-call by its pseudo number */
	}
	s = sck_syscall_nr_at(sa, idx);
	return s >= 0 ? s : compat_pnr_of_index(idx, name);
}

/* The number of @name on @token, a pseudo number where the arch lacks it, else an error. */
int compat_resolve(uint32_t token, const char *name)
{
	return compat_resolve_index(compat_arch_of(token), compat_arch_mux(token), name,
				    sck_syscall_name_index(name));
}

COMPAT_API uint32_t seccomp_arch_resolve_name(const char *arch_name)
{
	static const struct {
		const char *name;
		uint32_t token;
	} names[] = {
		{"x86", SCMP_ARCH_X86},
		{"x86_64", SCMP_ARCH_X86_64},
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
		{"riscv64", SCMP_ARCH_RISCV64},
		{"parisc", SCMP_ARCH_PARISC},
		{"parisc64", SCMP_ARCH_PARISC64},
	};

	if (!arch_name)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, arch_name) == 0)
			return names[i].token;
	return 0;
}

COMPAT_API uint32_t seccomp_arch_native(void)
{
	return compat_native_token();
}

COMPAT_API int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name)
{
	int i;

	if (arch_token == 0)
		arch_token = compat_native_token();
	i = arch_index(arch_token);
	if (i < 0 || !name)
		return __NR_SCMP_ERROR;
	return compat_resolve_index(arch_at(i), compat_arch_mux(arch_token), name,
				    sck_syscall_name_index(name));
}

COMPAT_API int seccomp_syscall_resolve_name(const char *name)
{
	return seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name);
}

/* Where libseccomp 2.5.4 multiplexes socket and IPC calls: x86, s390, ppc and mips o32. */
bool compat_arch_mux(uint32_t token)
{
	switch (token) {
	case SCMP_ARCH_X86:
	case SCMP_ARCH_S390:
	case SCMP_ARCH_S390X:
	case SCMP_ARCH_PPC:
	case SCMP_ARCH_PPC64:
	case SCMP_ARCH_PPC64LE:
	case SCMP_ARCH_MIPS:
	case SCMP_ARCH_MIPSEL:
		return true;
	}
	return false;
}

COMPAT_API int seccomp_syscall_resolve_name_rewrite(uint32_t arch_token, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch_token, name), p;

	if (arch_token == 0)
		arch_token = compat_native_token();
	p = nr == __NR_SCMP_ERROR ? 0 : compat_pnr_of(name);
	if (p <= -101 && p >= -224 && compat_arch_mux(arch_token))
		return compat_resolve(arch_token, p > -200 ? "socketcall" : "ipc");
	return nr;
}

COMPAT_API char *seccomp_syscall_resolve_num_arch(uint32_t arch_token, int num)
{
	const struct sck_arch *sa;
	const char *name;

	if (arch_token == 0)
		arch_token = compat_native_token();
	sa = compat_arch_of(arch_token);
	if (!sa)
		return NULL;
	name = num >= 0 ? sck_syscall_name(sa, num) : compat_pnr_name_on(arch_token, num, NULL);
	return name ? strdup(name) : NULL;
}
