// SPDX-License-Identifier: MIT
/*
 * `sck audit`: one test per row of its curated tables (cli/audit_data.c, compiled in here so
 * that a new row is tested without a new test): every equivalent-calls row flags its first call
 * denied (or restricted) while an equivalent is allowed; every dangerous call is flagged when a
 * profile allows it; every pointer argument is flagged when a profile compares it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

#include "../../cli/audit_data.c"

/* x86_64 when it has @name, else i386 (mmap2, chown32 ...), else NULL. */
static const struct sck_arch *arch_of(const char *name)
{
	static const char *const names[] = {"x86_64", "x86"};

	for (size_t i = 0; i < 2; i++)
		if (sck_syscall_nr(sck_arch_from_name(names[i]), name) >= 0)
			return sck_arch_from_name(names[i]);
	return NULL;
}

static char *audit_profile(const char *json, const struct sck_arch *arch)
{
	char path[512];
	struct sck_test_cmd r;
	FILE *f;
	char *out;

	snprintf(path, sizeof(path), "%s/rows.json", sck_test_tmpdir());
	f = fopen(path, "w");
	cr_assert(f);
	fputs(json, f);
	fclose(f);
	cr_assert_eq(sck_test_sck(&r, NULL,
				  (const char *const[]){"audit", "--json", "--kernel", "6.1", "-a",
							arch->name, path, NULL}),
		     0);
	cr_assert(r.status == 0 || r.status == 1, "%s\n%s", json, r.err);
	out = strdup(r.out);
	sck_test_cmd_fini(&r);
	return out;
}

/* Finding @id lists a syscall that starts with @name (`unshare(args[0]=...)` counts). */
static bool flagged(const char *json, const char *id, const char *name)
{
	char key[96], s[96];

	snprintf(key, sizeof(key), "\"id\": \"%s\"", id);
	snprintf(s, sizeof(s), "\"%s", name);
	for (const char *p = json; (p = strstr(p, key)); p++) {
		const char *end = strchr(p, '}'), *q = p;

		while ((q = strstr(q, s)) && q < end) {
			char c = q[strlen(s)];

			if (c == '"' || c == '(')
				return true;
			q++;
		}
	}
	return false;
}

Test(cli_audit_rows, equivalents)
{
	for (size_t i = 0; i < audit_nequivs; i++) {
		const struct audit_equiv *q = &audit_equivs[i];
		const char *const *to = q->to ? q->to : q->from;
		const char *from = NULL, *other = NULL;
		const struct sck_arch *arch = NULL;
		char json[1024];
		char *out;

		/* the first call of the row with an equivalent on the same arch */
		for (const char *const *f = q->from; *f && !other; f++) {
			arch = arch_of(*f);
			for (const char *const *t = to; arch && *t && !other; t++)
				if (strcmp(*t, *f) && sck_syscall_nr(arch, *t) >= 0)
					from = *f, other = *t;
		}
		cr_assert(other, "row %s: no pair on x86_64 or x86", q->label);
		if (q->kind == AUDIT_EQ_DENY)
			snprintf(json, sizeof(json),
				 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
				 "[\"%s\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
				 from);
		else
			snprintf(json, sizeof(json),
				 "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
				 "[\"%s\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":2,"
				 "\"value\":4,\"op\":\"SCMP_CMP_MASKED_EQ\",\"valueTwo\":0}]},{"
				 "\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
				 from, other);
		out = audit_profile(json, arch);
		cr_expect(flagged(out,
				  q->kind == AUDIT_EQ_DENY ? "equivalent-allowed"
							   : "equivalent-unrestricted",
				  from),
			  "row %s (%s vs %s on %s) not flagged:\n%s", q->label, from, other,
			  arch->name, out);
		free(out);
	}
}

Test(cli_audit_rows, dangers)
{
	static const char *const arches[] = {"x86_64", "x86"};

	for (size_t a = 0; a < 2; a++) {
		const struct sck_arch *arch = sck_arch_from_name(arches[a]);
		char json[8192] =
			"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[";
		bool first = true;
		char *out;

		for (size_t i = 0; i < audit_ndangers; i++) {
			if (arch_of(audit_dangers[i].name) != arch)
				continue;
			strcat(json, first ? "\"" : ",\"");
			strcat(json, audit_dangers[i].name);
			strcat(json, "\"");
			first = false;
		}
		strcat(json, "],\"action\":\"SCMP_ACT_ALLOW\"}]}");
		out = audit_profile(json, arch);
		for (size_t i = 0; i < audit_ndangers; i++)
			if (arch_of(audit_dangers[i].name) == arch)
				cr_expect(flagged(out, "dangerous-allowed", audit_dangers[i].name),
					  "%s on %s not flagged:\n%s", audit_dangers[i].name,
					  arch->name, out);
		free(out);
	}
}

Test(cli_audit_rows, pointers)
{
	static const char *const arches[] = {"x86_64", "x86"};

	for (size_t a = 0; a < 2; a++) {
		const struct sck_arch *arch = sck_arch_from_name(arches[a]);
		char *json = calloc(1, 65536), *out;
		size_t n = 0;

		cr_assert(json);
		n += (size_t)snprintf(json + n, 65536 - n,
				      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
		for (size_t i = 0; i < audit_nptrs; i++) {
			unsigned int arg = (unsigned int)__builtin_ctz(audit_ptrs[i].mask);

			if (arch_of(audit_ptrs[i].name) != arch)
				continue;
			n += (size_t)snprintf(json + n, 65536 - n,
					      "%s{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ALLOW\","
					      "\"args\":[{\"index\":%u,\"value\":4096,\"op\":"
					      "\"SCMP_CMP_EQ\"}]}",
					      json[n - 1] == '[' ? "" : ",", audit_ptrs[i].name,
					      arg);
		}
		snprintf(json + n, 65536 - n, "]}");
		out = audit_profile(json, arch);
		for (size_t i = 0; i < audit_nptrs; i++)
			if (arch_of(audit_ptrs[i].name) == arch)
				cr_expect(flagged(out, "pointer-arg", audit_ptrs[i].name),
					  "%s on %s not flagged:\n%s", audit_ptrs[i].name,
					  arch->name, out);
		free(out);
		free(json);
	}
}
