// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the filter compiler. The input bytes describe a filter (default and bad-arch
 * actions, flags, arches, weights, rules with conditions); it is compiled twice, by the
 * optimizing generator and by the linear reference (SCK_COMPILE_LINEAR). Both programs must pass
 * the validator, and the emulator must give the same return value for both on many seccomp_data
 * built around the rules' numbers and operands (boundaries, high words, foreign arches, x32).
 * Any difference is __builtin_trap().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	uint8_t v;

	if (in->n == 0)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

static uint32_t u32(struct in *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | u8(in);
	return v;
}

static uint64_t u64(struct in *in)
{
	return (uint64_t)u32(in) << 32 | u32(in);
}

static const char *const arch_names[] = {"x86_64", "x32",   "i386",   "aarch64",
					 "arm",	   "s390x", "mips64", "riscv64"};
#define NARCH (sizeof(arch_names) / sizeof(arch_names[0]))

static const char *const sys_names[] = {"read",	 "write",  "openat", "socket",	  "connect",
					"semop", "mmap",   "clone",  "ioctl",	  "futex",
					"kill",	 "execve", "open",   "exit_group"};
#define NSYS (sizeof(sys_names) / sizeof(sys_names[0]))

static const uint32_t actions[] = {SECCOMP_RET_ALLOW,	     SECCOMP_RET_ERRNO | 1,
				   SECCOMP_RET_ERRNO | 5000, SECCOMP_RET_KILL_PROCESS,
				   SECCOMP_RET_KILL_THREAD,  SECCOMP_RET_TRAP | 7,
				   SECCOMP_RET_TRACE | 3,    SECCOMP_RET_LOG,
				   SECCOMP_RET_USER_NOTIF,   SECCOMP_RET_ERRNO | 0xffff};
#define NACT (sizeof(actions) / sizeof(actions[0]))

static const uint64_t values[] = {0,
				  1,
				  2,
				  0x7fffffff,
				  0x80000000,
				  0xffffffff,
				  0x100000000ull,
				  0x100000001ull,
				  0xffffffff00000000ull,
				  0xffffffff80000000ull,
				  0xffffffffffffffffull,
				  0x8000000000000000ull,
				  0x7fffffffffffffffull,
				  0xff,
				  0x1000};
#define NVAL (sizeof(values) / sizeof(values[0]))

static uint64_t value(struct in *in)
{
	uint8_t s = u8(in);

	if (s < 0xc0)
		return values[s % NVAL];
	if (s < 0xe0)
		return u8(in);
	return u64(in);
}

/* Interesting argument values: the operands, their neighbours and high-word variants. */
#define MAXPROBE 32
struct probes {
	uint64_t v[MAXPROBE];
	size_t n;
};

static void probe_add(struct probes *pr, uint64_t v)
{
	const uint64_t vs[] = {v,
			       v - 1,
			       v + 1,
			       v & 0xffffffffull,
			       (v & 0xffffffffull) | 0xffffffff00000000ull,
			       (v & 0xffffffffull) | 0x1234567800000000ull};

	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]) && pr->n < MAXPROBE; i++) {
		size_t k = 0;

		/* the same value twice proves nothing more */
		while (k < pr->n && pr->v[k] != vs[i])
			k++;
		if (k == pr->n)
			pr->v[pr->n++] = vs[i];
	}
}

/* Appends nr to a[*n] (capacity cap) unless it is there already. */
static void nr_add(int *a, size_t *n, size_t cap, int nr)
{
	for (size_t i = 0; i < *n; i++)
		if (a[i] == nr)
			return;
	if (*n < cap)
		a[(*n)++] = nr;
}

/* The conditions of one rule, kept to probe its number's arguments. */
struct crule {
	int nr;	  /* its number, or -1 when named */
	int name; /* index in sys_names, or -1 */
	size_t n;
	struct sck_cond c[3];
};
/* a conditional rule takes at least 3 bytes of the (at most 4096-byte) input */
static struct crule crules[4096 / 3 + 1];

/* The probes of each argument for @nr on @a: the operands of that number's rules only. */
static unsigned int probes_for(struct probes pr[6], const struct crule *cr, size_t ncr,
			       const struct sck_arch *a, int nr)
{
	unsigned int used = 0;

	for (int k = 0; k < 6; k++) {
		pr[k].n = 0;
		probe_add(&pr[k], 0);
	}
	for (size_t i = 0; i < ncr; i++) {
		if (cr[i].nr >= 0 ? cr[i].nr != nr
				  : !a || sck_syscall_nr(a, sys_names[cr[i].name]) != nr)
			continue;
		for (size_t k = 0; k < cr[i].n; k++) {
			const struct sck_cond *c = &cr[i].c[k];

			used |= 1u << c->arg;
			probe_add(&pr[c->arg], c->value);
			if (c->op == SCK_CMP_MASKED_EQ)
				probe_add(&pr[c->arg], c->mask);
		}
	}
	return used;
}

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void compare(const struct sck_bpf_emu *a, const struct sck_bpf_emu *b,
		    const struct seccomp_data *d)
{
	if (sck_bpf_emu_run(a, d, NULL) != sck_bpf_emu_run(b, d, NULL))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	struct sck_filter *f = NULL;
	struct sck_filter_prog *po = NULL, *pl = NULL;
	struct sck_bpf_emu *eo = NULL, *el = NULL;
	const struct sck_arch *farch[NARCH + 1];
	struct probes pr[6];
	unsigned int cond_names = 0; /* names with conditions */
	int nrs[64], cond_nrs[64];
	size_t nfarch = 0, nnrs = 0, ncond_nrs = 0, ncr = 0, olen, llen;
	const struct sock_filter *oi, *li;
	uint64_t seed = size;
	uint8_t b;
	int rc, ro, rl;

	if (size > 4096)
		return 0;
	b = u8(&in);
	{
		SCK_OPTS(sck_filter_opts, o, .default_action = actions[(b & 0xf) % NACT],
			 .bad_arch_action = actions[(b >> 4) % NACT], .flags = u8(&in) & 7u);
		if (sck_filter_new(&o, &f) < 0)
			return 0;
	}
	b = u8(&in) % 4;
	for (uint8_t i = 0; i < b; i++) {
		const struct sck_arch *a = sck_arch_from_name(arch_names[u8(&in) % NARCH]);

		rc = sck_filter_add_arch(f, a);
		if (rc < 0 && rc != -EEXIST && rc != -EDOM)
			__builtin_trap();
		if (rc == 0)
			farch[nfarch++] = a;
	}
	if (nfarch == 0 && sck_arch_native())
		farch[nfarch++] = sck_arch_native();
	b = u8(&in) % 4;
	for (uint8_t i = 0; i < b && nfarch; i++)
		(void)sck_filter_set_weight(f, farch[u8(&in) % nfarch], u8(&in) % 64, u8(&in));

	while (in.n > 0) {
		struct sck_rule r;
		struct sck_cond *conds = crules[ncr].c;
		uint8_t kind = u8(&in);

		memset(&r, 0, sizeof(r));
		if (kind & 1) {
			r.name = sys_names[(kind >> 1) % NSYS];
		} else {
			uint8_t s = u8(&in);

			r.nr = (kind & 2) ? (int)(0x40000000u | s) : (kind & 4) ? 5000 + s : s;
			nr_add(nrs, &nnrs, sizeof(nrs) / sizeof(nrs[0]), r.nr);
		}
		b = u8(&in);
		r.action = actions[(b & 0xf) % NACT];
		if ((b & 0x30) == 0x30 && nfarch)
			r.arch = farch[u8(&in) % nfarch];
		r.nconds = (size_t)(b >> 6);
		crules[ncr].nr = r.name ? -1 : r.nr;
		crules[ncr].name = r.name ? (int)((kind >> 1) % NSYS) : -1;
		crules[ncr].n = r.nconds;
		if (r.nconds && r.name)
			cond_names |= 1u << ((kind >> 1) % NSYS);
		else if (r.nconds)
			nr_add(cond_nrs, &ncond_nrs, sizeof(cond_nrs) / sizeof(cond_nrs[0]), r.nr);
		for (size_t i = 0; i < r.nconds; i++) {
			uint8_t c = u8(&in);

			conds[i].arg = c % 6;
			conds[i].op = (enum sck_cmp_op)(1 + (c >> 3) % 7);
			conds[i].flags = (c & 0x80) ? SCK_COND_LOW32 : 0;
			conds[i].value = value(&in);
			conds[i].mask = conds[i].op == SCK_CMP_MASKED_EQ ? value(&in) : 0;
		}
		r.conds = r.nconds ? conds : NULL;
		ncr += r.nconds != 0;
		rc = sck_filter_add_rule(f, &r);
		if (rc < 0 && rc != -ENOENT)
			__builtin_trap();
	}

	ro = sck_filter_compile(f, NULL, &po);
	{
		SCK_OPTS(sck_filter_compile_opts, o, .flags = SCK_COMPILE_LINEAR);
		rl = sck_filter_compile(f, &o, &pl);
	}
	if (ro == -ENOMEM || rl == -ENOMEM || ro == -E2BIG || rl == -E2BIG)
		goto out;
	if (ro < 0 || rl < 0)
		__builtin_trap();
	oi = sck_filter_prog_insns(po, &olen);
	li = sck_filter_prog_insns(pl, &llen);
	if (!oi || !li || sck_bpf_check(oi, olen, NULL) < 0 || sck_bpf_check(li, llen, NULL) < 0)
		__builtin_trap();
	if (sck_bpf_emu_new(oi, olen, &eo) < 0 || sck_bpf_emu_new(li, llen, &el) < 0)
		goto out;

	for (size_t ai = 0; ai <= nfarch; ai++) {
		/* the filter's arches, then one it does not have */
		uint32_t audit = ai < nfarch ? farch[ai]->audit_arch : sck_audit_arch("ppc64le");
		int cand[(64 * 2 + NSYS * 2) * 2 + 8];
		size_t ncand = 0, nsweep;

		/* first the numbers whose rules have conditions: their arguments matter */
		for (size_t i = 0; i < ncond_nrs; i++)
			nr_add(cand, &ncand, sizeof(cand) / sizeof(cand[0]), cond_nrs[i]);
		for (size_t i = 0; i < NSYS && ai < nfarch; i++) {
			int nr = sck_syscall_nr(farch[ai], sys_names[i]);

			if (nr >= 0 && (cond_names & (1u << i)))
				nr_add(cand, &ncand, sizeof(cand) / sizeof(cand[0]), nr);
		}
		nsweep = ncand;
		for (size_t i = 0; i < nnrs; i++)
			nr_add(cand, &ncand, sizeof(cand) / sizeof(cand[0]), nrs[i]);
		for (size_t i = 0; i < NSYS && ai < nfarch; i++) {
			int nr = sck_syscall_nr(farch[ai], sys_names[i]);

			if (nr >= 0 && !(cond_names & (1u << i)))
				nr_add(cand, &ncand, sizeof(cand) / sizeof(cand[0]), nr);
		}
		for (size_t i = 0, n = ncand; i < n; i++)
			cand[ncand++] = (int)((uint32_t)cand[i] ^ 0x40000000u);
		cand[ncand++] = -1;
		cand[ncand++] = 0;
		cand[ncand++] = (int)0x40000000;
		cand[ncand++] = (int)0x80000000;
		cand[ncand++] = 1 + (int)(mix(&seed) % 500);
		for (size_t ci = 0; ci < ncand; ci++) {
			struct seccomp_data d;
			unsigned int args_used;

			memset(&d, 0, sizeof(d));
			d.arch = audit;
			d.nr = cand[ci];
			compare(eo, el, &d);
			if (ci >= nsweep)
				continue;
			args_used =
				probes_for(pr, crules, ncr, ai < nfarch ? farch[ai] : NULL, d.nr);
			/* each argument this number's rules compare, on its own over their
			 * operands and the neighbours, then random mixes of them */
			for (int a = 0; a < 6; a++) {
				if (!(args_used & (1u << a)))
					continue;
				for (size_t k = 0; k < pr[a].n; k++) {
					d.args[a] = pr[a].v[k];
					compare(eo, el, &d);
				}
				d.args[a] = 0;
			}
			for (int k = 0; k < 8; k++) {
				for (int a = 0; a < 6; a++)
					d.args[a] = pr[a].v[mix(&seed) % pr[a].n];
				compare(eo, el, &d);
			}
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
