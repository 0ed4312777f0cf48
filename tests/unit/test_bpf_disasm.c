// SPDX-License-Identifier: MIT
/*
 * The disassembler: golden text for a few programs (tests/data/disasm-*.txt), names (fields by
 * byte order, syscalls on the arch each path checked, actions), the raw .insn form for anything
 * without a named form, the dot graph, and every errno of sck_bpf_disasm_alloc/sck_bpf_dot_alloc.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* An x86_64 allow-list of the usual shape. */
static const struct sock_filter prog_x86_64[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 10),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 8, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 6, 0),	/* read */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0),	/* write */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 257, 0, 3), /* openat */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 36),		/* args[2] >> 32 */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0xffffffff, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 13),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | 3),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};

/* Every other named form: scratch memory, X, ALU, len, return A, odd actions. */
static const struct sock_filter prog_misc[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
	BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0),
	BPF_STMT(BPF_LD | BPF_IMM, 7),
	BPF_STMT(BPF_LDX | BPF_IMM, 0x12345),
	BPF_STMT(BPF_ST, 0),
	BPF_STMT(BPF_STX, 15),
	BPF_STMT(BPF_LD | BPF_MEM, 0),
	BPF_STMT(BPF_LDX | BPF_MEM, 15),
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
	BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 3),
	BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
	BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 0x100),
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 4),
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_NEG, 0),
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_MISC | BPF_TXA, 0),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8),	/* instruction_pointer */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 60), /* args[5] >> 32 */
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 2),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 5, 0, 2),
	BPF_STMT(BPF_JMP | BPF_JA, 4),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 9),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
	BPF_STMT(BPF_RET | BPF_A, 0),
};

/* One filter for three arches: names follow the arch each path checked. */
static const struct sock_filter prog_multi[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 5),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 10, 0), /* x86_64 getpid */
	BPF_STMT(BPF_JMP | BPF_JA, 10),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40000027, 8, 9), /* x32 getpid */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 20, 5, 6), /* i386 getpid */
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_AARCH64, 0, 4),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 172, 1, 0), /* aarch64 getpid */
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
};

static char *read_golden(const char *name)
{
	char *buf = sck_test_read_src(name);

	cr_assert_not_null(buf, "missing golden file %s", name);
	return buf;
}

static void check_golden(const struct sock_filter *p, size_t len, const struct sck_arch *arch,
			 const char *golden)
{
	SCK_OPTS(sck_bpf_disasm_opts, o, .arch = arch);
	char *text = NULL, *want = read_golden(golden);

	cr_assert_eq(sck_bpf_disasm_alloc(p, len, &o, &text), 0);
	if (strcmp(text, want) != 0) {
		if (getenv("SCK_UPDATE_GOLDEN")) {
			FILE *f = fopen(sck_test_src(golden), "w");
			fputs(text, f);
			fclose(f);
		}
		cr_assert_str_eq(text, want, "%s differs:\n%s", golden, text);
	}
	/* And the golden text assembles back to the program. */
	{
		struct sock_filter *q = NULL;
		size_t qlen = 0;

		cr_assert_eq(sck_bpf_asm_alloc(want, NULL, &q, &qlen, NULL), 0);
		cr_expect(qlen == len && memcmp(q, p, len * sizeof(*p)) == 0, "%s round trip",
			  golden);
		free(q);
	}
	free(text);
	free(want);
}

Test(bpf_disasm, golden_x86_64)
{
	check_golden(prog_x86_64, LEN(prog_x86_64), NULL, "tests/data/disasm-x86_64.txt");
}

Test(bpf_disasm, golden_multi_arch)
{
	check_golden(prog_multi, LEN(prog_multi), NULL, "tests/data/disasm-multi-arch.txt");
}

Test(bpf_disasm, golden_forced_arch)
{
	check_golden(prog_x86_64, LEN(prog_x86_64), sck_arch_from_name("s390x"),
		     "tests/data/disasm-x86_64-as-s390x.txt");
}

Test(bpf_disasm, golden_misc)
{
	check_golden(prog_misc, LEN(prog_misc), sck_arch_from_name("x86_64"),
		     "tests/data/disasm-misc.txt");
}

static bool has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == ' ' || p[n] == '\0'))
			return true;
		p++;
	}
	return false;
}

/* Byte order of 64-bit fields and syscall names follow the arch each path checked for. */
Test(bpf_disasm, tracks_arch_per_path)
{
	static const struct sock_filter p[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_S390X, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 20), /* s390x: low word of args[0] */
		BPF_STMT(BPF_RET | BPF_A, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 20), /* x86_64: high word of args[0] */
		BPF_STMT(BPF_RET | BPF_A, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 1), /* unknown arch: native names */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	char *text = NULL;

	cr_assert_eq(sck_bpf_disasm_alloc(p, LEN(p), NULL, &text), 0);
	cr_expect(has_line(text, "0002: A = args[0]"), "%s", text);
	cr_expect(has_line(text, "0005: A = args[0] >> 32"), "%s", text);
	cr_expect(strstr(text, "; s390x") && strstr(text, "; x86_64"), "%s", text);
	free(text);
}

Test(bpf_disasm, syscall_names_only_after_nr)
{
	static const struct sock_filter p[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	SCK_OPTS(sck_bpf_disasm_opts, o, .arch = sck_arch_from_name("x86_64"));
	char *text = NULL;

	cr_assert_eq(sck_bpf_disasm_alloc(p, LEN(p), &o, &text), 0);
	cr_expect(strstr(text, "0001: if (A != write) goto 0003"), "%s", text);
	cr_expect(strstr(text, "0003: if (A == 1) goto 0004"), "%s", text);
	cr_expect(strncmp(text, ".arch x86_64", 12) == 0, "%s", text);
	free(text);
}

/* Fields the kernel ignores but that are not zero, and opcodes without a name, print raw. */
Test(bpf_disasm, raw_insn_form)
{
	static const struct sock_filter p[] = {
		{BPF_RET | BPF_K, 1, 0, SECCOMP_RET_ALLOW}, {BPF_RET | BPF_A, 0, 0, 5},
		{BPF_LD | BPF_B | BPF_ABS, 0, 0, 3},	    {0xffff, 255, 255, 0xffffffff},
		{BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1},	    {BPF_ALU | BPF_NEG, 0, 0, 1},
	};
	char *text = NULL;

	cr_assert_eq(sck_bpf_disasm_alloc(p, LEN(p), NULL, &text), 0);
	cr_expect(strstr(text, "0000: .insn 0x0006, 1, 0, 0x7fff0000\n"), "%s", text);
	cr_expect(strstr(text, "0001: .insn 0x0016, 0, 0, 0x00000005\n"), "%s", text);
	cr_expect(strstr(text, "0002: .insn 0x0030, 0, 0, 0x00000003\n"), "%s", text);
	cr_expect(strstr(text, "0003: .insn 0xffff, 255, 255, 0xffffffff\n"), "%s", text);
	cr_expect(strstr(text, "0004: .insn 0x001d, 0, 0, 0x00000001\n"), "%s", text);
	cr_expect(strstr(text, "0005: .insn 0x0084, 0, 0, 0x00000001\n"), "%s", text);
	free(text);
}

Test(bpf_disasm, actions)
{
	static const struct sock_filter p[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5000),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW | 7),
		BPF_STMT(BPF_RET | BPF_K, 0x00010000),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS | 2),
	};
	char *text = NULL;

	cr_assert_eq(sck_bpf_disasm_alloc(p, LEN(p), NULL, &text), 0);
	cr_expect(has_line(text, "0000: return ERRNO(0)"), "%s", text);
	cr_expect(strstr(text, "0001: return ERRNO(5000)") && strstr(text, "4095"), "%s", text);
	cr_expect(has_line(text, "0002: return ALLOW(7)"), "%s", text);
	cr_expect(strstr(text, "0003: return 0x00010000") && strstr(text, "unknown action"), "%s",
		  text);
	cr_expect(has_line(text, "0004: return KILL_PROCESS(2)"), "%s", text);
	free(text);
}

Test(bpf_disasm, dot_graph)
{
	char *dot = NULL;

	cr_assert_eq(sck_bpf_dot_alloc(prog_x86_64, LEN(prog_x86_64), NULL, &dot), 0);
	cr_expect(strncmp(dot, "digraph bpf {\n", 14) == 0, "%s", dot);
	cr_expect(strstr(dot, "fillcolor=palegreen"), "%s", dot);
	cr_expect(strstr(dot, "fillcolor=red"), "%s", dot);
	cr_expect(strstr(dot, "fillcolor=gold"), "%s", dot);
	cr_expect(strstr(dot, "fillcolor=orange"), "%s", dot);
	/* 0001 `if (A != x86_64) goto 0012`: the printed condition holds towards 12. */
	cr_expect(strstr(dot, "b0 -> b12 [label=\"true\"];"), "%s", dot);
	cr_expect(strstr(dot, "b0 -> b2 [label=\"false\"];"), "%s", dot);
	cr_expect(strstr(dot, "b2 -> b12 [label=\"true\"];"), "%s", dot);
	cr_expect(dot[strlen(dot) - 2] == '}', "%s", dot);
	free(dot);
}

Test(bpf_disasm, dot_out_of_range_targets)
{
	static const struct sock_filter p[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0),
		BPF_STMT(BPF_LD | BPF_IMM, 0),
	};
	char *dot = NULL;

	cr_assert_eq(sck_bpf_dot_alloc(p, LEN(p), NULL, &dot), 0);
	cr_expect(strstr(dot, "past the end"), "%s", dot);
	cr_expect(strstr(dot, "falls off the end"), "%s", dot);
	free(dot);
}

Test(bpf_disasm, errors)
{
	static const struct sock_filter one[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter *big = calloc(SCK_BPF_MAXINSNS + 1, sizeof(*big));
	char *text = (char *)0x1;
	struct {
		struct sck_bpf_disasm_opts o;
		char tail[8];
	} ext;

	cr_expect_eq(sck_bpf_disasm_alloc(NULL, 1, NULL, &text), -EINVAL);
	cr_expect_eq(sck_bpf_disasm_alloc(one, 0, NULL, &text), -EINVAL);
	cr_expect_eq(sck_bpf_disasm_alloc(one, 1, NULL, NULL), -EINVAL);
	cr_expect_eq(sck_bpf_disasm_alloc(big, SCK_BPF_MAXINSNS + 1, NULL, &text), -EINVAL);
	cr_expect_eq(sck_bpf_dot_alloc(NULL, 1, NULL, &text), -EINVAL);
	cr_expect_eq(sck_bpf_dot_alloc(big, SCK_BPF_MAXINSNS + 1, NULL, &text), -EINVAL);
	memset(&ext, 0, sizeof(ext));
	ext.o.sz = 2;
	cr_expect_eq(sck_bpf_disasm_alloc(one, 1, &ext.o, &text), -EINVAL);
	cr_expect_eq(sck_bpf_dot_alloc(one, 1, &ext.o, &text), -EINVAL);
	ext.o.sz = sizeof(ext);
	ext.tail[3] = 1;
	cr_expect_eq(sck_bpf_disasm_alloc(one, 1, &ext.o, &text), -E2BIG);
	cr_expect_eq(sck_bpf_dot_alloc(one, 1, &ext.o, &text), -E2BIG);
	cr_expect_eq(text, (char *)0x1, "out written on failure");
	/* A zero tail is fine: a newer caller with nothing set. */
	ext.tail[3] = 0;
	cr_expect_eq(sck_bpf_disasm_alloc(one, 1, &ext.o, &text), 0);
	free(text);
	/* The longest program is fine. */
	for (size_t i = 0; i < SCK_BPF_MAXINSNS; i++)
		big[i] = one[0];
	cr_expect_eq(sck_bpf_disasm_alloc(big, SCK_BPF_MAXINSNS, NULL, &text), 0);
	cr_expect(strstr(text, "4095: return ALLOW\n"));
	free(text);
	free(big);
}

/*
 * x32 shares x86_64's audit arch: the `A >= 0x40000000` branch names x32 numbers, qualified
 * (`x32:read`) so that they do not read as x86_64's; an x32 number compared outside that branch
 * is named as x32's too. The assembler reads both back.
 */
Test(bpf_disasm, x32_branch)
{
	const struct sck_arch *x32 = sck_arch_from_name("x32");
	int nr = sck_syscall_nr(x32, "read");
	struct sock_filter p[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 3), /* x86_64 read */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 1, 2),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	};
	char *text = NULL;
	struct sock_filter *q = NULL;
	size_t qlen = 0;

	cr_assert_geq(nr, 0x40000000);
	cr_assert_eq(sck_bpf_disasm_alloc(p, LEN(p), NULL, &text), 0);
	cr_expect(strstr(text, "0004: if (A == read) goto 0007 else goto 0008\n"), "%s", text);
	cr_expect(strstr(text, "0005: if (A == x32:read) goto 0007 else goto 0008\n"), "%s", text);
	cr_assert_eq(sck_bpf_asm_alloc(text, NULL, &q, &qlen, NULL), 0);
	cr_expect(qlen == LEN(p) && memcmp(q, p, sizeof(p)) == 0, "round trip");
	free(q);
	free(text);
}

/* An x32 number compared under x86_64 without the split reads as x32's, not as a bare number. */
Test(bpf_disasm, x32_number_outside_branch)
{
	const struct sck_arch *x32 = sck_arch_from_name("x32");
	int nr = sck_syscall_nr(x32, "rmdir");
	struct sock_filter p[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	SCK_OPTS(sck_bpf_asm_opts, o, .arch = sck_arch_from_name("aarch64"));
	struct sck_diag diag = {0};
	char *text = NULL;
	struct sock_filter *q = NULL;
	size_t qlen = 0;

	cr_assert_eq(nr, 0x40000054);
	cr_assert_eq(sck_bpf_disasm_alloc(p, LEN(p), NULL, &text), 0);
	cr_expect(strstr(text, "0003: if (A != x32:rmdir) goto 0005\n"), "%s", text);
	cr_assert_eq(sck_bpf_asm_alloc(text, NULL, &q, &qlen, NULL), 0);
	cr_expect(qlen == LEN(p) && memcmp(q, p, sizeof(p)) == 0, "round trip");
	free(q);
	free(text);
	/* a qualified name resolves on its arch whatever the text's arch */
	cr_assert_eq(sck_bpf_asm_alloc("A = nr\nif (A == x86:read) goto 3\nreturn ALLOW\n"
				       "return KILL_PROCESS\n",
				       &o, &q, &qlen, NULL),
		     0);
	cr_expect_eq(q[1].k, 3u);
	free(q);
	cr_expect_eq(sck_bpf_asm_alloc("A = nr\nif (A == vax:read) goto 2\nreturn ALLOW\n", NULL,
				       &q, &qlen, &diag),
		     -ENOENT);
	cr_expect(strstr(diag.msg, "unknown arch 'vax'"), "%s", diag.msg);
}
