// SPDX-License-Identifier: MIT
/*
 * The OCI / Docker seccomp profile reader: JSON (json-c) to a struct sck_filter in OCI mode,
 * following what Docker (includes/excludes, archMap) and runc (actions, conditions, skipped
 * rules, the -ENOSYS stub) do with a profile before libseccomp sees it, so that the compiled
 * verdicts equal theirs. Every error names its place: line and column from the tokenizer's byte
 * offset for malformed JSON, the JSON path for a semantic error. docs/semantics.md, "Profiles".
 */
#include "filter/filter_int.h"
#include "opts_int.h"
#include "sck/profile.h"
#include "syscalls_int.h"
#include "sck/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PATH_MAX_LEN 128
#define MAX_FILE (64u << 20)

/* Docker's default capability set (moby oci/caps/defaults.go). */
static const char *const docker_caps[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_FSETID",
	"CAP_FOWNER",
	"CAP_MKNOD",
	"CAP_NET_RAW",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETFCAP",
	"CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT",
	"CAP_KILL",
	"CAP_AUDIT_WRITE",
	NULL,
};

/* A conditional rule as libseccomp keeps it: its conditions in argument order. */
struct seen {
	int name; /* index in sck_syscall_names */
	uint32_t action;
	size_t idx; /* syscalls[idx] */
	size_t n;
	struct sck_cond conds[6];
};

struct pctx {
	struct sck_diag *diag;
	const char *prefix; /* "linux.seccomp" when reading a runtime config.json, else NULL */
	void (*warn)(void *, const char *);
	void *warn_arg;
	unsigned int flags;
	const struct sck_arch *main_arch;
	const struct sck_arch *arches[SCK_FILTER_MAX_ARCH];
	size_t narch;
	bool arches_given;
	const char *const *caps;
	unsigned int kver[3];
	struct sck_filter *f;
	uint32_t def_action;
	bool def_allow;
	bool def_errno_enosys;
	int maxnr[SCK_FILTER_MAX_ARCH]; /* largest number named, per arch (-1: none) */
	size_t rules;
	struct seen *seen; /* the conditional rules added so far, for conflicts */
	size_t nseen, capseen;
};

static int fail(struct pctx *c, int rc, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct pctx *c, int rc, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	/* never 0: callers return it as their failure (and the analyzer must know) */
	if (rc >= 0)
		rc = -EINVAL;
	if (!c->diag)
		return rc;
	c->diag->line = 0;
	c->diag->col = 0;
	if (c->prefix && (!path || !*path || strcmp(path, "(top)") == 0))
		n = snprintf(c->diag->msg, sizeof(c->diag->msg), "%s: ", c->prefix);
	else if (c->prefix)
		n = snprintf(c->diag->msg, sizeof(c->diag->msg), "%s.%s: ", c->prefix, path);
	else if (path && *path)
		n = snprintf(c->diag->msg, sizeof(c->diag->msg), "%s: ", path);
	if (n < 0 || (size_t)n >= sizeof(c->diag->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->diag->msg + n, sizeof(c->diag->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

static void warn(struct pctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(struct pctx *c, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n;

	if (!c->warn)
		return;
	if (c->prefix)
		n = snprintf(msg, sizeof(msg), "%s.%.200s: ", c->prefix, path);
	else
		n = snprintf(msg, sizeof(msg), "%.200s: ", path);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	c->warn(c->warn_arg, msg);
}

static const char *type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a fraction";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

/* @o (not NULL) must have type @t. */
static int want(struct pctx *c, json_object *o, json_type t, const char *path, const char *what)
{
	if (json_object_is_type(o, t))
		return 0;
	return fail(c, -EINVAL, path, "expected %s, got %s", what, type_name(o));
}

/* An unsigned 64-bit integer: every value up to 2^64-1 exactly; no sign, fraction or more. */
static int get_u64(struct pctx *c, json_object *o, const char *path, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (json_object_is_type(o, json_type_double))
		return fail(c, -EINVAL, path, "expected an unsigned integer, got %s",
			    json_object_get_string(o));
	if (!json_object_is_type(o, json_type_int))
		return fail(c, -EINVAL, path, "expected an unsigned integer, got %s", type_name(o));
	if (json_object_get_int64(o) < 0)
		return fail(c, -EINVAL, path, "negative value %" PRId64 " (unsigned expected)",
			    json_object_get_int64(o));
	v = json_object_get_uint64(o);
	if (v > max)
		return fail(c, -EINVAL, path,
			    "value %" PRIu64 " out of range (at most %" PRIu64 ")", v, max);
	*out = v;
	return 0;
}

static int get_str(struct pctx *c, json_object *o, const char *path, const char **out)
{
	int rc = want(c, o, json_type_string, path, "a string");
	if (!rc)
		*out = json_object_get_string(o);
	return rc;
}

/* Object member @key, NULL when absent or null (Go reads null as the zero value). */
static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_is_type(v, json_type_null) ? NULL : v;
}

static bool key_in(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return true;
	return false;
}

/* Warn about keys the reader does not know (Go's decoder ignores them; a typo should show). */
static void check_keys(struct pctx *c, json_object *o, const char *path, const char *const *keys)
{
	json_object_object_foreach(o, key, val)
	{
		(void)val;
		if (!key_in(key, keys))
			warn(c, path, "unknown key \"%s\" ignored", key);
	}
}

/*
 * @dst = @base, then ".@key", then "[@idx]" when @idx is not NO_INDEX: a JSON path one level
 * down, cut to PATH_MAX_LEN - 1 characters. Built for every value read (a diagnostic may need
 * it), so without printf: formatting them was a tenth of the time of reading Docker's profile.
 */
#define NO_INDEX SIZE_MAX
static void subp(char *dst, const char *base, const char *key, size_t idx)
{
	char num[24], *q = num + sizeof(num);
	size_t n = strnlen(base, PATH_MAX_LEN - 1), k = strlen(key), m;

	memcpy(dst, base, n);
	m = k < PATH_MAX_LEN - 1 - n ? k : PATH_MAX_LEN - 1 - n;
	memcpy(dst + n, key, m);
	n += m;
	if (idx != NO_INDEX) {
		*--q = ']';
		do
			*--q = (char)('0' + idx % 10);
		while ((idx /= 10) > 0);
		*--q = '[';
		m = (size_t)(num + sizeof(num) - q);
		if (m > PATH_MAX_LEN - 1 - n)
			m = PATH_MAX_LEN - 1 - n;
		memcpy(dst + n, q, m);
		n += m;
	}
	dst[n] = 0;
}

/* ---- actions, operators, arches ---- */

static const struct {
	const char *name;
	uint32_t action;
	bool data; /* takes errnoRet (EPERM when absent) */
} actions[] = {
	{"SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD, false},
	{"SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD, false},
	{"SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, false},
	{"SCMP_ACT_TRAP", SECCOMP_RET_TRAP, false},
	{"SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO, true},
	{"SCMP_ACT_TRACE", SECCOMP_RET_TRACE, true},
	{"SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW, false},
	{"SCMP_ACT_LOG", SECCOMP_RET_LOG, false},
	{"SCMP_ACT_NOTIFY", SECCOMP_RET_USER_NOTIF, false},
};

/* @act (a string) with @errno_obj (may be NULL) at @path: the filter return value. */
static int get_action(struct pctx *c, json_object *act, json_object *errno_obj, const char *path,
		      const char *errno_path, uint32_t *out)
{
	const char *s;
	uint64_t e = 1; /* EPERM, runc's default for ERRNO and TRACE */
	int rc;

	rc = get_str(c, act, path, &s);
	if (rc)
		return rc;
	if (errno_obj) {
		rc = get_u64(c, errno_obj, errno_path, 4095, &e);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, s) != 0)
			continue;
		*out = actions[i].action | (actions[i].data ? (uint32_t)e : 0);
		return 0;
	}
	return fail(c, -EINVAL, path, "unknown action \"%.60s\"", s);
}

static const struct {
	const char *name;
	enum sck_cmp_op op;
} ops[] = {
	{"SCMP_CMP_NE", SCK_CMP_NE},
	{"SCMP_CMP_LT", SCK_CMP_LT},
	{"SCMP_CMP_LE", SCK_CMP_LE},
	{"SCMP_CMP_EQ", SCK_CMP_EQ},
	{"SCMP_CMP_GE", SCK_CMP_GE},
	{"SCMP_CMP_GT", SCK_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCK_CMP_MASKED_EQ},
};

static const struct {
	const char *name;
	unsigned int flag;
} flag_names[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER},
	{"SECCOMP_FILTER_FLAG_TSYNC_ESRCH", SECCOMP_FILTER_FLAG_TSYNC_ESRCH},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* An arch name of a profile: SCMP_ARCH_* or any name sck_arch_from_name knows. */
static int get_arch(struct pctx *c, json_object *o, const char *path, const struct sck_arch **out)
{
	const char *s;
	const struct sck_arch *a;
	int rc = get_str(c, o, path, &s);

	if (rc)
		return rc;
	a = sck_arch_from_name(s);
	if (!a)
		return fail(c, -EINVAL, path, "unknown architecture \"%.60s\"", s);
	if (sck_syscall_count(a) == 0)
		return fail(c, -EDOM, path, "architecture \"%.60s\" has no syscall table", s);
	*out = a;
	return 0;
}

static int add_arch(struct pctx *c, const struct sck_arch *a, const char *path)
{
	for (size_t i = 0; i < c->narch; i++)
		if (c->arches[i] == a)
			return 0;
	if (c->narch == SCK_FILTER_MAX_ARCH)
		return fail(c, -E2BIG, path, "more than %d architectures", SCK_FILTER_MAX_ARCH);
	c->arches[c->narch++] = a;
	return 0;
}

/* The architectures: `architectures`, or archMap's entry for the main arch (Docker). */
static int read_arches(struct pctx *c, json_object *root)
{
	json_object *archs = member(root, "architectures"), *map = member(root, "archMap");
	char path[PATH_MAX_LEN];
	int rc;

	if (archs && map)
		return fail(c, -EINVAL, "archMap",
			    "both \"architectures\" and \"archMap\" given; use one (as Docker)");
	if (archs) {
		rc = want(c, archs, json_type_array, "architectures", "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(archs); i++) {
			const struct sck_arch *a = NULL;
			snprintf(path, sizeof(path), "architectures[%zu]", i);
			rc = get_arch(c, json_object_array_get_idx(archs, i), path, &a);
			if (!rc && !c->arches_given)
				rc = add_arch(c, a, path);
			if (rc)
				return rc;
		}
	}
	if (map) {
		rc = want(c, map, json_type_array, "archMap", "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(map); i++) {
			json_object *e = json_object_array_get_idx(map, i), *arch, *subs;
			const struct sck_arch *a = NULL;
			bool mine;
			snprintf(path, sizeof(path), "archMap[%zu]", i);
			rc = want(c, e, json_type_object, path, "an object");
			if (rc)
				return rc;
			check_keys(c, e, path,
				   (const char *const[]){"architecture", "subArchitectures", NULL});
			arch = member(e, "architecture");
			snprintf(path, sizeof(path), "archMap[%zu].architecture", i);
			if (!arch)
				return fail(c, -EINVAL, path, "missing");
			rc = get_arch(c, arch, path, &a);
			if (rc)
				return rc;
			mine = a == c->main_arch && !c->arches_given;
			if (mine) {
				rc = add_arch(c, a, path);
				if (rc)
					return rc;
			}
			subs = member(e, "subArchitectures");
			if (!subs)
				continue;
			snprintf(path, sizeof(path), "archMap[%zu].subArchitectures", i);
			rc = want(c, subs, json_type_array, path, "an array");
			if (rc)
				return rc;
			for (size_t k = 0; k < json_object_array_length(subs); k++) {
				const struct sck_arch *s = NULL;
				snprintf(path, sizeof(path), "archMap[%zu].subArchitectures[%zu]",
					 i, k);
				rc = get_arch(c, json_object_array_get_idx(subs, k), path, &s);
				if (!rc && mine)
					rc = add_arch(c, s, path);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

/* ---- includes / excludes ---- */

static bool cap_eq(const char *a, const char *b)
{
	if (strncasecmp(a, "CAP_", 4) == 0)
		a += 4;
	if (strncasecmp(b, "CAP_", 4) == 0)
		b += 4;
	return strcasecmp(a, b) == 0;
}

static bool has_cap(const struct pctx *c, const char *cap)
{
	for (const char *const *p = c->caps; *p; p++)
		if (cap_eq(*p, cap))
			return true;
	return false;
}

/* "4.8", "5.15.0-13-amd64" -> {major, minor, patch}; false when it does not start so. */
static bool parse_kver(const char *s, unsigned int v[3])
{
	v[0] = v[1] = v[2] = 0;
	for (int i = 0; i < 3; i++) {
		char *end;
		unsigned long n;
		if (*s < '0' || *s > '9')
			return i > 0;
		n = strtoul(s, &end, 10);
		if (n > 100000)
			return false;
		v[i] = (unsigned int)n;
		s = end;
		if (*s != '.')
			return *s == '\0' || *s == '-' || *s == '+' || *s == '_' || i > 0;
		s++;
	}
	return true;
}

static int kver_cmp(const unsigned int a[3], const unsigned int b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/*
 * Evaluate an includes (@inc true) or excludes object: for includes, whether every clause
 * holds; for excludes, whether any clause holds. Returns 0/1 or -errno.
 */
static int filter_clause(struct pctx *c, json_object *o, const char *path, bool inc)
{
	char p[PATH_MAX_LEN];
	json_object *v;
	bool all = true, any = false;
	int rc;

	rc = want(c, o, json_type_object, path, "an object");
	if (rc)
		return rc;
	check_keys(c, o, path, (const char *const[]){"caps", "arches", "minKernel", NULL});
	if ((v = member(o, "arches"))) {
		bool hit = false;
		subp(p, path, ".arches", NO_INDEX);
		rc = want(c, v, json_type_array, p, "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *s;
			subp(p, path, ".arches", i);
			rc = get_str(c, json_object_array_get_idx(v, i), p, &s);
			if (rc)
				return rc;
			/* Docker compares runtime.GOARCH; any name of the main arch matches */
			if (sck_arch_from_name(s) == c->main_arch)
				hit = true;
		}
		if (json_object_array_length(v) > 0) {
			all &= hit;
			any |= hit;
		}
	}
	if ((v = member(o, "caps"))) {
		subp(p, path, ".caps", NO_INDEX);
		rc = want(c, v, json_type_array, p, "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *s;
			bool have;
			subp(p, path, ".caps", i);
			rc = get_str(c, json_object_array_get_idx(v, i), p, &s);
			if (rc)
				return rc;
			have = has_cap(c, s);
			all &= have; /* includes: every cap needed */
			any |= have; /* excludes: any cap excludes */
		}
	}
	if ((v = member(o, "minKernel"))) {
		const char *s;
		unsigned int k[3];
		bool ge;
		subp(p, path, ".minKernel", NO_INDEX);
		rc = get_str(c, v, p, &s);
		if (rc)
			return rc;
		if (!parse_kver(s, k))
			return fail(c, -EINVAL, p, "invalid kernel version \"%.40s\"", s);
		ge = kver_cmp(c->kver, k) >= 0;
		all &= ge;
		any |= ge;
	}
	return inc ? all : any;
}

/* ---- syscalls ---- */

/* Whether @name is a syscall (or multiplexed call) of any arch sck knows. */
static bool name_anywhere(const struct pctx *c, const char *name)
{
	struct sck_syscall_mux mux;
	int idx = sck_syscall_name_index(name); /* hashed once, looked up per arch */

	for (size_t i = 0; i < c->narch; i++)
		if (sck_syscall_nr_at(c->arches[i], idx) >= 0)
			return true;
	for (size_t i = 0; i < sck_arch_count(); i++)
		if (sck_syscall_nr_at(sck_arch_at(i), idx) >= 0 ||
		    sck_syscall_mux(sck_arch_at(i), name, &mux) == 0)
			return true;
	return false;
}

/*
 * libseccomp treats x32 and mips n32 as 32-bit ABIs: it compares only the low word of an
 * argument and truncates the operand, although the kernel passes 64-bit registers.
 */
static bool low_only(const struct sck_arch *a)
{
	return a->id == SCK_ARCH_X32 || a->id == SCK_ARCH_MIPS64N32 ||
	       a->id == SCK_ARCH_MIPSEL64N32;
}

/*
 * The conditions of a rule as libseccomp keeps them on arch @a: on x32/n32 marked low-word-only,
 * and a masked equality whose mask is 0 in the compared width (32 bits on 32-bit arches and on
 * x32/n32) dropped: libseccomp makes no node of it, so a rule left with none is unconditional
 * and takes part in "the first unconditional rule wins". Returns the count.
 */
static size_t arch_conds(const struct sck_arch *a, const struct sck_cond *conds, size_t n,
			 struct sck_cond *out)
{
	bool narrow = a->bits == 32 || low_only(a);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct sck_cond x = conds[i];
		if (low_only(a))
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

static bool is_prefix(const struct sck_cond *a, size_t na, const struct sck_cond *b, size_t nb)
{
	return na <= nb && same_conds(a, na, b, na);
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
static int check_conflict(struct pctx *c, const char *name, uint32_t action,
			  const struct sck_cond *conds, size_t n, size_t idx, size_t *clash)
{
	struct seen e;
	size_t k = 0;

	/* only conditional rules can clash; those are few, so the lookups happen here (more than
	 * six conditions repeat an index: runc splits those, add_one refuses the rest) */
	if (n == 0 || n > sizeof(e.conds) / sizeof(e.conds[0]))
		return 0;
	e.name = sck_syscall_name_index(name);
	if (e.name < 0)
		return 0;
	for (size_t i = 0; i < c->f->nrules; i++)
		if (c->f->rules[i].nconds == 0 && c->f->rules[i].name_idx == e.name)
			return 0; /* under an unconditional rule: every later rule is dropped */
	e.action = action;
	e.idx = idx;
	e.n = n;
	memcpy(e.conds, conds, n * sizeof(*conds));
	qsort(e.conds, n, sizeof(*e.conds), cond_cmp);
	for (size_t i = 0; i < c->nseen; i++) {
		const struct seen *o = &c->seen[i];
		if (o->name != e.name)
			continue;
		if (o->n < n && is_prefix(o->conds, o->n, e.conds, n))
			return 0; /* extends an earlier chain: dropped */
		if (is_prefix(e.conds, n, o->conds, o->n) && o->action != action) {
			*clash = o->idx;
			return -EEXIST;
		}
	}
	/* drop the chains the new rule starts (all with its action, by the loop above) */
	for (size_t i = 0; i < c->nseen; i++) {
		const struct seen *o = &c->seen[i];
		if (o->name == e.name && is_prefix(e.conds, n, o->conds, o->n))
			continue;
		c->seen[k++] = *o;
	}
	c->nseen = k;
	if (c->nseen == c->capseen) {
		size_t cap = c->capseen ? c->capseen * 2 : 16;
		struct seen *ns = realloc(c->seen, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		c->seen = ns;
		c->capseen = cap;
	}
	c->seen[c->nseen++] = e;
	return 0;
}

/* Add one rule (name, action, conds) as libseccomp would: one per arch where the arches differ. */
static int add_one(struct pctx *c, const char *name, uint32_t action, const struct sck_cond *conds,
		   size_t n)
{
	struct sck_cond lc[SCK_FILTER_MAX_ARCH][6];
	size_t ln[SCK_FILTER_MAX_ARCH];
	bool split = false;
	int rc;

	if (n > 6)
		return -EINVAL;
	/* no arch at all (no native one, none in the profile): the conditions as they are, never
	 * none (an uninitialised ln[0] would drop them and widen the rule) */
	ln[0] = n;
	if (n)
		memcpy(lc[0], conds, n * sizeof(*conds));
	for (size_t a = 0; a < c->narch; a++) {
		ln[a] = arch_conds(c->arches[a], conds, n, lc[a]);
		split |= a > 0 && !same_conds(lc[a], ln[a], lc[0], ln[0]);
	}
	for (size_t a = 0; a < (split ? c->narch : 1); a++) {
		struct sck_rule r = {.name = name,
				     .arch = split ? c->arches[a] : NULL,
				     .action = action,
				     .conds = ln[a] ? lc[a] : NULL,
				     .nconds = ln[a]};
		rc = sck_filter_add_rule(c->f, &r);
		if (rc == -ENOENT)
			continue; /* a syscall of other arches: libseccomp adds nothing here */
		if (rc)
			return rc;
		c->rules++;
	}
	return 0;
}

static int read_cond(struct pctx *c, json_object *o, const char *path, struct sck_cond *out)
{
	char p[PATH_MAX_LEN];
	json_object *v;
	uint64_t idx = 0, value = 0, two = 0;
	const char *op;
	int rc;

	rc = want(c, o, json_type_object, path, "an object");
	if (rc)
		return rc;
	check_keys(c, o, path, (const char *const[]){"index", "value", "valueTwo", "op", NULL});
	subp(p, path, ".index", NO_INDEX);
	if ((v = member(o, "index")) && (rc = get_u64(c, v, p, 5, &idx)))
		return rc;
	subp(p, path, ".value", NO_INDEX);
	if ((v = member(o, "value")) && (rc = get_u64(c, v, p, UINT64_MAX, &value)))
		return rc;
	subp(p, path, ".valueTwo", NO_INDEX);
	if ((v = member(o, "valueTwo")) && (rc = get_u64(c, v, p, UINT64_MAX, &two)))
		return rc;
	subp(p, path, ".op", NO_INDEX);
	if (!(v = member(o, "op")))
		return fail(c, -EINVAL, p, "missing");
	rc = get_str(c, v, p, &op);
	if (rc)
		return rc;
	*out = (struct sck_cond){.arg = (unsigned int)idx, .value = value};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, op) != 0)
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
	return fail(c, -EINVAL, p, "unknown operator \"%.60s\"", op);
}

static void note_max(struct pctx *c, const char *name)
{
	for (size_t a = 0; a < c->narch; a++) {
		int nr = sck_syscall_nr(c->arches[a], name);
		if (nr > c->maxnr[a])
			c->maxnr[a] = nr;
	}
}

static int read_syscall(struct pctx *c, json_object *o, size_t idx)
{
	static const char *const keys[] = {"names",   "name",	  "action",   "errnoRet", "args",
					   "comment", "includes", "excludes", NULL};
	char path[PATH_MAX_LEN], p[PATH_MAX_LEN];
	json_object *names, *name, *args, *v;
	struct sck_cond conds[64] = {{0}};
	size_t nconds = 0, nnames;
	unsigned int count[6] = {0};
	bool repeated = false, skip = false;
	uint32_t action;
	int rc;

	subp(path, "", "syscalls", idx);
	rc = want(c, o, json_type_object, path, "an object");
	if (rc)
		return rc;
	check_keys(c, o, path, keys);
	names = member(o, "names");
	name = member(o, "name");
	if (names && name)
		return fail(c, -EINVAL, path, "both \"name\" and \"names\" given (as Docker)");
	if (names) {
		subp(p, path, ".names", NO_INDEX);
		rc = want(c, names, json_type_array, p, "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(names); i++) {
			json_object *e = json_object_array_get_idx(names, i);
			/* the path is built only for an error: this loop sees every name */
			if (json_object_is_type(e, json_type_string) &&
			    json_object_get_string_len(e))
				continue;
			subp(p, path, ".names", i);
			if (!json_object_is_type(e, json_type_string))
				return want(c, e, json_type_string, p, "a string");
			return fail(c, -EINVAL, p, "empty syscall name");
		}
	} else if (name) {
		const char *s;
		subp(p, path, ".name", NO_INDEX);
		rc = get_str(c, name, p, &s);
		if (rc)
			return rc;
		if (!*s)
			return fail(c, -EINVAL, p, "empty syscall name");
	}
	subp(p, path, ".action", NO_INDEX);
	if (!(v = member(o, "action")))
		return fail(c, -EINVAL, p, "missing");
	{
		char ep[PATH_MAX_LEN];
		subp(ep, path, ".errnoRet", NO_INDEX);
		rc = get_action(c, v, member(o, "errnoRet"), p, ep, &action);
		if (rc)
			return rc;
	}
	if ((v = member(o, "comment"))) {
		subp(p, path, ".comment", NO_INDEX);
		const char *s;
		rc = get_str(c, v, p, &s);
		if (rc)
			return rc;
	}
	if ((args = member(o, "args"))) {
		subp(p, path, ".args", NO_INDEX);
		rc = want(c, args, json_type_array, p, "an array");
		if (rc)
			return rc;
		if (json_object_array_length(args) > sizeof(conds) / sizeof(conds[0]))
			return fail(c, -EINVAL, p, "more than %zu conditions",
				    sizeof(conds) / sizeof(conds[0]));
		for (size_t i = 0; i < json_object_array_length(args); i++) {
			subp(p, path, ".args", i);
			rc = read_cond(c, json_object_array_get_idx(args, i), p, &conds[nconds]);
			if (rc)
				return rc;
			if (++count[conds[nconds].arg] > 1)
				repeated = true;
			nconds++;
		}
	}
	if ((v = member(o, "excludes"))) {
		subp(p, path, ".excludes", NO_INDEX);
		rc = filter_clause(c, v, p, false);
		if (rc < 0)
			return rc;
		skip |= rc == 1;
	}
	if ((v = member(o, "includes"))) {
		subp(p, path, ".includes", NO_INDEX);
		rc = filter_clause(c, v, p, true);
		if (rc < 0)
			return rc;
		skip |= rc == 0;
	}
	if (skip)
		return 0;

	nnames = names ? json_object_array_length(names) : (name ? 1 : 0);
	for (size_t i = 0; i < nnames; i++) {
		const char *s =
			json_object_get_string(names ? json_object_array_get_idx(names, i) : name);
		p[0] = 0; /* the path of this name, built only when a message needs it */
#define NAME_PATH()                                                                                \
	(p[0] ? p                                                                                  \
	      : (names ? snprintf(p, sizeof(p), "syscalls[%zu].names[%zu]", idx, i)                \
		       : snprintf(p, sizeof(p), "syscalls[%zu].name", idx),                        \
		 p))
		if (c->flags & SCK_PROFILE_ENOSYS_NEWER)
			note_max(c, s);
		/* runc: a rule with the default action is redundant, skipped before anything */
		if (action == c->def_action)
			continue;
		if (!name_anywhere(c, s)) {
			if (c->flags & SCK_PROFILE_IGNORE_UNKNOWN) {
				warn(c, NAME_PATH(), "unknown syscall \"%s\" on %s ignored", s,
				     c->arches[0]->name);
				continue;
			}
			return fail(c, -ENOENT, NAME_PATH(), "unknown syscall \"%.60s\" on %s", s,
				    c->arches[0]->name);
		}
		{
			/* runc: an index used twice makes each condition a rule of its own */
			size_t parts = repeated ? nconds : 1, clash = 0;
			rc = 0;
			for (size_t k = 0; k < parts && !rc; k++) {
				const struct sck_cond *cs = repeated ? &conds[k] : conds;
				size_t cn = repeated ? 1 : nconds;
				rc = check_conflict(c, s, action, cs, cn, idx, &clash);
				if (rc == -EEXIST)
					return fail(
						c, -EINVAL, NAME_PATH(),
						"conflicting rules for \"%.60s\": the conditions "
						"of syscalls[%zu] with another action",
						s, clash);
				if (!rc)
					rc = add_one(c, s, action, cs, cn);
			}
		}
		if (rc)
			return fail(c, rc, NAME_PATH(), "cannot add a rule for \"%s\": %s", s,
				    strerror(-rc));
#undef NAME_PATH
	}
	return 0;
}

/* runc's -ENOSYS stub (libcontainer/seccomp/patchbpf): numbers above the largest named. */
static int enosys_stub(struct pctx *c)
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
		/* s390: setup(2) (0) multiplexes large numbers the kernel does not know */
		if (!rc && (arch->id == SCK_ARCH_S390 || arch->id == SCK_ARCH_S390X))
			rc = sck_filter_add_override(c->f, arch, 0, 0, enosys);
		if (rc)
			return fail(c, rc, "", "cannot add the -ENOSYS stub: %s", strerror(-rc));
	}
	return 0;
}

static int read_profile(struct pctx *c, json_object *root, struct sck_profile_info *info)
{
	static const char *const keys[] = {
		"comment", "defaultAction", "defaultErrnoRet",	"architectures", "archMap",
		"flags",   "listenerPath",  "listenerMetadata", "syscalls",	 NULL};
	json_object *v;
	uint32_t def = 0;
	int rc;

	rc = want(c, root, json_type_object, "", "a JSON object (an OCI LinuxSeccomp)");
	if (rc)
		return rc;
	check_keys(c, root, "(top)", keys);
	if (!(v = member(root, "defaultAction")))
		return fail(c, -EINVAL, "defaultAction", "missing");
	rc = get_action(c, v, member(root, "defaultErrnoRet"), "defaultAction", "defaultErrnoRet",
			&def);
	if (rc)
		return rc;
	c->def_action = def;
	c->def_allow = def == SECCOMP_RET_ALLOW || def == SECCOMP_RET_LOG;
	if ((v = member(root, "defaultErrnoRet"))) {
		uint64_t e = 0;
		rc = get_u64(c, v, "defaultErrnoRet", 4095, &e);
		if (rc)
			return rc;
		c->def_errno_enosys = e == ENOSYS;
	}
	if (!c->arches_given && sck_arch_native())
		add_arch(c, sck_arch_native(), "");
	rc = read_arches(c, root);
	if (rc)
		return rc;
	if (c->narch == 0)
		return fail(c, -EDOM, "architectures", "no architecture (and no native one)");
	if ((v = member(root, "flags"))) {
		rc = want(c, v, json_type_array, "flags", "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			char p[PATH_MAX_LEN];
			const char *s;
			bool found = false;
			snprintf(p, sizeof(p), "flags[%zu]", i);
			rc = get_str(c, json_object_array_get_idx(v, i), p, &s);
			if (rc)
				return rc;
			for (size_t k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++) {
				if (strcmp(flag_names[k].name, s) == 0) {
					info->load_flags |= flag_names[k].flag;
					found = true;
				}
			}
			if (!found)
				return fail(c, -EINVAL, p, "unknown flag \"%.60s\"", s);
		}
	}
	if ((v = member(root, "listenerPath"))) {
		const char *s;
		rc = get_str(c, v, "listenerPath", &s);
		if (rc)
			return rc;
		if (strlen(s) >= sizeof(info->listener_path))
			return fail(c, -EINVAL, "listenerPath", "longer than %zu bytes",
				    sizeof(info->listener_path) - 1);
		memcpy(info->listener_path, s, strlen(s) + 1);
	}
	if ((v = member(root, "listenerMetadata"))) {
		const char *s;
		rc = get_str(c, v, "listenerMetadata", &s);
		if (rc)
			return rc;
		if (strlen(s) >= sizeof(info->listener_metadata))
			return fail(c, -EINVAL, "listenerMetadata", "longer than %zu bytes",
				    sizeof(info->listener_metadata) - 1);
		memcpy(info->listener_metadata, s, strlen(s) + 1);
	}
	{
		SCK_OPTS(sck_filter_opts, fo, .default_action = def,
			 .bad_arch_action = SECCOMP_RET_KILL_THREAD, .flags = SCK_FILTER_OCI);
		rc = sck_filter_new(&fo, &c->f);
		if (rc)
			return fail(c, rc, "", "%s", strerror(-rc));
	}
	for (size_t i = 0; i < c->narch; i++) {
		rc = sck_filter_add_arch(c->f, c->arches[i]);
		if (rc && rc != -EEXIST)
			return fail(c, rc, "architectures", "cannot add %s: %s", c->arches[i]->name,
				    strerror(-rc));
		c->maxnr[i] = -1;
	}
	if ((v = member(root, "syscalls"))) {
		rc = want(c, v, json_type_array, "syscalls", "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			rc = read_syscall(c, json_object_array_get_idx(v, i), i);
			if (rc)
				return rc;
		}
	}
	if (c->flags & SCK_PROFILE_ENOSYS_NEWER) {
		rc = enosys_stub(c);
		if (rc)
			return rc;
	}
	info->default_action = def;
	info->narches = c->narch;
	info->rules = c->rules;
	return 0;
}

/* 1-based line and column of byte @off of @s. */
static void locate(const char *s, size_t off, unsigned int *line, unsigned int *col)
{
	unsigned int l = 1, cl = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			l++;
			cl = 1;
		} else {
			cl++;
		}
	}
	*line = l;
	*col = cl;
}

/*
 * json-c saturates an integer literal above 2^64-1 to 2^64-1 without a word; find one in the
 * text (outside strings) so that it is an error, with its line and column. Returns its offset or
 * -1.
 */
static long find_overflow(const char *s, size_t len)
{
	static const char max[] = "18446744073709551615";
	bool str = false;

	for (size_t i = 0; i < len; i++) {
		size_t j, n;
		if (str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				str = false;
			continue;
		}
		if (s[i] == '"') {
			str = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			continue;
		for (j = i; j < len && s[j] >= '0' && s[j] <= '9'; j++)
			;
		n = j - i;
		/* leading zeros are not JSON; json-c refused them already */
		if (n > 20 || (n == 20 && memcmp(s + i, max, 20) > 0))
			return (long)i;
		i = j - 1;
	}
	return -1;
}

/*
 * Whether the text may hold what find_overflow looks for: a saturated integer (2^64-1 or
 * -2^63, which json-c gives for anything beyond) or a double (a long fraction). Walking the
 * parsed values is cheaper than scanning the text, which then only happens in these cases.
 */
static bool may_overflow(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_int:
		return json_object_get_uint64(o) == UINT64_MAX ||
		       json_object_get_int64(o) == INT64_MIN;
	case json_type_double:
		return true;
	case json_type_array:
		for (size_t i = 0, n = json_object_array_length(o); i < n; i++)
			if (may_overflow(json_object_array_get_idx(o, i)))
				return true;
		return false;
	case json_type_object: {
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			if (may_overflow(v))
				return true;
		}
		return false;
	}
	default:
		return false;
	}
}

static int parse_json(struct pctx *c, const char *json, size_t len, json_object **out)
{
	json_tokener *tok;
	json_object *root;
	enum json_tokener_error jerr;
	size_t end;

	if (len > INT32_MAX)
		return fail(c, -EINVAL, "", "profile too large");
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!root && jerr == json_tokener_success)
		jerr = json_tokener_continue;
	if (jerr != json_tokener_success) {
		unsigned int line, col;
		if (jerr == json_tokener_continue)
			end = len;
		locate(json, end, &line, &col);
		if (c->diag) {
			c->diag->line = line;
			c->diag->col = col;
			snprintf(c->diag->msg, sizeof(c->diag->msg), "%s",
				 jerr == json_tokener_continue ? "unexpected end of the JSON text"
							       : json_tokener_error_desc(jerr));
		}
		json_object_put(root);
		json_tokener_free(tok);
		return -EINVAL;
	}
	/* the text must end with the value (whitespace aside) */
	for (size_t i = end; i < len; i++) {
		if (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')
			continue;
		if (c->diag) {
			locate(json, i, &c->diag->line, &c->diag->col);
			snprintf(c->diag->msg, sizeof(c->diag->msg),
				 "unexpected text after the JSON value");
		}
		json_object_put(root);
		json_tokener_free(tok);
		return -EINVAL;
	}
	json_tokener_free(tok);
	{
		long at = may_overflow(root) ? find_overflow(json, len) : -1;
		if (at >= 0) {
			if (c->diag) {
				locate(json, (size_t)at, &c->diag->line, &c->diag->col);
				snprintf(c->diag->msg, sizeof(c->diag->msg),
					 "integer out of range (at most 2^64-1)");
			}
			json_object_put(root);
			return -EINVAL;
		}
	}
	*out = root;
	return 0;
}

/*
 * An OCI runtime config.json (it has "ociVersion" and "linux", a profile has neither) stands for
 * its linux.seccomp section: *@root becomes that section (the document's reference moved to it),
 * and every message names its place from the document's top.
 */
static int runtime_config(struct pctx *c, json_object **root)
{
	json_object *lin, *sec;

	if (!json_object_is_type(*root, json_type_object) ||
	    !json_object_object_get_ex(*root, "ociVersion", NULL) ||
	    !json_object_object_get_ex(*root, "linux", &lin) ||
	    json_object_object_get_ex(*root, "defaultAction", NULL))
		return 0;
	if (!json_object_is_type(lin, json_type_object))
		return fail(c, -EINVAL, "linux", "not an object (an OCI runtime config)");
	if (!json_object_object_get_ex(lin, "seccomp", &sec) ||
	    json_object_is_type(sec, json_type_null))
		return fail(c, -EINVAL, "linux.seccomp",
			    "missing: this runtime config has no seccomp profile");
	json_object_get(sec);
	json_object_put(*root);
	*root = sec;
	c->prefix = "linux.seccomp";
	return 0;
}

int sck_profile_parse(const char *json, size_t len, const struct sck_profile_opts *opts,
		      struct sck_filter **out, struct sck_profile_info *info, struct sck_diag *diag)
{
	struct pctx c = {.diag = diag};
	struct sck_profile_info inf = {0};
	const struct sck_arch *const *arches;
	const char *kernel;
	struct utsname u;
	json_object *root = NULL;
	size_t narches;
	int rc;

	if (diag)
		memset(diag, 0, sizeof(*diag));
	if (!json || !out || (info && info->sz < sizeof(size_t)))
		return -EINVAL;
	rc = sck_opts_check(opts, sizeof(*opts));
	if (rc)
		return rc;
	c.flags = SCK_OPTS_GET(opts, flags, 0U);
	if (c.flags & ~(unsigned int)(SCK_PROFILE_IGNORE_UNKNOWN | SCK_PROFILE_ENOSYS_NEWER))
		return -EINVAL;
	c.warn = SCK_OPTS_GET(opts, warn, NULL);
	c.warn_arg = SCK_OPTS_GET(opts, warn_arg, NULL);
	arches = SCK_OPTS_GET(opts, arches, NULL);
	narches = SCK_OPTS_GET(opts, narches, (size_t)0);
	if (narches && !arches)
		return -EINVAL;
	if (narches > SCK_FILTER_MAX_ARCH)
		return -E2BIG;
	for (size_t i = 0; i < narches; i++) {
		if (!arches[i])
			return -EINVAL;
		add_arch(&c, arches[i], "");
	}
	c.arches_given = narches > 0;
	c.main_arch = SCK_OPTS_GET(opts, main_arch, NULL);
	if (!c.main_arch)
		c.main_arch = narches ? arches[0] : sck_arch_native();
	c.caps = SCK_OPTS_GET(opts, caps, NULL);
	if (!c.caps)
		c.caps = docker_caps;
	kernel = SCK_OPTS_GET(opts, kernel, NULL);
	if (!kernel) {
		if (uname(&u) == 0)
			kernel = u.release;
		else
			kernel = "0.0";
	}
	if (!parse_kver(kernel, c.kver))
		return fail(&c, -EINVAL, "", "invalid kernel version \"%.40s\"", kernel);

	rc = parse_json(&c, json, len, &root);
	if (rc)
		return rc;
	rc = runtime_config(&c, &root);
	if (rc) {
		json_object_put(root);
		return rc;
	}
	rc = read_profile(&c, root, &inf);
	free(c.seen);
	json_object_put(root);
	if (rc) {
		sck_filter_free(c.f);
		return rc;
	}
	if (info) {
		size_t sz = info->sz < sizeof(inf) ? info->sz : sizeof(inf);
		inf.sz = info->sz;
		memcpy(info, &inf, sz);
	}
	*out = c.f;
	return 0;
}

int sck_profile_parse_file(const char *path, const struct sck_profile_opts *opts,
			   struct sck_filter **out, struct sck_profile_info *info,
			   struct sck_diag *diag)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = 0;

	if (diag)
		memset(diag, 0, sizeof(*diag));
	if (!path || !out)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
		goto out;
	}
	if (st.st_size > (off_t)MAX_FILE) {
		rc = -EFBIG;
		goto out;
	}
	for (;;) {
		size_t cap = len + 65536;
		char *nb;
		ssize_t n;
		if (cap > MAX_FILE + 65536) {
			rc = -EFBIG;
			goto out;
		}
		nb = realloc(buf, cap + 1);
		if (!nb) {
			rc = -ENOMEM;
			goto out;
		}
		buf = nb;
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > MAX_FILE) {
		rc = -EFBIG;
		goto out;
	}
	rc = sck_profile_parse(buf ? buf : "", len, opts, out, info, diag);
out:
	if (rc && diag && !diag->msg[0])
		snprintf(diag->msg, sizeof(diag->msg), "%s", strerror(-rc));
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* profiles/default.json, embedded by mk/profile.mk */
extern const char sck_profile_default_json[];
extern const size_t sck_profile_default_len;

const char *sck_profile_builtin(size_t *len)
{
	if (len)
		*len = sck_profile_default_len;
	return sck_profile_default_json;
}
