/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the profile reader's tests (test_profile.c, test_profile_errors.c,
 * test_profile_docker.c): parse a profile, compile it into an emulator and run one call through
 * it, or expect a parse to fail with a given errno, message and place. Static inline: each test
 * file gets its own copy of the few it uses.
 */
#ifndef SCK_TEST_PROFILE_HELPERS_H
#define SCK_TEST_PROFILE_HELPERS_H

#include <criterion/criterion.h>
#include <string.h>

#include "sck.h"

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

struct ctx {
	struct sck_bpf_emu *emu;
	struct sck_filter *f;
	struct sck_profile_info info;
};

static inline int parse(const char *json, const struct sck_profile_opts *o, struct sck_filter **f,
			struct sck_diag *d)
{
	return sck_profile_parse(json, strlen(json), o, f, NULL, d);
}

/* Compile @json for @arch (NULL: the profile's own arches) with @flags. */
static inline void build(struct ctx *c, const char *json, const char *arch, unsigned int flags)
{
	const struct sck_arch *a = arch ? sck_arch_from_name(arch) : NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_diag d;
	const struct sock_filter *insns;
	size_t n;
	int rc;
	SCK_OPTS(sck_profile_opts, o, .arches = a ? &a : NULL, .narches = a ? 1 : 0, .flags = flags,
		 .kernel = "6.18");

	c->info = (struct sck_profile_info){.sz = sizeof(c->info)};
	rc = sck_profile_parse(json, strlen(json), &o, &c->f, &c->info, &d);
	cr_assert_eq(rc, 0, "parse: %d %u:%u %s", rc, d.line, d.col, d.msg);
	cr_assert_eq(sck_filter_compile(c->f, NULL, &p), 0);
	insns = sck_filter_prog_insns(p, &n);
	cr_assert_eq(sck_bpf_emu_new(insns, n, &c->emu), 0);
	sck_filter_prog_free(p);
}

static inline void done(struct ctx *c)
{
	sck_bpf_emu_free(c->emu);
	sck_filter_free(c->f);
}

static inline uint32_t run(struct ctx *c, const char *arch, const char *name, uint64_t a0,
			   uint64_t a1)
{
	const struct sck_arch *a = sck_arch_from_name(arch);
	struct seccomp_data d = {.arch = a->audit_arch, .args = {a0, a1}};
	int nr = sck_syscall_nr(a, name);

	cr_assert(nr >= 0, "%s on %s", name, arch);
	d.nr = nr;
	return sck_bpf_emu_run(c->emu, &d, NULL);
}

/* Parse @json and expect @err with @msg in the message (and a line when @line). */
static inline void bad(const char *json, int err, const char *msg, unsigned int line,
		       unsigned int col)
{
	struct sck_filter *f = NULL;
	struct sck_diag d;
	SCK_OPTS(sck_profile_opts, o, .kernel = "6.18");
	int rc = parse(json, &o, &f, &d);

	cr_expect_eq(rc, err, "%s: rc %d, want %d (%s)", json, rc, err, d.msg);
	cr_expect_null(f);
	cr_expect(strstr(d.msg, msg), "'%s' not in '%s'", msg, d.msg);
	if (line) {
		cr_expect_eq(d.line, line, "line %u, want %u (%s)", d.line, line, d.msg);
		cr_expect_eq(d.col, col, "col %u, want %u (%s)", d.col, col, d.msg);
	}
}

#endif
