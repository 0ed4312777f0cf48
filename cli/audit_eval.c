// SPDX-License-Identifier: MIT
/*
 * `sck audit`: the evaluation of a program. For every arch token (the table's, those the program
 * compares with, and one no arch has) and every syscall number of the ABI (plus the numbers the
 * program compares nr with, and the first ones above the table), the program runs in the
 * library's emulator with its path recorded (sck_bpf_emu_run_path). Every compare on an argument
 * word along a path gives candidate values (the constant, its neighbour, the other side of a
 * mask); the evaluation branches on them, path by path, until no new value turns up (a bounded
 * concolic search). So a condition `(args[0] & M) == V` is tried both ways, conjunctions are
 * followed, and the result holds for any BPF, whoever compiled it.
 */
#include "audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Runs per (token, nr): enough for range trees on one argument and a few conjunctions. */
#define MAX_QUEUE 256
/* Past this many runs in all (a hostile or huge program), 8 runs per number: bounded time. */
#define RUN_BUDGET (1u << 21)

static size_t queue_cap = MAX_QUEUE;

struct vec {
	uint32_t w[AUDIT_WORDS];
};

/* What the walks of one exploration collect besides the summary. */
struct seen {
	uint32_t *nr_k; /* constants compared with nr */
	size_t n_nr, cap_nr;
	uint32_t *arch_k; /* constants compared (==) with the arch word */
	size_t n_arch, cap_arch;
	bool oom;
};

static unsigned int act_class(uint32_t ret)
{
	uint32_t e = sck_action_effective(ret);

	switch (e & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return AUDIT_ALLOW;
	case SECCOMP_RET_ERRNO:
		return (e & SECCOMP_RET_DATA) == ENOSYS ? AUDIT_ENOSYS : AUDIT_ERRNO;
	case SECCOMP_RET_TRAP:
		return AUDIT_TRAP;
	case SECCOMP_RET_TRACE:
		return AUDIT_TRACE;
	case SECCOMP_RET_USER_NOTIF:
		return AUDIT_NOTIF;
	case SECCOMP_RET_KILL_THREAD:
		return AUDIT_KILL_THREAD;
	default:
		return AUDIT_KILL_PROCESS;
	}
}

static void keep(uint32_t **v, size_t *n, size_t *cap, bool *oom, uint32_t k)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == k)
			return;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		uint32_t *nv = realloc(*v, nc * sizeof(**v));

		if (!nv) {
			*oom = true;
			return;
		}
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = k;
}

static void push(struct vec *q, size_t *nq, const struct vec *from, unsigned int w, uint32_t val)
{
	struct vec c = *from;

	c.w[w] = val;
	if (*nq >= queue_cap)
		return;
	for (size_t i = 0; i < *nq; i++)
		if (memcmp(&q[i], &c, sizeof(c)) == 0)
			return;
	q[(*nq)++] = c;
}

/* Values of word @w that take compare (@op, @k) after `A &= @mask` either way. */
static void branch(struct vec *q, size_t *nq, const struct vec *v, unsigned int w, uint16_t op,
		   uint32_t k, uint32_t mask)
{
	uint32_t low = mask & (0u - mask);

	switch (op) {
	case BPF_JEQ:
		if ((k & ~mask) == 0)
			push(q, nq, v, w, k | (v->w[w] & ~mask));
		push(q, nq, v, w, k ^ (low ? low : 1));
		break;
	case BPF_JGT:
		push(q, nq, v, w, k);
		if (k != UINT32_MAX)
			push(q, nq, v, w, k + 1);
		break;
	case BPF_JGE:
		push(q, nq, v, w, k);
		if (k)
			push(q, nq, v, w, k - 1);
		break;
	case BPF_JSET:
		push(q, nq, v, w, k);
		push(q, nq, v, w, 0);
		break;
	default:
		break;
	}
}

/* The path of one run: compares, coverage, new values to try. */
static void walk(struct audit_prog *p, uint32_t n, const struct vec *v, uint16_t fixed,
		 struct audit_sum *s, struct seen *seen, struct vec *q, size_t *nq)
{
	int src = -1;
	uint32_t mask = UINT32_MAX;

	if (n > p->len)
		n = (uint32_t)p->len;
	for (uint32_t i = 0; i < n; i++) {
		const struct sock_filter *ins = &p->insns[p->path[i]];
		uint16_t code = ins->code;

		p->executed[p->path[i]] = true;
		if (code == (BPF_LD | BPF_W | BPF_ABS)) {
			src = ins->k / 4 < AUDIT_WORDS ? (int)(ins->k / 4) : -1;
			mask = UINT32_MAX;
			continue;
		}
		switch (BPF_CLASS(code)) {
		case BPF_ALU:
			if (code == (BPF_ALU | BPF_AND | BPF_K) && src >= 0)
				mask &= ins->k;
			else
				src = -1;
			continue;
		case BPF_LD:
			src = -1;
			continue;
		case BPF_MISC:
			if (BPF_MISCOP(code) == BPF_TXA)
				src = -1;
			continue;
		case BPF_JMP:
			break;
		default:
			continue;
		}
		if (BPF_OP(code) == BPF_JA || BPF_SRC(code) != BPF_K || src < 0)
			continue;
		s->cmp_words |= (uint16_t)(1u << src);
		if (ins->k)
			s->cmp_nonzero |= (uint16_t)(1u << src);
		if (src == 0 && seen)
			keep(&seen->nr_k, &seen->n_nr, &seen->cap_nr, &seen->oom, ins->k);
		if (src == 1 && seen && BPF_OP(code) == BPF_JEQ)
			keep(&seen->arch_k, &seen->n_arch, &seen->cap_arch, &seen->oom, ins->k);
		if (src >= 2 && !(fixed & (1u << src)))
			branch(q, nq, v, (unsigned int)src, BPF_OP(code), ins->k, mask);
	}
}

static void explore(struct audit_prog *p, const struct vec *base, uint16_t fixed,
		    struct audit_sum *s, struct seen *seen)
{
	static struct vec q[MAX_QUEUE]; /* the CLI is single-threaded */
	size_t nq = 1;

	memset(s, 0, sizeof(*s));
	s->all_allow = true;
	queue_cap = p->runs < RUN_BUDGET ? MAX_QUEUE : 8;
	q[0] = *base;
	for (size_t head = 0; head < nq; head++) {
		struct seccomp_data d;
		uint32_t n = 0, ret;
		unsigned int cls;

		memcpy(&d, q[head].w, sizeof(d));
		ret = sck_bpf_emu_run_path(p->emu, &d, p->path, p->len, &n);
		s->runs++;
		p->runs++;
		walk(p, n, &q[head], fixed, s, seen, q, &nq);
		/* the older filters of a stack: every one runs, and the most restrictive action
		 * wins, the newest (this program) among equals, as kernel/seccomp.c decides */
		for (size_t k = p->nstack; k-- > 0;) {
			struct audit_prog *o = &p->stack[k];
			uint32_t on = 0, r = sck_bpf_emu_run_path(o->emu, &d, o->path, o->len, &on);

			if ((int32_t)(r & SECCOMP_RET_ACTION_FULL) <
			    (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
				ret = r;
			walk(o, on, &q[head], fixed, s, seen, q, &nq);
		}
		cls = act_class(ret);
		s->actions |= (uint16_t)cls;
		if (cls != AUDIT_ALLOW)
			s->all_allow = false;
	}
}

static void merge(struct audit_sum *into, const struct audit_sum *s, bool first)
{
	if (first) {
		*into = *s;
		return;
	}
	into->actions |= s->actions;
	into->all_allow = into->all_allow && s->all_allow;
	into->cmp_words |= s->cmp_words;
	into->cmp_nonzero |= s->cmp_nonzero;
	into->runs += s->runs;
}

static void base_vec(struct vec *v, uint32_t token, uint32_t nr)
{
	memset(v, 0, sizeof(*v));
	v->w[0] = nr;
	v->w[1] = token;
}

unsigned int audit_arg_word(const struct sck_arch *arch, unsigned int arg, bool high)
{
	bool le = arch ? arch->little_endian : true;

	return (16 + 8 * arg + (high == le ? 4 : 0)) / 4;
}

void audit_eval_fixed(struct audit_prog *p, const struct audit_arch_view *v, uint32_t nr,
		      const uint32_t *fixed, uint16_t fixed_mask, struct audit_sum *out)
{
	struct vec b;

	base_vec(&b, v->token, nr);
	for (unsigned int w = 2; w < AUDIT_WORDS; w++)
		if (fixed_mask & (1u << w))
			b.w[w] = fixed[w];
	explore(p, &b, fixed_mask, out, NULL);
}

static bool in_table(const struct sck_arch *a, uint32_t nr)
{
	return a && nr <= INT32_MAX && sck_syscall_name(a, (int)nr) != NULL;
}

/* Every number of @v's ABI. */
static int eval_view(struct audit_prog *p, struct audit_arch_view *v, struct seen *seen)
{
	const struct sck_arch *a = v->arch;
	struct audit_sum s, first;
	struct vec b;
	uint32_t start = a ? a->nr_base : 0, top;
	bool nr_matters, have_other = false;

	v->n = a ? sck_syscall_count(a) : 0;
	if (v->n) {
		v->sys = calloc(v->n, sizeof(*v->sys));
		if (!v->sys)
			return -ENOMEM;
	}
	top = a ? (uint32_t)sck_syscall_max(a) : 1023;
	base_vec(&b, v->token, v->n ? (uint32_t)sck_syscall_at(a, 0)->nr : start);
	explore(p, &b, 0, &first, seen);
	/* nr never compared on any path: every number gets the same verdict */
	nr_matters = first.cmp_words & 1u;
	for (size_t i = 0; i < v->n; i++) {
		if (!nr_matters || i == 0) {
			v->sys[i] = first;
			continue;
		}
		base_vec(&b, v->token, (uint32_t)sck_syscall_at(a, i)->nr);
		explore(p, &b, 0, &v->sys[i], seen);
	}
	for (uint32_t k = 1; k <= 3; k++) {
		if (!nr_matters) {
			merge(&v->above, &first, k == 1);
			continue;
		}
		base_vec(&b, v->token, top + k);
		explore(p, &b, 0, &s, seen);
		merge(&v->above, &s, k == 1);
	}
	if (!a) {
		/* no table: the numbers of the native ABI's range */
		for (uint32_t nr = 0; nr <= top && nr_matters; nr++) {
			base_vec(&b, v->token, nr);
			explore(p, &b, 0, &s, seen);
			merge(&v->other, &s, !have_other);
			have_other = true;
		}
	}
	if (!nr_matters) {
		if (!have_other)
			v->other = first;
		return seen->oom ? -ENOMEM : 0;
	}
	/* the numbers the program compares with, and their neighbours */
	for (size_t i = 0; i < seen->n_nr; i++) {
		for (int d = -1; d <= 1; d++) {
			uint32_t nr = seen->nr_k[i] + (uint32_t)d;

			if (in_table(a, nr) || (nr >= start && nr <= top + 3 && a))
				continue;
			/* x86_64 and x32 share a token: each keeps to its side of the x32 bit */
			if (a && a->nr_select &&
			    ((a->nr_base & a->nr_select) != 0) != ((nr & a->nr_select) != 0))
				continue;
			base_vec(&b, v->token, nr);
			explore(p, &b, 0, &s, NULL);
			merge(&v->other, &s, !have_other);
			have_other = true;
		}
	}
	if (!have_other)
		v->other.all_allow = false;
	return seen->oom ? -ENOMEM : 0;
}

static bool is_named(const struct seen *seen, uint32_t token)
{
	for (size_t i = 0; i < seen->n_arch; i++)
		if (seen->arch_k[i] == token)
			return true;
	return false;
}

/* The filter accepts the ABI: some call is allowed, or its calls do not all get one action. */
static bool handled(const struct audit_arch_view *v)
{
	uint16_t all = v->above.actions | v->other.actions;
	bool mixed = false;

	for (size_t i = 0; i < v->n; i++) {
		mixed |= i > 0 && v->sys[i].actions != v->sys[0].actions;
		all |= v->sys[i].actions;
	}
	return (all & AUDIT_ALLOW) || mixed || (v->n && v->above.actions != v->sys[0].actions);
}

int audit_prog_init(struct audit_prog *p, const struct sock_filter *insns, size_t len)
{
	size_t narch = sck_arch_count();
	int rc;

	memset(p, 0, sizeof(*p));
	p->insns = insns;
	p->len = len;
	rc = sck_bpf_emu_new(insns, len, &p->emu);
	if (rc < 0)
		return rc;
	p->executed = calloc(len, sizeof(*p->executed));
	p->path = calloc(len, sizeof(*p->path));
	p->views = calloc(narch + 1, sizeof(*p->views));
	if (!p->executed || !p->path || !p->views)
		return -ENOMEM;
	return 0;
}

bool audit_same_verdicts(struct audit_prog *a, struct audit_prog *b, uint32_t token, uint32_t nr)
{
	static struct vec q[MAX_QUEUE];
	struct audit_sum s;
	size_t nq = 1;

	queue_cap = MAX_QUEUE;
	base_vec(&q[0], token, nr);
	for (size_t head = 0; head < nq; head++) {
		struct seccomp_data d;
		uint32_t na = 0, nb = 0, ra, rb;

		memcpy(&d, q[head].w, sizeof(d));
		ra = sck_bpf_emu_run_path(a->emu, &d, a->path, a->len, &na);
		rb = sck_bpf_emu_run_path(b->emu, &d, b->path, b->len, &nb);
		if (sck_action_effective(ra) != sck_action_effective(rb))
			return false;
		memset(&s, 0, sizeof(s));
		walk(a, na, &q[head], 0, &s, NULL, q, &nq);
		walk(b, nb, &q[head], 0, &s, NULL, q, &nq);
	}
	return true;
}

/* The most frequent action set among the table's calls (Boyer-Moore majority, then a count). */
static uint16_t common(const struct audit_arch_view *v)
{
	uint16_t cand = v->above.actions;
	size_t votes = 0;

	for (size_t i = 0; i < v->n; i++) {
		if (votes == 0)
			cand = v->sys[i].actions;
		votes += v->sys[i].actions == cand ? 1 : (size_t)-1;
	}
	return cand;
}

int audit_prog_eval(struct audit_prog *p, const struct sock_filter *insns, size_t len)
{
	return audit_prog_eval_stack(p, insns, len, NULL, 0);
}

int audit_prog_eval_stack(struct audit_prog *p, const struct sock_filter *insns, size_t len,
			  struct audit_prog *stack, size_t nstack)
{
	struct seen seen = {0};
	size_t narch = sck_arch_count();
	int rc;

	rc = audit_prog_init(p, insns, len);
	if (rc < 0)
		return rc;
	p->stack = stack;
	p->nstack = nstack;
	for (size_t i = 0; i < narch; i++) {
		const struct sck_arch *a = sck_arch_at(i);

		if (!a || !a->syscalls || !a->audit_arch)
			continue;
		p->views[p->nviews].arch = a;
		p->views[p->nviews].token = a->audit_arch;
		p->nviews++;
	}
	p->views[p->nviews].arch = NULL;
	p->views[p->nviews].token = AUDIT_BOGUS_TOKEN;
	p->nviews++;
	for (size_t i = 0; i < p->nviews; i++) {
		rc = eval_view(p, &p->views[i], &seen);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < p->nviews; i++) {
		p->views[i].named = p->views[i].arch && is_named(&seen, p->views[i].token);
		p->views[i].handled = handled(&p->views[i]);
		p->views[i].common = common(&p->views[i]);
	}
	rc = 0;
out:
	free(seen.nr_k);
	free(seen.arch_k);
	return rc;
}

void audit_prog_fini(struct audit_prog *p)
{
	for (size_t i = 0; i < p->nviews; i++)
		free(p->views[i].sys);
	free(p->views);
	free(p->executed);
	free(p->path);
	sck_bpf_emu_free(p->emu);
	memset(p, 0, sizeof(*p));
}

const struct audit_arch_view *audit_view(const struct audit_prog *p, enum sck_arch_id id)
{
	for (size_t i = 0; i < p->nviews; i++)
		if (p->views[i].arch && p->views[i].arch->id == id)
			return &p->views[i];
	return NULL;
}

const struct audit_sum *audit_sys(const struct audit_arch_view *v, const char *name)
{
	int nr;

	if (!v || !v->arch)
		return NULL;
	nr = sck_syscall_nr(v->arch, name);
	if (nr < 0)
		return NULL;
	/* the table is ordered by number */
	for (size_t lo = 0, hi = v->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		int m = sck_syscall_at(v->arch, mid)->nr;

		if (m == nr)
			return &v->sys[mid];
		if (m < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
