// SPDX-License-Identifier: MIT
/*
 * `sck learn -o PROFILE -- CMD [ARG...]`: run CMD (and its descendants) under a filter that
 * routes every system call to sck through user notification, record each (ABI, syscall) pair,
 * continue every call unchanged, and write the smallest OCI seccomp profile that allows what was
 * used: default action SCMP_ACT_ERRNO (EPERM), the ABIs seen, and one allow rule per ABI with the
 * names used on it; with --args, clone, personality and socket get one rule per argument value
 * seen instead. Exits with CMD's status, as `sck trace` does.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAST_NRS 4096 /* numbers (above the ABI's base) kept in a bitmap; others in a list */

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

#define NARGFUL (sizeof(argfuls) / sizeof(argfuls[0]))

/* The index of the argument that matters: clone's flags come second on s390. */
static int argful_index(const struct sck_arch *arch, size_t k)
{
	if (strcmp(argfuls[k].name, "clone") == 0 && (arch->quirks & SCK_ARCH_Q_CLONE_FLAGS_ARG1))
		return 1;
	return 0;
}

struct seen_arch {
	const struct sck_arch *arch;
	uint64_t bits[FAST_NRS / 64];
	uint32_t count[FAST_NRS]; /* calls made, for --hot (all calls, --args ones too) */
	int *other;		  /* numbers outside the bitmap */
	size_t nother, capother;
	int argful_nr[NARGFUL];	 /* their numbers on this ABI (-1: none) */
	uint64_t *vals[NARGFUL]; /* distinct (masked) values seen */
	size_t nvals[NARGFUL], capvals[NARGFUL];
};

struct learn {
	struct seen_arch *archs;
	size_t narchs;
	bool args;	       /* --args */
	int err;	       /* first -ENOMEM */
	unsigned long unknown; /* calls of an ABI sck does not know */
};

static struct seen_arch *arch_slot(struct learn *l, const struct sck_arch *arch)
{
	struct seen_arch *a;

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
	for (size_t k = 0; k < NARGFUL; k++) {
		int nr = sck_syscall_nr(arch, argfuls[k].name);

		a->argful_nr[k] = nr >= 0 ? nr : -1;
	}
	return a;
}

static int record_value(struct seen_arch *a, size_t k, uint64_t v)
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

static int record(struct learn *l, const struct sck_arch *arch, const struct seccomp_data *d)
{
	struct seen_arch *a = arch_slot(l, arch);
	int nr = d->nr;
	long rel = (long)nr - (long)arch->nr_base;

	if (!a)
		return -ENOMEM;
	if (rel >= 0 && rel < FAST_NRS && a->count[rel] < UINT32_MAX)
		a->count[rel]++;
	for (size_t k = 0; l->args && k < NARGFUL; k++) {
		if (a->argful_nr[k] == nr) {
			uint64_t v = d->args[argful_index(arch, k)];

			if (arch->bits == 32)
				v &= 0xffffffffULL;
			return record_value(a, k, argfuls[k].mask ? v & argfuls[k].mask : v);
		}
	}
	if (rel >= 0 && rel < FAST_NRS) {
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

static int on_call(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	struct learn *l = arg;
	const struct sck_arch *arch = sck_cli_notif_arch(req);
	int rc;

	if (!arch) /* an ABI sck has no table for cannot be written by name */
		l->unknown++;
	else if ((rc = record(l, arch, &req->data)) < 0 && !l->err)
		l->err = rc;
	rc = sck_notify_continue(n, req->id);
	return rc == -ENOENT || rc == -EINPROGRESS ? 0 : rc;
}

/* A growable text buffer. */
struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void out(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(struct buf *b, const char *fmt, ...)
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
static size_t names_of(const struct seen_arch *a, const char ***out)
{
	const char **names = calloc(FAST_NRS + a->nother + 1, sizeof(*names));
	size_t n = 0;

	if (!names)
		return 0;
	for (int rel = 0; rel < FAST_NRS; rel++) {
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

static int write_profile(const struct learn *l, struct buf *b)
{
	size_t written = 0;

	out(b, "{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"defaultErrnoRet\": 1,\n");
	out(b, "\t\"architectures\": [");
	for (size_t i = 0; i < l->narchs; i++) {
		const char *s = scmp_name(l->archs[i].arch);

		if (s)
			out(b, "%s\"%s\"", written++ ? ", " : "", s);
	}
	out(b, "],\n\t\"syscalls\": [");
	written = 0;
	for (size_t i = 0; i < l->narchs; i++) {
		const struct seen_arch *a = &l->archs[i];
		const char **names = NULL;
		size_t n = names_of(a, &names);

		if (!names)
			return -ENOMEM;
		if (!scmp_name(a->arch)) {
			free(names);
			continue;
		}
		for (size_t k = 0; k < NARGFUL; k++) {
			for (size_t v = 0; v < a->nvals[k]; v++) {
				out(b, "%s\n\t\t{\n\t\t\t\"names\": [\"%s\"],\n",
				    written++ ? "," : "", argfuls[k].name);
				out(b, "\t\t\t\"action\": \"SCMP_ACT_ALLOW\",\n");
				if (argfuls[k].mask)
					out(b,
					    "\t\t\t\"args\": [{\"index\": %d, \"value\": %llu, "
					    "\"valueTwo\": %llu, \"op\": \"SCMP_CMP_MASKED_EQ\"}]",
					    argful_index(a->arch, k),
					    (unsigned long long)argfuls[k].mask,
					    (unsigned long long)a->vals[k][v]);
				else
					out(b,
					    "\t\t\t\"args\": [{\"index\": %d, \"value\": %llu, "
					    "\"op\": \"SCMP_CMP_EQ\"}]",
					    argful_index(a->arch, k),
					    (unsigned long long)a->vals[k][v]);
				if (l->narchs > 1)
					out(b, ",\n\t\t\t\"includes\": {\"arches\": [\"%s\"]}",
					    scmp_name(a->arch));
				out(b, "\n\t\t}");
			}
		}
		if (n == 0) {
			free(names);
			continue;
		}
		out(b, "%s\n\t\t{\n\t\t\t\"names\": [", written++ ? "," : "");
		for (size_t k = 0; k < n; k++) {
			if (k && names[k] == names[k - 1])
				continue;
			out(b, "%s\n\t\t\t\t\"%s\"", k ? "," : "", names[k]);
		}
		/* OCI readers apply a rule to every listed ABI; Docker's "includes" limits it to the
		 * one where the calls were seen. */
		out(b, "\n\t\t\t],\n\t\t\t\"action\": \"SCMP_ACT_ALLOW\"");
		if (l->narchs > 1)
			out(b, ",\n\t\t\t\"includes\": {\"arches\": [\"%s\"]}", scmp_name(a->arch));
		out(b, "\n\t\t}");
		free(names);
	}
	out(b, "\n\t]\n}\n");
	return b->oom ? -ENOMEM : 0;
}

/*
 * --hot FILE: the native ABI's most frequent calls as `sck compile --hot` reads them, one line
 * "name=count,..." by count (at most HOT_MAX, counts capped at compile's 1000000).
 */
#define HOT_MAX 32
static int write_hot(const struct learn *l, struct buf *b)
{
	const struct seen_arch *a = &l->archs[0];
	int top[HOT_MAX];
	size_t n = 0;

	for (int rel = 0; rel < FAST_NRS; rel++) {
		size_t p;
		if (a->count[rel] == 0 || !sck_syscall_name(a->arch, rel + (int)a->arch->nr_base))
			continue;
		if (n == HOT_MAX && a->count[rel] <= a->count[top[n - 1]])
			continue;
		p = n < HOT_MAX ? n++ : n - 1;
		while (p > 0 && a->count[top[p - 1]] < a->count[rel]) {
			top[p] = top[p - 1];
			p--;
		}
		top[p] = rel;
	}
	for (size_t i = 0; i < n; i++)
		out(b, "%s%s=%u", i ? "," : "",
		    sck_syscall_name(a->arch, top[i] + (int)a->arch->nr_base),
		    a->count[top[i]] < 1000000 ? a->count[top[i]] : 1000000);
	out(b, "\n");
	return b->oom ? -ENOMEM : 0;
}

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'},
	{"hot", required_argument, NULL, 256},
	{"args", no_argument, NULL, 'a'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int sck_cmd_learn(int argc, char **argv)
{
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sck_cli_spawn sp = {-1, -1, -1, 0};
	struct learn l = {NULL, 0, false, 0, 0};
	struct buf b = {NULL, 0, 0, false}, hb = {NULL, 0, 0, false};
	const char *outpath = NULL, *hotpath = NULL;
	int ret, rc, opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			outpath = optarg;
			break;
		case 'a':
			l.args = true;
			break;
		case 256: /* --hot */
			hotpath = optarg;
			break;
		case 'h':
			return sck_cli_help("learn");
		default:
			sck_cli_bad_option("learn", "+o:h", argv);
			return SCK_EXIT_FAILED;
		}
	}
	if (!outpath) {
		sck_cli_usage("learn", "missing -o PROFILE");
		return SCK_EXIT_FAILED;
	}
	if (optind >= argc) {
		sck_cli_usage("learn", "missing CMD");
		return SCK_EXIT_FAILED;
	}
	/* The native ABI comes first in the profile even if CMD never used it. */
	if (!arch_slot(&l, sck_arch_native())) {
		sck_cli_err("learn", "%s", strerror(ENOMEM));
		return SCK_EXIT_FAILED;
	}
	ret = sck_cli_spawn("learn", prog, 1, 0, argv + optind, &sp);
	if (ret)
		goto out;
	ret = sck_cli_spawn_supervise("learn", &sp, on_call, &l);
	if (ret)
		goto out;
	ret = SCK_EXIT_FAILED;
	if (l.unknown)
		sck_cli_err("learn", "%lu calls of an unknown ABI left out of the profile",
			    l.unknown);
	rc = l.err ? l.err : write_profile(&l, &b);
	if (rc == 0)
		rc = sck_cli_write_file(outpath, b.p, b.len);
	if (rc < 0) {
		sck_cli_err(outpath, "%s", strerror(-rc));
		goto out;
	}
	if (hotpath) {
		rc = write_hot(&l, &hb);
		if (rc == 0)
			rc = sck_cli_write_file(hotpath, hb.p, hb.len);
		if (rc < 0) {
			sck_cli_err(hotpath, "%s", strerror(-rc));
			goto out;
		}
	}
	ret = sck_cli_spawn_status(&sp, argv[optind]);
out:
	sck_cli_spawn_fini(&sp);
	for (size_t i = 0; i < l.narchs; i++) {
		free(l.archs[i].other);
		for (size_t k = 0; k < NARGFUL; k++)
			free(l.archs[i].vals[k]);
	}
	free(l.archs);
	free(b.p);
	free(hb.p);
	return ret;
}
