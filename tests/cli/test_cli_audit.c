// SPDX-License-Identifier: MIT
/*
 * `sck audit`: a corpus of filters with known holes written for these tests (raw BPF through
 * `sck asm`, and profiles), each flagged with the right id while its fixed version is not;
 * Docker's default profile and sck's built-in one with their findings pinned (docs/audit.md
 * gives the reason for each); filters libseccomp builds audit as sck's compile of the same
 * rules; bad input exits 2 naming the place; --json is one document; --fail-on sets the exit.
 */
#include <criterion/criterion.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

static const char *path_of(const char *name)
{
	static char p[8][512];
	static int k;
	char *s = p[k++ % 8];

	snprintf(s, 512, "%s/audit-%s", sck_test_tmpdir(), name);
	return s;
}

static const char *write_text(const char *name, const char *content)
{
	const char *p = path_of(name);
	FILE *f = fopen(p, "w");

	cr_assert(f);
	fputs(content, f);
	fclose(f);
	return p;
}

static struct sck_test_cmd run(const char *const *argv)
{
	struct sck_test_cmd r;

	cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	return r;
}

/* Assemble @text into raw BPF; returns its path. */
static const char *bpf(const char *name, const char *text)
{
	const char *src = write_text(name, text), *out = path_of(name);
	static char obj[8][512];
	static int k;
	char *o = obj[k++ % 8];
	struct sck_test_cmd r;

	(void)out;
	snprintf(o, 512, "%s.bpf", src);
	r = run((const char *const[]){"asm", "-a", "x86_64", "-o", o, src, NULL});
	cr_assert_eq(r.status, 0, "asm %s: %s", name, r.err);
	sck_test_cmd_fini(&r);
	return o;
}

/* The JSON output of `sck audit ARGS... FILE`; status in *st. */
static char *audit(int *st, const char *file, const char *a1, const char *a2)
{
	const char *argv[12];
	struct sck_test_cmd r;
	size_t n = 0;
	char *out;

	argv[n++] = "audit";
	argv[n++] = "--json";
	argv[n++] = "--kernel";
	argv[n++] = "6.1";
	if (a1)
		argv[n++] = a1;
	if (a2)
		argv[n++] = a2;
	argv[n++] = file;
	argv[n] = NULL;
	r = run(argv);
	cr_assert(r.status == 0 || r.status == 1, "status %d: %s", r.status, r.err);
	cr_assert(r.out_len > 2 && r.out[0] == '{' && r.out[r.out_len - 2] == '}', "%s", r.out);
	*st = r.status;
	out = strdup(r.out);
	sck_test_cmd_fini(&r);
	return out;
}

static bool has_id(const char *json, const char *id)
{
	char key[96];

	snprintf(key, sizeof(key), "\"id\": \"%s\"", id);
	return strstr(json, key) != NULL;
}

/* The finding @id with @syscall among its syscalls. */
static bool has_id_sys(const char *json, const char *id, const char *syscall)
{
	char key[96], s[96];
	const char *p = json;

	snprintf(key, sizeof(key), "\"id\": \"%s\"", id);
	snprintf(s, sizeof(s), "\"%s\"", syscall);
	while ((p = strstr(p, key))) {
		const char *end = strchr(p, '}');
		const char *q = strstr(p, s);

		if (q && end && q < end)
			return true;
		p++;
	}
	return false;
}

/* One hole and its fix: the hole has @id (with @syscall when given), the fix has not. */
static void hole(const char *hole_file, const char *fixed_file, const char *id, const char *sys,
		 const char *a1, const char *a2)
{
	int st;
	char *h = audit(&st, hole_file, a1, a2), *f = audit(&st, fixed_file, a1, a2);

	cr_expect(sys ? has_id_sys(h, id, sys) : has_id(h, id), "hole %s not flagged:\n%s", id, h);
	cr_expect(!(sys ? has_id_sys(f, id, sys) : has_id(f, id)),
		  "fixed version still has %s:\n%s", id, f);
	free(h);
	free(f);
}

#define X86_64_HEAD "A = arch\nif (A != 0xc000003e) goto kill\nA = nr\n"

Test(cli_audit, x32_bypass)
{
	hole(bpf("x32", X86_64_HEAD "if (A == execve) goto deny\nreturn ALLOW\n"
				    "deny: return ERRNO(1)\nkill: return KILL_PROCESS\n"),
	     bpf("x32-fixed", X86_64_HEAD "if (A >= 0x40000000) goto kill\n"
					  "if (A == execve) goto deny\nreturn ALLOW\n"
					  "deny: return ERRNO(1)\nkill: return KILL_PROCESS\n"),
	     "x32-bypass", "x32:execve", NULL, NULL);
	/* clone's flags checked for x86_64 numbers only: x32 clone takes any */
	hole(bpf("x32-clone", X86_64_HEAD "if (A != clone) goto allow\nA = args[0]\n"
					  "if (A & 0x10000000) goto deny\n"
					  "allow: return ALLOW\ndeny: return ERRNO(1)\n"
					  "kill: return KILL_PROCESS\n"),
	     bpf("x32-clone-fixed", X86_64_HEAD "if (A >= 0x40000000) goto kill\n"
						"if (A != clone) goto allow\nA = args[0]\n"
						"if (A & 0x10000000) goto deny\n"
						"allow: return ALLOW\ndeny: return ERRNO(1)\n"
						"kill: return KILL_PROCESS\n"),
	     "x32-bypass", "x32:clone", NULL, NULL);
}

Test(cli_audit, no_arch_check)
{
	hole(bpf("noarch", "A = nr\nif (A == execve) goto deny\nreturn ALLOW\n"
			   "deny: return ERRNO(1)\n"),
	     bpf("noarch-fixed", X86_64_HEAD "if (A >= 0x40000000) goto kill\n"
					     "if (A == execve) goto deny\nreturn ALLOW\n"
					     "deny: return ERRNO(1)\nkill: return KILL_PROCESS\n"),
	     "no-arch-check", NULL, NULL, NULL);
}

Test(cli_audit, i386_bypass)
{
	/* names x86_64, then lets every other arch into the same rules */
	hole(bpf("i386", "A = arch\nif (A == 0xc000003e) goto rules\nrules: A = nr\n"
			 "if (A >= 0x40000000) goto kill\nif (A == read) goto allow\n"
			 "return ERRNO(1)\nallow: return ALLOW\nkill: return KILL_PROCESS\n"),
	     bpf("i386-fixed", X86_64_HEAD "if (A >= 0x40000000) goto kill\n"
					   "if (A == read) goto allow\nreturn ERRNO(1)\n"
					   "allow: return ALLOW\nkill: return KILL_PROCESS\n"),
	     "i386-bypass", NULL, NULL, NULL);
}

Test(cli_audit, deny_open_allow_openat)
{
	hole(write_text("open.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
				     "\"names\":[\"open\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"),
	     write_text("open-fixed.json",
			"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"open\","
			"\"openat\",\"openat2\",\"creat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"),
	     "equivalent-allowed", "openat", "-a", "x86_64");
}

Test(cli_audit, deny_socket_allow_socketcall)
{
	/* hand-written for i386: socket (359) denied, socketcall (102) not */
	const char *h = bpf("sock", ".arch x86\nA = arch\nif (A != 0x40000003) goto kill\nA = nr\n"
				    "if (A == socket) goto deny\nreturn ALLOW\n"
				    "deny: return ERRNO(1)\nkill: return KILL_PROCESS\n");
	/* sck's compiler extends a socket rule to socketcall(SYS_SOCKET, ...) */
	const char *f =
		write_text("sock-fixed.json",
			   "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":["
			   "\"socket\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");

	hole(h, f, "equivalent-allowed", "socketcall", "-a", "x86");
}

Test(cli_audit, clone_flags_with_clone3)
{
	static const char head[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"clone\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2114060288,"
		"\"op\":\"SCMP_CMP_MASKED_EQ\",\"valueTwo\":0}]},";
	char h[1024], f[1024];

	snprintf(h, sizeof(h), "%s{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ALLOW\"}]}", head);
	snprintf(f, sizeof(f),
		 "%s{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}]}",
		 head);
	hole(write_text("clone.json", h), write_text("clone-fixed.json", f),
	     "equivalent-unrestricted", "clone3", "-a", "x86_64");
}

Test(cli_audit, pointer_comparison)
{
	hole(write_text("ptr.json",
			"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
			"\"names\":[\"openat\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{"
			"\"index\":1,\"value\":4096,\"op\":\"SCMP_CMP_EQ\"}]}]}"),
	     write_text("ptr-fixed.json",
			"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":["
			"\"openat\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":2,"
			"\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}"),
	     "pointer-arg", "openat", "-a", "x86_64");
}

Test(cli_audit, truncated_64bit_operand)
{
	/* a profile: the value cannot be compared on i386 */
	hole(write_text("wide.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
				     "\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
				     "\"args\":[{\"index\":0,\"value\":4294967304,"
				     "\"op\":\"SCMP_CMP_EQ\"}]}]}"),
	     write_text("wide-fixed.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
					   "[{\"names\":[\"personality\"],\"action\":"
					   "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,"
					   "\"op\":\"SCMP_CMP_EQ\"}]}]}"),
	     "truncated-64bit-operand", "personality", "-a", "x86");
	/* raw BPF: the upper word compared on i386, where the kernel passes 0 */
	hole(bpf("wide", ".arch x86\nA = arch\nif (A != 0x40000003) goto kill\nA = nr\n"
			 "if (A != personality) goto deny\nA = args[0] >> 32\n"
			 "if (A != 1) goto deny\nA = args[0]\nif (A == 8) goto allow\n"
			 "deny: return ERRNO(1)\nallow: return ALLOW\nkill: return KILL_PROCESS\n"),
	     bpf("wide-fixed", ".arch x86\nA = arch\nif (A != 0x40000003) goto kill\nA = nr\n"
			       "if (A != personality) goto deny\nA = args[0]\n"
			       "if (A == 8) goto allow\n"
			       "deny: return ERRNO(1)\nallow: return ALLOW\n"
			       "kill: return KILL_PROCESS\n"),
	     "truncated-64bit-operand", "personality", NULL, NULL);
}

Test(cli_audit, defaults)
{
	hole(write_text("eperm.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
				      "\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
	     write_text("enosys.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":"
				       "38,\"syscalls\":[{\"names\":[\"read\"],\"action\":"
				       "\"SCMP_ACT_ALLOW\"}]}"),
	     "new-syscall-default", NULL, "-a", "x86_64");
	hole(write_text("kt.json", "{\"defaultAction\":\"SCMP_ACT_KILL\",\"syscalls\":[{"
				   "\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
	     write_text("kp.json", "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[{"
				   "\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
	     "kill-thread", "write", "-a", "x86_64");
	hole(write_text("trace.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
				      "\"names\":[\"read\"],\"action\":\"SCMP_ACT_TRACE\"}]}"),
	     write_text("notrace.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
					"\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
	     "trace-action", "read", "-a", "x86_64");
}

Test(cli_audit, dead_parts)
{
	/* an instruction no jump reaches */
	hole(bpf("dead", X86_64_HEAD "if (A >= 0x40000000) goto kill\nreturn ERRNO(1)\n"
				     "return ALLOW\nkill: return KILL_PROCESS\n"),
	     bpf("dead-fixed", X86_64_HEAD "if (A >= 0x40000000) goto kill\nreturn ERRNO(1)\n"
					   "kill: return KILL_PROCESS\n"),
	     "dead-code", NULL, NULL, NULL);
	/* a rule shadowed by an earlier unconditional one */
	hole(write_text("shadow.json",
			"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
			"\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"read\"],\"action\":"
			"\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":"
			"\"SCMP_CMP_EQ\"}]}]}"),
	     write_text("shadow-fixed.json",
			"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
			"\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"write\"],\"action\":"
			"\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":"
			"\"SCMP_CMP_EQ\"}]}]}"),
	     "dead-rule", "read", "-a", "x86_64");
	/* an allow the action cache could hold, behind an argument load */
	hole(bpf("cache", X86_64_HEAD "if (A >= 0x40000000) goto kill\nif (A != getpid) goto deny\n"
				      "A = args[0]\nreturn ALLOW\ndeny: return ERRNO(1)\n"
				      "kill: return KILL_PROCESS\n"),
	     bpf("cache-fixed", X86_64_HEAD "if (A >= 0x40000000) goto kill\n"
					    "if (A != getpid) goto deny\nreturn ALLOW\n"
					    "deny: return ERRNO(1)\nkill: return KILL_PROCESS\n"),
	     "cache-miss", "getpid", NULL, NULL);
}

Test(cli_audit, dangerous_and_equivalents)
{
	hole(write_text("bpf.json",
			"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
			"\"names\":[\"bpf\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
	     write_text("bpf-fixed.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
					  "\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
	     "dangerous-allowed", "bpf", "-a", "x86_64");
	hole(write_text("userns.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
				       "\"names\":[\"unshare\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
	     write_text("userns-fixed.json",
			"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":["
			"\"unshare\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
			"\"value\":268435456,\"op\":\"SCMP_CMP_MASKED_EQ\",\"valueTwo\":0}]}]}"),
	     "dangerous-allowed", NULL, "-a", "x86_64");
	hole(write_text("ptrace.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
				       "\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"),
	     write_text("ptrace-fixed.json",
			"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":["
			"\"ptrace\",\"process_vm_writev\",\"process_vm_readv\",\"pidfd_getfd\"],"
			"\"action\":\"SCMP_ACT_ERRNO\"}]}"),
	     "equivalent-allowed", "process_vm_writev", "-a", "x86_64");
	hole(write_text("exec.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
				     "\"names\":[\"execve\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"),
	     write_text("exec-fixed.json",
			"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":["
			"\"execve\",\"execveat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"),
	     "equivalent-allowed", "execveat", "-a", "x86_64");
}

/* The header line of each finding (`SEV ID [ARCHES] SYSCALLS`), joined; info ones when @info. */
static char *headers(const char *const *argv, bool info, int *st)
{
	struct sck_test_cmd r = run(argv);
	char *out = calloc(1, r.out_len + 1), *save = NULL;

	cr_assert(out);
	*st = r.status;
	for (char *l = strtok_r(r.out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "high ", 5) && strncmp(l, "medium ", 7) && strncmp(l, "low ", 4) &&
		    (!info || strncmp(l, "info ", 5)))
			continue;
		strcat(out, l);
		strcat(out, "\n");
	}
	sck_test_cmd_fini(&r);
	return out;
}

/* Docker's default profile: each finding is explained in docs/audit.md. */
Test(cli_audit, docker_default_pinned)
{
	const char *docker = sck_test_shared("profiles/docker-default.json");
	int st;
	char *h;

	if (!docker) {
		printf("SKIP: ../shared/profiles/docker-default.json absent\n");
		return;
	}
	h = headers((const char *const[]){"audit", "-a", "x86_64", "-a", "x86", "-a", "x32",
					  "--kernel", "6.1", docker, NULL},
		    true, &st);
	cr_expect_str_eq(h, "medium dangerous-allowed [x86_64, x86, x32] ptrace, "
			    "process_vm_writev, modify_ldt\n"
			    "low    dangerous-allowed [x86_64, x86, x32] adjtimex\n"
			    "low    new-syscall-default [x32]\n"
			    "low    new-syscall-default [x86_64, x86]\n"
			    "info   kill-thread [other arches]\n");
	cr_expect_eq(st, 0, "nothing high");
	free(h);
	h = headers((const char *const[]){"audit", "--fail-on", "medium", "-a", "x86_64",
					  "--kernel", "6.1", docker, NULL},
		    false, &st);
	cr_expect_eq(st, 1, "a medium finding fails --fail-on medium");
	free(h);
}

/* sck's built-in default profile: each finding is explained in docs/audit.md. */
Test(cli_audit, builtin_pinned)
{
	int st;
	char *h = headers((const char *const[]){"audit", "-a", "x86_64", "-a", "x86", "-a", "x32",
						"--kernel", "6.1", "--builtin", NULL},
			  true, &st);

	cr_expect_str_eq(h, "medium dangerous-allowed [x86_64, x86, x32] modify_ldt\n"
			    "low    new-syscall-default [x32]\n"
			    "low    new-syscall-default [x86_64, x86]\n"
			    "info   kill-thread [other arches]\n");
	cr_expect_eq(st, 0);
	free(h);
}

/* A rule for both compilers: at most one condition (@op 0: none). */
struct both_rule {
	const char *name;
	uint32_t action;
	unsigned int arg;
	enum sck_cmp_op op;
	uint64_t value, mask;
};

static enum scmp_compare scmp_op(enum sck_cmp_op op)
{
	switch (op) {
	case SCK_CMP_NE:
		return SCMP_CMP_NE;
	case SCK_CMP_MASKED_EQ:
		return SCMP_CMP_MASKED_EQ;
	default:
		return SCMP_CMP_EQ;
	}
}

/*
 * Build @rules with libseccomp and with sck for x86_64 (and i386 with @x86), export both as raw
 * BPF, audit both: the findings (info ones aside: they describe the code's shape, not the rules)
 * are the same. Returns libseccomp's, to be freed.
 */
static char *audit_both(const char *tag, uint32_t dflt, const struct both_rule *rules, size_t n,
			bool x86)
{
	char lname[64], sname[64];
	const char *lpath, *spath;
	SCK_OPTS(sck_filter_opts, o, .default_action = dflt,
		 .bad_arch_action = SECCOMP_RET_KILL_THREAD);
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	scmp_filter_ctx ctx = seccomp_init(dflt);
	FILE *out;
	const struct sock_filter *insns;
	size_t len = 0;
	char *a, *b;
	int st;

	snprintf(lname, sizeof(lname), "%s-libseccomp.bpf", tag);
	snprintf(sname, sizeof(sname), "%s-sck.bpf", tag);
	lpath = path_of(lname);
	spath = path_of(sname);
	cr_assert(ctx);
	cr_assert_eq(seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE), 0);
	cr_assert_eq(seccomp_arch_add(ctx, SCMP_ARCH_X86_64), 0);
	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, sck_arch_from_name("x86_64")), 0);
	if (x86) {
		cr_assert_eq(seccomp_arch_add(ctx, SCMP_ARCH_X86), 0);
		cr_assert_eq(sck_filter_add_arch(f, sck_arch_from_name("x86")), 0);
	}
	for (size_t i = 0; i < n; i++) {
		const struct both_rule *r = &rules[i];
		struct sck_cond c = {
			.arg = r->arg, .op = r->op, .value = r->value, .mask = r->mask};
		int nr = seccomp_syscall_resolve_name(r->name);

		if (r->op)
			cr_assert_eq(
				seccomp_rule_add(
					ctx, r->action, nr, 1,
					SCMP_CMP(r->arg, scmp_op(r->op),
						 r->op == SCK_CMP_MASKED_EQ ? r->mask : r->value,
						 r->value)),
				0, "%s", r->name);
		else
			cr_assert_eq(seccomp_rule_add(ctx, r->action, nr, 0), 0, "%s", r->name);
		cr_assert_eq(sck_filter_add_rule(f, &(struct sck_rule){.name = r->name,
								       .action = r->action,
								       .conds = r->op ? &c : NULL,
								       .nconds = r->op ? 1 : 0}),
			     0, "%s", r->name);
	}
	out = fopen(lpath, "w");
	cr_assert(out);
	cr_assert_eq(seccomp_export_bpf(ctx, fileno(out)), 0);
	fclose(out);
	seccomp_release(ctx);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	insns = sck_filter_prog_insns(p, &len);
	out = fopen(spath, "w");
	cr_assert(out);
	cr_assert_eq(fwrite(insns, sizeof(*insns), len, out), len);
	fclose(out);
	sck_filter_prog_free(p);
	sck_filter_free(f);
	a = headers((const char *const[]){"audit", lpath, NULL}, false, &st);
	b = headers((const char *const[]){"audit", spath, NULL}, false, &st);
	cr_expect_str_eq(a, b, "%s: libseccomp:\n%s\nsck:\n%s", tag, a, b);
	free(b);
	return a;
}

/* The same rules through libseccomp and through sck's compiler audit the same. */
Test(cli_audit, libseccomp_same_as_sck)
{
	static const struct both_rule denylist[] = {
		{"open", SECCOMP_RET_ERRNO | 1, 0, 0, 0, 0},
		{"execve", SECCOMP_RET_ERRNO | 1, 0, 0, 0, 0},
		{"socket", SECCOMP_RET_ERRNO | 1, 0, 0, 0, 0},
		{"ptrace", SECCOMP_RET_ERRNO | 1, 0, 0, 0, 0},
		{"chmod", SECCOMP_RET_ERRNO | 1, 0, 0, 0, 0},
	};
	static const struct both_rule allowlist[] = {
		{"read", SECCOMP_RET_ALLOW, 0, 0, 0, 0},
		{"write", SECCOMP_RET_ALLOW, 0, 0, 0, 0},
		{"exit_group", SECCOMP_RET_ALLOW, 0, 0, 0, 0},
		{"personality", SECCOMP_RET_ALLOW, 0, SCK_CMP_EQ, 8, 0},
		{"clone", SECCOMP_RET_ALLOW, 0, SCK_CMP_MASKED_EQ, 0, 0x7e020000},
		{"clone3", SECCOMP_RET_ALLOW, 0, 0, 0, 0},
		{"openat", SECCOMP_RET_ALLOW, 1, SCK_CMP_EQ, 4096, 0},
		{"bpf", SECCOMP_RET_ALLOW, 0, 0, 0, 0},
		{"getpid", SECCOMP_RET_TRACE | 1, 0, 0, 0, 0},
	};
	char *a = audit_both("deny", SECCOMP_RET_ALLOW, denylist,
			     sizeof(denylist) / sizeof(denylist[0]), false);

	cr_expect(strstr(a, "equivalent-allowed [x86_64] open, openat"), "%s", a);
	cr_expect(strstr(a, "equivalent-allowed [x86_64] execve, execveat"), "%s", a);
	free(a);
	a = audit_both("allow", SECCOMP_RET_ERRNO | 1, allowlist,
		       sizeof(allowlist) / sizeof(allowlist[0]), true);
	cr_expect(strstr(a, "equivalent-unrestricted [x86_64, x86] clone, clone3"), "%s", a);
	cr_expect(strstr(a, "pointer-arg [x86_64, x86] openat"), "%s", a);
	cr_expect(strstr(a, "dangerous-allowed [x86_64, x86] bpf"), "%s", a);
	free(a);
}

/* Bad input: exit 2 and the place. */
Test(cli_audit, bad_input)
{
	static const struct {
		const char *name, *content;
		size_t len;
		const char *want;
	} cases[] = {
		{"empty", "", 0, "empty file"},
		{"short.bpf", "\x06\x00\x00\x00\x00", 5, "byte 0: truncated BPF"},
		/* one LD, no RET: the kernel refuses it at instruction 0 */
		{"noret.bpf", "\x20\x00\x00\x00\x00\x00\x00\x00", 8, "instruction 0"},
		{"bad.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [}\n", 0,
		 "bad.json:2:"},
		{"badop.json",
		 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		 "\"action\":\"SCMP_ACT_NOPE\"}]}",
		 0, "syscalls[0].action"},
		{"config.json", "{\"ociVersion\":\"1.0.2\",\"linux\":{\"namespaces\":[]}}", 0,
		 "linux.seccomp"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = path_of(cases[i].name);
		FILE *f = fopen(p, "w");
		struct sck_test_cmd r;

		cr_assert(f);
		fwrite(cases[i].content, 1, cases[i].len ? cases[i].len : strlen(cases[i].content),
		       f);
		fclose(f);
		r = run((const char *const[]){"audit", p, NULL});
		cr_expect_eq(r.status, 2, "%s: status %d", cases[i].name, r.status);
		cr_expect(strstr(r.err, cases[i].want), "%s: %s", cases[i].name, r.err);
		cr_expect_str_eq(r.out, "", "%s", cases[i].name);
		sck_test_cmd_fini(&r);
	}
}

/* A runtime config.json is audited through its linux.seccomp. */
Test(cli_audit, runtime_config)
{
	int st;
	char *j = audit(
		&st,
		write_text("rt-config.json",
			   "{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":{\"defaultAction\":"
			   "\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"bpf\"],"
			   "\"action\":\"SCMP_ACT_ALLOW\"}]}}}"),
		"-a", "x86_64");

	cr_expect(has_id_sys(j, "dangerous-allowed", "bpf"), "%s", j);
	cr_expect_eq(st, 1, "a high finding");
	free(j);
}

/* A forked child that installs @n filters and waits (nothing installs one in the runner). */
static pid_t spawn_filtered(const struct sock_filter *const *progs, const size_t *lens, size_t n)
{
	int fds[2];
	char c;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (sck_no_new_privs() < 0)
			_exit(1);
		for (size_t i = 0; i < n; i++)
			if (sck_set_mode_filter(progs[i], lens[i], 0) < 0)
				_exit(1);
		(void)!write(fds[1], "r", 1);
		for (;;)
			pause();
	}
	close(fds[1]);
	cr_assert_eq(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static const struct sock_filter deny_execve[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 59, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* `sck audit --pid` on a child with @n filters; false when the kernel refused the dump. */
static bool audit_pid(const struct sock_filter *const *progs, const size_t *lens, size_t n,
		      struct sck_test_cmd *r, char *pidstr)
{
	pid_t pid = spawn_filtered(progs, lens, n);

	snprintf(pidstr, 16, "%d", (int)pid);
	*r = run((const char *const[]){"audit", "--json", "--pid", pidstr, NULL});
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (r->status == 1 && strstr(r->err, "permission denied")) {
		printf("SKIP: cli_audit::pid: %s", r->err);
		sck_test_cmd_fini(r);
		return false;
	}
	return true;
}

/* --pid: one filter without an arch check. */
Test(cli_audit, pid)
{
	const struct sock_filter *progs[] = {deny_execve};
	size_t lens[] = {4};
	char pidstr[16];
	struct sck_test_cmd r;

	if (!audit_pid(progs, lens, 1, &r, pidstr))
		return;
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(has_id(r.out, "no-arch-check"), "%s", r.out);
	cr_expect(strstr(r.out, "\"filter\": 0"), "%s", r.out);
	sck_test_cmd_fini(&r);
	/* gone */
	r = run((const char *const[]){"audit", "--pid", pidstr, NULL});
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "no such process"), "%s", r.err);
	sck_test_cmd_fini(&r);
}

/* --pid: a stack is audited as the kernel runs it: the older filter's arch check covers the
 * newer one, which has none. */
Test(cli_audit, pid_stack)
{
	static const struct sock_filter arch[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter *progs[] = {arch, deny_execve};
	size_t lens[] = {7, 4};
	char pidstr[16];
	struct sck_test_cmd r;

	if (!audit_pid(progs, lens, 2, &r, pidstr))
		return;
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(!has_id(r.out, "no-arch-check"), "%s", r.out);
	cr_expect(!has_id(r.out, "x32-bypass"), "%s", r.out);
	cr_expect(has_id_sys(r.out, "equivalent-allowed", "execveat"), "%s", r.out);
	sck_test_cmd_fini(&r);
}

Test(cli_audit, arch_unnamed_and_notif)
{
	/* every 64-bit arch goes to the rules, none by name */
	hole(bpf("unnamed", "A = arch\nif (!(A & 0x80000000)) goto kill\nA = nr\n"
			    "if (A >= 0x40000000) goto kill\nif (A == read) goto allow\n"
			    "return ERRNO(1)\nallow: return ALLOW\nkill: return KILL_PROCESS\n"),
	     bpf("unnamed-fixed", X86_64_HEAD "if (A >= 0x40000000) goto kill\n"
					      "if (A == read) goto allow\nreturn ERRNO(1)\n"
					      "allow: return ALLOW\nkill: return KILL_PROCESS\n"),
	     "arch-unnamed", NULL, NULL, NULL);
	hole(write_text("notif.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
				      "\"names\":[\"read\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}"),
	     write_text("nonotif.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{"
					"\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
	     "user-notif", "read", "-a", "x86_64");
}
