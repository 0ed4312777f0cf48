// SPDX-License-Identifier: MIT
/*
 * The agent's log: one JSON object a line, written whole with one write(2) under a lock so that
 * the lines of concurrent containers never interleave. Two kinds: events of a connection
 * (connect, drop, close, learned ...) and calls (one per notification the policy logs).
 * docs/agent.md lists the fields.
 */
#include "agent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void sck_agent_json_str(struct sck_cli_buf *b, const char *s)
{
	sck_cli_buf_printf(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sck_cli_buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			sck_cli_buf_printf(b, "\\n");
		else if (*p == '\t')
			sck_cli_buf_printf(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			sck_cli_buf_printf(b, "\\u%04x", *p);
		else if (*p >= 0x80) /* the log stays ASCII: bytes of the target as \u00XX */
			sck_cli_buf_printf(b, "\\u%04x", *p);
		else
			sck_cli_buf_printf(b, "%c", *p);
	}
	sck_cli_buf_printf(b, "\"");
}

/* {"time":"2026-01-02T03:04:05.678Z" */
static void start(struct sck_cli_buf *b)
{
	struct timespec ts;
	struct tm tm;
	char t[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	sck_cli_buf_printf(b, "{\"time\":\"%s.%03ldZ\"", t, ts.tv_nsec / 1000000);
}

static void emit(struct sck_agent *a, struct sck_cli_buf *b)
{
	size_t off = 0;

	sck_cli_buf_printf(b, "}\n");
	if (b->oom)
		return;
	pthread_mutex_lock(&a->log_lock);
	while (off < b->len) {
		ssize_t w = write(a->log_fd, b->p + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	pthread_mutex_unlock(&a->log_lock);
}

static void container(struct sck_cli_buf *b, const struct sck_agent_conn *c)
{
	sck_cli_buf_printf(b, ",\"conn\":%lu", c->serial);
	if (c->id[0]) {
		sck_cli_buf_printf(b, ",\"container\":");
		sck_agent_json_str(b, c->id);
	}
}

void sck_agent_log_event(struct sck_agent *a, const struct sck_agent_conn *c, const char *event,
			 const char *fmt, ...)
{
	struct sck_cli_buf b = {NULL, 0, 0, false};
	char *msg = NULL;
	va_list ap;

	start(&b);
	sck_cli_buf_printf(&b, ",\"event\":\"%s\"", event);
	if (c)
		container(&b, c);
	if (fmt) {
		int len;

		va_start(ap, fmt);
		len = vasprintf(&msg, fmt, ap);
		va_end(ap);
		if (len >= 0)
			sck_cli_buf_printf(&b, "%s", msg);
		free(msg);
	}
	emit(a, &b);
	free(b.p);
}

void sck_agent_log_call(struct sck_agent *a, const struct sck_agent_conn *c,
			const struct seccomp_notif *req, const char *name,
			const struct sck_agent_verdict *v, const char *call, const char *response,
			int err, const char *result)
{
	const struct sck_arch *arch = sck_cli_notif_arch(req);
	struct sck_cli_buf b = {NULL, 0, 0, false};
	start(&b);
	container(&b, c);
	sck_cli_buf_printf(&b, ",\"pid\":%u,\"arch\":\"%s\",\"syscall\":", req->pid,
			   arch ? arch->name : "unknown");
	if (name)
		sck_agent_json_str(&b, name);
	else
		sck_cli_buf_printf(&b, "\"syscall_%d\"", req->data.nr);
	sck_cli_buf_printf(&b, ",\"nr\":%d,\"args\":[", req->data.nr);
	for (int i = 0; i < 6; i++)
		sck_cli_buf_printf(&b, "%s\"0x%llx\"", i ? "," : "",
				   (unsigned long long)req->data.args[i]);
	sck_cli_buf_printf(&b, "],\"call\":");
	sck_agent_json_str(&b, call);
	if (v && (v->path[0] || v->path_err)) {
		sck_cli_buf_printf(&b, ",\"path\":");
		sck_agent_json_str(&b, v->path);
		sck_cli_buf_printf(&b, ",\"resolved\":");
		sck_agent_json_str(&b, v->resolved);
		if (v->path_err)
			sck_cli_buf_printf(&b, ",\"path_error\":\"%s\"", strerror(-v->path_err));
	}
	if (v && v->rule_index >= 0)
		sck_cli_buf_printf(&b, ",\"rule\":%ld", v->rule_index);
	else
		sck_cli_buf_printf(&b, ",\"rule\":null");
	sck_cli_buf_printf(&b, ",\"response\":\"%s\"", response);
	if (err > 0 && sck_agent_errno_name(err))
		sck_cli_buf_printf(&b, ",\"errno\":\"%s\"", sck_agent_errno_name(err));
	else if (err > 0)
		sck_cli_buf_printf(&b, ",\"errno\":%d", err);
	if (result) {
		sck_cli_buf_printf(&b, ",\"result\":");
		sck_agent_json_str(&b, result);
	}
	emit(a, &b);
	free(b.p);
}
