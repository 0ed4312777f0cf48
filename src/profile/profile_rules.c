// SPDX-License-Identifier: MIT
/*
 * What runc and libseccomp make of a profile's rules: action and operator names, conditions
 * (OCI's masked equality), the conflicts libseccomp refuses, one rule per arch where the arches
 * compare differently, and runc's -ENOSYS stub for numbers newer than the profile.
 */
#include "profile/profile_int.h"

#include "sck/syscalls.h"
#include "syscalls_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- actions, operators, arches ---- */

/*
 * The names of actions and operators are libseccomp's: a common prefix, then what tells them
 * apart (compared by its first character before a string compare).
 */
#define ACT_PREFIX "SCMP_ACT_"
#define CMP_PREFIX "SCMP_CMP_"
#define PREFIX_LEN (sizeof(ACT_PREFIX) - 1)

_Static_assert(sizeof(ACT_PREFIX) == sizeof(CMP_PREFIX), "one length for both prefixes");

/* @s past @prefix (PREFIX_LEN characters), NULL when it does not start so. */
static const char *past(const char *s, const char *prefix)
{
	return strncmp(s, prefix, PREFIX_LEN) == 0 ? s + PREFIX_LEN : NULL;
}

/* @t (NULL: never) is @name. */
static bool same_name(const char *t, const char *name)
{
	return t && t[0] == name[0] && strcmp(t, name) == 0;
}

static const struct {
	const char *name; /* past ACT_PREFIX */
	uint32_t action;
	bool data; /* takes errnoRet (EPERM when absent) */
} actions[] = {
	{"KILL", SECCOMP_RET_KILL_THREAD, false},
	{"KILL_THREAD", SECCOMP_RET_KILL_THREAD, false},
	{"KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, false},
	{"TRAP", SECCOMP_RET_TRAP, false},
	{"ERRNO", SECCOMP_RET_ERRNO, true},
	{"TRACE", SECCOMP_RET_TRACE, true},
	{"ALLOW", SECCOMP_RET_ALLOW, false},
	{"LOG", SECCOMP_RET_LOG, false},
	{"NOTIFY", SECCOMP_RET_USER_NOTIF, false},
};

/* @act (a string) with @errno_obj (may be NULL) at @path: the filter return value. */
int sck_prof_get_action(struct sck_prof *c, json_object *act, json_object *errno_obj,
			const struct sck_prof_path *path, const struct sck_prof_path *errno_path,
			uint32_t *out)
{
	const char *s, *t;
	uint64_t e = 1; /* EPERM, runc's default for ERRNO and TRACE */
	int rc;

	rc = sck_prof_get_str(c, act, path, &s);
	if (rc)
		return rc;
	if (errno_obj) {
		rc = sck_prof_get_u64(c, errno_obj, errno_path, SCK_ERRNO_MAX, &e);
		if (rc)
			return rc;
	}
	t = past(s, ACT_PREFIX);
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (!same_name(t, actions[i].name))
			continue;
		*out = actions[i].action | (actions[i].data ? (uint32_t)e : 0);
		return 0;
	}
	return sck_prof_fail_at(c, -EINVAL, path, "unknown action \"%.60s\"", s);
}

static const struct {
	const char *name; /* past CMP_PREFIX */
	enum sck_cmp_op op;
} ops[] = {
	{"NE", SCK_CMP_NE},
	{"LT", SCK_CMP_LT},
	{"LE", SCK_CMP_LE},
	{"EQ", SCK_CMP_EQ},
	{"GE", SCK_CMP_GE},
	{"GT", SCK_CMP_GT},
	{"MASKED_EQ", SCK_CMP_MASKED_EQ},
};

/* ---- syscalls ---- */

/* (declared in profile_int.h) */
bool sck_prof_mux_known(const char *name)
{
	struct sck_syscall_mux mux;

	for (size_t i = 0; i < sck_arch_count(); i++)
		if (sck_syscall_mux(sck_arch_at(i), name, &mux) == 0)
			return true;
	return false;
}

/*
 * The conditions of a rule as libseccomp keeps them on arch @a of filter @f: where the filter
 * compares 32 bits although the kernel passes 64 (x32, mips n32: sck_filter_arch_wide) marked
 * low-word-only, and a masked equality whose mask is 0 in the compared width dropped: libseccomp
 * makes no node of it, so a rule left with none is unconditional and takes part in "the first
 * unconditional rule wins". Returns the count.
 */
static size_t arch_conds(const struct sck_filter *f, const struct sck_arch *a,
			 const struct sck_cond *conds, size_t n, struct sck_cond *out)
{
	bool narrow, low_only;
	size_t k = 0;

	if (n == 0)
		return 0;
	narrow = !sck_filter_arch_wide(f, a);
	low_only = narrow && a->bits == 64;
	for (size_t i = 0; i < n; i++) {
		struct sck_cond x = conds[i];
		if (low_only)
			x.flags |= SCK_COND_LOW32;
		if (x.op == SCK_CMP_MASKED_EQ && (narrow ? (x.mask & 0xffffffffU) : x.mask) == 0)
			continue;
		out[k++] = x;
	}
	return k;
}

static bool same_conds(const struct sck_cond *a, size_t na, const struct sck_cond *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].arg != b[i].arg || a[i].op != b[i].op || a[i].flags != b[i].flags ||
		    a[i].value != b[i].value || a[i].mask != b[i].mask)
			return false;
	return true;
}

static int cond_cmp(const void *pa, const void *pb)
{
	const struct sck_cond *a = pa, *b = pb;

	if (a->arg != b->arg)
		return a->arg < b->arg ? -1 : 1;
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->mask != b->mask)
		return a->mask < b->mask ? -1 : 1;
	return 0;
}

/* The slot of heads for chains of syscall @name_idx starting with condition @c. */
static size_t chain_hash(int name_idx, const struct sck_cond *c)
{
	uint64_t h = (uint64_t)c->arg * 0x9e3779b97f4a7c15ULL ^ (uint64_t)c->op << 40;

	h ^= (uint64_t)(unsigned int)name_idx * 0xd6e8feb86659fd93ULL;
	h ^= c->value * 0xff51afd7ed558ccdULL;
	h ^= c->mask * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (size_t)h;
}

/* Double the slots of @k's chains and relink every chain. */
static int rehash(struct sck_prof_rules *k)
{
	size_t cap = k->capheads ? k->capheads * 2 : 16;
	size_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < k->nseen; i++) {
		size_t slot = chain_hash(k->seen[i].name_idx, &k->seen[i].conds[0]) & (cap - 1);
		k->seen[i].next = h[slot];
		h[slot] = i + 1;
	}
	free(k->heads);
	k->heads = h;
	k->capheads = cap;
	return 0;
}

static bool is_prefix(const struct sck_cond *a, size_t na, const struct sck_cond *b, size_t nb)
{
	return na <= nb && same_conds(a, na, b, na);
}

static bool uncond_has(const struct sck_prof_rules *k, int name_idx)
{
	return k->uncond && (k->uncond[name_idx / 64] >> (name_idx % 64) & 1);
}

/* Syscall @name_idx has an unconditional rule. */
static int uncond_set(struct sck_prof_rules *k, int name_idx)
{
	if (!k->uncond) {
		k->uncond = calloc((sck_syscall_name_count + 63) / 64, sizeof(*k->uncond));
		if (!k->uncond)
			return -ENOMEM;
	}
	k->uncond[name_idx / 64] |= (uint64_t)1 << (name_idx % 64);
	return 0;
}

/*
 * libseccomp (2.5, db_rule_add) keeps a syscall's conditional rules as chains of conditions in
 * argument order, and refuses (-EEXIST, which makes runc refuse the profile) a rule whose chain
 * is an earlier rule's chain, or the start of one, with another action. A rule that extends an
 * earlier chain is dropped, one that is the start of an earlier chain with the same action
 * replaces it, and after an unconditional rule nothing conditional counts: none of these is an
 * error. This mirrors that bookkeeping; verdicts are the compiler's business. Returns 0, or
 * -EEXIST with the clashing rule's index in @clash, or -ENOMEM.
 */
int sck_prof_check_conflict(struct sck_prof *c, int name_idx, uint32_t action,
			    const struct sck_cond *conds, size_t n, size_t idx, size_t *clash)
{
	struct sck_prof_rules *k = &c->kept;
	struct sck_prof_chain e;
	size_t slot;

	/* only conditional rules can clash (more than six conditions repeat an index: runc
	 * splits those, sck_prof_add_rule refuses the rest) */
	if (n == 0 || n > sizeof(e.conds) / sizeof(e.conds[0]))
		return 0;
	if (name_idx < 0)
		return 0;
	if (uncond_has(k, name_idx))
		return 0; /* under an unconditional rule: every later rule is dropped */
	e = (struct sck_prof_chain){.action = action, .name_idx = name_idx, .idx = idx, .n = n};
	memcpy(e.conds, conds, n * sizeof(*conds));
	qsort(e.conds, n, sizeof(*e.conds), cond_cmp);
	if (k->nseen == k->capseen) {
		size_t cap = k->capseen ? k->capseen * 2 : 16;
		struct sck_prof_chain *ns = realloc(k->seen, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		/* zeroed: the analyzer cannot tell that only the first nseen are ever read */
		memset(ns + k->capseen, 0, (cap - k->capseen) * sizeof(*ns));
		k->seen = ns;
		k->capseen = cap;
	}
	if (2 * (k->nseen + 1) > k->capheads && rehash(k))
		return -ENOMEM;
	slot = chain_hash(name_idx, &e.conds[0]) & (k->capheads - 1);
	for (size_t j = k->heads[slot]; j; j = k->seen[j - 1].next) {
		const struct sck_prof_chain *o = &k->seen[j - 1];
		if (o->dead || o->name_idx != name_idx)
			continue;
		if (o->n < n && is_prefix(o->conds, o->n, e.conds, n))
			return 0; /* extends an earlier chain: dropped */
		if (is_prefix(e.conds, n, o->conds, o->n) && o->action != action) {
			*clash = o->idx;
			return -EEXIST;
		}
	}
	/* drop the chains the new rule starts (all with its action, by the loop above) */
	for (size_t j = k->heads[slot]; j; j = k->seen[j - 1].next) {
		struct sck_prof_chain *o = &k->seen[j - 1];
		if (o->name_idx == name_idx && is_prefix(e.conds, n, o->conds, o->n))
			o->dead = true;
	}
	e.next = k->heads[slot];
	k->seen[k->nseen++] = e;
	k->heads[slot] = k->nseen;
	return 0;
}

void sck_prof_names_free(struct sck_prof *c)
{
	free(c->kept.uncond);
	free(c->kept.seen);
	free(c->kept.heads);
	c->kept = (struct sck_prof_rules){0};
}

/* Add @r to the filter, counted; after it nothing conditional of its syscall counts. */
static int add_one(struct sck_prof *c, const struct sck_rule *r, int name_idx)
{
	int rc = sck_filter_add_rule_at(c->f, r, name_idx);

	if (rc == -ENOENT)
		return 0; /* a syscall of other arches: libseccomp adds nothing here */
	if (rc)
		return rc;
	c->rules++;
	if (r->nconds == 0 && name_idx >= 0 && uncond_set(&c->kept, name_idx))
		return -ENOMEM;
	return 0;
}

/* (declared in profile_int.h) */
int sck_prof_add_plain(struct sck_prof *c, const char *name, int name_idx, uint32_t action)
{
	return add_one(c, &(struct sck_rule){.name = name, .action = action}, name_idx);
}

/* Add one rule (name, action, conds) as libseccomp would: one per arch where the arches differ. */
int sck_prof_add_rule(struct sck_prof *c, const char *name, int name_idx, uint32_t action,
		      const struct sck_cond *conds, size_t n)
{
	struct sck_cond l0[6], la[6];
	size_t n0, na;
	bool split = false;
	int rc;

	if (n > 6)
		return -EINVAL;
	if (n == 0)
		return sck_prof_add_plain(c, name, name_idx, action);
	/* the first arch's conditions; with no arch at all (no native one, none in the profile)
	 * the conditions as they are, never none (that would widen the rule) */
	n0 = n;
	memcpy(l0, conds, n * sizeof(*conds));
	if (c->narch)
		n0 = arch_conds(c->f, c->arches[0], conds, n, l0);
	for (size_t a = 1; a < c->narch && !split; a++) {
		na = arch_conds(c->f, c->arches[a], conds, n, la);
		split = !same_conds(la, na, l0, n0);
	}
	if (!split)
		return add_one(c,
			       &(struct sck_rule){.name = name,
						  .action = action,
						  .conds = n0 ? l0 : NULL,
						  .nconds = n0},
			       name_idx);
	for (size_t a = 0; a < c->narch; a++) {
		na = arch_conds(c->f, c->arches[a], conds, n, la);
		rc = add_one(c,
			     &(struct sck_rule){.name = name,
						.arch = c->arches[a],
						.action = action,
						.conds = na ? la : NULL,
						.nconds = na},
			     name_idx);
		if (rc)
			return rc;
	}
	return 0;
}

int sck_prof_read_cond(struct sck_prof *c, json_object *o, const struct sck_prof_path *path,
		       struct sck_cond *out)
{
	enum { INDEX, VALUE, VALUE_TWO, OP, NKEYS };
	static const char *const keys[NKEYS + 1] = {
		[INDEX] = "index", [VALUE] = "value", [VALUE_TWO] = "valueTwo", [OP] = "op"};
	const struct sck_prof_path *p;
	json_object *m[NKEYS], *v;
	uint64_t idx = 0, value = 0, two = 0;
	const char *op, *t;
	int rc;

	rc = sck_prof_want(c, o, json_type_object, path, "an object");
	if (rc)
		return rc;
	sck_prof_members(c, o, path, keys, m);
	if ((v = m[INDEX]) && (rc = sck_prof_get_u64(c, v, SCK_PROF_AT(path, ".index"), 5, &idx)))
		return rc;
	if ((v = m[VALUE]) &&
	    (rc = sck_prof_get_u64(c, v, SCK_PROF_AT(path, ".value"), UINT64_MAX, &value)))
		return rc;
	if ((v = m[VALUE_TWO]) &&
	    (rc = sck_prof_get_u64(c, v, SCK_PROF_AT(path, ".valueTwo"), UINT64_MAX, &two)))
		return rc;
	p = SCK_PROF_AT(path, ".op");
	if (!(v = m[OP]))
		return sck_prof_fail_at(c, -EINVAL, p, "missing");
	rc = sck_prof_get_str(c, v, p, &op);
	if (rc)
		return rc;
	*out = (struct sck_cond){.arg = (unsigned int)idx, .value = value};
	t = past(op, CMP_PREFIX);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!same_name(t, ops[i].name))
			continue;
		out->op = ops[i].op;
		if (out->op == SCK_CMP_MASKED_EQ) {
			/* OCI: value is the mask, valueTwo the expected value */
			out->mask = value;
			/* libseccomp keeps only the bits of the expected value inside the mask */
			out->value = two & value;
		}
		return 0;
	}
	return sck_prof_fail_at(c, -EINVAL, p, "unknown operator \"%.60s\"", op);
}

/* runc's -ENOSYS stub (libcontainer/seccomp/patchbpf): numbers above the largest named. */
int sck_prof_enosys_stub(struct sck_prof *c)
{
	const uint32_t enosys = SECCOMP_RET_ERRNO | ENOSYS;
	int rc;

	if (c->def_allow || c->def_errno_enosys)
		return 0;
	for (size_t a = 0; a < c->narch; a++) {
		const struct sck_arch *arch = c->arches[a];
		if (c->maxnr[a] <= 0)
			continue;
		rc = sck_filter_add_override(c->f, arch, (uint32_t)c->maxnr[a] + 1, 0xffffffffU,
					     enosys);
		/* s390: syscall 0 multiplexes the large numbers the kernel may not know */
		if (!rc && (arch->quirks & SCK_ARCH_Q_NR0_MUX))
			rc = sck_filter_add_override(c->f, arch, 0, 0, enosys);
		if (rc)
			return sck_prof_fail(c, rc, "", "cannot add the -ENOSYS stub: %s",
					     strerror(-rc));
	}
	return 0;
}
