// SPDX-License-Identifier: MIT
/*
 * The assembler: hand-written programs (labels, syscall, field and action names, numbers),
 * round trips asm(disasm(p)) == p on the golden programs, on random well-formed programs over
 * every arch and on random bytes, syntax errors with line and column, and every errno of
 * sck_bpf_asm_alloc.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"
#include "sck_test_bpf.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static int assemble(const char *text, const char *arch, struct sock_filter **p, size_t *len,
		    struct sck_diag *d)
{
	SCK_OPTS(sck_bpf_asm_opts, o, .arch = arch ? sck_arch_from_name(arch) : NULL);

	memset(d, 0, sizeof(*d));
	return sck_bpf_asm_alloc(text, &o, p, len, d);
}

Test(bpf_asm, hand_written)
{
	static const char text[] = "; an allow-list for x86_64\n"
				   "\tA = arch\n"
				   "\tif (A != 0xc000003e) goto kill\n"
				   "\tA = nr\n"
				   "\tif (A >= 0x40000000) goto kill\n"
				   "\tif (A == read) goto allow\n"
				   "\tif (A == openat) goto check else goto deny # comment\n"
				   "check:\tA = args[2] >> 32\n"
				   "\tif (!(A & 0xff)) goto allow\n"
				   "deny:\treturn ERRNO(13)\n"
				   "allow: return ALLOW\n"
				   "kill:\n"
				   "\treturn KILL_PROCESS\n";
	static const struct sock_filter want[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 8),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 6, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 257, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 36),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0xff, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 13),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_filter *p = NULL;
	struct sck_diag d;
	size_t len = 0;

	cr_assert_eq(assemble(text, NULL, &p, &len, &d), 0, "%u:%u: %s", d.line, d.col, d.msg);
	cr_assert_eq(len, LEN(want));
	for (size_t i = 0; i < len; i++)
		cr_expect(memcmp(&p[i], &want[i], sizeof(want[i])) == 0,
			  "insn %zu: %04x %u %u %08x", i, p[i].code, p[i].jt, p[i].jf, p[i].k);
	cr_assert_eq(sck_bpf_check(p, len, NULL), 0);
	free(p);
}

Test(bpf_asm, forms_and_numbers)
{
	static const char text[] = "A = -1\n"
				   "X = 0x10\n"
				   "A = 4294967295\n"
				   "A += -2\n"
				   "A %= 3\n"
				   "A <<= X\n"
				   "A = ip >> 32\n"
				   "A = data[61]\n"
				   "M[15] = X\n"
				   "X = M[15]\n"
				   "if (A < X) goto 0012\n"
				   "if (A <= 7) goto 0012 else goto 0013\n"
				   "return KILL\n"
				   "return TRACE(65535)\n"
				   "return 0x12345678\n"
				   "goto 0016\n"
				   "return A\n";
	struct sock_filter *p = NULL;
	struct sck_diag d;
	size_t len = 0;

	cr_assert_eq(assemble(text, "x86_64", &p, &len, &d), 0, "%u:%u: %s", d.line, d.col, d.msg);
	cr_assert_eq(len, 17);
	cr_expect_eq(p[0].code, BPF_LD | BPF_IMM);
	cr_expect_eq(p[0].k, 0xffffffffu);
	cr_expect_eq(p[1].code, BPF_LDX | BPF_IMM);
	cr_expect_eq(p[1].k, 16);
	cr_expect_eq(p[2].k, 0xffffffffu);
	cr_expect_eq(p[3].code, BPF_ALU | BPF_ADD | BPF_K);
	cr_expect_eq(p[3].k, 0xfffffffeu);
	cr_expect_eq(p[4].code, BPF_ALU | BPF_MOD | BPF_K);
	cr_expect_eq(p[5].code, BPF_ALU | BPF_LSH | BPF_X);
	cr_expect_eq(p[6].code, BPF_LD | BPF_W | BPF_ABS);
	cr_expect_eq(p[6].k, 12);
	cr_expect_eq(p[7].k, 61);
	cr_expect_eq(p[8].code, BPF_STX);
	cr_expect_eq(p[8].k, 15);
	cr_expect_eq(p[9].code, BPF_LDX | BPF_MEM);
	/* A < X is JGE with the branches swapped. */
	cr_expect_eq(p[10].code, BPF_JMP | BPF_JGE | BPF_X);
	cr_expect_eq(p[10].jt, 0);
	cr_expect_eq(p[10].jf, 1);
	cr_expect_eq(p[11].code, BPF_JMP | BPF_JGT | BPF_K);
	cr_expect_eq(p[11].jt, 1);
	cr_expect_eq(p[11].jf, 0);
	cr_expect_eq(p[12].k, SECCOMP_RET_KILL_THREAD);
	cr_expect_eq(p[13].k, SECCOMP_RET_TRACE | 65535);
	cr_expect_eq(p[14].k, 0x12345678u);
	cr_expect_eq(p[15].code, BPF_JMP | BPF_JA);
	cr_expect_eq(p[15].k, 0);
	cr_expect_eq(p[16].code, BPF_RET | BPF_A);
	free(p);
}

/* Syscall names resolve on the arch the path checked, then the .arch directive or opts. */
Test(bpf_asm, syscall_arch)
{
	static const char tracked[] = "A = arch\n"
				      "if (A != 0x40000003) goto 0004\n"
				      "A = nr\n"
				      "if (A == getpid) goto 0004\n"
				      "return ALLOW\n";
	struct sock_filter *p = NULL;
	struct sck_diag d;
	size_t len = 0;
	char *text;

	cr_assert_eq(assemble(tracked, NULL, &p, &len, &d), 0, "%u:%u: %s", d.line, d.col, d.msg);
	cr_expect_eq((int)p[3].k, sck_syscall_nr(sck_arch_from_name("x86"), "getpid"));
	free(p);
	cr_assert_eq(assemble("A = nr\nif (A == getpid) goto 2\nreturn ALLOW\n", "aarch64", &p,
			      &len, &d),
		     0, "%u:%u: %s", d.line, d.col, d.msg);
	cr_expect_eq((int)p[1].k, sck_syscall_nr(sck_arch_from_name("aarch64"), "getpid"));
	free(p);
	/* The directive wins over opts. */
	cr_assert_eq(assemble(".arch x86_64\nA = nr\nif (A == getpid) goto 2\nreturn ALLOW\n",
			      "aarch64", &p, &len, &d),
		     0, "%u:%u: %s", d.line, d.col, d.msg);
	cr_expect_eq(p[1].k, 39);
	free(p);
	/* Big-endian argument words. */
	cr_assert_eq(assemble("A = args[0]\nA = args[0] >> 32\nreturn A\n", "s390x", &p, &len, &d),
		     0);
	cr_expect_eq(p[0].k, 20);
	cr_expect_eq(p[1].k, 16);
	cr_assert_eq(sck_bpf_disasm_alloc(p, len, NULL, &text), 0);
	free(text);
	free(p);
}

static void expect_error(const char *text, int err, unsigned int line, unsigned int col,
			 const char *msg_part)
{
	struct sock_filter *p = (struct sock_filter *)0x1;
	size_t len = 77;
	struct sck_diag d;
	int rc = assemble(text, "x86_64", &p, &len, &d);

	cr_expect_eq(rc, err, "'%s': rc %d, want %d (%s)", text, rc, err, d.msg);
	cr_expect_eq(d.line, line, "'%s': line %u, want %u (%s)", text, d.line, line, d.msg);
	cr_expect_eq(d.col, col, "'%s': col %u, want %u (%s)", text, d.col, col, d.msg);
	cr_expect(strstr(d.msg, msg_part), "'%s': message '%s' lacks '%s'", text, d.msg, msg_part);
	cr_expect_eq(p, (struct sock_filter *)0x1);
	cr_expect_eq(len, 77);
}

Test(bpf_asm, syntax_errors)
{
	expect_error("A = nr\nif (A == ) goto 3\n", -EINVAL, 2, 10, "expected a number");
	expect_error("A = nr\n  B = 1\n", -EINVAL, 2, 3, "unknown instruction 'B'");
	expect_error("A = foo\n", -EINVAL, 1, 5, "cannot load 'foo'");
	expect_error("return ALLOW extra\n", -EINVAL, 1, 14, "unexpected 'extra'");
	expect_error("return NOPE\n", -EINVAL, 1, 8, "unknown action 'NOPE'");
	expect_error("return ERRNO(65536)\n", -EINVAL, 1, 14, "out of range");
	expect_error("A = 4294967296\n", -EINVAL, 1, 5, "32-bit");
	expect_error("A = 12ab\n", -EINVAL, 1, 5, "malformed number");
	expect_error("A = args[6]\n", -EINVAL, 1, 10, "argument index");
	expect_error("A = args[1] >> 16\n", -EINVAL, 1, 16, ">> 32");
	expect_error("A = nr @\n", -EINVAL, 1, 8, "unexpected character '@'");
	expect_error("0000: A = nr\n0002: return ALLOW\n", -EINVAL, 2, 1, "does not match");
	expect_error("x: A = nr\nx: return ALLOW\n", -EINVAL, 2, 1, "defined twice");
	expect_error(".foo 1\n", -EINVAL, 1, 1, "unknown directive");
	expect_error(".arch vax\nreturn ALLOW\n", -EINVAL, 1, 7, "unknown architecture");
	expect_error(".insn 0x10000, 0, 0, 0\n", -EINVAL, 1, 7, "opcode");
	expect_error(".insn 6, 256, 0, 0\n", -EINVAL, 1, 10, "jump offset");
	expect_error("if (A ~ 1) goto 1\n", -EINVAL, 1, 7, "unexpected character");
	expect_error("if (A =< 1) goto 1\n", -EINVAL, 1, 7, "expected a comparison");
	expect_error("return ALLOW\nif (A == 1) goto 0\n", -EINVAL, 2, 18, "backwards");
	expect_error("if (A == 1) goto far\n", -ENOENT, 1, 18, "unknown label 'far'");
	expect_error("", -EINVAL, 0, 0, "no instructions");
	expect_error("; only a comment\n\n", -EINVAL, 0, 0, "no instructions");
}

Test(bpf_asm, unknown_syscall)
{
	expect_error("A = nr\nif (A == no_such_call) goto 2\nreturn ALLOW\n", -ENOENT, 2, 10,
		     "unknown syscall 'no_such_call' on x86_64");
	/* Known elsewhere, absent on this arch. */
	expect_error(".arch aarch64\nA = nr\nif (A == open) goto 2\nreturn ALLOW\n", -ENOENT, 3, 10,
		     "unknown syscall 'open' on aarch64");
}

Test(bpf_asm, jump_too_far)
{
	size_t n = 300, cap = n * 16 + 64, off = 0;
	char *text = malloc(cap);

	off += (size_t)snprintf(text + off, cap - off, "if (A == 1) goto end\n");
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off, "A = 1\n");
	snprintf(text + off, cap - off, "end: return ALLOW\n");
	expect_error(text, -EINVAL, 1, 18, "too far");
	free(text);
}

Test(bpf_asm, too_long)
{
	size_t n = SCK_BPF_MAXINSNS + 1;
	char *text = malloc(n * 14 + 1);
	struct sock_filter *p;
	struct sck_diag d;
	size_t len;

	for (size_t i = 0; i < n; i++)
		memcpy(text + i * 13, "return ALLOW\n", 13);
	text[n * 13] = '\0';
	expect_error(text, -E2BIG, SCK_BPF_MAXINSNS + 1, 1, "more than 4096");
	/* Exactly the limit is fine. */
	text[(size_t)SCK_BPF_MAXINSNS * 13] = '\0';
	cr_expect_eq(assemble(text, NULL, &p, &len, &d), 0);
	cr_expect_eq(len, SCK_BPF_MAXINSNS);
	free(p);
	free(text);
}

Test(bpf_asm, bad_arguments)
{
	struct sock_filter *p;
	size_t len;
	struct {
		struct sck_bpf_asm_opts o;
		char tail[8];
	} ext;

	cr_expect_eq(sck_bpf_asm_alloc(NULL, NULL, &p, &len, NULL), -EINVAL);
	cr_expect_eq(sck_bpf_asm_alloc("return ALLOW", NULL, NULL, &len, NULL), -EINVAL);
	cr_expect_eq(sck_bpf_asm_alloc("return ALLOW", NULL, &p, NULL, NULL), -EINVAL);
	memset(&ext, 0, sizeof(ext));
	ext.o.sz = 1;
	cr_expect_eq(sck_bpf_asm_alloc("return ALLOW", &ext.o, &p, &len, NULL), -EINVAL);
	ext.o.sz = sizeof(ext);
	ext.tail[0] = 1;
	cr_expect_eq(sck_bpf_asm_alloc("return ALLOW", &ext.o, &p, &len, NULL), -E2BIG);
	/* No diag: errors still reported by the return code. */
	cr_expect_eq(sck_bpf_asm_alloc("bogus", NULL, &p, &len, NULL), -EINVAL);
	cr_assert_eq(sck_bpf_asm_alloc("return ALLOW", NULL, &p, &len, NULL), 0);
	cr_expect_eq(len, 1);
	free(p);
}

/* ---- Round trips --------------------------------------------------------------------------- */

static void round_trip(const struct sock_filter *p, size_t len, const struct sck_arch *arch,
		       uint64_t seed)
{
	SCK_OPTS(sck_bpf_disasm_opts, o, .arch = arch);
	struct sock_filter *q = NULL;
	struct sck_diag d;
	char *text = NULL;
	size_t qlen = 0;
	int rc;

	cr_assert_eq(sck_bpf_disasm_alloc(p, len, &o, &text), 0);
	memset(&d, 0, sizeof(d));
	rc = sck_bpf_asm_alloc(text, NULL, &q, &qlen, &d);
	cr_assert_eq(rc, 0, "seed %llu: asm failed %d at %u:%u: %s\n%s", (unsigned long long)seed,
		     rc, d.line, d.col, d.msg, text);
	cr_assert_eq(qlen, len, "seed %llu", (unsigned long long)seed);
	for (size_t i = 0; i < len; i++)
		cr_assert(memcmp(&p[i], &q[i], sizeof(*p)) == 0,
			  "seed %llu: insn %zu %04x %u %u %08x became %04x %u %u %08x\n%s",
			  (unsigned long long)seed, i, p[i].code, p[i].jt, p[i].jf, p[i].k,
			  q[i].code, q[i].jt, q[i].jf, q[i].k, text);
	free(q);
	free(text);
}

Test(bpf_asm, round_trip_random_bytes)
{
	uint64_t seed = sck_test_seed("bpf_asm/round_trip_random_bytes"), s = seed;
	struct sock_filter p[64];

	for (int n = 0; n < 3000; n++) {
		size_t len = 1 + sck_test_rand(&s) % 64;

		for (size_t i = 0; i < len; i++) {
			uint64_t r = sck_test_rand(&s);

			p[i].code = (uint16_t)r;
			/* Bias towards real opcodes so named forms get exercised too. */
			if (r & (1ull << 63))
				p[i].code &= 0xff;
			p[i].jt = (uint8_t)(r >> 16);
			p[i].jf = (uint8_t)(r >> 24);
			p[i].k = (uint32_t)(r >> 32);
			if (r & (1ull << 62))
				p[i].jt = p[i].jf = 0;
			if (r & (1ull << 61))
				p[i].k &= 0x3f;
		}
		round_trip(p, len, NULL, seed);
	}
}

/* Random programs made of named forms: arch checks of every arch, nr compares with real
 * numbers, field loads of every word, every ALU and jump, every action. */
static void random_program(uint64_t *s, struct sock_filter *p, size_t len)
{
	static const uint16_t alu[] = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND,
				       BPF_LSH, BPF_RSH, BPF_MOD, BPF_XOR, BPF_NEG};
	static const uint16_t jmp[] = {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET};
	static const uint32_t acts[] = {SECCOMP_RET_ALLOW,	 SECCOMP_RET_LOG,
					SECCOMP_RET_ERRNO,	 SECCOMP_RET_TRACE,
					SECCOMP_RET_USER_NOTIF,	 SECCOMP_RET_TRAP,
					SECCOMP_RET_KILL_THREAD, SECCOMP_RET_KILL_PROCESS};

	for (size_t i = 0; i < len; i++) {
		uint64_t r = sck_test_rand(s);
		uint32_t k = (uint32_t)(r >> 32);
		size_t left = len - i - 1;
		uint8_t jt = left ? (uint8_t)(r % (left < 256 ? left : 256)) : 0;
		uint8_t jf = left ? (uint8_t)((r >> 8) % (left < 256 ? left : 256)) : 0;

		switch ((r >> 16) % 10) {
		case 0: /* arch load and compare with a known audit arch */
			p[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4);
			if (left) {
				const struct sck_arch *a = sck_arch_at(k % sck_arch_count());

				i++;
				left--;
				jt = left ? (uint8_t)(jt % (left < 256 ? left : 256)) : 0;
				jf = left ? (uint8_t)(jf % (left < 256 ? left : 256)) : 0;
				p[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
								    a->audit_arch, jt, jf);
			}
			break;
		case 1:
		case 2: { /* nr compare with a real number of some arch */
			const struct sck_arch *a = sck_arch_at((r >> 40) % sck_arch_count());
			size_t n = sck_syscall_count(a);
			const struct sck_syscall *sc = n ? sck_syscall_at(a, k % n) : NULL;

			p[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
			if (left) {
				i++;
				left--;
				jt = left ? (uint8_t)(jt % (left < 256 ? left : 256)) : 0;
				jf = left ? (uint8_t)(jf % (left < 256 ? left : 256)) : 0;
				p[i] = (struct sock_filter)BPF_JUMP(
					BPF_JMP | jmp[(r >> 56) % 4] | BPF_K,
					sc ? (uint32_t)sc->nr : k % 500, jt, jf);
			}
			break;
		}
		case 3: /* any seccomp_data word, aligned or not */
			p[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
							    (r >> 40) & 1 ? k % 64 : (k % 16) * 4);
			break;
		case 4: {
			uint16_t op = alu[(r >> 40) % LEN(alu)];
			bool x = op != BPF_NEG && ((r >> 48) & 1);

			p[i] = (struct sock_filter)BPF_STMT(BPF_ALU | op | (x ? BPF_X : BPF_K),
							    op == BPF_NEG || x ? 0 : k);
			break;
		}
		case 5: {
			bool x = (r >> 48) & 1;

			p[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | jmp[(r >> 40) % 4] |
								    (x ? BPF_X : BPF_K),
							    x ? 0 : k, jt, jf);
			break;
		}
		case 6:
			p[i] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, left ? k % left : 0);
			break;
		case 7: {
			static const uint16_t codes[] = {BPF_LD | BPF_IMM,
							 BPF_LDX | BPF_IMM,
							 BPF_LD | BPF_MEM,
							 BPF_LDX | BPF_MEM,
							 BPF_ST,
							 BPF_STX,
							 BPF_LD | BPF_W | BPF_LEN,
							 BPF_LDX | BPF_W | BPF_LEN,
							 BPF_MISC | BPF_TAX,
							 BPF_MISC | BPF_TXA};
			uint16_t c = codes[(r >> 40) % LEN(codes)];
			bool nok = c == (BPF_LD | BPF_W | BPF_LEN) ||
				   c == (BPF_LDX | BPF_W | BPF_LEN) || BPF_CLASS(c) == BPF_MISC;

			p[i] = (struct sock_filter)BPF_STMT(c, nok ? 0 : (k & 1 ? k % 16 : k));
			break;
		}
		case 8:
			p[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
			break;
		default:
			p[i] = (struct sock_filter)BPF_STMT(
				BPF_RET | BPF_K,
				(r >> 40) & 1 ? k : acts[(r >> 41) % LEN(acts)] | (k & 0x1fff));
			break;
		}
	}
}

Test(bpf_asm, round_trip_random_programs)
{
	uint64_t seed = sck_test_seed("bpf_asm/round_trip_random_programs"), s = seed;
	struct sock_filter p[300];

	for (int n = 0; n < 2000; n++) {
		size_t len = 1 + sck_test_rand(&s) % (n % 10 == 0 ? 300 : 40);
		const struct sck_arch *arch = NULL;

		random_program(&s, p, len);
		if (n % 3 == 0)
			arch = sck_arch_at(sck_test_rand(&s) % sck_arch_count());
		round_trip(p, len, arch, seed);
	}
}

/* Programs the validator accepts, built by the builder with trampolines. */
Test(bpf_asm, round_trip_builder_programs)
{
	struct sck_bpf_builder *b = NULL;
	struct sock_filter *p = NULL;
	size_t len = 0;
	int allow, kill;

	cr_assert_eq(sck_bpf_builder_new(&b), 0);
	allow = sck_bpf_label(b, "allow");
	kill = sck_bpf_label(b, "kill");
	sck_bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, 4);
	sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, SCK_BPF_NEXT, kill);
	sck_bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, 0);
	for (int i = 0; i < 400; i++)
		sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)i, allow, SCK_BPF_NEXT);
	sck_bpf_bind(b, kill);
	sck_bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	sck_bpf_bind(b, allow);
	sck_bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	cr_assert_eq(sck_bpf_builder_finish_alloc(b, &p, &len), 0);
	cr_assert_eq(sck_bpf_check(p, len, NULL), 0);
	round_trip(p, len, NULL, 0);
	free(p);
	sck_bpf_builder_free(b);
}

/* Mutated disassembly and random text: the assembler answers (0 or -errno), never crashes, and
 * fills diag with a position inside the text. */
Test(bpf_asm, mutated_text)
{
	static const char alphabet[] = "AXM[]()=!<>&|^+-*/%:;#.,0123456789abcdefx \t\nifgotoreturn";
	uint64_t seed = sck_test_seed("bpf_asm/mutated_text"), s = seed;
	struct sock_filter p[32];

	for (int n = 0; n < 3000; n++) {
		size_t len = 1 + sck_test_rand(&s) % 32, tlen;
		struct sock_filter *q = NULL;
		struct sck_diag d;
		char *text = NULL;
		size_t qlen;
		int rc;

		for (size_t i = 0; i < len; i++) {
			uint64_t r = sck_test_rand(&s);

			p[i] = (struct sock_filter){(uint16_t)(r & 0xff), (uint8_t)(r >> 8) & 3,
						    (uint8_t)(r >> 16) & 3, (uint32_t)(r >> 32)};
		}
		cr_assert_eq(sck_bpf_disasm_alloc(p, len, NULL, &text), 0);
		tlen = strlen(text);
		for (int m = 0; m < 4; m++) {
			uint64_t r = sck_test_rand(&s);

			text[r % tlen] = alphabet[(r >> 32) % (sizeof(alphabet) - 1)];
		}
		memset(&d, 0, sizeof(d));
		rc = sck_bpf_asm_alloc(text, NULL, &q, &qlen, &d);
		if (rc == 0) {
			cr_expect(qlen >= 1 && qlen <= SCK_BPF_MAXINSNS);
			free(q);
		} else {
			cr_expect(rc == -EINVAL || rc == -ENOENT || rc == -E2BIG,
				  "seed %llu: rc %d", (unsigned long long)seed, rc);
			cr_expect(d.msg[0] != '\0', "seed %llu: no message",
				  (unsigned long long)seed);
		}
		free(text);
	}
}

/* The very programs the differential tests offer the kernel: generated, then mutated. */
Test(bpf_asm, round_trip_diff_programs)
{
	uint64_t seed = sck_test_seed("bpf_asm/round_trip_diff_programs"), s = seed;
	struct sock_filter p[512];

	for (int n = 0; n < 1000; n++) {
		struct seccomp_data d;
		unsigned int site = 1;
		size_t len;

		sck_test_bpf_data(&s, &d);
		len = sck_test_bpf_gen(&s, &d, 1 + sck_test_rand(&s) % 200, &site, p, LEN(p));
		round_trip(p, len, NULL, seed);
		len = sck_test_bpf_mutate(&s, p, len, LEN(p));
		if (len > 0)
			round_trip(p, len, NULL, seed);
	}
}

/* `make stress`: a million round trips, half random bytes, half well-formed programs. */
Test(stress_bpf_asm, round_trip)
{
	uint64_t seed, s;
	struct sock_filter p[300];
	const struct sck_arch *arch;

	if (!getenv("SCK_STRESS"))
		cr_skip_test("set SCK_STRESS=1 (make stress) for a million round trips");
	seed = sck_test_seed("stress_bpf_asm/round_trip");
	s = seed;
	for (long n = 0; n < 1000000; n++) {
		size_t len = 1 + sck_test_rand(&s) % (n % 10 == 0 ? 300 : 40);

		if (n & 1) {
			for (size_t i = 0; i < len; i++) {
				uint64_t r = sck_test_rand(&s);

				p[i] = (struct sock_filter){(uint16_t)(r & 0x1ff),
							    (uint8_t)(r >> 16), (uint8_t)(r >> 24),
							    (uint32_t)(r >> 32)};
			}
		} else {
			random_program(&s, p, len);
		}
		arch = n % 3 == 0 ? sck_arch_at(sck_test_rand(&s) % sck_arch_count()) : NULL;
		round_trip(p, len, arch, seed);
	}
	fprintf(stderr, "stress_bpf_asm/round_trip: 1000000 programs, 0 mismatches\n");
}
