// SPDX-License-Identifier: MIT
/*
 * Big-endian targets from the command line: `sck compile -a s390x|ppc64|mips64` writes the
 * big-endian file those kernels load (--byte-order for another), `sck emu` takes argument values
 * as numbers and agrees, for every boundary value of the rules, with the emulator run here on a
 * seccomp_data built byte by byte as a big-endian kernel stores it (--raw-args takes the words
 * as they sit), raw -> disasm -> asm -> raw keeps the byte order, the readers take either order,
 * and the errors: an unknown --byte-order, a file whose order cannot be told, arches of both
 * orders.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

/* 64-bit conditions whose two halves both matter, as OCI JSON */
static const char profile[] =
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
	"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
	"\"args\":[{\"index\":0,\"value\":38,\"op\":\"SCMP_CMP_EQ\"}]},"
	"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":2,"
	"\"args\":[{\"index\":2,\"value\":4294967296,\"op\":\"SCMP_CMP_GE\"}]},"
	"{\"names\":[\"mmap\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":3,"
	"\"args\":[{\"index\":2,\"value\":18446744069414584324,\"valueTwo\":4294967300,"
	"\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
	"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":4,"
	"\"args\":[{\"index\":0,\"value\":4294967295,\"op\":\"SCMP_CMP_NE\"}]}]}";

/* Per syscall of the profile: the argument its rule looks at and the values around it. */
static const struct {
	const char *name;
	unsigned int arg;
	uint64_t vals[8];
} cases[] = {
	{"socket", 0, {37, 38, 39, 0x2600000000ULL, 0x100000026ULL, 0xffffffff00000026ULL, 0, 1}},
	{"read",
	 2,
	 {0xffffffff, 0x100000000ULL, 0x100000001ULL, 1, 0, 0xffffffffffffffffULL, 0x80000000,
	  0x200000000ULL}},
	{"mmap",
	 2,
	 {0x100000004ULL, 0x100000000ULL, 4, 0x200000004ULL, 0x1ffffffffULL, 0x400000001ULL,
	  0x100000005ULL, 0xffffffff00000004ULL}},
	{"personality",
	 0,
	 {0xffffffff, 0xfffffffe, 0x1ffffffffULL, 0xffffffff00000000ULL, 0, 8, 0x100000000ULL,
	  0xffffffffffffffffULL}},
};

static const char *const be_arches[] = {"s390x", "ppc64", "mips64"};

static char dir[256];

static const char *file(const char *name, const char *content)
{
	static char path[8][512];
	static int k;
	char *p = path[k++ % 8];
	FILE *fp;

	if (!dir[0])
		snprintf(dir, sizeof(dir), "%s", sck_test_tmpdir());
	snprintf(p, 512, "%s/%s", dir, name);
	if (content) {
		fp = fopen(p, "w");
		cr_assert(fp);
		fputs(content, fp);
		fclose(fp);
	}
	return p;
}

static void put(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	cr_assert(fp);
	cr_assert_eq(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = malloc(65536);

	cr_assert(fp && buf, "%s", path);
	*len = fread(buf, 1, 65536, fp);
	fclose(fp);
	return buf;
}

static struct sck_test_cmd run(const char *const *argv)
{
	struct sck_test_cmd r;

	cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	return r;
}

/* Run and expect @status with @err_part in stderr (NULL: stderr empty). */
static void expect(const char *const *argv, int status, const char *err_part)
{
	struct sck_test_cmd r = run(argv);

	cr_expect_eq(r.status, status, "%s %s: status %d: %s", argv[0], argv[1], r.status, r.err);
	if (err_part)
		cr_expect(strstr(r.err, err_part), "%s %s: '%s' not in: %s", argv[0], argv[1],
			  err_part, r.err);
	else
		cr_expect_str_eq(r.err, "");
	sck_test_cmd_fini(&r);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The host-order program of a big-endian file's bytes. */
static struct sock_filter *decode_be(const unsigned char *b, size_t n)
{
	struct sock_filter *p = calloc(n / 8, sizeof(*p));

	cr_assert(p);
	for (size_t i = 0; i < n / 8; i++, b += 8) {
		p[i].code = (uint16_t)(b[0] << 8 | b[1]);
		p[i].jt = b[2];
		p[i].jf = b[3];
		p[i].k = be32(b + 4);
	}
	return p;
}

/*
 * seccomp_data of a big-endian kernel, byte by byte: nr, arch and each 64-bit field stored
 * big-endian; each 32-bit word is what that kernel's loads see, placed where this host's
 * emulator loads it.
 */
static struct seccomp_data be_data(int nr, uint32_t arch, unsigned int arg, uint64_t v)
{
	unsigned char img[64] = {0};
	struct seccomp_data d;

	for (int i = 0; i < 4; i++) {
		img[i] = (unsigned char)((uint32_t)nr >> (24 - 8 * i));
		img[4 + i] = (unsigned char)(arch >> (24 - 8 * i));
	}
	for (int i = 0; i < 8; i++)
		img[16 + 8 * arg + i] = (unsigned char)(v >> (56 - 8 * i));
	for (size_t off = 0; off < 64; off += 4) {
		uint32_t w = be32(img + off);
		memcpy((unsigned char *)&d + off, &w, 4);
	}
	return d;
}

static void compile_be(const char *arch, const char *out)
{
	const char *in = file("p.json", profile);

	expect((const char *const[]){"compile", "-a", arch, "-o", out, in, NULL}, 0, NULL);
}

Test(cli_byte_order, compile_writes_big_endian)
{
	for (size_t k = 0; k < sizeof(be_arches) / sizeof(be_arches[0]); k++) {
		const char *out = file("be.bpf", NULL), *host = file("host.bpf", NULL);
		const char *in = file("p.json", profile);
		unsigned char *b, *h;
		size_t n, hn;
		struct sock_filter *p;

		compile_be(be_arches[k], out);
		b = slurp(out, &n);
		cr_assert_gt(n, 16);
		cr_expect(b[0] == 0 && b[1] == 0x20, "%s: A = arch, big-endian", be_arches[k]);
		p = decode_be(b, n);
		cr_expect_eq(sck_bpf_check(p, n / 8, NULL), 0, "%s", be_arches[k]);
		cr_expect_eq(sck_bpf_arch_order(p, n / 8), SCK_BYTE_ORDER_BIG);
		/* --byte-order host / little: the same program, this host's order */
		expect((const char *const[]){"compile", "-a", be_arches[k], "--byte-order", "host",
					     "-o", host, in, NULL},
		       0, NULL);
		h = slurp(host, &hn);
		cr_assert_eq(hn, n);
		cr_expect_eq(memcmp(h, p, n), 0, "%s: host order", be_arches[k]);
		free(h);
		expect((const char *const[]){"compile", "-a", be_arches[k], "--byte-order",
					     "little", "-o", host, in, NULL},
		       0, NULL);
		h = slurp(host, &hn);
		cr_expect_eq(memcmp(h, p, n), 0);
		free(h);
		expect((const char *const[]){"compile", "-a", be_arches[k], "--byte-order", "big",
					     "-o", host, in, NULL},
		       0, NULL);
		h = slurp(host, &hn);
		cr_expect_eq(memcmp(h, b, n), 0);
		free(h);
		/* the readers take either order */
		expect((const char *const[]){"check", out, NULL}, 0, NULL);
		expect((const char *const[]){"check", host, NULL}, 0, NULL);
		free(p);
		free(b);
	}
	{
		/* -f c names the byte order it was compiled for */
		const char *in = file("p.json", profile);
		struct sck_test_cmd r =
			run((const char *const[]){"compile", "-a", "s390x", "-f", "c", in, NULL});
		cr_expect_eq(r.status, 0, "%s", r.err);
		cr_expect(strstr(r.out, "for s390x (big-endian byte order)"), "%s", r.out);
		sck_test_cmd_fini(&r);
	}
}

Test(cli_byte_order, emu_logical_args_on_big_endian)
{
	size_t checked = 0;

	for (size_t k = 0; k < sizeof(be_arches) / sizeof(be_arches[0]); k++) {
		const struct sck_arch *a = sck_arch_from_name(be_arches[k]);
		const char *out = file("emu.bpf", NULL);
		struct sck_bpf_emu *emu;
		struct sock_filter *p;
		unsigned char *b;
		size_t n;

		compile_be(a->name, out);
		b = slurp(out, &n);
		p = decode_be(b, n);
		cr_assert_eq(sck_bpf_emu_new(p, n / 8, &emu), 0);
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			int nr = sck_syscall_nr(a, cases[c].name);
			cr_assert_geq(nr, 0);
			for (size_t v = 0; v < 8; v++) {
				struct seccomp_data d =
					be_data(nr, a->audit_arch, cases[c].arg, cases[c].vals[v]);
				char want[64], val[24], got[80];
				const char *argv[12] = {"emu", "-a", a->name, out, cases[c].name};
				size_t ac = 5;
				struct sck_test_cmd r;

				cr_assert_geq(
					sck_action_format(sck_action_effective(
								  sck_bpf_emu_run(emu, &d, NULL)),
							  want, sizeof(want)),
					0);
				snprintf(val, sizeof(val), "%#llx",
					 (unsigned long long)cases[c].vals[v]);
				for (unsigned int i = 0; i < cases[c].arg; i++)
					argv[ac++] = "0";
				argv[ac++] = val;
				r = run(argv);
				cr_assert_eq(r.status, 0, "%s", r.err);
				snprintf(got, sizeof(got), "%.*s", (int)strcspn(r.out, "\n"),
					 r.out);
				cr_expect_str_eq(got, want, "%s %s arg%u=%s", a->name,
						 cases[c].name, cases[c].arg, val);
				sck_test_cmd_fini(&r);
				checked++;
			}
		}
		sck_bpf_emu_free(emu);
		free(p);
		free(b);
	}
	cr_expect_eq(checked, 3 * 4 * 8);
}

Test(cli_byte_order, emu_raw_args)
{
	const char *out = file("raw.bpf", NULL);
	struct sck_test_cmd r;

	compile_be("s390x", out);
	/* socket(38): ERRNO(1) as a number; as raw words, 38 in the word at +0 is the high half */
	r = run((const char *const[]){"emu", "-a", "s390x", out, "socket", "38", NULL});
	cr_expect_eq(strncmp(r.out, "ERRNO(1)\n", 9), 0, "%s", r.out);
	sck_test_cmd_fini(&r);
	r = run((const char *const[]){"emu", "-a", "s390x", "--raw-args", out, "socket", "38",
				      NULL});
	cr_expect_eq(strncmp(r.out, "ALLOW\n", 6), 0, "%s", r.out);
	sck_test_cmd_fini(&r);
	r = run((const char *const[]){"emu", "-a", "s390x", "--raw-args", out, "socket",
				      "0x2600000000", NULL});
	cr_expect_eq(strncmp(r.out, "ERRNO(1)\n", 9), 0, "%s", r.out);
	sck_test_cmd_fini(&r);
	/* the file in host order runs the same */
	{
		const char *host = file("rawh.bpf", NULL), *in = file("p.json", profile);
		expect((const char *const[]){"compile", "-a", "s390x", "--byte-order", "host", "-o",
					     host, in, NULL},
		       0, NULL);
		r = run((const char *const[]){"emu", "-a", "s390x", host, "socket", "38", NULL});
		cr_expect_eq(strncmp(r.out, "ERRNO(1)\n", 9), 0, "%s", r.out);
		sck_test_cmd_fini(&r);
	}
}

Test(cli_byte_order, round_trip_keeps_order)
{
	for (size_t k = 0; k < sizeof(be_arches) / sizeof(be_arches[0]); k++) {
		const char *f = file("rt.bpf", NULL), *txt = file("rt.txt", NULL);
		const char *g = file("rt2.bpf", NULL);
		unsigned char *b1, *b2;
		size_t n1, n2;

		compile_be(be_arches[k], f);
		b1 = slurp(f, &n1);
		/* without -a: the arch checks name the words and the order */
		expect((const char *const[]){"disasm", "-o", txt, f, NULL}, 0, NULL);
		expect((const char *const[]){"asm", "-o", g, txt, NULL}, 0, NULL);
		b2 = slurp(g, &n2);
		cr_expect(n1 == n2 && memcmp(b1, b2, n1) == 0, "%s: round trip", be_arches[k]);
		free(b2);
		/* with -a: an .arch line */
		expect((const char *const[]){"disasm", "-a", be_arches[k], "-o", txt, f, NULL}, 0,
		       NULL);
		expect((const char *const[]){"asm", "-o", g, txt, NULL}, 0, NULL);
		b2 = slurp(g, &n2);
		cr_expect(n1 == n2 && memcmp(b1, b2, n1) == 0, "%s: .arch round trip",
			  be_arches[k]);
		free(b2);
		/* asm --byte-order host: one swap away */
		expect((const char *const[]){"asm", "--byte-order", "host", "-o", g, txt, NULL}, 0,
		       NULL);
		b2 = slurp(g, &n2);
		cr_assert_eq(n1, n2);
		sck_bpf_swap((struct sock_filter *)(void *)b2, n2 / 8);
		cr_expect_eq(memcmp(b1, b2, n1), 0);
		free(b2);
		free(b1);
	}
}

Test(cli_byte_order, bad_input)
{
	static const unsigned char junk[16] = {0xff, 0x01, 0, 0, 0, 0, 0, 0,
					       0x01, 0xff, 0, 0, 0, 0, 0, 0};
	static const unsigned char zeros[8] = {0};
	const char *j = file("junk.bpf", NULL), *z = file("zeros.bpf", NULL);
	const char *in = file("p.json", profile), *out = file("never.bpf", NULL);
	const char *mixed = file("mixed.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
					       "\"architectures\":[\"SCMP_ARCH_X86_64\","
					       "\"SCMP_ARCH_PPC64\"]}");
	const char *ok = file("ok.bpf", NULL);
	struct stat st;

	put(j, junk, sizeof(junk));
	put(z, zeros, sizeof(zeros));
	compile_be("s390x", ok);
	for (const char *const *c = (const char *const[]){"check", "disasm", "asm", "compile",
							  "emu", "dump", NULL};
	     *c; c++)
		expect((const char *const[]){*c, "--byte-order", "middle", ok, "read", NULL}, 2,
		       "unknown byte order 'middle' (host, target, big or little)");
	/* a file whose order cannot be told */
	expect((const char *const[]){"check", j, NULL}, 2, "cannot tell the byte order");
	expect((const char *const[]){"disasm", j, NULL}, 2, "cannot tell the byte order");
	expect((const char *const[]){"emu", j, "read", NULL}, 2, "cannot tell the byte order");
	expect((const char *const[]){"emu", "--stack", j, ok, "read", NULL}, 2,
	       "junk.bpf: cannot tell the byte order");
	expect((const char *const[]){"check", z, NULL}, 2, "every instruction code is 0");
	/* ... unless told */
	expect((const char *const[]){"check", "--byte-order", "host", j, NULL}, 1, "instruction 0");
	expect((const char *const[]){"check", "-a", "s390x", j, NULL}, 1, "instruction 0");
	expect((const char *const[]){"check", "--byte-order", "big", z, NULL}, 1, "instruction 0");
	/* told wrong: the big-endian file read as little-endian is not a program */
	expect((const char *const[]){"check", "--byte-order", "little", ok, NULL}, 1,
	       "instruction 0");
	/* --byte-order is for raw output */
	expect((const char *const[]){"compile", "-f", "c", "--byte-order", "big", in, NULL}, 2,
	       "--byte-order is for -f raw");
	expect((const char *const[]){"dump", "--byte-order", "big", "1", NULL}, 2,
	       "--byte-order is for -f raw");
	/* arches of both orders */
	expect((const char *const[]){"compile", "-a", "x86_64", "-a", "s390x", "-o", out, in, NULL},
	       2, "-a s390x is big-endian, -a x86_64 is not: one program has one byte order");
	cr_expect_neq(stat(out, &st), 0);
	if (sck_arch_native() && sck_arch_native()->little_endian)
		expect((const char *const[]){"compile", "-o", out, mixed, NULL}, 2,
		       "architectures[1]: ppc64 is big-endian");
	cr_expect_neq(stat(out, &st), 0);
}
