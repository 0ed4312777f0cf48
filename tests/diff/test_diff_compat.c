// SPDX-License-Identifier: MIT
/*
 * build/compat/libseccomp.so.2 == Debian's libseccomp 2.5.4. The differential program
 * (tests/compat/compat_diff.c, built against <seccomp.h> with -lseccomp) runs random API call
 * sequences twice, with the system's library and with the compat one (LD_LIBRARY_PATH): every
 * return code and every emulated verdict (each syscall number of each arch of the filter, and
 * boundary argument values on the numbers with rules; x86_64, x86, x32, aarch64, arm, riscv64,
 * s390x, s390, ppc64) must be equal. Allowed: a case that crashes libseccomp (skipped), and a
 * verdict where libseccomp's program contradicts its own rule database (its pseudo filter code):
 * there the compat verdict must be the database's (libseccomp code generation bugs,
 * docs/semantics.md). The seed is printed; SCK_TEST_SEED replays; SCK_STRESS=1 runs 10x the
 * cases. A client program (tests/compat/client.c) loads filters and uses user notification: its
 * output must be the same with both libraries.
 */
#include <criterion/criterion.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sck_test.h"

static char bindir[4096];

static const char *build_path(const char *rel)
{
	static char p[3][8300];
	static int k;
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", SCK_TEST_BIN);
	snprintf(bindir, sizeof(bindir), "%s", dirname(tmp));
	k = (k + 1) % 3;
	snprintf(p[k], sizeof(p[k]), "%s/%s", bindir, rel);
	return p[k];
}

/* stdout of @cmd (a shell command), malloc'd; NULL on failure. */
static char *capture(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	size_t len = 0, cap = 1 << 20;
	char *buf = malloc(cap);

	if (!f || !buf) {
		if (f)
			pclose(f);
		free(buf);
		return NULL;
	}
	for (;;) {
		size_t n;
		if (cap - len < 65536) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = 0;
	if (pclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static bool have_compat(void)
{
	if (access(build_path("compat/libseccomp.so.2"), R_OK) != 0 ||
	    access(build_path("tests/compat-diff"), X_OK) != 0 ||
	    access(build_path("tests/compat-client"), X_OK) != 0) {
		printf("SKIP: compat: build/compat or the compat test programs are not built\n");
		return false;
	}
	return true;
}

/* @prog @args with the system's libseccomp, or with build/compat's (@compat). */
static char *run_with(const char *prog, const char *args, bool compat)
{
	char cmd[20000];

	if (compat)
		snprintf(cmd, sizeof(cmd),
			 "env LD_LIBRARY_PATH=%s ASAN_OPTIONS=detect_leaks=0 %s %s",
			 build_path("compat"), prog, args);
	else
		snprintf(cmd, sizeof(cmd),
			 "env -u LD_LIBRARY_PATH ASAN_OPTIONS=detect_leaks=0 %s %s", prog, args);
	return capture(cmd);
}

/* Next line of *p (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **p)
{
	char *s = *p, *e;

	if (!s || !*s)
		return NULL;
	e = strchr(s, '\n');
	if (e) {
		*e = 0;
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

/* The case block starting at *p (lines up to the next "case " or "end"). */
static char **case_lines(char **p, size_t *n)
{
	size_t cap = 1024;
	char **v = malloc(cap * sizeof(*v)), *save;
	*n = 0;
	for (;;) {
		save = *p;
		char *l = next_line(p);
		if (!l)
			break;
		if (!strncmp(l, "case ", 5) || !strcmp(l, "end")) {
			/* put it back: restore the newline we cut */
			if (*p != save + strlen(save))
				(*p)[-1] = '\n';
			*p = save;
			break;
		}
		if (*n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = l;
	}
	return v;
}

Test(diff_compat, random_sequences_equal_libseccomp, .timeout = 600)
{
	uint64_t seed = sck_test_seed("diff_compat/random_sequences_equal_libseccomp");
	unsigned int cases = getenv("SCK_STRESS") ? 400 : 40;
	unsigned long crashed = 0, bugs = 0, verdicts = 0, mism = 0;
	char args[64], *r, *c, *rp, *cp;

	if (!have_compat())
		return;
	seed %= 1000000000;
	snprintf(args, sizeof(args), "%llu %u", (unsigned long long)seed, cases);
	r = run_with(build_path("tests/compat-diff"), args, false);
	c = run_with(build_path("tests/compat-diff"), args, true);
	cr_assert(r && c, "compat-diff failed to run");
	rp = r;
	cp = c;
	for (;;) {
		char *rh = next_line(&rp), *ch = next_line(&cp);
		char **rl, **cl;
		size_t rn, cn;
		bool crash = false;

		if (!rh || !ch || !strcmp(rh, "end"))
			break;
		cr_assert_str_eq(rh, ch);
		rl = case_lines(&rp, &rn);
		cl = case_lines(&cp, &cn);
		for (size_t i = 0; i < rn; i++)
			crash |= !strcmp(rl[i], "crash");
		if (crash) {
			crashed++;
		} else {
			if (rn != cn)
				cr_log_error("%s: %zu lines with libseccomp, %zu with compat", rh,
					     rn, cn);
			for (size_t i = 0; i < rn && i < cn; i++) {
				char *pfc = strstr(rl[i], " pfc=");
				size_t vlen = pfc ? (size_t)(pfc - rl[i]) : strlen(rl[i]);
				verdicts += rl[i][0] == 'n' || rl[i][0] == 'a';
				if (strlen(cl[i]) == vlen && !strncmp(rl[i], cl[i], vlen))
					continue;
				if (pfc) {
					const char *arrow = strstr(cl[i], " -> ");
					if (arrow &&
					    !strncmp(rl[i], cl[i], (size_t)(arrow - cl[i])) &&
					    !strcmp(arrow + 4, pfc + 5)) {
						bugs++; /* compat follows libseccomp's database */
						continue;
					}
				}
				if (mism++ < 10)
					cr_log_error("%s: libseccomp: %s | compat: %s", rh, rl[i],
						     cl[i]);
			}
			mism += rn != cn;
		}
		free(rl);
		free(cl);
	}
	printf("compat: %u cases (seed %llu), %lu verdicts; %lu cases crashed libseccomp "
	       "(skipped); "
	       "%lu verdicts where libseccomp's program contradicts its own database (compat "
	       "follows "
	       "the database); %lu differences\n",
	       cases, (unsigned long long)seed, verdicts, crashed, bugs, mism);
	cr_expect_eq(mism, 0, "%lu differences between libseccomp and compat", mism);
	cr_expect_gt(verdicts, 1000);
	free(r);
	free(c);
}

Test(diff_compat, client_runs_unchanged, .timeout = 60)
{
	char *r, *c;

	if (!have_compat())
		return;
	r = run_with(build_path("tests/compat-client"), "", false);
	c = run_with(build_path("tests/compat-client"), "", true);
	cr_assert(r && c, "compat-client failed to run");
	cr_expect_str_eq(c, r);
	cr_expect(strstr(c, "socket inet6: -1 97\n"), "%s", c);
	cr_expect(strstr(c, "socket unix: 0 0\n"), "%s", c);
	cr_expect(strstr(c, "personality set: -1 1\n"), "%s", c);
	cr_expect(strstr(c, "getppid: -1 42\n"), "%s", c);
	cr_expect(strstr(c, "kill self sig 0: -1 43\n"), "%s", c);
	cr_expect(strstr(c, "rules: killed by SIGSYS\n"), "%s", c);
	if (strstr(c, "notify: skipped"))
		printf("SKIP: compat: user notification (API level < 5)\n");
	else
		cr_expect(strstr(c, "target getppid: 4242\n"), "%s", c);
	free(r);
	free(c);
}

/*
 * The cases libseccomp's own regression suite found (tests/compat/regress_cases.c,
 * tools/lsc-regress.sh): the same output with both libraries, and the facts they pin.
 */
Test(diff_compat, regression_suite_cases, .timeout = 60)
{
	const char *prog;
	char *r, *c;

	if (!have_compat())
		return;
	prog = build_path("tests/compat-regress");
	cr_assert_eq(access(prog, X_OK), 0, "%s is not built", prog);
	r = run_with(prog, "", false);
	c = run_with(prog, "", true);
	cr_assert(r && c, "compat-regress failed to run");
	cr_expect_str_eq(c, r);
	cr_expect(strstr(c, "reset NULL: 0 0\n"), "%s", c);
	cr_expect(strstr(c, "tskip 0 nr -10: attr 0 prio -22 add -22 exact -22 cond -22 null -22"),
		  "%s", c);
	cr_expect(strstr(c, "tskip 1 nr -1: attr 0 prio 0 add 0"), "%s", c);
	/* ALLOW for nr -1 on x86 and x86_64, ERRNO(5) for read */
	cr_expect(strstr(c, "-1 on 0x40000003: 0x7fff0000, 0x40000001: 0, 3: 0x50005"), "%s", c);
	cr_expect(strstr(c, "-1 on 0xc000003e: 0x7fff0000, 0x40000001: 0, 3: 0, 0: 0x50005"), "%s",
		  c);
	if (!strstr(c, "notify: skipped"))
		cr_expect(strstr(c, "load 0 same fd 1 global reset 0 fd after -14\n"), "%s", c);
	free(r);
	free(c);
}

/*
 * runc (Debian's 1.1.5, linked with libseccomp.so.2) runs a busybox container under Docker's
 * profile with the compat library bind-mounted over the system's in a private mount namespace:
 * tests/compat/runc.sh (root, runc, busybox-static and ../shared needed: else a printed SKIP).
 */
Test(diff_compat, runc_container, .timeout = 120)
{
	char cmd[20000], *out;
	FILE *f;
	size_t len = 0;
	int st;

	if (!have_compat())
		return;
	snprintf(cmd, sizeof(cmd), "SCK_SHARED_DIR='%s' sh '%s/tests/compat/runc.sh' '%s' 2>&1",
		 SCK_TEST_SHARED_DIR, SCK_TEST_SRCDIR, bindir);
	f = popen(cmd, "r");
	cr_assert(f);
	out = calloc(1, 1 << 16);
	cr_assert(out);
	while (len < (1 << 16) - 1) {
		size_t n = fread(out + len, 1, (1 << 16) - 1 - len, f);
		if (n == 0)
			break;
		len += n;
	}
	st = pclose(f);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		printf("%s", out); /* the script's SKIP line */
	} else {
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
		if (strstr(out, "runc.sh: container filter"))
			printf("%s", strstr(out, "runc.sh: container filter"));
	}
	free(out);
}
