// SPDX-License-Identifier: MIT
/*
 * The bad-input table (issue 7): every command given wrong invocations and wrong inputs (missing,
 * unreadable, empty, truncated, oversized, malformed files, unknown names, out-of-range numbers,
 * bad flags, missing operands). Each row states the exact exit status (DESIGN.md Contract 2: 2
 * for a bad invocation or input, 1 for a program the validator refuses, a process that is gone
 * or an operation that failed) and a word the message must contain. Every row also checks that
 * stderr is exactly one line starting with "sck: ", that stdout is empty, and that the output
 * directory given to -o is still empty afterwards (no output, no temporary file).
 * The inputs are written into a fresh directory by the test; @ in an argument stands for it.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

struct row {
	const char *argv[12]; /* "@/x" is x in the test directory; "@PID" this process's pid */
	int status;
	const char *needle; /* the message names the problem: this substring is in it */
};

static const struct row rows[] = {
	/* the command line itself */
	{{NULL}, 2, "no command"},
	{{"frobnicate"}, 2, "unknown command"},
	{{"--bogus"}, 2, "unknown command"},
	{{"info", "extra"}, 2, "extra"},
	{{"info", "-x"}, 2, "-x"},
	/* check */
	{{"check"}, 2, "FILE"},
	{{"check", "@/good.bpf", "@/good.bpf"}, 2, "FILE"},
	{{"check", "-x", "@/good.bpf"}, 2, "'-x'"},
	{{"check", "--frob", "@/good.bpf"}, 2, "'--frob'"},
	{{"check", "@/missing.bpf"}, 2, "No such file"},
	{{"check", "@/good.bpf/x"}, 2, "Not a directory"},
	{{"check", "@/dir"}, 2, "Is a directory"},
	{{"check", "@/empty.bpf"}, 2, "empty"},
	{{"check", "@/trunc.bpf"}, 2, "multiple of 8"},
	{{"check", "@/huge.bpf"}, 2, "4097 instructions"},
	{{"check", "@/noret.bpf"}, 1, "instruction 0"},
	{{"check", "@/badjump.bpf"}, 1, "instruction 0"},
	{{"check", "@/badload.bpf"}, 1, "instruction 0"},
	{{"check", "@/uninit.bpf"}, 1, "instruction 0"},
	/* disasm */
	{{"disasm"}, 2, "FILE"},
	{{"disasm", "-f", "svg", "@/good.bpf"}, 2, "svg"},
	{{"disasm", "-a", "vax", "@/good.bpf"}, 2, "vax"},
	{{"disasm", "-a"}, 2, "'-a' needs an argument"},
	{{"disasm", "-o", "@/out/x.txt", "@/trunc.bpf"}, 2, "multiple of 8"},
	{{"disasm", "-o", "@/out/x.txt", "@/missing.bpf"}, 2, "No such file"},
	{{"disasm", "-o", "@/out/x.txt", "@/huge.bpf"}, 2, "4097"},
	{{"disasm", "-o", "@/nodir/x.txt", "@/good.bpf"}, 1, "No such file"},
	{{"disasm", "-o", "@/good.bpf/x.txt", "@/good.bpf"}, 1, "Not a directory"},
	/* asm */
	{{"asm"}, 2, "FILE"},
	{{"asm", "--output"}, 2, "'--output' needs an argument"},
	{{"asm", "-o", "@/out/x.bpf", "@/missing.s"}, 2, "No such file"},
	{{"asm", "-o", "@/out/x.bpf", "@/dir"}, 2, "Is a directory"},
	{{"asm", "-o", "@/out/x.bpf", "@/empty.s"}, 2, "no instructions"},
	{{"asm", "-o", "@/out/x.bpf", "@/syntax.s"}, 2, "syntax.s:2:"},
	{{"asm", "-o", "@/out/x.bpf", "@/unknown-sys.s"}, 2, "frobcall"},
	{{"asm", "-o", "@/out/x.bpf", "@/unknown-label.s"}, 2, "nowhere"},
	{{"asm", "-o", "@/out/x.bpf", "@/unknown-action.s"}, 2, "BOGUS"},
	{{"asm", "-o", "@/out/x.bpf", "@/unknown-op.s"}, 2, "unknown-op.s:1:"},
	{{"asm", "-o", "@/out/x.bpf", "@/errno-range.s"}, 2, "errno-range.s:1:"},
	{{"asm", "-o", "@/out/x.bpf", "@/number-range.s"}, 2, "32-bit"},
	{{"asm", "-o", "@/out/x.bpf", "@/unknown-arch.s"}, 2, "vax"},
	{{"asm", "-o", "@/out/x.bpf", "@/binary.s"}, 2, "NUL"},
	{{"asm", "-o", "@/out/x.bpf", "@/long.s"}, 2, "4096"},
	{{"asm", "-a", "vax", "-o", "@/out/x.bpf", "@/good.s"}, 2, "vax"},
	{{"asm", "-o", "@/nodir/x.bpf", "@/good.s"}, 1, "No such file"},
	/* emu */
	{{"emu"}, 2, "FILE SYSCALL"},
	{{"emu", "@/good.bpf"}, 2, "FILE SYSCALL"},
	{{"emu", "@/good.bpf", "frobcall"}, 2, "frobcall"},
	{{"emu", "-a", "vax", "@/good.bpf", "read"}, 2, "vax"},
	{{"emu", "@/good.bpf", "read", "1", "2", "3", "4", "5", "6", "7"}, 2, "FILE SYSCALL"},
	{{"emu", "@/good.bpf", "read", "0x1ffffffffffffffff"}, 2, "argument 0"},
	{{"emu", "@/good.bpf", "read", "0", "abc"}, 2, "argument 1"},
	{{"emu", "@/good.bpf", "0x1ffffffff"}, 2, "syscall number"},
	{{"emu", "--ip", "zz", "@/good.bpf", "read"}, 2, "zz"},
	{{"emu", "--ip"}, 2, "'--ip' needs an argument"},
	{{"emu", "@/missing.bpf", "read"}, 2, "No such file"},
	{{"emu", "@/trunc.bpf", "read"}, 2, "multiple of 8"},
	{{"emu", "@/huge.bpf", "read"}, 2, "4097"},
	{{"emu", "@/noret.bpf", "read"}, 1, "instruction 0"},
	{{"emu", "--stack", "@/missing.bpf", "@/good.bpf", "read"}, 2, "missing.bpf"},
	{{"emu", "--stack", "@/empty.bpf", "@/good.bpf", "read"}, 2, "empty"},
	{{"emu", "--stack", "@/badjump.bpf", "@/good.bpf", "read"}, 1, "badjump.bpf"},
	/* syscalls */
	{{"syscalls", "-a", "vax"}, 2, "vax"},
	{{"syscalls", "frobcall"}, 2, "frobcall"},
	{{"syscalls", "-a", "x86_64", "99999"}, 2, "99999"},
	{{"syscalls", "-a", "x86_64", "read", "write"}, 2, "too many"},
	{{"syscalls", "-z"}, 2, "-z"},
	{{"syscalls", "-a"}, 2, "-a"},
	/* dump */
	{{"dump"}, 2, "PID"},
	{{"dump", "abc"}, 2, "abc"},
	{{"dump", "0"}, 2, "'0'"},
	{{"dump", "-5"}, 2, "-5"},
	{{"dump", "-f", "svg", "1"}, 2, "svg"},
	{{"dump", "-i", "x", "1"}, 2, "index"},
	{{"dump", "-a", "vax", "1"}, 2, "vax"},
	{{"dump", "-o", "@/out/x.txt", "2147483647"}, 1, "no such process"},
	{{"dump", "-o", "@/out/x.txt", "@PID"}, 1, "not in seccomp filter mode"},
	/* compile: the profile reader and the compiler */
	{{"compile"}, 2, "PROFILE"},
	{{"compile", "@/p-basic.json", "@/p-basic.json"}, 2, "PROFILE"},
	{{"compile", "--builtin", "@/p-basic.json"}, 2, "--builtin"},
	{{"compile", "--frob", "@/p-basic.json"}, 2, "'--frob'"},
	{{"compile", "-f", "svg", "@/p-basic.json"}, 2, "svg"},
	{{"compile", "-a", "vax", "@/p-basic.json"}, 2, "vax"},
	{{"compile", "-o"}, 2, "'-o' needs an argument"},
	{{"compile", "-o", "@/out/x.bpf", "@/missing.json"}, 2, "No such file"},
	{{"compile", "-o", "@/out/x.bpf", "@/dir"}, 2, "Is a directory"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-basic.json/x"}, 2, "Not a directory"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-empty.json"}, 2, "p-empty.json:1:1"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-empty-object.json"}, 2, "defaultAction: missing"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-array.json"}, 2, "JSON object"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-invalid.json"}, 2, "p-invalid.json:2:"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-truncated.json"}, 2, "p-truncated.json:1:"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-wrong-type.json"}, 2, "defaultAction"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-syscalls-type.json"}, 2, "syscalls"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-index-type.json"}, 2, "syscalls[0].args[0].index"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-arches-type.json"}, 2, "architectures"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-unknown-action.json"}, 2, "SCMP_ACT_FOO"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-unknown-op.json"}, 2, "SCMP_CMP_FOO"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-missing-op.json"}, 2, "syscalls[0].args[0].op"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-unknown-arch.json"}, 2, "SCMP_ARCH_PDP11"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-unknown-syscall.json"}, 2, "no_such_call"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-unknown-flag.json"}, 2, "SECCOMP_FILTER_FLAG_FOO"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-conflict.json"}, 2, "conflicting rules"},
	{{"compile", "--hot", "frobcall", "-o", "@/out/x.bpf", "@/p-basic.json"}, 2, "frobcall"},
	{{"compile", "--hot", "read=0", "-o", "@/out/x.bpf", "@/p-basic.json"}, 2, "weight '0'"},
	{{"compile", "--hot", "read=x", "-o", "@/out/x.bpf", "@/p-basic.json"}, 2, "weight 'x'"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-index-range.json"}, 2, "index"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-value-negative.json"}, 2, "args[0].value"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-value-range.json"}, 2, "out of range"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-errno-range.json"}, 2, "errnoRet"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-default-errno-range.json"}, 2, "defaultErrnoRet"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-huge.json"}, 1, "4096"},
	{{"compile", "-o", "@/out/x.bpf", "@/p-oversized.json"}, 2, "too large"},
	{{"compile", "-o", "@/nodir/x.bpf", "@/p-basic.json"}, 1, "No such file"},
};

static char dir[64];

static void put(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void puts_file(const char *name, const char *text)
{
	put(name, text, strlen(text));
}

/* A profile whose rule on read has one condition on @arg. */
#define ARGS(cond)                                                                                 \
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"               \
	"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[" cond "]}]}"

/* 3000 conditional rules with distinct values: more than 4096 instructions once compiled. */
static void huge_profile(void)
{
	size_t cap = 3000 * 128, n = 0;
	char *text = malloc(cap);

	cr_assert(text);
	n += (size_t)snprintf(text + n, cap - n,
			      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (unsigned long long i = 0; i < 3000; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "%s{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
				      "\"args\":[{\"index\":%llu,\"value\":%llu,\"op\":"
				      "\"SCMP_CMP_EQ\"}]}",
				      i ? "," : "", i % 6, i * 4294967297ull);
	n += (size_t)snprintf(text + n, cap - n, "]}");
	cr_assert_lt(n, cap);
	puts_file("p-huge.json", text);
	free(text);
}

static void make_inputs(void)
{
	static struct sock_filter huge[SCK_BPF_MAXINSNS + 1];
	const struct sock_filter good[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	const struct sock_filter noret[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
	const struct sock_filter badjump[] = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0),
					      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	const struct sock_filter badload[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
					      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	const struct sock_filter uninit[] = {BPF_STMT(BPF_LD | BPF_MEM, 3),
					     BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	char path[256];
	char *text;
	size_t n = 0, cap = (SCK_BPF_MAXINSNS + 2) * 16;
	int fd;

	cr_assert(sck_test_tmpdir());
	snprintf(dir, sizeof(dir), "%s", sck_test_tmpdir());
	for (size_t i = 0; i < SCK_BPF_MAXINSNS + 1; i++)
		huge[i] = good[0];
	put("good.bpf", good, sizeof(good));
	put("empty.bpf", "", 0);
	put("trunc.bpf", good, 5);
	put("huge.bpf", huge, sizeof(huge));
	put("noret.bpf", noret, sizeof(noret));
	put("badjump.bpf", badjump, sizeof(badjump));
	put("badload.bpf", badload, sizeof(badload));
	put("uninit.bpf", uninit, sizeof(uninit));
	puts_file("good.s", "return ALLOW\n");
	puts_file("empty.s", "");
	puts_file("syntax.s", "A = nr\nif (A == ) goto 3\nreturn ALLOW\n");
	puts_file("unknown-sys.s", "A = nr\nif (A == frobcall) goto 0003\nreturn ALLOW\n"
				   "return KILL\n");
	puts_file("unknown-label.s", "A = nr\nif (A == 1) goto nowhere\nreturn ALLOW\n");
	puts_file("unknown-action.s", "return BOGUS\n");
	puts_file("unknown-op.s", "if (A ~ 3) goto 0001\nreturn ALLOW\n");
	puts_file("errno-range.s", "return ERRNO(70000)\n");
	puts_file("number-range.s", "A = 0x100000000\nreturn A\n");
	puts_file("unknown-arch.s", ".arch vax\nreturn ALLOW\n");
	put("binary.s", "return ALLOW\n\0\n", 15);
	text = malloc(cap);
	cr_assert(text);
	for (size_t i = 0; i < SCK_BPF_MAXINSNS + 1; i++)
		n += (size_t)snprintf(text + n, cap - n, "return ALLOW\n");
	puts_file("long.s", text);
	free(text);
	puts_file("p-basic.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
				  "[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	puts_file("p-empty.json", "");
	puts_file("p-empty-object.json", "{}");
	puts_file("p-array.json", "[]");
	puts_file("p-invalid.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [ "
				    "{\"names\": [\"read\"],, ");
	puts_file("p-truncated.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\"");
	puts_file("p-wrong-type.json", "{\"defaultAction\":1}");
	puts_file("p-syscalls-type.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}");
	puts_file("p-index-type.json",
		  ARGS("{\"index\":\"0\",\"value\":1,\"op\":\"SCMP_CMP_EQ\"}"));
	puts_file("p-arches-type.json",
		  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":\"SCMP_ARCH_X86\"}");
	puts_file("p-unknown-action.json", "{\"defaultAction\":\"SCMP_ACT_FOO\"}");
	puts_file("p-unknown-op.json", ARGS("{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_FOO\"}"));
	puts_file("p-missing-op.json", ARGS("{\"index\":0,\"value\":1}"));
	puts_file("p-unknown-arch.json",
		  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_PDP11\"]}");
	puts_file(
		"p-unknown-syscall.json",
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"no_such_call\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}");
	/* runc refuses it too: libseccomp answers -EEXIST */
	puts_file("p-conflict.json",
		  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":"
		  "\"SCMP_CMP_EQ\"}]},{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":"
		  "[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	puts_file("p-unknown-flag.json",
		  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_FOO\"]}");
	puts_file("p-index-range.json", ARGS("{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}"));
	puts_file("p-value-negative.json",
		  ARGS("{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}"));
	puts_file("p-value-range.json",
		  ARGS("{\"index\":0,\"value\":18446744073709551616,\"op\":\"SCMP_CMP_EQ\"}"));
	puts_file("p-errno-range.json",
		  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		  "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5000}]}");
	puts_file("p-default-errno-range.json",
		  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":70000}");
	huge_profile();
	snprintf(path, sizeof(path), "%s/p-oversized.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert(fd >= 0);
	/* sparse: 65 MiB of NUL bytes, above the 64 MiB the readers accept */
	cr_assert_eq(ftruncate(fd, 65l << 20), 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/dir", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/out", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
}

/* Names in @dir/out: must stay empty. */
static size_t out_entries(char *names, size_t cap)
{
	char path[256];
	struct dirent *e;
	size_t count = 0;
	DIR *d;

	names[0] = '\0';
	snprintf(path, sizeof(path), "%s/out", dir);
	d = opendir(path);
	cr_assert(d);
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		count++;
		strncat(names, e->d_name, cap - strlen(names) - 2);
		strncat(names, " ", cap - strlen(names) - 1);
	}
	closedir(d);
	return count;
}

static void clean_out(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
}

static void run_row(size_t i, const struct row *r)
{
	char args[12][512], pid[32], shown[1024] = "", names[512];
	const char *argv[13];
	struct sck_test_cmd res;
	size_t n = 0;
	const char *nl;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (; n < 12 && r->argv[n]; n++) {
		const char *a = r->argv[n];

		if (strcmp(a, "@PID") == 0)
			snprintf(args[n], sizeof(args[n]), "%s", pid);
		else if (a[0] == '@')
			snprintf(args[n], sizeof(args[n]), "%s%s", dir, a + 1);
		else
			snprintf(args[n], sizeof(args[n]), "%s", a);
		argv[n] = args[n];
		strncat(shown, " ", sizeof(shown) - strlen(shown) - 1);
		strncat(shown, a, sizeof(shown) - strlen(shown) - 1);
	}
	argv[n] = NULL;
	cr_assert_eq(sck_test_sck(&res, NULL, argv), 0);
	cr_expect_eq(res.status, r->status, "row %zu `sck%s`: status %d, want %d; stderr: %s", i,
		     shown, res.status, r->status, res.err);
	cr_expect_eq(res.out_len, 0, "row %zu `sck%s`: stdout not empty: %s", i, shown, res.out);
	nl = strchr(res.err, '\n');
	cr_expect(strncmp(res.err, "sck: ", 5) == 0, "row %zu `sck%s`: stderr %s", i, shown,
		  res.err);
	cr_expect(nl && nl[1] == '\0', "row %zu `sck%s`: stderr is not one line: %s", i, shown,
		  res.err);
	cr_expect(strstr(res.err, r->needle), "row %zu `sck%s`: '%s' not in: %s", i, shown,
		  r->needle, res.err);
	cr_expect_eq(out_entries(names, sizeof(names)), 0, "row %zu `sck%s`: left %s", i, shown,
		     names);
	sck_test_cmd_fini(&res);
}

Test(cli_bad_input, table, .timeout = 120)
{
	size_t nrows = sizeof(rows) / sizeof(rows[0]);

	make_inputs();
	for (size_t i = 0; i < nrows; i++)
		run_row(i, &rows[i]);
	cr_log_info("cli_bad_input: %zu rows", nrows);
	clean_out();
}
