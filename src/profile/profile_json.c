// SPDX-License-Identifier: MIT
/*
 * The profile reader's JSON layer: typed reads that name the JSON path of a bad value, the
 * diagnostic and warning helpers, and the strict parse (json-c) that turns a malformed text into
 * a line and column, including the integers above 2^64-1 that json-c would saturate silently.
 */
#include "profile/profile_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int vfail(struct sck_prof *c, int rc, const char *path, const char *fmt, va_list ap)
{
	int n = 0;

	/* never 0: callers return it as their failure (and the analyzer must know) */
	if (rc >= 0)
		rc = -EINVAL;
	if (!c->diag)
		return rc;
	c->diag->line = 0;
	c->diag->col = 0;
	if (c->prefix && (!path || !*path || strcmp(path, "(top)") == 0))
		n = snprintf(c->diag->msg, sizeof(c->diag->msg), "%s: ", c->prefix);
	else if (c->prefix)
		n = snprintf(c->diag->msg, sizeof(c->diag->msg), "%s.%s: ", c->prefix, path);
	else if (path && *path)
		n = snprintf(c->diag->msg, sizeof(c->diag->msg), "%s: ", path);
	if (n < 0 || (size_t)n >= sizeof(c->diag->msg))
		n = 0;
	vsnprintf(c->diag->msg + n, sizeof(c->diag->msg) - (size_t)n, fmt, ap);
	return rc;
}

int sck_prof_fail(struct sck_prof *c, int rc, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = vfail(c, rc, path, fmt, ap);
	va_end(ap);
	return rc;
}

int sck_prof_fail_at(struct sck_prof *c, int rc, const struct sck_prof_path *path, const char *fmt,
		     ...)
{
	char buf[SCK_PROF_PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	rc = vfail(c, rc, sck_prof_path_str(path, buf), fmt, ap);
	va_end(ap);
	return rc;
}

void sck_prof_warn(struct sck_prof *c, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n;

	if (!c->warn)
		return;
	if (c->prefix)
		n = snprintf(msg, sizeof(msg), "%s.%.200s: ", c->prefix, path);
	else
		n = snprintf(msg, sizeof(msg), "%.200s: ", path);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	c->warn(c->warn_arg, msg);
}

static const char *type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a fraction";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

/* @o (not NULL) must have type @t. */
int sck_prof_want(struct sck_prof *c, json_object *o, json_type t, const struct sck_prof_path *path,
		  const char *what)
{
	if (json_object_is_type(o, t))
		return 0;
	return sck_prof_fail_at(c, -EINVAL, path, "expected %s, got %s", what, type_name(o));
}

/* An unsigned 64-bit integer: every value up to 2^64-1 exactly; no sign, fraction or more. */
int sck_prof_get_u64(struct sck_prof *c, json_object *o, const struct sck_prof_path *path,
		     uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (json_object_is_type(o, json_type_double))
		return sck_prof_fail_at(c, -EINVAL, path, "expected an unsigned integer, got %s",
					json_object_get_string(o));
	if (!json_object_is_type(o, json_type_int))
		return sck_prof_fail_at(c, -EINVAL, path, "expected an unsigned integer, got %s",
					type_name(o));
	if (json_object_get_int64(o) < 0)
		return sck_prof_fail_at(c, -EINVAL, path,
					"negative value %" PRId64 " (unsigned expected)",
					json_object_get_int64(o));
	v = json_object_get_uint64(o);
	if (v > max)
		return sck_prof_fail_at(c, -EINVAL, path,
					"value %" PRIu64 " out of range (at most %" PRIu64 ")", v,
					max);
	*out = v;
	return 0;
}

int sck_prof_get_str(struct sck_prof *c, json_object *o, const struct sck_prof_path *path,
		     const char **out)
{
	int rc = sck_prof_want(c, o, json_type_string, path, "a string");
	if (!rc)
		*out = json_object_get_string(o);
	return rc;
}

/* Index of @key in the NULL-terminated @keys, -1 when absent (the first character first). */
static int key_index(const char *key, const char *const *keys)
{
	for (int i = 0; keys[i]; i++)
		if (keys[i][0] == key[0] && strcmp(key, keys[i]) == 0)
			return i;
	return -1;
}

/* Object member @key, NULL when absent or null (Go reads null as the zero value). */
void sck_prof_members(struct sck_prof *c, json_object *o, const struct sck_prof_path *path,
		      const char *const *keys, json_object **vals)
{
	for (size_t i = 0; keys[i]; i++)
		vals[i] = NULL;
	json_object_object_foreach(o, key, val)
	{
		int k = key_index(key, keys);
		/* Go's decoder ignores a key it does not know; a typo should show */
		if (k < 0 && c->warn) {
			char buf[SCK_PROF_PATH_MAX];
			sck_prof_warn(c, sck_prof_path_str(path, buf), "unknown key \"%s\" ignored",
				      key);
		} else if (k >= 0 && !json_object_is_type(val, json_type_null)) {
			vals[k] = val;
		}
	}
}

/*
 * Append @key, then "[@idx]" when @idx is not SCK_PROF_NO_INDEX, to the path in @buf: one level
 * down, the whole cut to SCK_PROF_PATH_MAX - 1 characters.
 */
static void append(char *buf, const char *key, size_t idx)
{
	char num[24], *q = num + sizeof(num);
	size_t n = strnlen(buf, SCK_PROF_PATH_MAX - 1), k = strlen(key), m;

	m = k < SCK_PROF_PATH_MAX - 1 - n ? k : SCK_PROF_PATH_MAX - 1 - n;
	memcpy(buf + n, key, m);
	n += m;
	if (idx != SCK_PROF_NO_INDEX) {
		*--q = ']';
		do
			*--q = (char)('0' + idx % 10);
		while ((idx /= 10) > 0);
		*--q = '[';
		m = (size_t)(num + sizeof(num) - q);
		if (m > SCK_PROF_PATH_MAX - 1 - n)
			m = SCK_PROF_PATH_MAX - 1 - n;
		memcpy(buf + n, q, m);
		n += m;
	}
	buf[n] = 0;
}

const char *sck_prof_path_str(const struct sck_prof_path *p, char *buf)
{
	if (!p) {
		buf[0] = 0;
		return buf;
	}
	sck_prof_path_str(p->up, buf); /* the path above, then this step */
	append(buf, p->key, p->idx);
	return buf;
}

/* 1-based line and column of byte @off of @s. */
static void locate(const char *s, size_t off, unsigned int *line, unsigned int *col)
{
	unsigned int l = 1, cl = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			l++;
			cl = 1;
		} else {
			cl++;
		}
	}
	*line = l;
	*col = cl;
}

/*
 * json-c saturates an integer literal above 2^64-1 to 2^64-1 without a word; find one in the
 * text (outside strings) so that it is an error, with its line and column. Returns its offset or
 * -1.
 */
#define FIND_RUN 20 /* the digits of 2^64-1 */

static long find_overflow(const char *s, size_t len)
{
	static const char max[] = "18446744073709551615";
	bool str = false;

	for (size_t i = 0; i < len; i++) {
		size_t j, n;
		if (str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				str = false;
			continue;
		}
		if (s[i] == '"') {
			str = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			continue;
		for (j = i; j < len && s[j] >= '0' && s[j] <= '9'; j++)
			;
		n = j - i;
		/* leading zeros are not JSON; json-c refused them already */
		if (n > 20 || (n == 20 && memcmp(s + i, max, 20) > 0))
			return (long)i;
		i = j - 1;
	}
	return -1;
}

/*
 * Whether the text may hold what find_overflow looks for: a run of 20 digits or more, in a string
 * or not. Such a run covers a multiple of 20 (less one), so only every 20th byte is looked at, and
 * the runs found there measured: about 700 bytes of Docker's profile, where walking the parsed
 * values cost ten times as much and scanning every byte four times.
 */
static bool may_overflow(const char *s, size_t len)
{
	/* (a shorter run holds one of the bytes looked at at most) */
	for (size_t i = FIND_RUN - 1; i < len; i += FIND_RUN) {
		size_t a = i, b = i + 1;
		if (s[i] < '0' || s[i] > '9')
			continue;
		while (a > 0 && s[a - 1] >= '0' && s[a - 1] <= '9')
			a--;
		while (b < len && s[b] >= '0' && s[b] <= '9')
			b++;
		if (b - a >= FIND_RUN)
			return true;
	}
	return false;
}

int sck_prof_parse_json(struct sck_prof *c, const char *json, size_t len, json_object **out)
{
	json_tokener *tok;
	json_object *root;
	enum json_tokener_error jerr;
	size_t end;

	if (len > INT32_MAX)
		return sck_prof_fail(c, -EINVAL, "", "profile too large");
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!root && jerr == json_tokener_success)
		jerr = json_tokener_continue;
	if (jerr != json_tokener_success) {
		unsigned int line, col;
		if (jerr == json_tokener_continue)
			end = len;
		locate(json, end, &line, &col);
		if (c->diag) {
			c->diag->line = line;
			c->diag->col = col;
			snprintf(c->diag->msg, sizeof(c->diag->msg), "%s",
				 jerr == json_tokener_continue ? "unexpected end of the JSON text"
							       : json_tokener_error_desc(jerr));
		}
		json_object_put(root);
		json_tokener_free(tok);
		return -EINVAL;
	}
	/* the text must end with the value (whitespace aside) */
	for (size_t i = end; i < len; i++) {
		if (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')
			continue;
		if (c->diag) {
			locate(json, i, &c->diag->line, &c->diag->col);
			snprintf(c->diag->msg, sizeof(c->diag->msg),
				 "unexpected text after the JSON value");
		}
		json_object_put(root);
		json_tokener_free(tok);
		return -EINVAL;
	}
	json_tokener_free(tok);
	{
		long at = may_overflow(json, len) ? find_overflow(json, len) : -1;
		if (at >= 0) {
			if (c->diag) {
				locate(json, (size_t)at, &c->diag->line, &c->diag->col);
				snprintf(c->diag->msg, sizeof(c->diag->msg),
					 "integer out of range (at most 2^64-1)");
			}
			json_object_put(root);
			return -EINVAL;
		}
	}
	*out = root;
	return 0;
}
