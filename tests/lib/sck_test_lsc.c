// SPDX-License-Identifier: MIT
/*
 * libseccomp as runc drives it (sck_test_lsc.h): an OCI / Docker profile to runc's rule list to
 * a libseccomp filter to BPF in memory. Written from the runtimes' documented behaviour; shared
 * by bench/bench_args.c, the argument and libseccomp differential tests, and runc's call
 * sequence of tests/compat/oci_seq.c (tests/compat/ and bench/bench_compat.c).
 */
#include "sck_test_lsc.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "docker_caps.h"

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

static bool in_list(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

static bool cap_held(const char *cap)
{
	for (const char *const *p = sck_test_docker_caps; *p; p++)
		if (strcmp(*p, cap) == 0)
			return true;
	return false;
}

static int kver(const char *s)
{
	int a = 0, b = 0;

	sscanf(s, "%d.%d", &a, &b);
	return a * 1000 + b;
}

bool sck_test_lsc_docker_keeps(json_object *s, const char *kernel)
{
	json_object *inc = get(s, "includes"), *exc = get(s, "excludes"), *v;
	struct utsname u;

	if (!kernel) {
		uname(&u);
		kernel = u.release;
	}
	if (exc) {
		if ((v = get(exc, "arches")) && in_list(v, "amd64"))
			return false;
		for (size_t i = 0; (v = get(exc, "caps")) && i < json_object_array_length(v); i++)
			if (cap_held(json_object_get_string(json_object_array_get_idx(v, i))))
				return false;
		if ((v = get(exc, "minKernel")) && kver(kernel) >= kver(json_object_get_string(v)))
			return false;
	}
	if (inc) {
		if ((v = get(inc, "arches")) && json_object_array_length(v) && !in_list(v, "amd64"))
			return false;
		for (size_t i = 0; (v = get(inc, "caps")) && i < json_object_array_length(v); i++)
			if (!cap_held(json_object_get_string(json_object_array_get_idx(v, i))))
				return false;
		if ((v = get(inc, "minKernel")) && kver(kernel) < kver(json_object_get_string(v)))
			return false;
	}
	return true;
}

uint32_t sck_test_lsc_action(json_object *o, const char *akey, const char *ekey, uint32_t dflt)
{
	const char *a = json_object_get_string(get(o, akey));
	json_object *e = get(o, ekey);
	uint32_t err = e ? (uint32_t)json_object_get_int64(e) : dflt;

	if (!a)
		return SCMP_ACT_KILL_THREAD;
	if (!strcmp(a, "SCMP_ACT_KILL") || !strcmp(a, "SCMP_ACT_KILL_THREAD"))
		return SCMP_ACT_KILL_THREAD;
	if (!strcmp(a, "SCMP_ACT_KILL_PROCESS"))
		return SCMP_ACT_KILL_PROCESS;
	if (!strcmp(a, "SCMP_ACT_TRAP"))
		return SCMP_ACT_TRAP;
	if (!strcmp(a, "SCMP_ACT_ERRNO"))
		return SCMP_ACT_ERRNO(err);
	if (!strcmp(a, "SCMP_ACT_TRACE"))
		return SCMP_ACT_TRACE(err);
	if (!strcmp(a, "SCMP_ACT_LOG"))
		return SCMP_ACT_LOG;
	if (!strcmp(a, "SCMP_ACT_NOTIFY"))
		return SCMP_ACT_NOTIFY;
	return SCMP_ACT_ALLOW;
}

enum scmp_compare sck_test_lsc_op(const char *op)
{
	static const char *const names[] = {"",
					    "SCMP_CMP_NE",
					    "SCMP_CMP_LT",
					    "SCMP_CMP_LE",
					    "SCMP_CMP_EQ",
					    "SCMP_CMP_GE",
					    "SCMP_CMP_GT",
					    "SCMP_CMP_MASKED_EQ"};

	for (int i = 1; op && i < 8; i++)
		if (!strcmp(op, names[i]))
			return (enum scmp_compare)i;
	return _SCMP_CMP_MIN;
}

void sck_test_lsc_arch_name(const char *oci, char *out, size_t n)
{
	size_t i = 0;

	if (oci && !strncmp(oci, "SCMP_ARCH_", 10))
		oci += 10;
	for (; oci && oci[i] && i + 1 < n; i++)
		out[i] = (char)(oci[i] >= 'A' && oci[i] <= 'Z' ? oci[i] - 'A' + 'a' : oci[i]);
	if (n)
		out[i] = 0;
}

/* An entry's conditions (six at most); *repeated when an argument index stands twice. */
static unsigned int read_conds(json_object *args, struct scmp_arg_cmp conds[6], bool *repeated)
{
	unsigned int n = 0;

	*repeated = false;
	for (size_t k = 0; args && k < json_object_array_length(args) && n < 6; k++) {
		json_object *a = json_object_array_get_idx(args, k), *v2 = get(a, "valueTwo");
		unsigned int idx = (unsigned int)json_object_get_int64(get(a, "index"));

		for (unsigned int j = 0; j < n; j++)
			*repeated |= conds[j].arg == idx;
		conds[n++] = (struct scmp_arg_cmp){
			.arg = idx,
			.op = sck_test_lsc_op(json_object_get_string(get(a, "op"))),
			.datum_a = json_object_get_uint64(get(a, "value")),
			.datum_b = v2 ? json_object_get_uint64(v2) : 0,
		};
	}
	return n;
}

int sck_test_lsc_rules(json_object *root, const struct sck_test_lsc_walk *w)
{
	json_object *calls = get(root, "syscalls");
	int rc = 0;

	for (size_t i = 0; !rc && calls && i < json_object_array_length(calls); i++) {
		json_object *s = json_object_array_get_idx(calls, i), *names = get(s, "names");
		uint32_t act = sck_test_lsc_action(s, "action", "errnoRet", w->errnum);
		struct scmp_arg_cmp conds[6];
		unsigned int n;
		bool repeated;

		if ((w->docker && !sck_test_lsc_docker_keeps(s, w->kernel)) || act == w->def)
			continue; /* runc skips rules with the default action */
		n = read_conds(get(s, "args"), conds, &repeated);
		for (size_t k = 0; !rc && names && k < json_object_array_length(names); k++) {
			int nr = w->resolve(
				json_object_get_string(json_object_array_get_idx(names, k)));
			if (nr == __NR_SCMP_ERROR)
				continue; /* runc: unknown to libseccomp, skipped */
			if (!repeated)
				rc = w->add(w->arg, act, nr, n, n ? conds : NULL);
			for (unsigned int c = 0; repeated && c < n && !rc; c++)
				rc = w->add(w->arg, act, nr, 1, &conds[c]);
		}
	}
	return rc;
}

/* "SCMP_ARCH_X86_64": libseccomp's token added to @p (unless native or there already) */
static int add_arch(struct sck_test_lsc_profile *p, const char *name)
{
	char low[32];
	uint32_t t;

	sck_test_lsc_arch_name(name, low, sizeof(low));
	t = seccomp_arch_resolve_name(low);
	if (!t)
		return -EINVAL;
	for (size_t i = 0; i < p->narch; i++)
		if (p->arches[i] == t)
			return 0;
	if (t == seccomp_arch_native() || p->narch == sizeof(p->arches) / sizeof(p->arches[0]))
		return 0;
	p->arches[p->narch++] = t;
	return 0;
}

struct rules {
	struct sck_test_lsc_profile *p;
	size_t cap;
};

static int push(void *arg, uint32_t action, int nr, unsigned int n,
		const struct scmp_arg_cmp *conds)
{
	struct rules *r = arg;
	struct sck_test_lsc_profile *p = r->p;
	struct sck_test_lsc_rule *one;

	if (p->nrules == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 256;
		struct sck_test_lsc_rule *m = realloc(p->rules, nc * sizeof(*m));
		if (!m)
			return -ENOMEM;
		p->rules = m;
		r->cap = nc;
	}
	one = &p->rules[p->nrules++];
	*one = (struct sck_test_lsc_rule){.nr = nr, .action = action, .n = n};
	if (n)
		memcpy(one->conds, conds, n * sizeof(*conds));
	return 0;
}

static int read_arches(struct sck_test_lsc_profile *p, json_object *root)
{
	json_object *v = get(root, "architectures"), *map = get(root, "archMap");
	int rc = 0;

	for (size_t i = 0; v && i < json_object_array_length(v) && !rc; i++)
		rc = add_arch(p, json_object_get_string(json_object_array_get_idx(v, i)));
	for (size_t i = 0; !v && map && i < json_object_array_length(map) && !rc; i++) {
		json_object *e = json_object_array_get_idx(map, i), *subs;
		if (strcmp(json_object_get_string(get(e, "architecture")), "SCMP_ARCH_X86_64") != 0)
			continue;
		subs = get(e, "subArchitectures");
		for (size_t k = 0; subs && k < json_object_array_length(subs) && !rc; k++)
			rc = add_arch(p,
				      json_object_get_string(json_object_array_get_idx(subs, k)));
	}
	return rc;
}

int sck_test_lsc_profile_read(const char *json, size_t len, struct sck_test_lsc_profile *out)
{
	json_tokener *tok = json_tokener_new();
	json_object *root = tok ? json_tokener_parse_ex(tok, json, (int)len) : NULL;
	struct sck_test_lsc_profile p = {0};
	struct rules r = {.p = &p};
	int rc;

	if (tok)
		json_tokener_free(tok);
	if (!root)
		return -EINVAL;
	p.def = sck_test_lsc_action(root, "defaultAction", "defaultErrnoRet", 1);
	rc = read_arches(&p, root);
	if (!rc) {
		struct sck_test_lsc_walk w = {
			.def = p.def,
			.errnum = 1,
			.docker = true,
			.resolve = seccomp_syscall_resolve_name,
			.add = push,
			.arg = &r,
		};
		rc = sck_test_lsc_rules(root, &w);
	}
	json_object_put(root);
	if (rc) {
		free(p.rules);
		return rc;
	}
	*out = p;
	return 0;
}

void sck_test_lsc_profile_fini(struct sck_test_lsc_profile *p)
{
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

int sck_test_lsc_ctx(const struct sck_test_lsc_profile *p, int opt, scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(p->def);
	int rc = 0;

	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < p->narch && !rc; i++)
		rc = seccomp_arch_add(ctx, p->arches[i]);
	if (!rc && opt)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)opt);
	for (size_t i = 0; i < p->nrules && !rc; i++)
		rc = seccomp_rule_add_array(ctx, p->rules[i].action, p->rules[i].nr, p->rules[i].n,
					    p->rules[i].conds);
	if (rc) {
		seccomp_release(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

int sck_test_lsc_export(scmp_filter_ctx ctx, struct sock_filter **prog, size_t *len)
{
	int fd = memfd_create("lsc-bpf", MFD_CLOEXEC), rc;
	struct sock_filter *p = NULL;
	off_t sz;

	if (fd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, fd);
	if (rc == 0) {
		sz = lseek(fd, 0, SEEK_END);
		p = malloc(sz > 0 ? (size_t)sz : 1);
		if (!p)
			rc = -ENOMEM;
		else if (pread(fd, p, (size_t)sz, 0) != sz)
			rc = -EIO;
	}
	close(fd);
	if (rc) {
		free(p);
		return rc;
	}
	*prog = p;
	*len = (size_t)sz / sizeof(*p);
	return 0;
}

int sck_test_lsc_build(const struct sck_test_lsc_profile *p, int opt, struct sock_filter **prog,
		       size_t *len)
{
	scmp_filter_ctx ctx;
	int rc = sck_test_lsc_ctx(p, opt, &ctx);

	if (rc)
		return rc;
	rc = sck_test_lsc_export(ctx, prog, len);
	seccomp_release(ctx);
	return rc;
}

char *sck_test_lsc_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = 0;
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}
