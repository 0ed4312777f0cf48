// SPDX-License-Identifier: MIT
/*
 * `sck check`, `sck disasm`, `sck asm` and `sck emu` as a user runs them: exit statuses,
 * outputs, every kind of bad input (missing, empty, ragged, too long), and that a failing
 * command leaves no output file behind. (`sck dump` is in tests/kernel/test_dump.c.)
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];

static void setup(void)
{
	const char *d = sck_test_tmpdir();

	cr_assert_not_null(d);
	snprintf(dir, sizeof(dir), "%s", d);
}

static void teardown(void)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char path[512];

	while (dp && (e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
}

TestSuite(cli_bpf, .init = setup, .fini = teardown);

/* Write @len bytes into dir/@name; returns the path (static buffer rotation of 16). */
static const char *put(const char *name, const void *data, size_t len)
{
	static char paths[16][512];
	static int next;
	char *path = paths[next++ % 16];
	FILE *f;

	snprintf(path, 512, "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	if (len)
		cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static const char *in_dir(const char *name)
{
	static char paths[16][512];
	static int next;
	char *path = paths[next++ % 16];

	snprintf(path, 512, "%s/%s", dir, name);
	return path;
}

/* Number of entries in dir (temp files of a failed atomic write would show up). */
static int dir_entries(void)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(dp)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dp);
	return n;
}

static int run(struct sck_test_cmd *r, const char *const *argv)
{
	cr_assert_eq(sck_test_sck(r, NULL, argv), 0);
	return r->status;
}

static const struct sock_filter allow_read[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 5),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 2),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};

Test(cli_bpf, check_ok_and_refused)
{
	static const struct sock_filter div0[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 1),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	const char *ok = put("ok.bpf", allow_read, sizeof(allow_read));
	const char *bad = put("bad.bpf", div0, sizeof(div0));
	struct sck_test_cmd r;
	char want[600];

	cr_expect_eq(run(&r, (const char *[]){"check", ok, NULL}), 0, "%s", r.err);
	snprintf(want, sizeof(want), "%s: ok, 8 instructions\n", ok);
	cr_expect_str_eq(r.out, want);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"check", bad, NULL}), 1);
	snprintf(want, sizeof(want), "sck: check: %s: instruction 1: division by constant zero\n",
		 bad);
	cr_expect_str_eq(r.err, want);
	cr_expect_eq(r.out_len, 0);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"check", NULL}), 2);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"check", ok, ok, NULL}), 2);
	sck_test_cmd_fini(&r);
}

/* Bad input files: the same exit 2 and a clear message for every BPF-reading command. */
Test(cli_bpf, bad_files)
{
	static const char *const cmds[][3] = {
		{"check", NULL, NULL}, {"disasm", NULL, NULL}, {"emu", "read", NULL}};
	struct sock_filter *big = calloc(SCK_BPF_MAXINSNS + 1, sizeof(*big));
	struct {
		const char *path, *msg;
	} cases[4];
	struct sck_test_cmd r;

	for (size_t i = 0; i <= SCK_BPF_MAXINSNS; i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	cases[0].path = in_dir("missing.bpf");
	cases[0].msg = "No such file";
	cases[1].path = put("empty.bpf", "", 0);
	cases[1].msg = "empty";
	cases[2].path = put("ragged.bpf", allow_read, 13);
	cases[2].msg = "not a multiple of 8";
	cases[3].path = put("big.bpf", big, (SCK_BPF_MAXINSNS + 1) * sizeof(*big));
	cases[3].msg = "more than the kernel's limit of 4096";
	free(big);
	for (size_t c = 0; c < LEN(cmds); c++) {
		for (size_t i = 0; i < LEN(cases); i++) {
			const char *argv[] = {cmds[c][0], cases[i].path, cmds[c][1], NULL};

			cr_expect_eq(run(&r, argv), 2, "%s %s: %d", cmds[c][0], cases[i].path,
				     r.status);
			cr_expect(strstr(r.err, cases[i].msg) && strncmp(r.err, "sck: ", 5) == 0,
				  "%s: %s", cmds[c][0], r.err);
			cr_expect(strchr(r.err, '\n') == r.err + r.err_len - 1, "one line: %s",
				  r.err);
			sck_test_cmd_fini(&r);
		}
	}
}

Test(cli_bpf, disasm_text_dot_and_output_file)
{
	const char *f = put("p.bpf", allow_read, sizeof(allow_read));
	const char *out = in_dir("p.txt");
	SCK_OPTS(sck_bpf_disasm_opts, o, .arch = sck_arch_from_name("x86"));
	struct sck_test_cmd r;
	char *text = NULL, *buf = NULL;
	size_t n;
	FILE *fp;

	cr_assert_eq(run(&r, (const char *[]){"disasm", f, NULL}), 0, "%s", r.err);
	cr_expect(strstr(r.out, "0004: if (A != getpid) goto 0007\n"), "%s", r.out);
	cr_expect(strstr(r.out, "0005: return ERRNO(1)\n"), "%s", r.out);
	sck_test_cmd_fini(&r);
	/* -a forces the arch of names, as the library does. */
	cr_assert_eq(run(&r, (const char *[]){"disasm", "-a", "x86", f, NULL}), 0);
	cr_assert_eq(sck_bpf_disasm_alloc(allow_read, LEN(allow_read), &o, &text), 0);
	cr_expect_str_eq(r.out, text);
	free(text);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, (const char *[]){"disasm", "-f", "dot", f, NULL}), 0);
	cr_expect(strncmp(r.out, "digraph bpf {", 13) == 0, "%s", r.out);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, (const char *[]){"disasm", "-o", out, f, NULL}), 0);
	cr_expect_eq(r.out_len, 0);
	sck_test_cmd_fini(&r);
	fp = fopen(out, "r");
	cr_assert_not_null(fp);
	buf = calloc(1, 4096);
	n = fread(buf, 1, 4095, fp);
	fclose(fp);
	cr_expect(n > 0 && strstr(buf, "0000: A = arch\n"), "%s", buf);
	free(buf);
	cr_expect_eq(run(&r, (const char *[]){"disasm", "-a", "vax", f, NULL}), 2);
	cr_expect(strstr(r.err, "unknown architecture 'vax'"), "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"disasm", "-f", "svg", f, NULL}), 2);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"disasm", "--bogus", f, NULL}), 2);
	sck_test_cmd_fini(&r);
}

Test(cli_bpf, asm_round_trip_and_errors)
{
	const char *f = put("p.bpf", allow_read, sizeof(allow_read));
	const char *txt = in_dir("p.txt"), *out = in_dir("q.bpf");
	static const char bad[] = "A = nr\nif (A == read) goto 3\nreturn ALLOW\nA = @\n";
	static const char unknown[] = "A = nr\nif (A == not_a_call) goto 2\nreturn ALLOW\n";
	struct sck_test_cmd r;
	char want[600];
	FILE *fp;
	char buf[256];
	size_t n;
	int before;

	cr_assert_eq(run(&r, (const char *[]){"disasm", "-o", txt, f, NULL}), 0);
	sck_test_cmd_fini(&r);
	cr_assert_eq(run(&r, (const char *[]){"asm", "-o", out, txt, NULL}), 0, "%s", r.err);
	sck_test_cmd_fini(&r);
	fp = fopen(out, "rb");
	cr_assert_not_null(fp);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	cr_expect(n == sizeof(allow_read) && memcmp(buf, allow_read, n) == 0, "round trip");
	/* To stdout when it is not a terminal. */
	cr_assert_eq(run(&r, (const char *[]){"asm", txt, NULL}), 0, "%s", r.err);
	cr_expect(r.out_len == sizeof(allow_read) && memcmp(r.out, allow_read, r.out_len) == 0);
	sck_test_cmd_fini(&r);

	/* A syntax error: exit 2, FILE:LINE:COL, and no output file, not even a temporary one. */
	unlink(out);
	txt = put("bad.txt", bad, strlen(bad));
	before = dir_entries();
	cr_expect_eq(run(&r, (const char *[]){"asm", "-o", out, txt, NULL}), 2);
	snprintf(want, sizeof(want), "sck: asm: %s:4:5: unexpected character '@'\n", txt);
	cr_expect_str_eq(r.err, want);
	sck_test_cmd_fini(&r);
	cr_expect_eq(access(out, F_OK), -1, "output left behind");
	cr_expect_eq(dir_entries(), before, "temporary file left behind");

	txt = put("unknown.txt", unknown, strlen(unknown));
	cr_expect_eq(run(&r, (const char *[]){"asm", "-o", out, txt, NULL}), 2);
	snprintf(want, sizeof(want), "sck: asm: %s:2:10: unknown syscall 'not_a_call' on %s\n", txt,
		 sck_arch_native()->name);
	cr_expect_str_eq(r.err, want);
	sck_test_cmd_fini(&r);
	cr_expect_eq(access(out, F_OK), -1, "output left behind");
	/* -a resolves names on another arch. */
	txt = put("open.txt", "A = nr\nif (A == open) goto 2\nreturn ALLOW\n", 42);
	cr_expect_eq(run(&r, (const char *[]){"asm", "-a", "aarch64", "-o", out, txt, NULL}), 2);
	cr_expect(strstr(r.err, "unknown syscall 'open' on aarch64"), "%s", r.err);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"asm", "-a", "x86_64", "-o", out, txt, NULL}), 0);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"asm", "-o", out, in_dir("none.txt"), NULL}), 2);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"asm", "-o", out, f, NULL}), 2, "binary input");
	sck_test_cmd_fini(&r);
	/* An output directory that does not exist: exit 1, nothing written. */
	cr_expect_eq(run(&r, (const char *[]){"asm", "-o", in_dir("no/such/dir"),
					      put("ok.txt", "return ALLOW\n", 13), NULL}),
		     1);
	sck_test_cmd_fini(&r);
}

static void expect_emu(const char *const *argv, int status, const char *out)
{
	struct sck_test_cmd r;

	cr_expect_eq(run(&r, argv), status, "%s %s %s: status %d: %s", argv[0], argv[1], argv[2],
		     r.status, r.err);
	if (out)
		cr_expect_str_eq(r.out, out, "%s %s %s", argv[0], argv[1], argv[2]);
	sck_test_cmd_fini(&r);
}

Test(cli_bpf, emu)
{
	const char *f = put("p.bpf", allow_read, sizeof(allow_read));
	static const struct sock_filter args[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 28), /* args[1] >> 32 on little-endian */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | 7),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x1234, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40000000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5000),
	};
	static const struct sock_filter errno1[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1)};
	static const struct sock_filter errno2[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 2)};
	static const struct sock_filter logf[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG)};
	static const struct sock_filter unknown[] = {BPF_STMT(BPF_RET | BPF_K, 0x00010000)};
	static const struct sock_filter refused[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
						     BPF_STMT(BPF_RET | BPF_A, 0)};
	const char *fa = put("args.bpf", args, sizeof(args));
	const char *e1 = put("e1.bpf", errno1, sizeof(errno1));
	const char *e2 = put("e2.bpf", errno2, sizeof(errno2));
	const char *lg = put("log.bpf", logf, sizeof(logf));
	const char *un = in_dir("unknown.bpf"), *rf = in_dir("refused.bpf");

	put("unknown.bpf", unknown, sizeof(unknown));
	put("refused.bpf", refused, sizeof(refused));
	expect_emu((const char *[]){"emu", "-a", "x86_64", f, "read", NULL}, 0,
		   "ALLOW\ninstructions: 5\n");
	expect_emu((const char *[]){"emu", "-a", "x86_64", f, "getpid", NULL}, 0,
		   "ERRNO(1)\ninstructions: 6\n");
	expect_emu((const char *[]){"emu", "-a", "x86_64", f, "write", NULL}, 0,
		   "KILL_PROCESS\ninstructions: 6\n");
	expect_emu((const char *[]){"emu", "-a", "x86_64", f, "39", NULL}, 0,
		   "ERRNO(1)\ninstructions: 6\n");
	expect_emu((const char *[]){"emu", "-a", "x86_64", f, "0x27", NULL}, 0,
		   "ERRNO(1)\ninstructions: 6\n");
	/* Another arch: the program's arch check fails. */
	expect_emu((const char *[]){"emu", "-a", "aarch64", f, "read", NULL}, 0,
		   "KILL_PROCESS\ninstructions: 3\n");
	/* Arguments: negative decimal is two's complement; --ip; x32 numbers with their bit. */
	expect_emu((const char *[]){"emu", "-a", "x86_64", fa, "0", "0", "-1", NULL}, 0,
		   "TRAP(7)\ninstructions: 3\n");
	expect_emu((const char *[]){"emu", "-a", "x86_64", "--ip", "0x1234", fa, "0", NULL}, 0,
		   "TRACE(2)\ninstructions: 5\n");
	expect_emu((const char *[]){"emu", "-a", "x32", fa, "read", NULL}, 0,
		   "USER_NOTIF\ninstructions: 7\n");
	/* The kernel caps ERRNO data at 4095 and kills on an unknown action. */
	expect_emu((const char *[]){"emu", "-a", "x86_64", fa, "1", NULL}, 0,
		   "ERRNO(4095)\ninstructions: 7\n");
	expect_emu((const char *[]){"emu", un, "1", NULL}, 0, "KILL_PROCESS\ninstructions: 1\n");
	/* Stacks: the most restrictive wins, the newest (FILE) among equals. */
	expect_emu((const char *[]){"emu", "--stack", e1, e2, "1", NULL}, 0,
		   "ERRNO(2)\ninstructions: 2\n");
	expect_emu((const char *[]){"emu", "--stack", e2, e1, "1", NULL}, 0,
		   "ERRNO(1)\ninstructions: 2\n");
	expect_emu((const char *[]){"emu", "--stack", lg, "--stack", e1, lg, "1", NULL}, 0,
		   "ERRNO(1)\ninstructions: 3\n");
	/* Bad invocations and inputs. */
	expect_emu((const char *[]){"emu", "-a", "x86_64", f, "no_such_call", NULL}, 2, "");
	expect_emu((const char *[]){"emu", "-a", "vax", f, "read", NULL}, 2, "");
	expect_emu((const char *[]){"emu", f, NULL}, 2, "");
	expect_emu((const char *[]){"emu", f, "1", "1", "2", "3", "4", "5", "6", "7", NULL}, 2, "");
	expect_emu((const char *[]){"emu", f, "1", "12x", NULL}, 2, "");
	expect_emu((const char *[]){"emu", f, "1", "0x10000000000000000", NULL}, 2, "");
	expect_emu((const char *[]){"emu", "--ip", "x", f, "1", NULL}, 2, "");
	expect_emu((const char *[]){"emu", f, "0x100000000", NULL}, 2, "");
	expect_emu((const char *[]){"emu", f, "-2147483649", NULL}, 2, "");
	/* A negative number is nr as the kernel sees it (-1 is what syscall(-1) passes). */
	expect_emu((const char *[]){"emu", "-a", "x86_64", f, "-1", NULL}, 0,
		   "KILL_PROCESS\ninstructions: 6\n");
	expect_emu((const char *[]){"emu", "--stack", in_dir("none"), f, "1", NULL}, 2, "");
	/* A program the validator refuses: exit 1 with the fault. */
	expect_emu((const char *[]){"emu", rf, "1", NULL}, 1, "");
}

Test(cli_bpf, help_lists_commands)
{
	static const char *const cmds[] = {"check", "disasm", "asm", "emu", "dump"};
	struct sck_test_cmd r;

	cr_assert_eq(run(&r, (const char *[]){"--help", NULL}), 0);
	for (size_t i = 0; i < LEN(cmds); i++) {
		char want[32];

		snprintf(want, sizeof(want), "  %-8s ", cmds[i]);
		cr_expect(strstr(r.out, want), "%s missing from --help", cmds[i]);
	}
	sck_test_cmd_fini(&r);
	for (size_t i = 0; i < LEN(cmds); i++) {
		cr_expect_eq(run(&r, (const char *[]){cmds[i], "--help", NULL}), 0);
		cr_expect(strncmp(r.out, "usage: sck ", 11) == 0, "%s", r.out);
		sck_test_cmd_fini(&r);
	}
	cr_expect_eq(run(&r, (const char *[]){"dump", "12ab", NULL}), 2);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"dump", "0", NULL}), 2);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"dump", NULL}), 2);
	sck_test_cmd_fini(&r);
	cr_expect_eq(run(&r, (const char *[]){"dump", "-f", "xml", "1", NULL}), 2);
	sck_test_cmd_fini(&r);
}
