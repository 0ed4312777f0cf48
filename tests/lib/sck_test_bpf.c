// SPDX-License-Identifier: MIT
/*
 * Random seccomp programs, data and mutations for the differential tests, and the runner that
 * offers them to the real kernel: a forked child runs each case in a fresh thread (seccomp
 * filters belong to a thread, and a thread's filters go away with it), so thousands of cases
 * share one fork and each starts from an empty filter stack.
 */
#include "sck_test_bpf.h"
#include "sck_test.h"
#include "sck.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint32_t rnd(uint64_t *rng, uint32_t n)
{
	return n ? (uint32_t)(sck_test_rand(rng) % n) : 0;
}

static uint32_t rnd32(uint64_t *rng)
{
	return (uint32_t)(sck_test_rand(rng) >> 16);
}

void sck_test_bpf_guard(struct sock_filter *out)
{
	out[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
	out[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, SCK_TEST_NR_MIN, 1, 0);
	out[2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
}

static uint64_t rand_arg(uint64_t *rng)
{
	switch (rnd(rng, 7)) {
	case 0:
		return 0;
	case 1:
		return rnd(rng, 64);
	case 2:
		return 0xffffffffu;
	case 3:
		return ~0ull;
	case 4:
		return ((uint64_t)rnd32(rng) << 32) | rnd(rng, 16);
	case 5:
		return (uint64_t)1 << rnd(rng, 64);
	default:
		return sck_test_rand(rng);
	}
}

void sck_test_bpf_data(uint64_t *rng, struct seccomp_data *d)
{
	const struct sck_arch *a = sck_arch_native();

	memset(d, 0, sizeof(*d));
	d->nr = (int)(SCK_TEST_NR_MIN + rnd(rng, SCK_TEST_NR_SPAN));
	d->arch = a ? a->audit_arch : 0;
	for (int i = 0; i < 6; i++)
		d->args[i] = rand_arg(rng);
}

/* A 32-bit word of @d at offset @off (host order, as LD|W|ABS reads it). */
static uint32_t word(const struct seccomp_data *d, uint32_t off)
{
	uint32_t v;

	memcpy(&v, (const unsigned char *)d + off, 4);
	return v;
}

/* An offset the programs may load: nr, arch or an argument word; never the instruction pointer,
 * which the test cannot know exactly. */
static uint32_t load_off(uint64_t *rng)
{
	switch (rnd(rng, 10)) {
	case 0:
	case 1:
	case 2:
		return 0;
	case 3:
		return 4;
	default:
		return 16 + 4 * rnd(rng, 12);
	}
}

static uint32_t konst(uint64_t *rng, const struct seccomp_data *d)
{
	switch (rnd(rng, 12)) {
	case 0:
	case 1:
		return (uint32_t)d->nr + rnd(rng, 3) - 1;
	case 2:
		return d->arch;
	case 3:
	case 4:
		return word(d, 16 + 4 * rnd(rng, 12));
	case 5:
		return word(d, 16 + 4 * rnd(rng, 12)) + rnd(rng, 3) - 1;
	case 6:
		return 0;
	case 7:
		return 0xffffffffu;
	case 8:
		return rnd(rng, 70);
	case 9:
		return 1u << rnd(rng, 32);
	default:
		return rnd32(rng);
	}
}

static const uint16_t alu_ops[] = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND,
				   BPF_OR,  BPF_XOR, BPF_LSH, BPF_RSH};
static const uint16_t jmp_ops[] = {BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET};

static uint32_t site_value(uint64_t *rng, unsigned *site)
{
	unsigned s;

	switch (rnd(rng, 40)) {
	case 0:
		return SECCOMP_RET_ALLOW;
	case 1:
		return SECCOMP_RET_ALLOW | rnd(rng, 0x10000);
	case 2:
		return SECCOMP_RET_LOG | rnd(rng, 4);
	case 3:
		return SECCOMP_RET_TRACE | rnd(rng, 0x10000);
	case 4:
		return SECCOMP_RET_USER_NOTIF;
	case 5:
		return SECCOMP_RET_TRAP | rnd(rng, 0x10000);
	case 6:
		return SECCOMP_RET_KILL_THREAD | rnd(rng, 4);
	case 7:
		return SECCOMP_RET_KILL_PROCESS;
	case 8:
		return SECCOMP_RET_ERRNO | (4090 + rnd(rng, 0x10000 - 4090)); /* capped */
	case 9:
		return SECCOMP_RET_ERRNO; /* ERRNO(0): the call "succeeds" with 0 */
	case 10:
		return (rnd32(rng) & 0xffff0000u) | rnd(rng, 8); /* mostly undefined */
	default:
		break;
	}
	s = *site;
	if (s == 38 || s == 0 || s > 4000)
		s = s == 38 ? 39 : 1;
	*site = s + 1;
	return SECCOMP_RET_ERRNO | s;
}

size_t sck_test_bpf_gen(uint64_t *rng, const struct seccomp_data *d, size_t body, unsigned *site,
			struct sock_filter *out, size_t cap)
{
	size_t nsite = 2 + rnd(rng, 6), n, len;

	if (body < 1)
		body = 1;
	if (SCK_TEST_GUARD_LEN + body + nsite > cap)
		body = cap - SCK_TEST_GUARD_LEN - nsite;
	n = body;
	len = SCK_TEST_GUARD_LEN + n + nsite;
	sck_test_bpf_guard(out);
	for (size_t p = 0; p < n; p++) {
		struct sock_filter *f = &out[SCK_TEST_GUARD_LEN + p];
		size_t left = n + nsite - p - 1; /* instructions after this one */
		uint32_t maxoff = left - 1 > 255 ? 255 : (uint32_t)(left - 1);
		uint32_t c = rnd(rng, 100);

		if (c < 15) {
			*f = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, load_off(rng));
		} else if (c < 19) {
			*f = (struct sock_filter)BPF_STMT(
				(rnd(rng, 2) ? BPF_LD : BPF_LDX) | BPF_W | BPF_LEN, 0);
		} else if (c < 27) {
			*f = (struct sock_filter)BPF_STMT(
				(rnd(rng, 2) ? BPF_LD : BPF_LDX) | BPF_IMM,
				rnd(rng, 4) ? konst(rng, d) : rnd(rng, 40));
		} else if (c < 34) {
			*f = (struct sock_filter)BPF_STMT(rnd(rng, 2) ? BPF_ST : BPF_STX,
							  rnd(rng, BPF_MEMWORDS));
		} else if (c < 40) {
			*f = (struct sock_filter)BPF_STMT(
				(rnd(rng, 2) ? BPF_LD : BPF_LDX) | BPF_MEM, rnd(rng, BPF_MEMWORDS));
		} else if (c < 45) {
			*f = (struct sock_filter)BPF_STMT(
				BPF_MISC | (rnd(rng, 2) ? BPF_TAX : BPF_TXA), 0);
		} else if (c < 66) {
			uint16_t op = alu_ops[rnd(rng, 9)];
			bool x = rnd(rng, 3) == 0;
			uint32_t k = konst(rng, d);

			if (rnd(rng, 12) == 0) {
				*f = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_NEG, 0);
				continue;
			}
			/* X is often 0, and a division by it ends the program: keep it rare */
			if (x && op == BPF_DIV && rnd(rng, 4))
				x = false;
			if (!x && op == BPF_DIV)
				k = rnd(rng, 2) ? 1 + rnd(rng, 16) : (k ? k : 7);
			if (!x && (op == BPF_LSH || op == BPF_RSH))
				k = rnd(rng, 32);
			*f = (struct sock_filter)BPF_STMT(BPF_ALU | op | (x ? BPF_X : BPF_K), k);
		} else if (c < 93) {
			uint16_t op = jmp_ops[rnd(rng, 4)];
			bool x = rnd(rng, 4) == 0;
			uint32_t k = konst(rng, d);
			uint8_t jt, jf;

			/* mostly short hops, sometimes anywhere in range */
			jt = (uint8_t)(rnd(rng, 8) ? rnd(rng, (maxoff < 6 ? maxoff : 6) + 1)
						   : rnd(rng, maxoff + 1));
			jf = (uint8_t)(rnd(rng, 8) ? rnd(rng, (maxoff < 6 ? maxoff : 6) + 1)
						   : rnd(rng, maxoff + 1));
			*f = (struct sock_filter)BPF_JUMP(BPF_JMP | op | (x ? BPF_X : BPF_K), k, jt,
							  jf);
		} else if (c < 96) {
			*f = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA,
							  rnd(rng, (uint32_t)left));
		} else if (c < 99) {
			*f = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, site_value(rng, site));
		} else if (rnd(rng, 2)) {
			*f = (struct sock_filter)BPF_STMT(BPF_MISC | BPF_TXA, 0);
		} else {
			*f = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
		}
	}
	for (size_t s = 0; s < nsite; s++) {
		struct sock_filter *f = &out[SCK_TEST_GUARD_LEN + n + s];

		if (rnd(rng, 25) == 0)
			*f = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
		else
			*f = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, site_value(rng, site));
	}
	/* Scratch reads the kernel would refuse become immediate loads, until it would accept. */
	for (int tries = 0; tries < 4096; tries++) {
		struct sck_bpf_verdict v;

		if (sck_bpf_check(out, len, &v) == 0)
			break;
		if (v.fault != SCK_BPF_FAULT_MEM_UNINIT)
			break; /* a generator bug: the test will see the program refused */
		out[v.index].code = BPF_CLASS(out[v.index].code) | BPF_IMM;
		out[v.index].k = konst(rng, d);
	}
	return len;
}

static const uint16_t classic_codes[] = {
	0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x54, 0x5c, 0x44,
	0x4c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x20, 0x28, 0x30, 0x80, 0x40,
	0x48, 0x50, 0x00, 0x60, 0x81, 0xb1, 0x01, 0x61, 0x02, 0x03, 0x07, 0x87, 0x06,
	0x16, 0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d,
};

static void mutate_one(uint64_t *rng, struct sock_filter *prog, size_t *plen, size_t cap)
{
	size_t len = *plen, lo = SCK_TEST_GUARD_LEN;
	size_t pc = lo + rnd(rng, (uint32_t)(len - lo));
	struct sock_filter *f = &prog[pc];
	size_t left = len - pc - 1;

	switch (rnd(rng, 14)) {
	case 0: /* any classic opcode */
	case 1:
		f->code = classic_codes[rnd(rng, sizeof(classic_codes) / sizeof(classic_codes[0]))];
		break;
	case 2: /* any byte, any 16 bits */
		f->code = (uint16_t)(rnd(rng, 4) ? rnd(rng, 256) : rnd(rng, 65536));
		break;
	case 3: /* absolute loads near the seccomp_data bounds, or ancillary */
		f->code = (uint16_t)(BPF_LD | BPF_ABS | (rnd(rng, 4) ? BPF_W : rnd(rng, 3) << 3));
		f->k = rnd(rng, 3) ? rnd(rng, 72)
				   : (uint32_t)-0x1000 + rnd(rng, 72) - (rnd(rng, 4) == 0 ? 8 : 0);
		break;
	case 4: /* shifts and divisions by constants */
		f->code = (uint16_t)(BPF_ALU | BPF_K |
				     (rnd(rng, 3) == 0 ? BPF_LSH
				      : rnd(rng, 2)    ? BPF_RSH
						       : (rnd(rng, 2) ? BPF_DIV : BPF_MOD)));
		f->k = rnd(rng, 2) ? 30 + rnd(rng, 4) : rnd(rng, 3);
		break;
	case 5: /* scratch indexes */
		f->code = (uint16_t)(rnd(rng, 2) ? (rnd(rng, 2) ? BPF_ST : BPF_STX)
						 : ((rnd(rng, 2) ? BPF_LD : BPF_LDX) | BPF_MEM));
		f->k = rnd(rng, 2) ? rnd(rng, 18) : rnd32(rng);
		break;
	case 6: /* JA near the end */
		f->code = BPF_JMP | BPF_JA;
		f->k = rnd(rng, 4) ? (uint32_t)left - 1 + rnd(rng, 3) : rnd32(rng);
		break;
	case 7: /* conditional jump offsets near the end */
		if (BPF_CLASS(f->code) != BPF_JMP || BPF_OP(f->code) == BPF_JA)
			f->code = BPF_JMP | jmp_ops[rnd(rng, 4)] | (rnd(rng, 2) ? BPF_X : BPF_K);
		if (rnd(rng, 2))
			f->jt = (uint8_t)(left + rnd(rng, 3) - 1 > 255 ? 255
								       : left + rnd(rng, 3) - 1);
		else
			f->jf = (uint8_t)(left + rnd(rng, 3) - 1 > 255 ? 255
								       : left + rnd(rng, 3) - 1);
		break;
	case 8: /* the last instruction */
		prog[len - 1].code =
			(uint16_t)(rnd(rng, 2)
					   ? BPF_RET | BPF_X
					   : classic_codes[rnd(rng, sizeof(classic_codes) / 2)]);
		break;
	case 9: /* drop the last instruction */
		if (len > lo + 1)
			*plen = len - 1;
		break;
	case 10: /* a scratch read inserted somewhere (jumps across it shift) */
	case 11:
		if (len < cap) {
			memmove(f + 1, f, (len - pc) * sizeof(*f));
			*f = (struct sock_filter)BPF_STMT(
				(rnd(rng, 2) ? BPF_LD : BPF_LDX) | BPF_MEM, rnd(rng, 16));
			*plen = len + 1;
		}
		break;
	case 12: /* a store made into something else, or the other way round */
		if (f->code == BPF_ST || f->code == BPF_STX)
			f->code = BPF_MISC | BPF_TAX;
		else
			*f = (struct sock_filter)BPF_STMT(BPF_ST, rnd(rng, 16));
		break;
	default: /* random k */
		f->k = rnd(rng, 2) ? rnd32(rng) : rnd(rng, 70);
		break;
	}
}

size_t sck_test_bpf_mutate(uint64_t *rng, struct sock_filter *prog, size_t len, size_t cap)
{
	int n = 1 + (int)rnd(rng, 3);

	for (int i = 0; i < n && len > SCK_TEST_GUARD_LEN; i++)
		mutate_one(rng, prog, &len, cap);
	return len;
}

struct sck_test_outcome sck_test_bpf_expect(uint32_t eff)
{
	uint32_t data = eff & SECCOMP_RET_DATA;

	switch (eff & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ERRNO:
		if (data == 0)
			return (struct sck_test_outcome){SCK_TEST_RET, 0};
		return (struct sck_test_outcome){SCK_TEST_ERRNO, (long)data};
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
	/* no tracer: the call is skipped with ENOSYS; no listener: ENOSYS as well */
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		return (struct sck_test_outcome){SCK_TEST_ERRNO, ENOSYS};
	case SECCOMP_RET_TRAP:
		return (struct sck_test_outcome){SCK_TEST_TRAP, (long)data};
	case SECCOMP_RET_KILL_THREAD:
		return (struct sck_test_outcome){SCK_TEST_THREAD_DEAD, 0};
	default:
		return (struct sck_test_outcome){SCK_TEST_PROC_DEAD, 0};
	}
}

const char *sck_test_outcome_str(struct sck_test_outcome o)
{
	static char buf[64];

	switch (o.kind) {
	case SCK_TEST_RET:
		snprintf(buf, sizeof(buf), "returned %ld", o.value);
		break;
	case SCK_TEST_ERRNO:
		snprintf(buf, sizeof(buf), "errno %ld", o.value);
		break;
	case SCK_TEST_TRAP:
		snprintf(buf, sizeof(buf), "SIGSYS, si_errno %ld", o.value);
		break;
	case SCK_TEST_THREAD_DEAD:
		snprintf(buf, sizeof(buf), "thread killed");
		break;
	case SCK_TEST_PROC_DEAD:
		snprintf(buf, sizeof(buf), "process killed");
		break;
	case SCK_TEST_INSTALL:
		snprintf(buf, sizeof(buf), "install failed, errno %ld", o.value);
		break;
	default:
		snprintf(buf, sizeof(buf), "lost (kind %d, %ld)", o.kind, o.value);
		break;
	}
	return buf;
}

void sck_test_bpf_print(const char *what, const struct sock_filter *prog, size_t len)
{
	fprintf(stderr, "%s (%zu instructions):\n", what, len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "\t/* %4zu */ { 0x%02x, %u, %u, 0x%08x },\n", i, prog[i].code,
			prog[i].jt, prog[i].jf, prog[i].k);
}

/* ---- the kernel side ------------------------------------------------------------------- */

struct shared {
	volatile size_t done;
	struct sck_test_outcome res[];
};

struct batch {
	const struct sck_test_bpf_case *cases;
	size_t n;
	struct shared *sh;
};

struct thread_arg {
	const struct sck_test_bpf_case *c;
	struct sck_test_outcome *res;
};

static volatile sig_atomic_t g_trapped;
static volatile long g_trap_errno;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	g_trapped = 1;
	g_trap_errno = si->si_errno;
}

static void *case_thread(void *p)
{
	struct thread_arg *t = p;
	const struct sck_test_bpf_case *c = t->c;
	const __u64 *a = c->data.args;
	long r;

	for (size_t i = 0; i < c->n; i++) {
		struct sock_fprog fp = {(unsigned short)c->len[i],
					(struct sock_filter *)c->prog[i]};

		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0) {
			t->res->kind = SCK_TEST_INSTALL;
			t->res->value = errno;
			return NULL;
		}
	}
	g_trapped = 0;
	errno = 0;
	r = syscall(c->data.nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (g_trapped) {
		t->res->kind = SCK_TEST_TRAP;
		t->res->value = g_trap_errno;
	} else if (r == -1) {
		t->res->kind = SCK_TEST_ERRNO;
		t->res->value = errno;
	} else {
		t->res->kind = SCK_TEST_RET;
		t->res->value = r;
	}
	return NULL;
}

static int batch_body(void *arg, int fd)
{
	struct batch *b = arg;
	struct sigaction sa;
	struct rlimit nocore = {0, 0};
	pthread_attr_t attr;

	(void)fd;
	setrlimit(RLIMIT_CORE, &nocore); /* KILL_PROCESS dumps core otherwise */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	for (size_t i = 0; i < b->n; i++) {
		struct thread_arg t = {&b->cases[i], &b->sh->res[i]};
		const size_t stack_size = 256 * 1024;
		void *stack;
		pthread_t th;
		int rc;

		b->sh->res[i].kind = SCK_TEST_THREAD_DEAD;
		b->sh->res[i].value = 0;
		/*
		 * A fresh stack for every thread: a thread that KILL_THREAD ends runs no TLS
		 * destructors, and glibc would hand its cached stack (with the dead thread's
		 * thread-specific data, ASan's included) to the next thread. A stack of our own
		 * is never cached, and fresh pages are zero.
		 */
		stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (stack == MAP_FAILED)
			return 3;
		pthread_attr_init(&attr);
		pthread_attr_setstack(&attr, stack, stack_size);
		rc = pthread_create(&th, &attr, case_thread, &t);
		pthread_attr_destroy(&attr);
		if (rc != 0)
			return 3;
		pthread_join(th, NULL);
		munmap(stack, stack_size);
		b->sh->done = i + 1;
#ifdef __SANITIZE_ADDRESS__
		/* ASan keeps per-thread state that a thread killed by seccomp never tears
		 * down, and trips over it when the next thread reuses the cached stack: go on
		 * in a fresh child instead. */
		if (b->sh->res[i].kind == SCK_TEST_THREAD_DEAD)
			return 0;
#endif
	}
	return 0;
}

int sck_test_bpf_kernel_run(const struct sck_test_bpf_case *cases, size_t n,
			    struct sck_test_outcome *out)
{
	const size_t chunk = 4096;
	size_t start = 0, maplen = sizeof(struct shared) + chunk * sizeof(struct sck_test_outcome);
	struct shared *sh;
	int rc = 0;

	sh = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -errno;
	while (start < n) {
		struct batch b = {cases + start, n - start < chunk ? n - start : chunk, sh};
		struct sck_test_result r;
		size_t done;

		sh->done = 0;
		rc = sck_test_run_child(batch_body, &b, 120000, &r);
		if (rc < 0)
			break;
		done = sh->done;
		memcpy(out + start, sh->res, done * sizeof(*out));
		if (done < b.n && !(r.exited && r.exit_code == 0 && done > 0)) {
			/* The case after the last one finished took the process with it. */
			if (!r.exited && !r.timed_out && r.signal == SIGSYS)
				out[start + done] =
					(struct sck_test_outcome){SCK_TEST_PROC_DEAD, 0};
			else
				out[start + done] = (struct sck_test_outcome){
					SCK_TEST_LOST, r.timed_out ? -1
						       : r.exited  ? r.exit_code
								   : 1000 + r.signal};
			done++;
		}
		start += done;
	}
	munmap(sh, maplen);
	return rc;
}
