// SPDX-License-Identifier: MIT
/*
 * The one table of architectures. Every other module asks this table for names, audit tokens,
 * word size, byte order and the quirks in which ABIs differ; the seed's helpers in sys.c are thin
 * views of it. Audit tokens are
 * the kernel's AUDIT_ARCH_* values (EM_* machine | 64BIT | LE | convention bits), spelled as
 * numbers so that an old <linux/audit.h> cannot leave one out. Entries that share a syscall
 * numbering (armeb/arm, aarch64_be/aarch64, the mips byte orders, ppc64le/ppc64) share a table.
 */
#include "sck/arch.h"

#include "arch_int.h"

#include "syscalls_int.h"

#include <string.h>

#define AUDIT_64 0x80000000u
#define AUDIT_LE 0x40000000u  /* __AUDIT_ARCH_LE (not the x32 bit) */
#define AUDIT_N32 0x20000000u /* __AUDIT_ARCH_CONVENTION_MIPS64_N32 */

/* ELF machine numbers (<linux/elf-em.h>). */
#define M_SPARC 2u
#define M_386 3u
#define M_MIPS 8u
#define M_PPC 20u
#define M_PPC64 21u
#define M_PARISC 15u
#define M_S390 22u
#define M_ARM 40u
#define M_SPARCV9 43u
#define M_X86_64 62u
#define M_AARCH64 183u
#define M_RISCV 243u
#define M_LOONGARCH 258u

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The ABIs with socketcall(2) and ipc(2): the entry points are in their syscall tables. */
#define Q_MUX (SCK_ARCH_Q_SOCKETCALL | SCK_ARCH_Q_IPC)
/* s390 and s390x: syscall 0 multiplexes, clone takes its flags second */
#define Q_S390 (Q_MUX | SCK_ARCH_Q_NR0_MUX | SCK_ARCH_Q_CLONE_FLAGS_ARG1)

/* Indexed by enum sck_arch_id - 1. */
static const struct sck_arch table[] = {
	{SCK_ARCH_X86_64, "x86_64", M_X86_64 | AUDIT_64 | AUDIT_LE, 0, 64, true,
	 NAMES("x86_64", "amd64", "SCMP_ARCH_X86_64"), &sck_syscalls_x86_64,
	 .nr_select = SCK_X32_SYSCALL_BIT, .long_bits = 64},
	{SCK_ARCH_X86, "x86", M_386 | AUDIT_LE, 0, 32, true,
	 NAMES("x86", "386", "i386", "i486", "i586", "i686", "SCMP_ARCH_X86"), &sck_syscalls_x86,
	 .long_bits = 32, .quirks = Q_MUX},
	/* x32 runs under x86_64's audit arch; its numbers carry __X32_SYSCALL_BIT. */
	{SCK_ARCH_X32, "x32", M_X86_64 | AUDIT_64 | AUDIT_LE, SCK_X32_SYSCALL_BIT, 64, true,
	 NAMES("x32", "SCMP_ARCH_X32"), &sck_syscalls_x32, .nr_select = SCK_X32_SYSCALL_BIT,
	 .long_bits = 32},
	{SCK_ARCH_ARM, "arm", M_ARM | AUDIT_LE, 0, 32, true,
	 NAMES("arm", "armv5tel", "armv6l", "armv7l", "armv8l", "armhf", "armel", "SCMP_ARCH_ARM"),
	 &sck_syscalls_arm, .long_bits = 32},
	{SCK_ARCH_ARMEB, "armeb", M_ARM, 0, 32, false, NAMES("armeb", "armbe", "armv7b"),
	 &sck_syscalls_arm, .long_bits = 32},
	{SCK_ARCH_AARCH64, "aarch64", M_AARCH64 | AUDIT_64 | AUDIT_LE, 0, 64, true,
	 NAMES("aarch64", "arm64", "SCMP_ARCH_AARCH64"), &sck_syscalls_aarch64, .long_bits = 64},
	{SCK_ARCH_AARCH64BE, "aarch64_be", M_AARCH64 | AUDIT_64, 0, 64, false,
	 NAMES("aarch64_be", "arm64be"), &sck_syscalls_aarch64, .long_bits = 64},
	{SCK_ARCH_LOONGARCH64, "loongarch64", M_LOONGARCH | AUDIT_64 | AUDIT_LE, 0, 64, true,
	 NAMES("loongarch64", "loong64", "SCMP_ARCH_LOONGARCH64"), &sck_syscalls_loongarch64,
	 .long_bits = 64},
	{SCK_ARCH_MIPS, "mips", M_MIPS, 4000, 32, false, NAMES("mips", "SCMP_ARCH_MIPS"),
	 &sck_syscalls_mips, .long_bits = 32, .quirks = Q_MUX},
	{SCK_ARCH_MIPSEL, "mipsel", M_MIPS | AUDIT_LE, 4000, 32, true,
	 NAMES("mipsel", "mipsle", "SCMP_ARCH_MIPSEL"), &sck_syscalls_mips, .long_bits = 32,
	 .quirks = Q_MUX},
	{SCK_ARCH_MIPS64, "mips64", M_MIPS | AUDIT_64, 5000, 64, false,
	 NAMES("mips64", "SCMP_ARCH_MIPS64"), &sck_syscalls_mips64, .long_bits = 64},
	{SCK_ARCH_MIPSEL64, "mipsel64", M_MIPS | AUDIT_64 | AUDIT_LE, 5000, 64, true,
	 NAMES("mipsel64", "mips64el", "mips64le", "SCMP_ARCH_MIPSEL64"), &sck_syscalls_mips64,
	 .long_bits = 64},
	{SCK_ARCH_MIPS64N32, "mips64n32", M_MIPS | AUDIT_64 | AUDIT_N32, 6000, 64, false,
	 NAMES("mips64n32", "mips64p32", "SCMP_ARCH_MIPS64N32"), &sck_syscalls_mips64n32,
	 .long_bits = 32},
	{SCK_ARCH_MIPSEL64N32, "mipsel64n32", M_MIPS | AUDIT_64 | AUDIT_LE | AUDIT_N32, 6000, 64,
	 true, NAMES("mipsel64n32", "mips64n32el", "mips64p32le", "SCMP_ARCH_MIPSEL64N32"),
	 &sck_syscalls_mips64n32, .long_bits = 32},
	{SCK_ARCH_PPC, "ppc", M_PPC, 0, 32, false, NAMES("ppc", "powerpc", "SCMP_ARCH_PPC"),
	 &sck_syscalls_ppc, .long_bits = 32, .quirks = Q_MUX},
	{SCK_ARCH_PPC64, "ppc64", M_PPC64 | AUDIT_64, 0, 64, false,
	 NAMES("ppc64", "SCMP_ARCH_PPC64"), &sck_syscalls_ppc64, .long_bits = 64, .quirks = Q_MUX},
	{SCK_ARCH_PPC64LE, "ppc64le", M_PPC64 | AUDIT_64 | AUDIT_LE, 0, 64, true,
	 NAMES("ppc64le", "SCMP_ARCH_PPC64LE"), &sck_syscalls_ppc64, .long_bits = 64,
	 .quirks = Q_MUX},
	{SCK_ARCH_RISCV32, "riscv32", M_RISCV | AUDIT_LE, 0, 32, true,
	 NAMES("riscv32", "riscv", "SCMP_ARCH_RISCV32"), &sck_syscalls_riscv32, .long_bits = 32},
	{SCK_ARCH_RISCV64, "riscv64", M_RISCV | AUDIT_64 | AUDIT_LE, 0, 64, true,
	 NAMES("riscv64", "SCMP_ARCH_RISCV64"), &sck_syscalls_riscv64, .long_bits = 64},
	{SCK_ARCH_S390, "s390", M_S390, 0, 32, false, NAMES("s390", "SCMP_ARCH_S390"),
	 &sck_syscalls_s390, .long_bits = 32, .quirks = Q_S390},
	{SCK_ARCH_S390X, "s390x", M_S390 | AUDIT_64, 0, 64, false,
	 NAMES("s390x", "SCMP_ARCH_S390X"), &sck_syscalls_s390x, .long_bits = 64, .quirks = Q_S390},
	{SCK_ARCH_SPARC, "sparc", M_SPARC, 0, 32, false, NAMES("sparc", "SCMP_ARCH_SPARC"),
	 &sck_syscalls_sparc, .long_bits = 32, .quirks = Q_MUX},
	{SCK_ARCH_SPARC64, "sparc64", M_SPARCV9 | AUDIT_64, 0, 64, false,
	 NAMES("sparc64", "SCMP_ARCH_SPARC64"), &sck_syscalls_sparc64, .long_bits = 64,
	 .quirks = Q_MUX},
	{SCK_ARCH_PARISC, "parisc", M_PARISC, 0, 32, false,
	 NAMES("parisc", "hppa", "SCMP_ARCH_PARISC"), &sck_syscalls_parisc, .long_bits = 32},
	{SCK_ARCH_PARISC64, "parisc64", M_PARISC | AUDIT_64, 0, 64, false,
	 NAMES("parisc64", "hppa64", "SCMP_ARCH_PARISC64"), &sck_syscalls_parisc64,
	 .long_bits = 64},
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

_Static_assert(TABLE_LEN == SCK_ARCH_PARISC64, "arch table must cover every enum sck_arch_id");

#if defined(__x86_64__) && defined(__ILP32__)
#define NATIVE SCK_ARCH_X32
#elif defined(__x86_64__)
#define NATIVE SCK_ARCH_X86_64
#elif defined(__i386__)
#define NATIVE SCK_ARCH_X86
#elif defined(__aarch64__) && defined(__AARCH64EB__)
#define NATIVE SCK_ARCH_AARCH64BE
#elif defined(__aarch64__)
#define NATIVE SCK_ARCH_AARCH64
#elif defined(__arm__) && defined(__ARMEB__)
#define NATIVE SCK_ARCH_ARMEB
#elif defined(__arm__)
#define NATIVE SCK_ARCH_ARM
#elif defined(__loongarch64)
#define NATIVE SCK_ARCH_LOONGARCH64
#elif defined(__mips__) && defined(_ABIN32) && defined(__MIPSEL__)
#define NATIVE SCK_ARCH_MIPSEL64N32
#elif defined(__mips__) && defined(_ABIN32)
#define NATIVE SCK_ARCH_MIPS64N32
#elif defined(__mips__) && defined(__mips64) && defined(__MIPSEL__)
#define NATIVE SCK_ARCH_MIPSEL64
#elif defined(__mips__) && defined(__mips64)
#define NATIVE SCK_ARCH_MIPS64
#elif defined(__mips__) && defined(__MIPSEL__)
#define NATIVE SCK_ARCH_MIPSEL
#elif defined(__mips__)
#define NATIVE SCK_ARCH_MIPS
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE SCK_ARCH_PPC64LE
#elif defined(__powerpc64__)
#define NATIVE SCK_ARCH_PPC64
#elif defined(__powerpc__)
#define NATIVE SCK_ARCH_PPC
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE SCK_ARCH_RISCV64
#elif defined(__riscv)
#define NATIVE SCK_ARCH_RISCV32
#elif defined(__s390x__)
#define NATIVE SCK_ARCH_S390X
#elif defined(__s390__)
#define NATIVE SCK_ARCH_S390
#elif defined(__sparc__) && defined(__arch64__)
#define NATIVE SCK_ARCH_SPARC64
#elif defined(__sparc__)
#define NATIVE SCK_ARCH_SPARC
#elif defined(__hppa__) && defined(__LP64__)
#define NATIVE SCK_ARCH_PARISC64
#elif defined(__hppa__)
#define NATIVE SCK_ARCH_PARISC
#else
#define NATIVE SCK_ARCH_UNKNOWN
#endif

const struct sck_arch *sck_arch_from_id(enum sck_arch_id id)
{
	if (id < 1 || (size_t)id > TABLE_LEN)
		return NULL;
	return &table[id - 1];
}

const struct sck_arch *sck_arch_native(void)
{
	return sck_arch_from_id(NATIVE);
}

/*
 * Profiles name arches by libseccomp's SCMP_ARCH_ names: past that common prefix, the first
 * character tells most aliases apart before a string compare. Every alias that starts with 'S'
 * is such a name and every other one starts with a lower-case letter or a digit (test_arch_names
 * checks the table), so an alias that may equal a SCMP_ARCH_ name is known by its first
 * character, and is longer than the prefix.
 */
#define SCMP_PREFIX "SCMP_ARCH_"
#define SCMP_PREFIX_LEN (sizeof(SCMP_PREFIX) - 1)

/* @alias equals @name, which starts with @skip (0 or SCMP_PREFIX_LEN) characters of SCMP_PREFIX. */
static bool alias_is(const char *alias, const char *name, size_t skip)
{
	return alias[0] == name[0] && alias[skip] == name[skip] &&
	       strcmp(alias + skip, name + skip) == 0;
}

const struct sck_arch *sck_arch_from_name(const char *name)
{
	size_t skip;

	if (!name)
		return NULL;
	if (strcmp(name, "native") == 0)
		return sck_arch_native();
	skip = strncmp(name, SCMP_PREFIX, SCMP_PREFIX_LEN) == 0 ? SCMP_PREFIX_LEN : 0;
	for (size_t i = 0; i < TABLE_LEN; i++) {
		/* an arch's SCMP_ARCH_ name goes on with its name's first letter, in upper case
		 * (test_arch_names checks the table): the others need no look */
		if (skip && (table[i].name[0] & ~0x20) != name[skip])
			continue;
		for (const char *const *a = table[i].aliases; *a; a++)
			if (alias_is(*a, name, skip))
				return &table[i];
	}
	return NULL;
}

/* (declared in arch_int.h) */
bool sck_arch_named(const struct sck_arch *arch, const char *name)
{
	if (strcmp(name, "native") == 0)
		return arch == sck_arch_native();
	for (const char *const *a = arch->aliases; *a; a++)
		if ((*a)[0] == name[0] && strcmp(*a, name) == 0)
			return true;
	return false;
}

const struct sck_arch *sck_arch_from_audit(uint32_t audit_arch)
{
	/* First match wins: x86_64 precedes x32, which shares its token. */
	for (size_t i = 0; i < TABLE_LEN; i++)
		if (table[i].audit_arch == audit_arch)
			return &table[i];
	return NULL;
}

const struct sck_arch *sck_arch_from_audit_nr(uint32_t audit_arch, uint32_t nr)
{
	for (size_t i = 0; i < TABLE_LEN; i++)
		if (table[i].audit_arch == audit_arch &&
		    (nr & table[i].nr_select) == (table[i].nr_base & table[i].nr_select))
			return &table[i];
	return NULL;
}

size_t sck_arch_count(void)
{
	return TABLE_LEN;
}

const struct sck_arch *sck_arch_at(size_t index)
{
	return index < TABLE_LEN ? &table[index] : NULL;
}
