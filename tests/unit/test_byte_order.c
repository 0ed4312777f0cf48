// SPDX-License-Identifier: MIT
/*
 * Big-endian targets from this host: a rule set compiled for s390x, ppc64 and mips64 is exported
 * in their byte order (decoded here byte by byte as a big-endian machine reads it, it is the
 * program word for word), and the program, fed a seccomp_data built byte by byte as a big-endian
 * kernel stores it, returns what the specification (the oracle) says for every boundary value of
 * the rules; sck_bpf_data_set_arg builds that same layout. Also sck_bpf_swap,
 * sck_bpf_arch_order, the C export's byte-order note, and arch sets of both byte orders
 * (refused by the filter and the profile reader unless asked for).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck_test.h"
#include "test_filter_oracle.h"

#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))
#define MAXV 256

static const struct sck_arch *A(const char *name)
{
	const struct sck_arch *a = sck_arch_from_name(name);

	cr_assert(a, "arch %s", name);
	return a;
}

static const char *const be_arches[] = {"s390x", "ppc64", "mips64"};

/* Conditions on full 64-bit values, both halves mattering, every operator. */
static void rules(struct orc_spec *s)
{
	static const struct orc_rule r[] = {
		{.name = "personality",
		 .action = ERRNO(2),
		 .conds = {{.arg = 0, .op = SCK_CMP_NE, .value = 0xffffffffULL}},
		 .nconds = 1},
		{.name = "socket",
		 .action = ERRNO(3),
		 .conds = {{.arg = 0, .op = SCK_CMP_EQ, .value = 38}},
		 .nconds = 1},
		{.name = "read",
		 .action = ERRNO(4),
		 .conds = {{.arg = 2, .op = SCK_CMP_GE, .value = 0x100000000ULL}},
		 .nconds = 1},
		{.name = "write",
		 .action = ERRNO(5),
		 .conds = {{.arg = 0, .op = SCK_CMP_GT, .value = 0x200000005ULL},
			   {.arg = 2, .op = SCK_CMP_LT, .value = 0x80000001ULL}},
		 .nconds = 2},
		{.name = "mmap",
		 .action = ERRNO(6),
		 .conds = {{.arg = 2,
			    .op = SCK_CMP_MASKED_EQ,
			    .mask = 0xffffffff00000004ULL,
			    .value = 0x100000004ULL}},
		 .nconds = 1},
		{.name = "ioctl",
		 .action = ERRNO(7),
		 .conds = {{.arg = 1, .op = SCK_CMP_EQ, .flags = SCK_COND_LOW32, .value = 0x5401}},
		 .nconds = 1},
		{.name = "lseek",
		 .action = ERRNO(8),
		 .conds = {{.arg = 1, .op = SCK_CMP_LE, .value = 0xfffffffeffffffffULL}},
		 .nconds = 1},
		{.name = "getpid", .action = SECCOMP_RET_ALLOW},
	};

	memcpy(s->rules, r, sizeof(r));
	s->nrules = sizeof(r) / sizeof(r[0]);
}

/* The values around every condition's value and mask, and the usual suspects. */
static size_t boundaries(const struct orc_spec *s, uint64_t *out)
{
	static const uint64_t base[] = {0, 1, 0xffffffff, 0x100000000ULL, 0xffffffffffffffffULL};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		out[n++] = base[i];
	for (size_t r = 0; r < s->nrules; r++) {
		for (size_t c = 0; c < s->rules[r].nconds; c++) {
			uint64_t v = s->rules[r].conds[c].value, m = s->rules[r].conds[c].mask;
			uint64_t cand[] = {v - 1,   v, v + 1, v ^ (1ULL << 32), v & 0xffffffffU,
					   v >> 32, m, ~m,    v << 32 | v >> 32};
			for (size_t k = 0; k < sizeof(cand) / sizeof(cand[0]) && n < MAXV; k++)
				out[n++] = cand[k];
		}
	}
	return n;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (24 - 8 * i));
}

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * What a big-endian kernel's 32-bit loads see in @d (logical values): its bytes as that kernel
 * stores them (every field big-endian), each word then read as a big-endian number and put at
 * its offset of a host seccomp_data, where the emulator loads it.
 */
static struct seccomp_data be_layout(const struct seccomp_data *d)
{
	unsigned char img[64];
	struct seccomp_data out;

	put_be32(img, (uint32_t)d->nr);
	put_be32(img + 4, d->arch);
	put_be32(img + 8, (uint32_t)(d->instruction_pointer >> 32));
	put_be32(img + 12, (uint32_t)d->instruction_pointer);
	for (int i = 0; i < 6; i++) {
		put_be32(img + 16 + 8 * i, (uint32_t)(d->args[i] >> 32));
		put_be32(img + 20 + 8 * i, (uint32_t)d->args[i]);
	}
	for (size_t off = 0; off < sizeof(img); off += 4) {
		uint32_t w = get_be32(img + off);
		memcpy((unsigned char *)&out + off, &w, 4);
	}
	return out;
}

/* A program as a big-endian machine reads @len instructions from @bytes. */
static void decode_be(const unsigned char *bytes, size_t len, struct sock_filter *out)
{
	for (size_t i = 0; i < len; i++) {
		const unsigned char *b = bytes + 8 * i;
		out[i].code = (uint16_t)(b[0] << 8 | b[1]);
		out[i].jt = b[2];
		out[i].jf = b[3];
		out[i].k = get_be32(b + 4);
	}
}

static void compile(const struct orc_spec *s, struct sck_filter_prog **p)
{
	struct sck_filter *f;

	cr_assert_eq(orc_build(s, &f), 0);
	cr_assert_eq(sck_filter_compile(f, NULL, p), 0);
	sck_filter_free(f);
}

Test(byte_order, big_endian_targets_word_for_word)
{
	for (size_t k = 0; k < sizeof(be_arches) / sizeof(be_arches[0]); k++) {
		for (unsigned int flags = 0; flags <= SCK_FILTER_OCI; flags += SCK_FILTER_OCI) {
			struct orc_spec s = {.def = SECCOMP_RET_ALLOW,
					     .bad = SECCOMP_RET_KILL_PROCESS,
					     .flags = flags,
					     .narch = 1};
			const struct sck_arch *a = A(be_arches[k]);
			struct sck_filter_prog *p;
			const struct sock_filter *insns;
			struct sock_filter *be;
			struct sck_bpf_emu *emu;
			uint64_t vals[MAXV];
			size_t len, n, blen, checked = 0;
			char *raw;

			s.arches[0] = a;
			rules(&s);
			orc_prepare(&s);
			compile(&s, &p);
			insns = sck_filter_prog_insns(p, &len);
			cr_assert_eq(sck_bpf_arch_order(insns, len), SCK_BYTE_ORDER_BIG, "%s",
				     a->name);
			/* the export is the program word for word, read big-endian */
			cr_assert_eq(
				sck_filter_prog_export_alloc(p, SCK_FORMAT_RAW_TARGET, &raw, &blen),
				0);
			cr_assert_eq(blen, len * 8);
			be = calloc(len, sizeof(*be));
			cr_assert_not_null(be);
			decode_be((const unsigned char *)raw, len, be);
			for (size_t i = 0; i < len; i++)
				cr_assert(be[i].code == insns[i].code && be[i].jt == insns[i].jt &&
						  be[i].jf == insns[i].jf && be[i].k == insns[i].k,
					  "%s: instruction %zu", a->name, i);
			free(raw);
			/* SCK_FORMAT_RAW stays host order, one swap from the target's */
			cr_assert_eq(sck_filter_prog_export_alloc(p, SCK_FORMAT_RAW, &raw, &blen),
				     0);
			cr_assert_eq(memcmp(raw, insns, blen), 0);
			sck_bpf_swap((struct sock_filter *)(void *)raw, len);
			decode_be((const unsigned char *)raw, len, be);
			cr_assert_eq(memcmp(be, insns, blen), 0);
			free(raw);

			/* the decoded program on the big-endian layout == the oracle */
			cr_assert_eq(sck_bpf_emu_new(be, len, &emu), 0);
			n = boundaries(&s, vals);
			for (size_t r = 0; r < s.nrules; r++) {
				int nr = sck_syscall_nr(a, s.rules[r].name);
				if (nr < 0)
					continue;
				for (unsigned int arg = 0; arg < 3; arg++) {
					for (size_t v = 0; v < n; v++) {
						struct seccomp_data d = {.nr = nr,
									 .arch = a->audit_arch},
								    kd, sd = {0};
						uint32_t want, got;
						d.args[arg] = vals[v];
						d.args[(arg + 2) % 3] = vals[(v * 7) % n];
						d.instruction_pointer = vals[(v * 3) % n];
						want = orc_eval(&s, &d);
						kd = be_layout(&d);
						got = sck_bpf_emu_run(emu, &kd, NULL);
						cr_assert_eq(
							got, want,
							"%s flags %u %s arg%u=%#llx: %#x, want "
							"%#x",
							a->name, flags, s.rules[r].name, arg,
							(unsigned long long)vals[v], got, want);
						/* the library lays out the same words */
						sd.nr = nr;
						sd.arch = a->audit_arch;
						cr_assert_eq(sck_bpf_data_set_ip(
								     &sd, a, d.instruction_pointer),
							     0);
						for (unsigned int i = 0; i < 6; i++)
							cr_assert_eq(sck_bpf_data_set_arg(
									     &sd, a, i, d.args[i]),
								     0);
						cr_assert_eq(memcmp(&sd, &kd, sizeof(sd)), 0);
						checked++;
					}
				}
			}
			cr_assert_gt(checked, 500);
			sck_bpf_emu_free(emu);
			free(be);
			sck_filter_prog_free(p);
		}
	}
}

Test(byte_order, data_set_arg)
{
	struct seccomp_data d = {0};
	const struct sck_arch *le = A("x86_64"), *be = A("s390x");
	uint32_t w[2];

	cr_expect_eq(sck_bpf_data_set_arg(NULL, le, 0, 1), -EINVAL);
	cr_expect_eq(sck_bpf_data_set_arg(&d, NULL, 0, 1), -EINVAL);
	cr_expect_eq(sck_bpf_data_set_arg(&d, le, 6, 1), -EINVAL);
	cr_expect_eq(sck_bpf_data_set_ip(NULL, le, 1), -EINVAL);
	cr_expect_eq(sck_bpf_data_set_ip(&d, NULL, 1), -EINVAL);
	/* the word at the field's offset +0: the low half on little-endian, the high on big */
	cr_assert_eq(sck_bpf_data_set_arg(&d, le, 5, 0x1122334455667788ULL), 0);
	memcpy(w, &d.args[5], 8);
	cr_expect_eq(w[0], 0x55667788u);
	cr_expect_eq(w[1], 0x11223344u);
	cr_assert_eq(sck_bpf_data_set_arg(&d, be, 5, 0x1122334455667788ULL), 0);
	memcpy(w, &d.args[5], 8);
	cr_expect_eq(w[0], 0x11223344u);
	cr_expect_eq(w[1], 0x55667788u);
	cr_assert_eq(sck_bpf_data_set_ip(&d, be, 0x26ULL), 0);
	memcpy(w, &d.instruction_pointer, 8);
	cr_expect_eq(w[0], 0u);
	cr_expect_eq(w[1], 0x26u);
	cr_expect_eq(d.args[0], 0); /* nothing else written */
}

Test(byte_order, swap)
{
	struct sock_filter p[] = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x11223344, 5, 6),
				  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter q[2];

	memcpy(q, p, sizeof(p));
	sck_bpf_swap(q, 2);
	cr_expect_eq(q[0].code, 0x1500);
	cr_expect_eq(q[0].jt, 5);
	cr_expect_eq(q[0].jf, 6);
	cr_expect_eq(q[0].k, 0x44332211u);
	cr_expect_eq(q[1].k, 0x0000ff7fu);
	sck_bpf_swap(q, 2);
	cr_expect_eq(memcmp(p, q, sizeof(p)), 0);
	sck_bpf_swap(NULL, 3); /* no-op */
	sck_bpf_swap(q, 0);
	cr_expect_eq(memcmp(p, q, sizeof(p)), 0);
}

Test(byte_order, arch_order)
{
	static const struct sock_filter noarch[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 22, 0, 1), /* s390's audit arch, on nr */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	static const struct sock_filter s390[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_S390, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct orc_spec s = {.def = ERRNO(1), .bad = SECCOMP_RET_KILL_PROCESS, .narch = 2};
	struct sck_filter_prog *p;
	const struct sock_filter *insns;
	size_t len;

	cr_expect_eq(sck_bpf_arch_order(NULL, 1), -EINVAL);
	cr_expect_eq(sck_bpf_arch_order(noarch, 0), -EINVAL);
	cr_expect_eq(sck_bpf_arch_order(noarch, SCK_BPF_MAXINSNS + 1), -EINVAL);
	cr_expect_eq(sck_bpf_arch_order(noarch, 4), -ENOENT);
	cr_expect_eq(sck_bpf_arch_order(s390, 4), SCK_BYTE_ORDER_BIG);

	rules(&s);
	s.arches[0] = A("x86_64");
	s.arches[1] = A("x32");
	compile(&s, &p);
	insns = sck_filter_prog_insns(p, &len);
	cr_expect_eq(sck_bpf_arch_order(insns, len), SCK_BYTE_ORDER_LITTLE);
	sck_filter_prog_free(p);
	s.arches[1] = A("s390x"); /* orc_build opts in to mixed orders */
	compile(&s, &p);
	insns = sck_filter_prog_insns(p, &len);
	cr_expect_eq(sck_bpf_arch_order(insns, len), -EDOM);
	sck_filter_prog_free(p);
}

static char *export_str(const struct sck_filter_prog *p, enum sck_filter_format fmt, size_t *len)
{
	char *out = NULL;

	cr_assert_eq(sck_filter_prog_export_alloc(p, fmt, &out, len), 0);
	return out;
}

Test(byte_order, mixed_orders_refused)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ALLOW);
	SCK_OPTS(sck_filter_opts, om, .default_action = SECCOMP_RET_ALLOW,
		 .flags = SCK_FILTER_MIXED_ENDIAN);
	struct sck_filter *f;
	struct sck_filter_prog *p;
	const struct sock_filter *insns;
	size_t len, n;
	char *out;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_expect_eq(sck_filter_add_arch(f, A("x86_64")), 0);
	cr_expect_eq(sck_filter_add_arch(f, A("s390x")), -EDOM);
	cr_expect_eq(sck_filter_add_arch(f, A("ppc64")), -EDOM);
	cr_expect_eq(sck_filter_add_arch(f, A("i386")), 0);
	sck_filter_free(f);
	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_expect_eq(sck_filter_add_arch(f, A("s390x")), 0);
	cr_expect_eq(sck_filter_add_arch(f, A("s390")), 0);
	cr_expect_eq(sck_filter_add_arch(f, A("aarch64")), -EDOM);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	out = export_str(p, SCK_FORMAT_C, &n);
	cr_expect(strstr(out, "for s390x, s390 (big-endian byte order)"), "%s", out);
	free(out);
	sck_filter_prog_free(p);
	sck_filter_free(f);

	/* asked for: both orders in one filter, exported in the host's order */
	cr_assert_eq(sck_filter_new(&om, &f), 0);
	cr_expect_eq(sck_filter_add_arch(f, A("x86_64")), 0);
	cr_expect_eq(sck_filter_add_arch(f, A("s390x")), 0);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	insns = sck_filter_prog_insns(p, &len);
	out = export_str(p, SCK_FORMAT_RAW_TARGET, &n);
	cr_expect_eq(n, len * 8);
	cr_expect_eq(memcmp(out, insns, n), 0);
	free(out);
	out = export_str(p, SCK_FORMAT_C, &n);
	cr_expect(strstr(out, "for x86_64, s390x (mixed byte order)"), "%s", out);
	free(out);
	sck_filter_prog_free(p);
	sck_filter_free(f);

	/* a little-endian target is this host's order */
	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_expect_eq(sck_filter_add_arch(f, A("aarch64")), 0);
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	insns = sck_filter_prog_insns(p, &len);
	out = export_str(p, SCK_FORMAT_RAW_TARGET, &n);
	cr_expect_eq(memcmp(out, insns, n), __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : 1);
	free(out);
	out = export_str(p, SCK_FORMAT_C, &n);
	cr_expect(strstr(out, "for aarch64 (little-endian byte order)"), "%s", out);
	free(out);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

static int parse(const char *json, const struct sck_profile_opts *o, struct sck_diag *d)
{
	struct sck_filter *f = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = sck_profile_parse(json, strlen(json), o, &f, NULL, d);
	sck_filter_free(f);
	return rc;
}

Test(byte_order, profile_arches)
{
	static const char mixed[] = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":["
				    "\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_S390X\"]}";
	static const char map[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":"
		"\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},"
		"{\"architecture\":\"SCMP_ARCH_S390X\",\"subArchitectures\":[\"SCMP_ARCH_S390\"]},"
		"{\"architecture\":\"SCMP_ARCH_PPC64LE\"}],\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}";
	const struct sck_arch *s390x[] = {A("s390x"), A("s390")};
	const struct sck_arch *both[] = {A("s390x"), A("x86_64")};
	struct sck_diag d;
	char want[96];

	if (!sck_arch_native() || !sck_arch_native()->little_endian)
		cr_skip("written for a little-endian host");
	/* `architectures` of both orders: runc (libseccomp) refuses it, so do we */
	cr_expect_eq(parse(mixed, NULL, &d), -EDOM);
	cr_expect_eq(strncmp(d.msg, "architectures[1]: s390x is big-endian", 37), 0, "%s", d.msg);
	/* archMap: only this host's entry is kept, whatever the other entries' order */
	cr_expect_eq(parse(map, NULL, &d), 0, "%s", d.msg);
	{
		/* the s390x entry, for a build of s390x filters */
		SCK_OPTS(sck_profile_opts, o, .arches = s390x, .narches = 2);
		cr_expect_eq(parse(map, &o, &d), 0, "%s", d.msg);
	}
	{
		/* Docker on s390x: main arch s390x, but this host's native arch joins as runc's
		 * does: two orders */
		SCK_OPTS(sck_profile_opts, o, .main_arch = s390x[0]);
		cr_expect_eq(parse(map, &o, &d), -EDOM);
		snprintf(want, sizeof(want), "archMap[1].architecture: s390x is big-endian, %s",
			 sck_arch_native()->name);
		cr_expect_eq(strncmp(d.msg, want, strlen(want)), 0, "%s", d.msg);
	}
	{
		SCK_OPTS(sck_profile_opts, o, .arches = both, .narches = 2);
		cr_expect_eq(parse(map, &o, &d), -EDOM);
		cr_expect_eq(strncmp(d.msg, "x86_64 is little-endian, s390x is not", 37), 0, "%s",
			     d.msg);
	}
}
