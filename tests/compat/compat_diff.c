// SPDX-License-Identifier: MIT
/*
 * The compat differential program: written against libseccomp's API (<seccomp.h>, -lseccomp),
 * run once with Debian's libseccomp and once with build/compat/libseccomp.so.2
 * (LD_LIBRARY_PATH), the two outputs compared by tests/diff/test_diff_compat.c. Each case (seed
 * printed, replayable) is a random API call sequence: init with a random default action, arch
 * lists (native, x86, x32, aarch64, arm, riscv64, s390x, s390, ppc64), attributes, rules (native
 * and _exact, varargs and arrays, priorities, overlapping conditions with mixed actions, bad
 * arguments), a merge; every return code is printed, then the exported program's verdict, run in
 * sck's emulator, on every syscall number of each arch and on the numbers with rules for
 * boundary argument values. Under the real libseccomp, a verdict that its own pseudo filter code
 * contradicts is marked "pfc=" (a libseccomp code generation bug). A case runs in a child: one
 * that crashes libseccomp is printed as such and skipped by the comparison.
 * Usage: compat-diff SEED CASES
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sck.h"
#include "pfc_eval.h"

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static const char *const names[] = {"read",	   "write",  "close",	"openat", "socket",
				    "connect",	   "accept", "accept4", "shmat",  "semop",
				    "personality", "clone",  "ioctl",	"mmap",	  "kill",
				    "fcntl",	   "getpid"};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static const uint64_t datums[] = {0,
				  1,
				  2,
				  5,
				  0xff,
				  0x7fffffff,
				  0x80000000,
				  0xffffffff,
				  0x100000000,
				  0x100000005,
				  0xffffffff00000000ull,
				  ~0ull,
				  0x1234};
#define NDATUMS (sizeof(datums) / sizeof(datums[0]))

static bool crowded;
static uint64_t bvals[256];
static size_t nbvals;

static void bval_add(uint64_t v)
{
	uint64_t c[] = {
		v, v - 1, v + 1, v ^ (1ull << 32), v & 0xffffffffu, v | 0xffffffff00000000ull};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t j;
		for (j = 0; j < nbvals && bvals[j] != c[i]; j++)
			;
		if (j == nbvals && nbvals < 256)
			bvals[nbvals++] = c[i];
	}
}

static uint32_t rnd_action(void)
{
	static const uint32_t acts[] = {
		SCMP_ACT_ALLOW,	       SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP,	SCMP_ACT_LOG,
		SCMP_ACT_KILL_PROCESS, SCMP_ACT_ERRNO(1),    SCMP_ACT_ERRNO(2), SCMP_ACT_ERRNO(3),
		SCMP_ACT_TRACE(7),     SCMP_ACT_ERRNO(4095), 0x7ff10000u,	SCMP_ACT_NOTIFY};
	unsigned int k = pick(100);
	return k < 70 ? acts[5 + pick(3)] : acts[pick(sizeof(acts) / sizeof(acts[0]))];
}

static const char *const arch_sck[] = {"x86_64",  "i386",  "x32",  "aarch64", "arm",
				       "riscv64", "s390x", "s390", "ppc64"};
static const uint32_t arch_pool[] = {SCMP_ARCH_X86_64,	SCMP_ARCH_X86,	SCMP_ARCH_X32,
				     SCMP_ARCH_AARCH64, SCMP_ARCH_ARM,	SCMP_ARCH_RISCV64,
				     SCMP_ARCH_S390X,	SCMP_ARCH_S390, SCMP_ARCH_PPC64};
#define NARCH (sizeof(arch_pool) / sizeof(arch_pool[0]))

static void add_rule(scmp_filter_ctx c, uint32_t def)
{
	struct scmp_arg_cmp a[7] = {0};
	unsigned int n = pick(100) < 30 ? 0 : 1 + pick(3), used = 0;
	uint32_t act = pick(100) < 4 ? def : rnd_action();
	int nr, rc;
	bool exact = pick(100) < 15;

	if (pick(100) < 6) {
		static const int odd[] = {-1, -2, -101, -105, -221, -10001, 1000, 100000};
		nr = odd[pick(sizeof(odd) / sizeof(odd[0]))];
	} else {
		/* a third of the cases pile their rules on three calls: overlaps everywhere */
		nr = seccomp_syscall_resolve_name(names[crowded ? pick(3) : pick(NNAMES)]);
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned int arg = pick(100) < 3 ? 6 : pick(4);
		if ((used & (1u << arg)) && pick(100) < 90)
			arg = (arg + 1) % 4;
		used |= 1u << arg;
		a[i].arg = arg;
		a[i].op = pick(100) < 2 ? 8 : 1 + pick(7);
		a[i].datum_a = pick(100) < 10 ? rnd() : datums[pick(NDATUMS)];
		a[i].datum_b = pick(100) < 10 ? rnd() : datums[pick(NDATUMS)];
		if (a[i].op == SCMP_CMP_MASKED_EQ && pick(2))
			a[i].datum_b &= a[i].datum_a;
		bval_add(a[i].datum_a);
		if (a[i].op == SCMP_CMP_MASKED_EQ)
			bval_add(a[i].datum_b);
	}
	if (pick(100) < 2)
		n = 7;
	if (exact)
		rc = seccomp_rule_add_exact_array(c, act, nr, n, n ? a : NULL);
	else if (n == 1 && pick(2))
		rc = seccomp_rule_add(c, act, nr, 1, a[0]);
	else
		rc = seccomp_rule_add_array(c, act, nr, n, n ? a : NULL);
	printf("rule%s %#x nr=%d n=%u", exact ? "_exact" : "", act, nr, n);
	for (unsigned int i = 0; i < n && i < 6; i++)
		printf(" [%u %d %#llx %#llx]", a[i].arg, a[i].op, (unsigned long long)a[i].datum_a,
		       (unsigned long long)a[i].datum_b);
	printf(" -> %d\n", rc);
}

static void setup_arches(scmp_filter_ctx c)
{
	unsigned int kind = pick(10);
	if (kind < 6) { /* native plus some of x86, x32 (and a refused big-endian one) */
		for (unsigned int i = 0; i < 3; i++)
			if (pick(2))
				printf("arch_add %#x -> %d\n", arch_pool[1 + pick(2)],
				       seccomp_arch_add(c, arch_pool[1 + pick(2)]));
		if (pick(10) == 0)
			printf("arch_add s390x -> %d\n", seccomp_arch_add(c, SCMP_ARCH_S390X));
		if (pick(10) == 0)
			printf("arch_remove native -> %d\n", seccomp_arch_remove(c, 0));
	} else {
		uint32_t t = arch_pool[3 + pick(NARCH - 3)], t2 = arch_pool[3 + pick(NARCH - 3)];
		printf("arch_remove native -> %d\n", seccomp_arch_remove(c, SCMP_ARCH_NATIVE));
		printf("arch_add %#x -> %d\n", t, seccomp_arch_add(c, t));
		if (pick(2))
			printf("arch_add %#x -> %d\n", t2, seccomp_arch_add(c, t2));
	}
}

static void attrs(scmp_filter_ctx c)
{
	uint32_t v;
	for (unsigned int i = 0; i < 3; i++) {
		unsigned int at = pick(11);
		uint32_t val = at == SCMP_FLTATR_ACT_BADARCH || at == SCMP_FLTATR_ACT_DEFAULT
				       ? rnd_action()
				       : pick(4);
		printf("attr_set %u %#x -> %d\n", at, val, seccomp_attr_set(c, at, val));
	}
	for (unsigned int at = 0; at < 11; at++) {
		int rc = seccomp_attr_get(c, at, &v);
		printf("attr_get %u -> %d %#x\n", at, rc, rc == 0 ? v : 0);
	}
}

static struct sock_filter *export(scmp_filter_ctx c, size_t *len, char **pfc)
{
	int fd = memfd_create("bpf", 0), pf = memfd_create("pfc", 0), rc;
	struct sock_filter *p = NULL;
	off_t n, m;

	rc = seccomp_export_bpf(c, fd);
	printf("export_bpf -> %d\n", rc);
	n = lseek(fd, 0, SEEK_END);
	if (rc == 0 && n > 0 && (p = malloc((size_t)n)) && pread(fd, p, (size_t)n, 0) != n) {
		free(p);
		p = NULL;
	}
	*len = (size_t)n / sizeof(*p);
	if (p && (seccomp_arch_exist(c, SCMP_ARCH_S390X) == 0 ||
		  seccomp_arch_exist(c, SCMP_ARCH_S390) == 0 ||
		  seccomp_arch_exist(c, SCMP_ARCH_PPC64) == 0))
		for (size_t i = 0; i < *len; i++) { /* written in the arch's byte order */
			p[i].code = __builtin_bswap16(p[i].code);
			p[i].k = __builtin_bswap32(p[i].k);
		}
	*pfc = NULL;
	if (seccomp_export_pfc(c, pf) == 0 && (m = lseek(pf, 0, SEEK_END)) > 0 &&
	    (*pfc = calloc(1, (size_t)m + 1)) && pread(pf, *pfc, (size_t)m, 0) != m) {
		free(*pfc);
		*pfc = NULL;
	}
	if (*pfc && getenv("COMPAT_DIFF_DUMP"))
		fputs(*pfc, stderr);
	if (*pfc && strncmp(*pfc, "#\n# pseudo filter code start", 28) != 0) {
		free(*pfc); /* sck's disassembly: no oracle there */
		*pfc = NULL;
	}
	close(fd);
	close(pf);
	return p;
}

static bool narrow;

static void verdict(const struct sck_bpf_emu *emu, const char *pfc, struct seccomp_data *d,
		    const char *tag)
{
	uint32_t v, o;

	if (narrow) /* the kernel hands 32-bit ABIs zero-extended arguments */
		for (int i = 0; i < 6; i++)
			d->args[i] = (uint32_t)d->args[i];
	v = sck_bpf_emu_run(emu, d, NULL);

	printf("%s %#x %#x %llx %llx %llx %llx -> %#x", tag, d->arch, d->nr,
	       (unsigned long long)d->args[0], (unsigned long long)d->args[1],
	       (unsigned long long)d->args[2], (unsigned long long)d->args[3], v);
	if (pfc && pfc_eval(pfc, d, &o) == 1 && o != v)
		printf(" pfc=%#x", o);
	printf("\n");
}

static void sweep(scmp_filter_ctx c)
{
	size_t len;
	char *pfc;
	struct sock_filter *p = export(c, &len, &pfc);
	struct sck_bpf_emu *emu;

	if (p && getenv("COMPAT_DIFF_DUMP")) {
		char *t = NULL;
		if (sck_bpf_disasm_alloc(p, len, NULL, &t) == 0)
			fputs(t, stderr);
		free(t);
	}
	if (!p || sck_bpf_emu_new(p, len, &emu) < 0) {
		printf("no program\n");
		free(p);
		free(pfc);
		return;
	}
	for (size_t ai = 0; ai < NARCH; ai++) {
		uint32_t tok = arch_pool[ai], base = 0;
		struct seccomp_data d = {.arch = tok};
		if (seccomp_arch_exist(c, tok) != 0)
			continue;
		narrow = tok == SCMP_ARCH_X86 || tok == SCMP_ARCH_ARM || tok == SCMP_ARCH_S390;
		if (tok == SCMP_ARCH_X32) {
			d.arch = SCMP_ARCH_X86_64;
			base = 0x40000000;
		}
		for (uint32_t nr = 0; nr < 560; nr++) {
			d.nr = (int)(base + nr);
			verdict(emu, pfc, &d, "n");
		}
		for (size_t k = 0; k < NNAMES + 2; k++) {
			const char *nm = k < NNAMES ? names[k] : k == NNAMES ? "socketcall" : "ipc";
			/* the kernel's number (libseccomp names multiplexed calls by pseudo numbers) */
			int nr = sck_syscall_nr(sck_arch_from_name(arch_sck[ai]), nm);
			if (nr < 0)
				continue;
			d.nr = nr;
			for (unsigned int a = 0; a < 4; a++)
				for (size_t b = 0; b < nbvals; b++) {
					memset(d.args, 0, sizeof(d.args));
					d.args[a] = bvals[b];
					verdict(emu, pfc, &d, "a");
				}
			for (unsigned int r = 0; r < 48; r++) {
				for (unsigned int a = 0; a < 4; a++)
					d.args[a] = nbvals ? bvals[pick((unsigned int)nbvals)] : 0;
				verdict(emu, pfc, &d, "a");
			}
			memset(d.args, 0, sizeof(d.args));
		}
	}
	{
		struct seccomp_data d = {.arch = 0x12345, .nr = 1};
		narrow = false;
		verdict(emu, pfc, &d, "b");
		uint32_t tskip = 0;
		d.arch = SCMP_ARCH_X86_64;
		d.nr = -1;
		/* conditional rules on -1 (API_TSKIP) are not in compat's programs: documented */
		if (seccomp_attr_get(c, SCMP_FLTATR_API_TSKIP, &tskip) != 0 || !tskip)
			verdict(emu, pfc, &d, "b");
		d.nr = 0x40000001;
		verdict(emu, pfc, &d, "b");
	}
	sck_bpf_emu_free(emu);
	free(p);
	free(pfc);
}

/* Name and number resolution, arch names, versions: printed for the comparison. */
static void misc(void)
{
	static const char *const extra[] = {"socketcall", "ipc",   "chown32", "_llseek", "nosuch",
					    "semtimedop", "shmat", "accept",  "uname",	 ""};
	static const char *const an[] = {"x86_64",  "x86",   "x32",	"arm",
					 "aarch64", "s390x", "ppc64le", "mips",
					 "amd64",   "",	     "riscv64", "loongarch64"};
	for (size_t ai = 0; ai < NARCH; ai++) {
		for (size_t k = 0; k < NNAMES + sizeof(extra) / sizeof(extra[0]); k++) {
			const char *nm = k < NNAMES ? names[k] : extra[k - NNAMES];
			int nr = seccomp_syscall_resolve_name_arch(arch_pool[ai], nm);
			char *back = seccomp_syscall_resolve_num_arch(arch_pool[ai], nr);
			printf("resolve %#x %s -> %d %d %s\n", arch_pool[ai], nm, nr,
			       seccomp_syscall_resolve_name_rewrite(arch_pool[ai], nm),
			       back ? back : "(null)");
			free(back);
		}
	}
	for (size_t i = 0; i < sizeof(an) / sizeof(an[0]); i++)
		printf("arch_resolve %s -> %#x\n", an[i], seccomp_arch_resolve_name(an[i]));
	printf("native %#x version %u.%u.%u\n", seccomp_arch_native(), seccomp_version()->major,
	       seccomp_version()->minor, seccomp_version()->micro);
}

static void one_case(uint64_t seed)
{
	uint32_t def = rnd_action();
	scmp_filter_ctx c, m = NULL;
	unsigned int nrules;

	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	nbvals = 0;
	bval_add(0);
	crowded = pick(3) == 0;
	def = pick(3) == 0 ? SCMP_ACT_ALLOW : rnd_action();
	if (pick(8) == 0) { /* global state: each case runs in its own child */
		unsigned int l = pick(8);
		printf("api_set %u -> %d\n", l, seccomp_api_set(l));
	}
	printf("api_get -> %u\n", seccomp_api_get());
	if (seed % 16 == 0)
		misc();
	c = seccomp_init(def);
	printf("init %#x -> %s\n", def, c ? "ctx" : "NULL");
	if (!c)
		return;
	setup_arches(c);
	if (pick(10) == 0) {
		uint32_t d2 = rnd_action();
		printf("reset %#x -> %d\n", d2, seccomp_reset(c, d2));
		if (seccomp_attr_get(c, SCMP_FLTATR_ACT_DEFAULT, &def) != 0)
			def = d2;
	}
	for (size_t ai = 0; ai < NARCH; ai++)
		printf("arch_exist %#x -> %d\n", arch_pool[ai],
		       seccomp_arch_exist(c, arch_pool[ai]));
	attrs(c);
	nrules = 1 + pick(24);
	for (unsigned int i = 0; i < nrules; i++)
		add_rule(c, def);
	if (pick(4) == 0) {
		uint32_t t = arch_pool[3 + pick(3)];
		m = seccomp_init(pick(5) ? def : SCMP_ACT_ERRNO(9));
		if (m) {
			printf("m arch_remove -> %d\n", seccomp_arch_remove(m, 0));
			printf("m arch_add %#x -> %d\n", t, seccomp_arch_add(m, t));
			for (unsigned int i = 0; i < 4; i++)
				add_rule(m, def);
			int rc = seccomp_merge(c, m);
			printf("merge -> %d\n", rc);
			if (rc != 0)
				seccomp_release(m);
		}
	}
	if (pick(5) == 0) {
		int nr = seccomp_syscall_resolve_name(names[pick(NNAMES)]);
		bool ok = true;
		for (size_t ai = 0; ai < NARCH; ai++)
			if (seccomp_arch_exist(c, arch_pool[ai]) == 0 &&
			    seccomp_syscall_resolve_name_arch(arch_pool[ai], names[0]) < 0)
				ok = false;
		if (ok) /* libseccomp 2.5.4 corrupts its heap on names an arch lacks */
			printf("priority -> %d\n",
			       seccomp_syscall_priority(c, nr, (uint8_t)pick(256)));
	}
	sweep(c);
	seccomp_release(c);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	unsigned int cases = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 50;

	for (unsigned int i = 0; i < cases; i++) {
		pid_t pid;
		int st;

		printf("case %u seed %llu\n", i, (unsigned long long)(seed + i));
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			one_case(seed + i);
			fflush(stdout);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
			printf("crash\n");
	}
	printf("end\n");
	return 0;
}
