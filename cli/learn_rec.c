// SPDX-License-Identifier: MIT
/*
 * What `sck learn` and `sck agent --learn` record of a supervised program: the (ABI, syscall)
 * pairs it used (and, with --args, the values of the arguments that decide what clone,
 * personality and socket do), and the smallest OCI seccomp profile that allows them.
 */
#include "learn_rec.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * --args: the calls whose arguments decide what they do, and how their rules are written:
 * one rule per distinct value seen, comparing the whole argument (==) or, for clone, only its
 * namespace flags (masked ==, the mask Docker's profile uses: CLONE_NEWNS, NEWCGROUP, NEWUTS,
 * NEWIPC, NEWUSER, NEWPID, NEWNET).
 */
struct argful {
	const char *name;
	uint64_t mask; /* 0: the whole value */
};

static const struct argful argfuls[] = {
	{"clone", CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
			  CLONE_NEWPID | CLONE_NEWNET},
	{"personality", 0},
	{"socket", 0},
};

_Static_assert(sizeof(argfuls) / sizeof(argfuls[0]) == SCK_CLI_NARGFUL, "argfuls");

/* The index of the argument that matters: clone's flags come second on s390. */
static int argful_index(const struct sck_arch *arch, size_t k)
{
	if (strcmp(argfuls[k].name, "clone") == 0 && (arch->quirks & SCK_ARCH_Q_CLONE_FLAGS_ARG1))
		return 1;
	return 0;
}

struct sck_cli_seen_arch *sck_cli_learn_arch(struct sck_cli_learn *l, const struct sck_arch *arch)
{
	struct sck_cli_seen_arch *a;

	for (size_t i = 0; i < l->narchs; i++)
		if (l->archs[i].arch == arch)
			return &l->archs[i];
	a = realloc(l->archs, (l->narchs + 1) * sizeof(*a));
	if (!a)
		return NULL;
	l->archs = a;
	a = &l->archs[l->narchs++];
	memset(a, 0, sizeof(*a));
	a->arch = arch;
	for (size_t k = 0; k < SCK_CLI_NARGFUL; k++) {
		int nr = sck_syscall_nr(arch, argfuls[k].name);

		a->argful_nr[k] = nr >= 0 ? nr : -1;
	}
	return a;
}

static int record_value(struct sck_cli_seen_arch *a, size_t k, uint64_t v)
{
	for (size_t i = 0; i < a->nvals[k]; i++)
		if (a->vals[k][i] == v)
			return 0;
	if (a->nvals[k] == a->capvals[k]) {
		size_t cap = a->capvals[k] ? a->capvals[k] * 2 : 4;
		uint64_t *p = realloc(a->vals[k], cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		a->vals[k] = p;
		a->capvals[k] = cap;
	}
	a->vals[k][a->nvals[k]++] = v;
	return 0;
}

int sck_cli_learn_record(struct sck_cli_learn *l, const struct sck_arch *arch,
			 const struct seccomp_data *d)
{
	struct sck_cli_seen_arch *a = sck_cli_learn_arch(l, arch);
	int nr = d->nr;
	long rel = (long)nr - (long)arch->nr_base;

	if (!a)
		return -ENOMEM;
	if (rel >= 0 && rel < SCK_CLI_FAST_NRS && a->count[rel] < UINT32_MAX)
		a->count[rel]++;
	for (size_t k = 0; l->args && k < SCK_CLI_NARGFUL; k++) {
		if (a->argful_nr[k] == nr) {
			uint64_t v = d->args[argful_index(arch, k)];

			if (arch->bits == 32)
				v &= 0xffffffffULL;
			return record_value(a, k, argfuls[k].mask ? v & argfuls[k].mask : v);
		}
	}
	if (rel >= 0 && rel < SCK_CLI_FAST_NRS) {
		a->bits[rel / 64] |= 1ULL << (rel % 64);
		return 0;
	}
	for (size_t i = 0; i < a->nother; i++)
		if (a->other[i] == nr)
			return 0;
	if (a->nother == a->capother) {
		size_t cap = a->capother ? a->capother * 2 : 8;
		int *o = realloc(a->other, cap * sizeof(*o));

		if (!o)
			return -ENOMEM;
		a->other = o;
		a->capother = cap;
	}
	a->other[a->nother++] = nr;
	return 0;
}

void sck_cli_buf_printf(struct sck_cli_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = b->cap ? b->cap * 2 : 4096;
			char *p;

			while (cap < b->len + (size_t)n + 1)
				cap *= 2;
			p = realloc(b->p, cap);
			if (!p) {
				b->oom = true;
				return;
			}
			b->p = p;
			b->cap = cap;
		}
	}
}

/* The OCI / libseccomp name of @arch ("SCMP_ARCH_X86_64"), or NULL. */
static const char *scmp_name(const struct sck_arch *arch)
{
	for (const char *const *a = arch->aliases; a && *a; a++)
		if (strncmp(*a, "SCMP_ARCH_", 10) == 0)
			return *a;
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names used on @a, sorted; numbers without a name are reported on stderr. */
static size_t names_of(const struct sck_cli_seen_arch *a, const char ***out)
{
	const char **names = calloc(SCK_CLI_FAST_NRS + a->nother + 1, sizeof(*names));
	size_t n = 0;

	if (!names)
		return 0;
	for (int rel = 0; rel < SCK_CLI_FAST_NRS; rel++) {
		int nr = rel + (int)a->arch->nr_base;
		const char *name;

		if (!(a->bits[rel / 64] & (1ULL << (rel % 64))))
			continue;
		name = sck_syscall_name(a->arch, nr);
		if (name)
			names[n++] = name;
		else
			sck_cli_err("learn", "%s syscall %d has no name: left out of the profile",
				    a->arch->name, nr);
	}
	for (size_t i = 0; i < a->nother; i++) {
		const char *name = sck_syscall_name(a->arch, a->other[i]);

		if (name)
			names[n++] = name;
		else
			sck_cli_err("learn", "%s syscall %d has no name: left out of the profile",
				    a->arch->name, a->other[i]);
	}
	qsort(names, n, sizeof(*names), cmp_str);
	*out = names;
	return n;
}

int sck_cli_learn_profile(const struct sck_cli_learn *l, struct sck_cli_buf *b)
{
	size_t written = 0;

	sck_cli_buf_printf(
		b, "{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"defaultErrnoRet\": 1,\n");
	sck_cli_buf_printf(b, "\t\"architectures\": [");
	for (size_t i = 0; i < l->narchs; i++) {
		const char *s = scmp_name(l->archs[i].arch);

		if (s)
			sck_cli_buf_printf(b, "%s\"%s\"", written++ ? ", " : "", s);
	}
	sck_cli_buf_printf(b, "],\n\t\"syscalls\": [");
	written = 0;
	for (size_t i = 0; i < l->narchs; i++) {
		const struct sck_cli_seen_arch *a = &l->archs[i];
		const char **names = NULL;
		size_t n = names_of(a, &names);

		if (!names)
			return -ENOMEM;
		if (!scmp_name(a->arch)) {
			free(names);
			continue;
		}
		for (size_t k = 0; k < SCK_CLI_NARGFUL; k++) {
			for (size_t v = 0; v < a->nvals[k]; v++) {
				sck_cli_buf_printf(b, "%s\n\t\t{\n\t\t\t\"names\": [\"%s\"],\n",
						   written++ ? "," : "", argfuls[k].name);
				sck_cli_buf_printf(b, "\t\t\t\"action\": \"SCMP_ACT_ALLOW\",\n");
				if (argfuls[k].mask)
					sck_cli_buf_printf(
						b,
						"\t\t\t\"args\": [{\"index\": %d, \"value\": %llu, "
						"\"valueTwo\": %llu, \"op\": "
						"\"SCMP_CMP_MASKED_EQ\"}]",
						argful_index(a->arch, k),
						(unsigned long long)argfuls[k].mask,
						(unsigned long long)a->vals[k][v]);
				else
					sck_cli_buf_printf(
						b,
						"\t\t\t\"args\": [{\"index\": %d, \"value\": %llu, "
						"\"op\": \"SCMP_CMP_EQ\"}]",
						argful_index(a->arch, k),
						(unsigned long long)a->vals[k][v]);
				if (l->narchs > 1)
					sck_cli_buf_printf(
						b, ",\n\t\t\t\"includes\": {\"arches\": [\"%s\"]}",
						scmp_name(a->arch));
				sck_cli_buf_printf(b, "\n\t\t}");
			}
		}
		if (n == 0) {
			free(names);
			continue;
		}
		sck_cli_buf_printf(b, "%s\n\t\t{\n\t\t\t\"names\": [", written++ ? "," : "");
		for (size_t k = 0; k < n; k++) {
			if (k && names[k] == names[k - 1])
				continue;
			sck_cli_buf_printf(b, "%s\n\t\t\t\t\"%s\"", k ? "," : "", names[k]);
		}
		/* OCI readers apply a rule to every listed ABI; Docker's "includes" limits it to the
		 * one where the calls were seen. */
		sck_cli_buf_printf(b, "\n\t\t\t],\n\t\t\t\"action\": \"SCMP_ACT_ALLOW\"");
		if (l->narchs > 1)
			sck_cli_buf_printf(b, ",\n\t\t\t\"includes\": {\"arches\": [\"%s\"]}",
					   scmp_name(a->arch));
		sck_cli_buf_printf(b, "\n\t\t}");
		free(names);
	}
	sck_cli_buf_printf(b, "\n\t]\n}\n");
	return b->oom ? -ENOMEM : 0;
}

int sck_cli_learn_add_name(struct sck_cli_learn *l, const struct sck_arch *arch, const char *name)
{
	struct seccomp_data d;
	int nr = sck_syscall_nr(arch, name);

	if (nr < 0)
		return 0;
	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = arch->audit_arch;
	return sck_cli_learn_record(l, arch, &d);
}

void sck_cli_learn_fini(struct sck_cli_learn *l)
{
	for (size_t i = 0; i < l->narchs; i++) {
		free(l->archs[i].other);
		for (size_t k = 0; k < SCK_CLI_NARGFUL; k++)
			free(l->archs[i].vals[k]);
	}
	free(l->archs);
	l->archs = NULL;
	l->narchs = 0;
}
