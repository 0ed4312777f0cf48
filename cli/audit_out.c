// SPDX-License-Identifier: MIT
/*
 * `sck audit`: the findings list (adding, merging the same finding across arches, sorting) and
 * its two outputs: text for people, one JSON document for tools.
 */
#include "audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sev_names[] = {"info", "low", "medium", "high"};

const char *audit_sev_name(enum audit_sev s)
{
	return (unsigned int)s < 4 ? sev_names[s] : "?";
}

int audit_sev_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return i;
	return -1;
}

/* ---- Lists -------------------------------------------------------------------------------- */

void audit_list_addf(struct audit_list *l, const char *fmt, ...)
{
	char item[512];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	n = strlen(item);
	if (l->len + n + 3 > l->cap) {
		size_t nc = l->cap ? l->cap : 64;
		char *ns;

		while (nc < l->len + n + 3)
			nc *= 2;
		ns = realloc(l->s, nc);
		if (!ns)
			return;
		l->s = ns;
		l->cap = nc;
	}
	if (l->len) {
		memcpy(l->s + l->len, ",", 1);
		l->len++;
	}
	memcpy(l->s + l->len, item, n + 1);
	l->len += n;
}

void audit_list_add(struct audit_list *l, const char *item)
{
	audit_list_addf(l, "%s", item);
}

const char *audit_list_str(const struct audit_list *l)
{
	return l->s ? l->s : "";
}

void audit_list_fini(struct audit_list *l)
{
	free(l->s);
	memset(l, 0, sizeof(*l));
}

void audit_sys_label(char *buf, size_t cap, const struct sck_arch *arch, const char *name)
{
	/* x32 shares x86_64's AUDIT_ARCH: without the prefix its calls read as x86_64's */
	if (arch && (arch->nr_base & arch->nr_select))
		snprintf(buf, cap, "%s:%s", arch->name, name);
	else
		snprintf(buf, cap, "%s", name);
}

/* ---- Findings ----------------------------------------------------------------------------- */

static bool has_item(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; (p = strstr(p, item)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

void audit_add(struct audit_report *r, enum audit_sev sev, const char *id, const char *syscalls,
	       const char *arch, const char *where, const char *fix, const char *fmt, ...)
{
	struct audit_finding *f;
	char expl[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expl, sizeof(expl), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < r->n; i++) {
		f = &r->f[i];
		if (strcmp(f->id, id) != 0 || strcmp(f->syscalls, syscalls) != 0 ||
		    strcmp(f->expl, expl) != 0 || strcmp(f->where, where) != 0 ||
		    f->filter != r->filter || f->sev != sev)
			continue;
		if (arch && arch[0] && !has_item(f->arches, arch)) {
			size_t n = strlen(f->arches);
			char *na = realloc(f->arches, n + strlen(arch) + 2);

			if (!na) {
				r->oom = true;
				return;
			}
			snprintf(na + n, strlen(arch) + 2, "%s%s", n ? "," : "", arch);
			f->arches = na;
		}
		return;
	}
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		struct audit_finding *nf = realloc(r->f, nc * sizeof(*nf));

		if (!nf) {
			r->oom = true;
			return;
		}
		r->f = nf;
		r->cap = nc;
	}
	f = &r->f[r->n];
	f->sev = sev;
	f->id = id;
	f->filter = r->filter;
	f->syscalls = strdup(syscalls);
	f->arches = strdup(arch ? arch : "");
	f->expl = strdup(expl);
	f->fix = strdup(fix);
	f->where = strdup(where);
	if (!f->syscalls || !f->arches || !f->expl || !f->fix || !f->where) {
		free(f->syscalls);
		free(f->arches);
		free(f->expl);
		free(f->fix);
		free(f->where);
		r->oom = true;
		return;
	}
	r->n++;
}

void audit_report_fini(struct audit_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->f[i].syscalls);
		free(r->f[i].arches);
		free(r->f[i].expl);
		free(r->f[i].fix);
		free(r->f[i].where);
	}
	free(r->f);
	memset(r, 0, sizeof(*r));
}

static int cmp_finding(const void *a, const void *b)
{
	const struct audit_finding *x = a, *y = b;
	int c;

	if (x->filter != y->filter)
		return x->filter < y->filter ? -1 : 1;
	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	c = strcmp(x->id, y->id);
	if (c)
		return c;
	c = strcmp(x->arches, y->arches);
	return c ? c : strcmp(x->syscalls, y->syscalls);
}

void audit_report_sort(struct audit_report *r)
{
	if (r->n)
		qsort(r->f, r->n, sizeof(*r->f), cmp_finding);
}

/* ---- Output ------------------------------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_list(const char *list)
{
	char *copy = strdup(list), *save = NULL;
	bool first = true;

	putchar('[');
	if (copy) {
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			printf("%s", first ? "" : ", ");
			json_str(t);
			first = false;
		}
	}
	putchar(']');
	free(copy);
}

static void text_list(const char *list)
{
	for (const char *p = list; *p; p++) {
		if (*p == ',')
			fputs(", ", stdout);
		else
			putchar(*p);
	}
}

void audit_print(const struct audit_report *r, const char *what, const char *kind, bool json,
		 enum audit_sev fail_on)
{
	size_t count[4] = {0};
	bool fail = false;

	for (size_t i = 0; i < r->n; i++) {
		count[r->f[i].sev]++;
		fail |= r->f[i].sev >= fail_on;
	}
	if (json) {
		printf("{\"input\": ");
		json_str(what);
		printf(", \"kind\": ");
		json_str(kind);
		printf(", \"findings\": [");
		for (size_t i = 0; i < r->n; i++) {
			const struct audit_finding *f = &r->f[i];

			printf("%s\n  {\"severity\": \"%s\", \"id\": ", i ? "," : "",
			       audit_sev_name(f->sev));
			json_str(f->id);
			if (f->filter >= 0)
				printf(", \"filter\": %d", f->filter);
			printf(", \"syscalls\": ");
			json_list(f->syscalls);
			printf(", \"arches\": ");
			json_list(f->arches);
			printf(", \"explanation\": ");
			json_str(f->expl);
			printf(", \"fix\": ");
			json_str(f->fix);
			printf(", \"where\": ");
			json_list(f->where);
			putchar('}');
		}
		printf("%s], \"counts\": {\"high\": %zu, \"medium\": %zu, \"low\": %zu, "
		       "\"info\": %zu}, \"fail_on\": \"%s\", \"failed\": %s}\n",
		       r->n ? "\n" : "", count[AUDIT_HIGH], count[AUDIT_MEDIUM], count[AUDIT_LOW],
		       count[AUDIT_INFO], audit_sev_name(fail_on), fail ? "true" : "false");
		return;
	}
	printf("# sck audit: %s (%s)\n", what, kind);
	for (size_t i = 0; i < r->n; i++) {
		const struct audit_finding *f = &r->f[i];

		printf("%-6s %s", audit_sev_name(f->sev), f->id);
		if (f->filter >= 0)
			printf(" [filter %d]", f->filter);
		if (f->arches[0]) {
			printf(" [");
			text_list(f->arches);
			putchar(']');
		}
		if (f->syscalls[0]) {
			putchar(' ');
			text_list(f->syscalls);
		}
		printf("\n       %s\n", f->expl);
		if (f->where[0]) {
			printf("       at: ");
			text_list(f->where);
			putchar('\n');
		}
		printf("       fix: %s\n", f->fix);
	}
	printf("%zu finding%s: %zu high, %zu medium, %zu low, %zu info (fail on %s and above: "
	       "%s)\n",
	       r->n, r->n == 1 ? "" : "s", count[AUDIT_HIGH], count[AUDIT_MEDIUM], count[AUDIT_LOW],
	       count[AUDIT_INFO], audit_sev_name(fail_on), fail ? "fail" : "pass");
}
