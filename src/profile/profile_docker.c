// SPDX-License-Identifier: MIT
/*
 * What Docker does with a profile before runc sees it: the architectures (`architectures`, or
 * the archMap entry of the main arch with its sub-architectures) and the includes/excludes
 * clauses of a rule (arches, capabilities, minimum kernel version).
 */
#include "profile/profile_int.h"

#include "arch_int.h"

#include "sck/syscalls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Docker's default capability set (moby oci/caps/defaults.go). */
const char *const sck_prof_docker_caps[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_FSETID",
	"CAP_FOWNER",
	"CAP_MKNOD",
	"CAP_NET_RAW",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETFCAP",
	"CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT",
	"CAP_KILL",
	"CAP_AUDIT_WRITE",
	NULL,
};

/* An arch name of a profile: SCMP_ARCH_* or any name sck_arch_from_name knows. */
static int get_arch(struct sck_prof *c, json_object *o, const struct sck_prof_path *path,
		    const struct sck_arch **out)
{
	const char *s;
	const struct sck_arch *a;
	int rc = sck_prof_get_str(c, o, path, &s);

	if (rc)
		return rc;
	a = sck_arch_from_name(s);
	if (!a)
		return sck_prof_fail_at(c, -EINVAL, path, "unknown architecture \"%.60s\"", s);
	if (sck_syscall_count(a) == 0)
		return sck_prof_fail_at(c, -EDOM, path,
					"architecture \"%.60s\" has no syscall table", s);
	*out = a;
	return 0;
}

int sck_prof_add_arch(struct sck_prof *c, const struct sck_arch *a,
		      const struct sck_prof_path *path)
{
	if (!a)
		return sck_prof_fail_at(c, -EINVAL, path, "no architecture");
	for (size_t i = 0; i < c->narch; i++)
		if (c->arches[i] == a)
			return 0;
	if (c->narch == SCK_FILTER_MAX_ARCH)
		return sck_prof_fail_at(c, -E2BIG, path, "more than %d architectures",
					SCK_FILTER_MAX_ARCH);
	/* runc's libseccomp refuses a second byte order (-EDOM): one program, one order */
	if (c->narch && c->arches[0]->little_endian != a->little_endian)
		return sck_prof_fail_at(
			c, -EDOM, path,
			"%s is %s-endian, %s is not: one program has one byte order "
			"(runc refuses it too)",
			a->name, a->little_endian ? "little" : "big", c->arches[0]->name);
	c->arches[c->narch++] = a;
	return 0;
}

/* The architectures: `architectures`, or archMap's entry for the main arch (Docker). */
int sck_prof_read_arches(struct sck_prof *c, json_object *archs, json_object *map)
{
	int rc;

	if (archs && map)
		return sck_prof_fail(
			c, -EINVAL, "archMap",
			"both \"architectures\" and \"archMap\" given; use one (as Docker)");
	if (archs) {
		rc = sck_prof_want(c, archs, json_type_array, SCK_PROF_AT(NULL, "architectures"),
				   "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(archs); i++) {
			const struct sck_prof_path *path = SCK_PROF_AT_I(NULL, "architectures", i);
			const struct sck_arch *a = NULL;
			rc = get_arch(c, json_object_array_get_idx(archs, i), path, &a);
			if (!rc && !c->arches_given)
				rc = sck_prof_add_arch(c, a, path);
			if (rc)
				return rc;
		}
	}
	if (map) {
		rc = sck_prof_want(c, map, json_type_array, SCK_PROF_AT(NULL, "archMap"),
				   "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(map); i++) {
			enum { ARCH, SUBS, NKEYS };
			static const char *const keys[NKEYS + 1] = {
				[ARCH] = "architecture", [SUBS] = "subArchitectures"};
			const struct sck_prof_path *entry = SCK_PROF_AT_I(NULL, "archMap", i);
			const struct sck_prof_path *path = SCK_PROF_AT(entry, ".architecture");
			json_object *e = json_object_array_get_idx(map, i), *m[NKEYS], *arch, *subs;
			const struct sck_arch *a = NULL;
			bool mine;
			rc = sck_prof_want(c, e, json_type_object, entry, "an object");
			if (rc)
				return rc;
			sck_prof_members(c, e, entry, keys, m);
			arch = m[ARCH];
			if (!arch)
				return sck_prof_fail_at(c, -EINVAL, path, "missing");
			rc = get_arch(c, arch, path, &a);
			if (rc)
				return rc;
			mine = a == c->main_arch && !c->arches_given;
			if (mine) {
				rc = sck_prof_add_arch(c, a, path);
				if (rc)
					return rc;
			}
			subs = m[SUBS];
			if (!subs)
				continue;
			rc = sck_prof_want(c, subs, json_type_array,
					   SCK_PROF_AT(entry, ".subArchitectures"), "an array");
			if (rc)
				return rc;
			for (size_t k = 0; k < json_object_array_length(subs); k++) {
				const struct sck_prof_path *sp =
					SCK_PROF_AT_I(entry, ".subArchitectures", k);
				const struct sck_arch *s = NULL;
				rc = get_arch(c, json_object_array_get_idx(subs, k), sp, &s);
				if (!rc && mine)
					rc = sck_prof_add_arch(c, s, sp);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

/* ---- includes / excludes ---- */

/* @s past a leading "CAP_" in any case (ASCII: x | 0x20 is x in lower case for a letter). */
static const char *cap_base(const char *s)
{
	if ((s[0] | 0x20) == 'c' && (s[1] | 0x20) == 'a' && (s[2] | 0x20) == 'p' && s[3] == '_')
		return s + 4;
	return s;
}

/* Whether @cap is in the caps, with or without "CAP_", in any case. */
static bool has_cap(const struct sck_prof *c, const char *cap)
{
	const char *want = cap_base(cap);

	for (const char *const *p = c->caps; *p; p++) {
		const char *have = cap_base(*p);
		/* equal letters in any case are equal once ORed with 0x20: a cheap first test */
		if ((have[0] | 0x20) == (want[0] | 0x20) && strcasecmp(have, want) == 0)
			return true;
	}
	return false;
}

/* "4.8", "5.15.0-13-amd64" -> {major, minor, patch}; false when it does not start so. */
bool sck_prof_parse_kver(const char *s, unsigned int v[3])
{
	v[0] = v[1] = v[2] = 0;
	for (int i = 0; i < 3; i++) {
		char *end;
		unsigned long n;
		if (*s < '0' || *s > '9')
			return i > 0;
		n = strtoul(s, &end, 10);
		if (n > 100000)
			return false;
		v[i] = (unsigned int)n;
		s = end;
		if (*s != '.')
			return *s == '\0' || *s == '-' || *s == '+' || *s == '_' || i > 0;
		s++;
	}
	return true;
}

static int kver_cmp(const unsigned int a[3], const unsigned int b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* String @i of array @arr, member @key of the object at @path. */
static int string_at(struct sck_prof *c, json_object *arr, const struct sck_prof_path *path,
		     const char *key, size_t i, const char **out)
{
	return sck_prof_get_str(c, json_object_array_get_idx(arr, i), SCK_PROF_AT_I(path, key, i),
				out);
}

/* Member @v (NULL when absent) of the object at @path, named @key, must be an array. */
static int array_member(struct sck_prof *c, json_object *v, const struct sck_prof_path *path,
			const char *key)
{
	if (!v)
		return 0;
	return sck_prof_want(c, v, json_type_array, SCK_PROF_AT(path, key), "an array");
}

/*
 * Evaluate an includes (@inc true) or excludes object: for includes, whether every clause
 * holds; for excludes, whether any clause holds. Returns 0/1 or -errno.
 */
int sck_prof_clause(struct sck_prof *c, json_object *o, const struct sck_prof_path *path, bool inc)
{
	enum { CAPS, ARCHES, MIN_KERNEL, NKEYS };
	static const char *const keys[NKEYS + 1] = {
		[CAPS] = "caps", [ARCHES] = "arches", [MIN_KERNEL] = "minKernel"};
	json_object *m[NKEYS], *v;
	bool all = true, any = false;
	int rc;

	rc = sck_prof_want(c, o, json_type_object, path, "an object");
	if (rc)
		return rc;
	sck_prof_members(c, o, path, keys, m);
	v = m[ARCHES];
	rc = array_member(c, v, path, ".arches");
	if (rc)
		return rc;
	if (v && json_object_array_length(v) > 0) {
		bool hit = false;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *s;
			rc = string_at(c, v, path, ".arches", i, &s);
			if (rc)
				return rc;
			/* Docker compares runtime.GOARCH; any name of the main arch matches (what
			 * sck_arch_from_name gives is the main arch, NULL without one) */
			if (c->main_arch ? sck_arch_named(c->main_arch, s) : !sck_arch_from_name(s))
				hit = true;
		}
		all &= hit;
		any |= hit;
	}
	v = m[CAPS];
	rc = array_member(c, v, path, ".caps");
	if (rc)
		return rc;
	for (size_t i = 0; v && i < json_object_array_length(v); i++) {
		const char *s;
		bool have;
		rc = string_at(c, v, path, ".caps", i, &s);
		if (rc)
			return rc;
		have = has_cap(c, s);
		all &= have; /* includes: every cap needed */
		any |= have; /* excludes: any cap excludes */
	}
	if ((v = m[MIN_KERNEL])) {
		const char *s;
		unsigned int k[3];
		bool ge;
		const struct sck_prof_path *p = SCK_PROF_AT(path, ".minKernel");
		rc = sck_prof_get_str(c, v, p, &s);
		if (rc)
			return rc;
		if (!sck_prof_parse_kver(s, k))
			return sck_prof_fail_at(c, -EINVAL, p, "invalid kernel version \"%.40s\"",
						s);
		ge = kver_cmp(c->kver, k) >= 0;
		all &= ge;
		any |= ge;
	}
	return inc ? all : any;
}
