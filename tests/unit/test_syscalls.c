// SPDX-License-Identifier: MIT
/*
 * Syscall tables: every number in this machine's UAPI <asm/unistd*.h> (x86_64, i386, x32, and
 * the cross headers of the other arches when installed), known numbers on every arch, the round
 * trip name -> number -> name, the socketcall/ipc multiplexers, bad input, and a cross-check
 * against libseccomp's table in ../shared that prints every difference.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"
#include "syscalls_int.h"

static const struct sck_arch *arch(const char *name)
{
	const struct sck_arch *a = sck_arch_from_name(name);

	cr_assert_not_null(a, "arch %s", name);
	return a;
}

/*
 * Compare every "#define __NR_name VALUE" of @path with the table of @arch_name. VALUE is a
 * number or "(BASE_MACRO + N)", BASE_MACRO standing for @base. Returns the number of defines
 * checked, or -1 when the header is absent.
 */
static int check_header(const char *arch_name, const char *path, long base)
{
	const struct sck_arch *a = arch(arch_name);
	char line[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128], expr[128];
		long v;

		if (sscanf(line, "#define __NR_%127s %127[^\n]", name, expr) != 2)
			continue;
		if (strcmp(name, "syscalls") == 0 || strstr(name, "Linux"))
			continue;
		if (expr[0] == '(') {
			char *plus = strchr(expr, '+');

			cr_assert_not_null(plus, "%s: %s: %s", path, name, expr);
			v = base + strtol(plus + 1, NULL, 0);
		} else {
			v = strtol(expr, NULL, 0);
		}
		cr_expect_eq(sck_syscall_nr(a, name), v, "%s: %s: header %ld, table %d", arch_name,
			     name, v, sck_syscall_nr(a, name));
		n++;
	}
	fclose(f);
	return n;
}

static const char *find_header(const char *const *dirs, const char *file)
{
	static char path[512];

	for (; *dirs; dirs++) {
		snprintf(path, sizeof(path), "%s/%s", *dirs, file);
		if (access(path, R_OK) == 0)
			return path;
	}
	return NULL;
}

Test(syscalls, native_uapi_headers)
{
	static const char *const dirs[] = {"/usr/include/x86_64-linux-gnu/asm",
					   "/usr/x86_64-linux-gnu/include/asm", "/usr/include/asm",
					   NULL};
	static const struct {
		const char *arch, *file;
		long base;
	} hdrs[] = {
		{"x86_64", "unistd_64.h", 0},
		{"x86", "unistd_32.h", 0},
		{"x32", "unistd_x32.h", 0x40000000},
	};
	int total = 0;

	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		const char *path = find_header(dirs, hdrs[i].file);
		int n;

		if (!path)
			cr_skip_test("no x86 UAPI header %s (apt-get install linux-libc-dev)",
				     hdrs[i].file);
		n = check_header(hdrs[i].arch, path, hdrs[i].base);
		cr_expect_gt(n, 300, "%s: only %d syscalls", path, n);
		total += n;
	}
	cr_log_info("syscalls: %d __NR_ defines of the x86 headers checked", total);
}

Test(syscalls, cross_uapi_headers)
{
	/* The simple-format headers of the Debian cross packages (tools/deps.sh headers). */
	static const struct {
		const char *arch, *path;
		long base;
	} hdrs[] = {
		{"arm", "/usr/arm-linux-gnueabihf/include/asm/unistd-eabi.h", 0},
		{"mips", "/usr/mips-linux-gnu/include/asm/unistd_o32.h", 4000},
		{"mips64", "/usr/mips-linux-gnu/include/asm/unistd_n64.h", 5000},
		{"mips64n32", "/usr/mips-linux-gnu/include/asm/unistd_n32.h", 6000},
		{"mipsel", "/usr/mipsel-linux-gnu/include/asm/unistd_o32.h", 4000},
		{"mips64le", "/usr/mips64el-linux-gnuabi64/include/asm/unistd_n64.h", 5000},
		{"mips64p32le", "/usr/mips64el-linux-gnuabin32/include/asm/unistd_n32.h", 6000},
		{"ppc", "/usr/powerpc-linux-gnu/include/asm/unistd_32.h", 0},
		{"ppc64", "/usr/powerpc64-linux-gnu/include/asm/unistd_64.h", 0},
		{"ppc64le", "/usr/powerpc64le-linux-gnu/include/asm/unistd_64.h", 0},
		{"s390", "/usr/s390x-linux-gnu/include/asm/unistd_32.h", 0},
		{"s390x", "/usr/s390x-linux-gnu/include/asm/unistd_64.h", 0},
		{"sparc", "/usr/sparc64-linux-gnu/include/asm/unistd_32.h", 0},
		{"sparc64", "/usr/sparc64-linux-gnu/include/asm/unistd_64.h", 0},
		{"parisc", "/usr/hppa-linux-gnu/include/asm/unistd_32.h", 0},
		{"parisc64", "/usr/hppa-linux-gnu/include/asm/unistd_64.h", 0},
	};
	int found = 0;

	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		int n = check_header(hdrs[i].arch, hdrs[i].path, hdrs[i].base);

		if (n < 0)
			continue;
		cr_expect_gt(n, 300, "%s: only %d syscalls", hdrs[i].path, n);
		found++;
	}
	if (!found)
		cr_skip_test("no cross UAPI headers installed (tools/deps.sh headers)");
	cr_log_info("syscalls: %d cross headers checked", found);
}

Test(syscalls, known_numbers)
{
	static const struct {
		const char *arch, *name;
		int nr;
	} known[] = {
		{"x86_64", "read", 0},
		{"x86_64", "openat", 257},
		{"x86_64", "seccomp", 317},
		{"x86_64", "clone3", 435},
		{"x86_64", "uretprobe", 335},
		{"x86_64", "mseal", 462},
		{"amd64", "file_setattr", 469},
		{"x86", "socketcall", 102},
		{"i686", "socket", 359},
		{"386", "openat", 295},
		{"x86", "_llseek", 140},
		{"x32", "read", 0x40000000},
		{"x32", "rt_sigaction", 0x40000000 + 512},
		{"x32", "execveat", 0x40000000 + 545},
		{"x32", "openat", 0x40000000 + 257},
		{"arm", "openat", 322},
		{"armbe", "openat", 322},
		{"arm", "cacheflush", 0x0f0002},
		{"arm", "set_tls", 0x0f0005},
		{"arm", "arm_fadvise64_64", 270},
		{"aarch64", "openat", 56},
		{"arm64be", "openat", 56},
		{"aarch64", "read", 63},
		{"aarch64", "renameat", 38},
		{"loong64", "openat", 56},
		{"loongarch64", "fstat", 80},
		{"loongarch64", "newfstatat", 79},
		{"mips", "read", 4003},
		{"mipsle", "syscall", 4000},
		{"mips", "socketcall", 4102},
		{"mips64", "read", 5000},
		{"mips64le", "openat", 5247},
		{"mips64p32", "read", 6000},
		{"mips64p32le", "openat", 6251},
		{"ppc", "openat", 286},
		{"ppc64", "openat", 286},
		{"ppc64le", "read", 3},
		{"ppc64", "switch_endian", 363},
		{"riscv", "read", 63},
		{"riscv", "clock_gettime64", 403},
		{"riscv64", "riscv_flush_icache", 259},
		{"riscv64", "riscv_hwprobe", 258},
		{"s390", "openat", 288},
		{"s390x", "openat", 288},
		{"s390x", "s390_runtime_instr", 342},
		{"sparc", "openat", 284},
		{"sparc64", "openat", 284},
		{"sparc64", "utrap_install", 164},
		{"sparc", "mmap2", 56},
		{"x86_64", "cachestat", 451},
		{"mips", "cachestat", 4451},
		{"mips64", "listns", 5470},
		{"x32", "futex_wake", 0x40000000 + 454},
		{"parisc", "openat", 275},
		{"parisc64", "socket", 17},
		{"parisc", "cacheflush", 356},
		{"parisc64", "mseal", 462},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		cr_expect_eq(sck_syscall_nr(arch(known[i].arch), known[i].name), known[i].nr,
			     "%s %s: %d, expected %d", known[i].arch, known[i].name,
			     sck_syscall_nr(arch(known[i].arch), known[i].name), known[i].nr);
}

Test(syscalls, absent_where_the_kernel_has_none)
{
	static const struct {
		const char *arch, *name;
	} absent[] = {
		{"aarch64", "open"},
		{"riscv64", "fork"},
		{"riscv", "clock_gettime"},
		{"riscv", "futex"},
		{"x86_64", "socketcall"},
		{"x86_64", "send"},
		{"x32", "uselib"},
		{"loongarch64", "getrlimit"},
		{"sparc64", "clone3"},
		{"x86", "uretprobe"},
		{"arm", "socketcall"},
		{"mips64", "socketcall"},
		{"aarch64", "fcntl64"},
		{"s390", "rseq_slice_yield"},
		{"parisc64", "clock_gettime64"},
		{"parisc", "socketcall"},
	};

	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		cr_expect_eq(sck_syscall_nr(arch(absent[i].arch), absent[i].name), -ENOENT, "%s %s",
			     absent[i].arch, absent[i].name);
}

Test(syscalls, every_arch_round_trip)
{
	for (size_t i = 0; i < sck_arch_count(); i++) {
		const struct sck_arch *a = sck_arch_at(i);
		size_t n = sck_syscall_count(a);
		int prev = -1;

		cr_assert_not_null(a->syscalls, "%s has no table", a->name);
		cr_expect_gt(n, 250, "%s: %zu syscalls", a->name, n);
		cr_expect_null(sck_syscall_at(a, n));
		for (size_t j = 0; j < n; j++) {
			const struct sck_syscall *s = sck_syscall_at(a, j);
			const char *back;

			cr_assert_not_null(s);
			cr_expect_geq(s->nr, prev, "%s: not ordered at %s", a->name, s->name);
			cr_expect_geq((uint32_t)s->nr, a->nr_base, "%s: %s below the base", a->name,
				      s->name);
			prev = s->nr;
			cr_expect_eq(sck_syscall_nr(a, s->name), s->nr, "%s: %s", a->name, s->name);
			back = sck_syscall_name(a, s->nr);
			cr_assert_not_null(back, "%s: %d", a->name, s->nr);
			cr_expect_eq(sck_syscall_nr(a, back), s->nr, "%s: %d -> %s", a->name, s->nr,
				     back);
			/* the internal number -> name index lookup names the same syscall */
			int k = sck_syscall_name_index_of_nr(a, s->nr);
			cr_assert_geq(k, 0, "%s: %d", a->name, s->nr);
			cr_expect_str_eq(sck_syscall_names[k], back, "%s: %d", a->name, s->nr);
		}
		cr_expect_eq(sck_syscall_max(a), prev, "%s", a->name);
	}
}

Test(syscalls, one_number_two_names)
{
	/* arm's <asm/unistd.h> names 341 twice; the strcmp-first name wins number -> name. */
	cr_expect_str_eq(sck_syscall_name(arch("arm"), 341), "arm_sync_file_range");
	cr_expect_eq(sck_syscall_nr(arch("arm"), "sync_file_range2"), 341);
}

Test(syscalls, bad_input)
{
	const struct sck_arch *x = arch("x86_64");

	cr_expect_eq(sck_syscall_nr(NULL, "read"), -EINVAL);
	cr_expect_eq(sck_syscall_nr(x, NULL), -EINVAL);
	cr_expect_eq(sck_syscall_nr(x, "no_such_syscall"), -ENOENT);
	cr_expect_eq(sck_syscall_nr(x, ""), -ENOENT);
	cr_expect_eq(sck_syscall_nr(x, "READ"), -ENOENT);
	cr_expect_eq(sck_syscall_nr(x, "read "), -ENOENT);
	cr_expect_null(sck_syscall_name(NULL, 0));
	cr_expect_null(sck_syscall_name(x, -1));
	cr_expect_null(sck_syscall_name(x, 100000));
	cr_expect_null(sck_syscall_name(x, 0x40000000));  /* x32's read, not x86_64's */
	cr_expect_null(sck_syscall_name(arch("x32"), 0)); /* x32 numbers carry the bit */
	cr_expect_eq(sck_syscall_name_index_of_nr(NULL, 0), -1);
	cr_expect_eq(sck_syscall_name_index_of_nr(x, -1), -1);
	cr_expect_eq(sck_syscall_name_index_of_nr(x, 100000), -1);
	cr_expect_eq(sck_syscall_name_index_of_nr(arch("x32"), 0), -1);
	cr_expect_eq(sck_syscall_count(NULL), 0);
	cr_expect_null(sck_syscall_at(NULL, 0));
	cr_expect_null(sck_syscall_at(x, (size_t)-1));
	cr_expect_eq(sck_syscall_max(NULL), -EINVAL);
	cr_expect_str_eq(sck_syscall_name(x, 0), "read");
	cr_expect_eq(sck_syscall_max(arch("x32")), 0x40000000 + 547);
}

Test(syscalls, multiplexers)
{
	struct sck_syscall_mux m, keep = {SCK_SYSCALL_MUX_IPC, 7, 7, 7};

	cr_assert_eq(sck_syscall_mux(arch("x86"), "socket", &m), 0);
	cr_expect_eq(m.kind, SCK_SYSCALL_MUX_SOCKETCALL);
	cr_expect_eq(m.nr, 102);
	cr_expect_eq(m.call, 1);
	cr_expect_eq(m.call_mask, 0xffffffffu);
	cr_assert_eq(sck_syscall_mux(arch("x86"), "shmat", &m), 0);
	cr_expect_eq(m.kind, SCK_SYSCALL_MUX_IPC);
	cr_expect_eq(m.nr, 117);
	cr_expect_eq(m.call, 21);
	cr_expect_eq(m.call_mask, 0xffffu);
	cr_assert_eq(sck_syscall_mux(arch("mipsel"), "sendmmsg", &m), 0);
	cr_expect_eq(m.nr, 4102);
	cr_expect_eq(m.call, 20);
	cr_assert_eq(sck_syscall_mux(arch("s390x"), "recv", &m), 0);
	cr_expect_eq(m.nr, 102);
	cr_expect_eq(m.call, 10);
	cr_assert_eq(sck_syscall_mux(arch("sparc64"), "semtimedop", &m), 0);
	cr_expect_eq(m.nr, 215);
	cr_expect_eq(m.call, 4);
	cr_assert_eq(sck_syscall_mux(arch("sparc"), "accept", &m), 0);
	cr_expect_eq(m.nr, 206);
	cr_expect_eq(m.call, 5);
	cr_assert_eq(sck_syscall_mux(arch("ppc64le"), "msgrcv", &m), 0);
	cr_expect_eq(m.nr, 117);
	cr_expect_eq(m.call, 12);

	m = keep;
	cr_expect_eq(sck_syscall_mux(arch("x86_64"), "socket", &m), -ENOENT);
	cr_expect_eq(sck_syscall_mux(arch("aarch64"), "shmat", &m), -ENOENT);
	cr_expect_eq(sck_syscall_mux(arch("arm"), "socket", &m), -ENOENT); /* OABI only */
	cr_expect_eq(sck_syscall_mux(arch("x86"), "read", &m), -ENOENT);
	cr_expect_eq(sck_syscall_mux(arch("x86"), "socketcall", &m), -ENOENT);
	cr_expect_eq(sck_syscall_mux(NULL, "socket", &m), -EINVAL);
	cr_expect_eq(sck_syscall_mux(arch("x86"), NULL, &m), -EINVAL);
	cr_expect_eq(sck_syscall_mux(arch("x86"), "socket", NULL), -EINVAL);
	cr_expect_eq(memcmp(&m, &keep, sizeof(m)), 0, "out written on failure");

	cr_expect_str_eq(sck_syscall_mux_name(arch("x86"), 102, 1), "socket");
	cr_expect_str_eq(sck_syscall_mux_name(arch("x86"), 117, 0x10000 | 21), "shmat");
	cr_expect_str_eq(sck_syscall_mux_name(arch("s390x"), 102, 0xffffffff00000013ull),
			 "recvmmsg");
	cr_expect_null(sck_syscall_mux_name(arch("x86"), 102, 0));
	cr_expect_null(sck_syscall_mux_name(arch("x86"), 102, 21));
	cr_expect_null(sck_syscall_mux_name(arch("x86"), 117, 5));
	cr_expect_null(sck_syscall_mux_name(arch("x86"), 3, 1));
	cr_expect_null(sck_syscall_mux_name(arch("x86_64"), 102, 1));
	cr_expect_null(sck_syscall_mux_name(NULL, 102, 1));
}

/* Every sub-call of both multiplexers round-trips on every arch that has them. */
Test(syscalls, multiplexer_round_trip)
{
	static const char *const calls[] = {
		"socket",      "bind",	     "connect",	   "listen",  "accept",	 "getsockname",
		"getpeername", "socketpair", "send",	   "recv",    "sendto",	 "recvfrom",
		"shutdown",    "setsockopt", "getsockopt", "sendmsg", "recvmsg", "accept4",
		"recvmmsg",    "sendmmsg",   "semop",	   "semget",  "semctl",	 "semtimedop",
		"msgsnd",      "msgrcv",     "msgget",	   "msgctl",  "shmat",	 "shmdt",
		"shmget",      "shmctl",
	};
	int archs = 0;

	for (size_t i = 0; i < sck_arch_count(); i++) {
		const struct sck_arch *a = sck_arch_at(i);
		bool has = sck_syscall_nr(a, "socketcall") >= 0;

		archs += has;
		for (size_t j = 0; j < sizeof(calls) / sizeof(calls[0]); j++) {
			struct sck_syscall_mux m;
			int rc = sck_syscall_mux(a, calls[j], &m);

			cr_expect_eq(rc, has ? 0 : -ENOENT, "%s %s", a->name, calls[j]);
			if (rc == 0)
				cr_expect_str_eq(sck_syscall_mux_name(a, m.nr, m.call), calls[j]);
		}
	}
	/* x86, mips, mipsel, ppc, ppc64, ppc64le, s390, s390x, sparc, sparc64. */
	cr_expect_eq(archs, 10);
}

/*
 * libseccomp 2.6.1's table (kernel 7.1-rc4) as a second opinion. Its conventions: "PNR" for
 * absent, mips numbers without the ABI base, x32 without the 0x40000000 bit; it has no riscv32
 * or sparc columns, and no separate columns for byte orders. Every difference is printed; the
 * ones below are explained and expected:
 * - mips o32 reserved82, reserved221, unused18, unused28, unused59, unused84, unused109,
 *   unused150 and n64/n32 reserved177, reserved193: placeholder entries (sys_ni_syscall) that
 *   the kernel's mips tables and UAPI headers number; libseccomp leaves them out.
 * - arm sync_file_range2: arm's <asm/unistd.h> defines it as an alias of arm_sync_file_range
 *   (341); libseccomp lists only the latter.
 * - s390 listns: Linux 6.18 added it as 470 to s390's table with a compat (31-bit) entry;
 *   Linux 7.0 removed the 31-bit ABI, and libseccomp's 7.1-based s390 column stops at 469.
 */
static bool explained(const char *name, const char *col)
{
	if (strcmp(col, "arm") == 0 && strcmp(name, "sync_file_range2") == 0)
		return true;
	if (strcmp(col, "s390") == 0 && strcmp(name, "listns") == 0)
		return true;
	if (strncmp(col, "mips", 4) == 0 &&
	    (strncmp(name, "reserved", 8) == 0 || strncmp(name, "unused", 6) == 0))
		return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(syscalls, libseccomp_cross_check)
{
	static const struct {
		const char *col, *arch;
		long base;
	} map[] = {
		{"x86", "x86", 0},
		{"x86_64", "x86_64", 0},
		{"x32", "x32", 0x40000000},
		{"arm", "arm", 0},
		{"aarch64", "aarch64", 0},
		{"loongarch64", "loongarch64", 0},
		{"mips", "mips", 4000},
		{"mips64", "mips64", 5000},
		{"mips64n32", "mips64n32", 6000},
		{"ppc", "ppc", 0},
		{"ppc64", "ppc64", 0},
		{"riscv64", "riscv64", 0},
		{"s390", "s390", 0},
		{"s390x", "s390x", 0},
	};
	const char *path = sck_test_shared("data/libseccomp-2.6.1-syscalls.csv");
	int colidx[64], ncols = 0, diffs = 0, unexplained = 0, compared = 0;
	char *line = NULL, *fields[128], *seen[2048];
	size_t cap = 0, nseen = 0;
	FILE *f;

	if (!path)
		cr_skip_test("../shared/data/libseccomp-2.6.1-syscalls.csv is absent");
	f = fopen(path, "r");
	cr_assert_not_null(f);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		colidx[i] = -1;
	while (getline(&line, &cap, f) > 0) {
		size_t nf = 0;
		char *save = NULL;

		line[strcspn(line, "\r\n")] = '\0';
		for (char *t = strtok_r(line, ",", &save); t && nf < 128;
		     t = strtok_r(NULL, ",", &save))
			fields[nf++] = t;
		if (nf < 2)
			continue;
		if (fields[0][0] ==
		    '#') { /* header: "#syscall (v7.1.0-rc4 ...)",x86,x86_kver,... */
			for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
				for (size_t j = 1; j < nf; j++)
					if (strcmp(fields[j], map[i].col) == 0)
						colidx[i] = (int)j;
			ncols = (int)nf;
			continue;
		}
		cr_assert_gt(ncols, 0, "no header line");
		cr_assert_lt(nseen, sizeof(seen) / sizeof(seen[0]));
		seen[nseen++] = strdup(fields[0]);
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
			const char *cell =
				colidx[i] > 0 && (size_t)colidx[i] < nf ? fields[colidx[i]] : "PNR";
			long want = strcmp(cell, "PNR") == 0 ? -ENOENT
							     : strtol(cell, NULL, 10) + map[i].base;
			int got = sck_syscall_nr(arch(map[i].arch), fields[0]);

			compared++;
			if (got == want)
				continue;
			diffs++;
			if (!explained(fields[0], map[i].col))
				unexplained++;
			cr_log_info("syscalls: %s %s: sck %d, libseccomp %ld%s", map[i].col,
				    fields[0], got, want,
				    explained(fields[0], map[i].col) ? " (explained)" : "");
		}
	}
	free(line);
	fclose(f);
	/* Names sck has and libseccomp lacks entirely. */
	qsort(seen, nseen, sizeof(seen[0]), cmp_str);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const struct sck_arch *a = arch(map[i].arch);
		const struct sck_syscall *s;

		for (size_t j = 0; (s = sck_syscall_at(a, j)); j++) {
			if (bsearch(&s->name, seen, nseen, sizeof(seen[0]), cmp_str))
				continue;
			diffs++;
			if (!explained(s->name, map[i].col))
				unexplained++;
			cr_log_info("syscalls: %s %s: sck %d, not in libseccomp%s", map[i].col,
				    s->name, s->nr,
				    explained(s->name, map[i].col) ? " (explained)" : "");
		}
	}
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		cr_assert_gt(colidx[i], 0, "libseccomp CSV has no column %s", map[i].col);
	cr_log_info("syscalls: %d cells compared with libseccomp, %d differences, %d unexplained",
		    compared, diffs, unexplained);
	cr_expect_eq(unexplained, 0, "%d unexplained differences with libseccomp (see the log)",
		     unexplained);
}
