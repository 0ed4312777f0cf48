#!/bin/sh
# SPDX-License-Identifier: MIT
# `sck agent` with real containers: runc runs busybox containers whose profile sends mkdir, mknod,
# mount and unshare (or everything, for learning) to the agent. Usage:
#   agent_runc.sh SCK verdicts|many|learn|stop|restart
# Exit 0 pass, 1 fail (the reason on stdout), 77 skip (runc, busybox-static, jq or root missing).
# Run by tests/cli/test_cli_agent.c; each section takes a few seconds.
set -u
SCK=$1
SECTION=$2

skip() {
	echo "SKIP: $*"
	exit 77
}
fail() {
	echo "FAIL: $*"
	[ -f "$LOG" ] && sed 's/^/  log: /' "$LOG" | tail -n 40
	[ -f "$T/agent.err" ] && sed 's/^/  err: /' "$T/agent.err"
	exit 1
}

[ "$(id -u)" = 0 ] || skip "not root"
command -v runc >/dev/null 2>&1 || skip "runc missing (apt-get install runc)"
command -v jq >/dev/null 2>&1 || skip "jq missing (apt-get install jq)"
BUSYBOX=$(command -v busybox 2>/dev/null)
[ -n "$BUSYBOX" ] && file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	skip "no static busybox (apt-get install busybox-static)"
[ "$(uname -m)" = x86_64 ] || skip "the expectations are written for x86_64"

T=$(mktemp -d /tmp/sck-agent-XXXXXX)
LOG=$T/agent.log # the log of the agent started next (restart gives each agent its own)
TAG=$$
AGENT=
IDS=
cleanup() {
	for id in $IDS; do runc delete -f "$id" >/dev/null 2>&1; done
	[ -n "$AGENT" ] && kill -TERM "$AGENT" 2>/dev/null && kill -CONT "$AGENT" 2>/dev/null &&
		wait "$AGENT" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# A busybox rootfs shared by the bundles (their root.path points at it).
mkdir -p "$T/rootfs/bin" "$T/rootfs/tmp" "$T/rootfs/mnt" "$T/rootfs/dev" "$T/rootfs/proc"
cp "$BUSYBOX" "$T/rootfs/bin/busybox"
for a in sh mkdir mknod mount unshare ls cat echo true stat; do
	ln -s busybox "$T/rootfs/bin/$a"
done
(cd "$T" && runc spec) || fail "runc spec"

# bundle DIR SCRIPT: a bundle whose process runs SCRIPT, with no seccomp section yet.
bundle() {
	mkdir -p "$1"
	jq --arg root "$T/rootfs" --arg script "$2" \
		'.process.terminal = false | .process.args = ["/bin/sh", "-c", $script] |
		 .root = {path: $root, readonly: false} | del(.linux.seccomp)' \
		"$T/config.json" >"$1/config.json" || fail "jq"
}

# notify DIR METADATA NAMES...: send NAMES to the agent at $T/agent.sock.
notify() {
	dir=$1
	meta=$2
	shift 2
	names=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	jq --arg sock "$T/agent.sock" --arg meta "$meta" --argjson names "$names" \
		'.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
		  listenerPath: $sock, listenerMetadata: $meta,
		  syscalls: [{names: $names, action: "SCMP_ACT_NOTIFY"}]}' \
		"$dir/config.json" >"$dir/c.json" && mv "$dir/c.json" "$dir/config.json" || fail "jq"
}

start_agent() {
	"$SCK" agent --socket "$T/agent.sock" --log "$LOG" "$@" 2>"$T/agent.err" &
	AGENT=$!
	# listening once it logged its start (a stale socket file may be there before)
	for _ in $(seq 50); do
		[ -S "$T/agent.sock" ] &&
			[ -n "$(jq -c "select(.event == \"start\" and .pid == $AGENT)" "$LOG" 2>/dev/null)" ] &&
			return 0
		sleep 0.1
	done
	fail "the agent did not start listening"
}

stop_agent() {
	kill -TERM "$AGENT" || fail "agent gone"
	wait "$AGENT"
	arc=$?
	AGENT=
	[ $arc = 0 ] || fail "agent exited $arc after SIGTERM"
	[ -e "$T/agent.sock" ] && fail "socket left behind"
	return 0
}

# run ID DIR: run the container, its output (stdout and stderr) in $T/ID.out.
run() {
	IDS="$IDS $1"
	(cd "$2" && timeout -s KILL 30 runc run "$1" </dev/null >"$T/$1.out" 2>&1)
}

# logline JQ-FILTER: the one log line the filter selects into $l (fails unless exactly one).
logline() {
	l=$(jq -c "select($1)" "$LOG") || fail "log is not JSON lines"
	n=$(printf '%s' "$l" | grep -c .)
	[ "$n" = 1 ] || fail "$n log lines for $1"
}

# expect LINE JQ-BOOLEAN...: each field check on one log line.
expect() {
	line=$1
	shift
	for check in "$@"; do
		[ "$(printf '%s' "$line" | jq "$check")" = true ] || fail "log: $check: $line"
	done
}

verdicts() {
	id=sck-v-$TAG
	cat >"$T/policy.json" <<'EOF'
{
  "defaultAction": "log",
  "rules": [
    {"syscalls": ["mkdir", "mkdirat"], "path": {"prefix": "/denied"},
     "action": "errno", "errno": "EACCES"},
    {"syscalls": ["mkdir", "mkdirat"], "path": {"glob": "/tmp/quiet*"}, "action": "continue"},
    {"syscalls": ["mknod", "mknodat"], "action": "emulate"},
    {"syscalls": ["mount"], "container": {"id": "sck-v-*", "metadata": "verdicts"},
     "action": "errno", "errno": "EROFS"},
    {"syscalls": ["unshare"], "args": [{"index": 0, "op": "SCMP_CMP_MASKED_EQ",
     "value": 131072, "valueTwo": 131072}], "action": "errno", "errno": 38}
  ]
}
EOF
	bundle "$T/b" '
mkdir /denied; echo "mkdir_denied=$?"
mkdir /tmp/ok; echo "mkdir_ok=$?"
cd /tmp && mkdir quiet1; echo "mkdir_quiet=$?"
mknod /tmp/null c 1 3; echo "mknod_null=$?"
mknod /tmp/sda b 8 0; echo "mknod_sda=$?"
mknod /tmp/mem c 1 1; echo "mknod_mem=$?"
mount -t tmpfs none /mnt; echo "mount=$?"
unshare -m true; echo "unshare_m=$?"
unshare -u true; echo "unshare_u=$?"
exit 3'
	notify "$T/b" verdicts mkdir mkdirat mknod mknodat mount unshare
	start_agent --policy "$T/policy.json"
	run "$id" "$T/b"
	rc=$?
	stop_agent
	out=$T/$id.out
	[ $rc = 3 ] || fail "container exit $rc: $(cat "$out")"
	for want in mkdir_denied=1 mkdir_ok=0 mkdir_quiet=0 mknod_null=0 mknod_sda=1 mknod_mem=1 \
		mount=255 unshare_m=1 unshare_u=1; do
		grep -qx "$want" "$out" || fail "want $want: $(cat "$out")"
	done
	grep -q "Permission denied" "$out" || fail "mkdir /denied: not EACCES: $(cat "$out")"
	grep -q "Read-only file system" "$out" || fail "mount: not EROFS: $(cat "$out")"
	grep -q "Function not implemented" "$out" || fail "unshare -m: not ENOSYS: $(cat "$out")"
	# on the host side of the rootfs
	[ -d "$T/rootfs/tmp/ok" ] || fail "no tmp/ok"
	[ -d "$T/rootfs/tmp/quiet1" ] || fail "no tmp/quiet1"
	[ -e "$T/rootfs/denied" ] && fail "denied was created"
	[ "$(stat -c '%F %t:%T %a' "$T/rootfs/tmp/null")" = "character special file 1:3 644" ] ||
		fail "tmp/null: $(stat -c '%F %t:%T %a' "$T/rootfs/tmp/null")"
	[ -e "$T/rootfs/tmp/sda" ] && fail "sda was created"
	[ -e "$T/rootfs/tmp/mem" ] && fail "mem was created"
	# the log, field by field
	logline ".event == \"connect\""
	expect "$l" ".container == \"$id\"" '.metadata == "verdicts"' '.pid > 0' \
		".bundle == \"$T/b\""
	logline '.path == "/denied"'
	expect "$l" ".container == \"$id\"" '.syscall == "mkdir"' '.arch == "x86_64"' '.nr == 83' \
		'.pid > 0' '.rule == 0' '.response == "errno"' '.errno == "EACCES"' \
		'.resolved == "/denied"' '(.call // "") | startswith("mkdir(\"/denied\", ")' \
		'.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")' '.args | length == 6'
	logline '.path == "/tmp/ok"'
	expect "$l" '.rule == null' '.response == "log"' '.errno == null'
	[ -z "$(jq -c 'select(.path == "quiet1")' "$T/agent.log")" ] ||
		fail "a quiet continue was logged"
	logline '(.call // "") | test("\"/tmp/null\"")'
	expect "$l" '.syscall == "mknodat"' '.rule == 2' '.response == "emulate"' \
		'.result == "created 1:3"' '.errno == null'
	logline '(.call // "") | test("\"/tmp/sda\"")'
	expect "$l" '.response == "emulate"' '.errno == "EPERM"' '.result | test("block 8:0")'
	logline '.syscall == "mount" and .args[3] == "0x8000"'
	expect "$l" '.rule == 3' '.response == "errno"' '.errno == "EROFS"' \
		'(.call // "") | test("\"tmpfs\"")'
	logline '.syscall == "unshare" and .args[0] == "0x20000"'
	expect "$l" '.rule == 4' '.errno == "ENOSYS"'
	logline '.syscall == "unshare" and .args[0] == "0x4000000"'
	expect "$l" '.rule == null' '.response == "log"'
	logline '.event == "close"'
	expect "$l" '.reason == "hangup"' '.served >= 8'
}

many() {
	cat >"$T/policy.json" <<'EOF'
{"rules": [{"syscalls": ["mkdir"], "container": {"metadata": "m3"}, "action": "errno",
            "errno": "EDQUOT"}]}
EOF
	start_agent --policy "$T/policy.json"
	pids=
	for i in 0 1 2 3 4 5 6 7 8 9; do
		bundle "$T/b$i" "mkdir /tmp/c$i; echo rc=\$?"
		notify "$T/b$i" "m$i" mkdir
		run "sck-m$i-$TAG" "$T/b$i" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || fail "a container failed"; done
	stop_agent
	for i in 0 1 2 3 4 5 6 7 8 9; do
		id=sck-m$i-$TAG
		logline ".event == \"connect\" and .container == \"$id\""
		expect "$l" ".metadata == \"m$i\""
		logline ".syscall == \"mkdir\" and .container == \"$id\""
		expect "$l" ".path == null" "(.call // \"\") | test(\"/tmp/c$i\")"
		if [ $i = 3 ]; then
			expect "$l" '.errno == "EDQUOT"' '.rule == 0'
			grep -qx "rc=1" "$T/$id.out" || fail "c3: $(cat "$T/$id.out")"
			[ -e "$T/rootfs/tmp/c3" ] && fail "c3 created"
		else
			expect "$l" '.response == "log"'
			grep -qx "rc=0" "$T/$id.out" || fail "c$i: $(cat "$T/$id.out")"
			[ -d "$T/rootfs/tmp/c$i" ] || fail "no tmp/c$i"
		fi
	done
	n=$(jq -c 'select(.event == "connect")' "$T/agent.log" | grep -c .)
	[ "$n" = 10 ] || fail "$n connections"
}

learn() {
	id=sck-l-$TAG
	mkdir "$T/learned"
	script='echo hello >/tmp/greeting; cat /tmp/greeting; ls / >/dev/null'
	bundle "$T/b" "$script"
	"$SCK" learn --oci "$T/b" --socket "$T/agent.sock" --metadata learning ||
		fail "sck learn --oci"
	[ "$(jq -r '.linux.seccomp.listenerPath' "$T/b/config.json")" = "$T/agent.sock" ] ||
		fail "listenerPath"
	jq -e '.linux.seccomp.syscalls[0].names | (index("write") == null and index("rt_sigreturn") == null)' "$T/b/config.json" \
		>/dev/null || fail "write is notified"
	jq -e '.linux.seccomp.syscalls[0].names | index("openat") != null' "$T/b/config.json" \
		>/dev/null || fail "openat is not notified"
	start_agent --learn "$T/learned"
	run "$id" "$T/b" || fail "learning run: $(cat "$T/$id.out")"
	stop_agent
	p=$T/learned/$id.json
	[ -f "$p" ] || fail "no $p"
	jq -e '.defaultAction == "SCMP_ACT_ERRNO" and (.syscalls[0].names | index("execve") != null)
		and (.syscalls[0].names | index("mkdir") == null)' "$p" >/dev/null ||
		fail "learned: $(cat "$p")"
	"$SCK" compile -o /dev/null "$p" || fail "the learned profile does not compile"
	# enforced: the same script succeeds, one call more is denied
	bundle "$T/e" "$script"
	jq --slurpfile p "$p" '.linux.seccomp = $p[0]' "$T/e/config.json" >"$T/e/c.json" &&
		mv "$T/e/c.json" "$T/e/config.json" || fail "jq"
	run "$id-e" "$T/e" || fail "enforced run: $(cat "$T/$id-e.out")"
	grep -qx hello "$T/$id-e.out" || fail "enforced output: $(cat "$T/$id-e.out")"
	bundle "$T/f" "$script; mkdir /tmp/extra; echo mkdir=\$?"
	jq --slurpfile p "$p" '.linux.seccomp = $p[0]' "$T/f/config.json" >"$T/f/c.json" &&
		mv "$T/f/c.json" "$T/f/config.json" || fail "jq"
	run "$id-f" "$T/f" || fail "denied run: $(cat "$T/$id-f.out")"
	grep -qx "mkdir=1" "$T/$id-f.out" || fail "mkdir not denied: $(cat "$T/$id-f.out")"
	grep -q "Operation not permitted" "$T/$id-f.out" || fail "not EPERM: $(cat "$T/$id-f.out")"
	[ -e "$T/rootfs/tmp/extra" ] && fail "extra was created"
}

# SIGTERM while a container is connected and idle (its thread waiting for a notification, in a
# blocked receive unless SCK_AGENT_POLL is set): the agent ends that wait, logs the close, exits 0.
stop() {
	id=sck-s-$TAG
	start_agent
	bundle "$T/b" 'mkdir /tmp/s1; echo "mkdir=$?"; sleep 30'
	notify "$T/b" stop mkdir
	run "$id" "$T/b" &
	rp=$!
	for _ in $(seq 100); do
		[ -n "$(jq -c 'select(.syscall == "mkdir")' "$T/agent.log" 2>/dev/null)" ] && break
		sleep 0.1
	done
	logline '.syscall == "mkdir"'
	sleep 0.2
	stop_agent
	runc kill "$id" KILL >/dev/null 2>&1
	wait "$rp"
	logline ".event == \"close\" and .container == \"$id\""
	expect "$l" '.reason == "agent stopping"' '.served == 1'
	grep -qx "mkdir=0" "$T/$id.out" || fail "mkdir: $(cat "$T/$id.out")"
}

# kill_agent: SIGKILL the agent, which cannot clean up: its socket file stays, stale.
kill_agent() {
	kill -KILL "$AGENT" || fail "agent gone"
	wait "$AGENT"
	arc=$?
	AGENT=
	[ $arc = 137 ] || fail "agent exited $arc after SIGKILL"
	[ -S "$T/agent.sock" ] || fail "no stale socket after SIGKILL"
}

# wait_log JQ-FILTER: wait (up to 10 s) for a line of $LOG the filter selects.
wait_log() {
	for _ in $(seq 100); do
		[ -n "$(jq -c "select($1)" "$LOG" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	fail "no log line $1"
}

# gone ID: once deleted, the container left nothing behind: no state in runc, no process in its
# cgroup (runc names it after the id), no cgroup.
gone() {
	runc delete -f "$1" >/dev/null 2>&1
	runc state "$1" >/dev/null 2>&1 && fail "$1: runc still has state"
	p=$(grep -l "/$1\$" /proc/[0-9]*/cgroup 2>/dev/null)
	[ -z "$p" ] || fail "$1: processes left: $p"
	p=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$1" 2>/dev/null)
	[ -z "$p" ] || fail "$1: cgroups left: $p"
	return 0
}

# refused ID WHY: runc could not hand the container to an agent: it failed, its command never ran.
refused() {
	run "$1" "$T/n" && fail "$1: runc run succeeded without an agent: $(cat "$T/$1.out")"
	rc=$?
	[ $rc = 137 ] && fail "$1: runc run hung"
	[ -e "$T/rootfs/tmp/ran-n" ] && fail "$1: the container's command ran"
	grep -q "$T/agent.sock" "$T/$1.out" || fail "$1: the socket is not named: $(cat "$T/$1.out")"
	echo "note: no agent ($2): runc exit $rc: $(cat "$T/$1.out")"
	gone "$1"
}

# served ID META: a container whose mkdir under /tmp/no- the running agent's policy denies.
served() {
	bundle "$T/$1" "mkdir /tmp/no-$1; echo no=\$?; mkdir /tmp/ok-$1; echo ok=\$?"
	notify "$T/$1" "$2" mkdir
	run "$1" "$T/$1" || fail "$1: exit $?: $(cat "$T/$1.out")"
	grep -qx no=1 "$T/$1.out" && grep -q "Permission denied" "$T/$1.out" &&
		grep -qx ok=0 "$T/$1.out" || fail "$1: $(cat "$T/$1.out")"
	[ -e "$T/rootfs/tmp/no-$1" ] && fail "$1: no-$1 created"
	[ -d "$T/rootfs/tmp/ok-$1" ] || fail "$1: no ok-$1"
	logline "(.call // \"\") | test(\"/tmp/no-$1\")"
	expect "$l" ".container == \"$1\"" '.rule == 0' '.errno == "EACCES"'
	logline ".event == \"connect\" and .container == \"$1\""
	expect "$l" ".metadata == \"$2\""
}

# connected ID: a container (in the background, pid $cpid) served once, then waiting for
# $T/rootfs/tmp/go-ID to mkdir again.
connected() {
	bundle "$T/$1" "mkdir /tmp/first-$1; echo first=\$?
while [ ! -e /tmp/go-$1 ]; do sleep 0.05; done
mkdir /tmp/second-$1; echo second=\$?"
	notify "$T/$1" "$1" mkdir
	IDS="$IDS $1" # run's own is in the background subshell
	run "$1" "$T/$1" &
	cpid=$!
	wait_log "(.call // \"\") | test(\"/tmp/first-$1\")"
}

# orphaned ID [pending]: the agent of `connected ID` is gone (or, with pending, SIGKILLed here
# while the container's second mkdir waits for it): that call fails with ENOSYS (the kernel's
# answer once the listener is closed), at once, and the container goes on.
orphaned() {
	if [ "${2:-}" = pending ]; then
		kill -STOP "$AGENT" || fail "agent gone"
		touch "$T/rootfs/tmp/go-$1"
		waiting=
		for _ in $(seq 100); do
			for p in $(grep -l "/$1\$" /proc/[0-9]*/cgroup 2>/dev/null); do
				read -r nr _ <"${p%cgroup}syscall" 2>/dev/null && [ "$nr" = 83 ] &&
					waiting=${p#/proc/}
			done
			[ -n "$waiting" ] && break
			sleep 0.1
		done
		[ -n "$waiting" ] || fail "$1: no process waiting in mkdir"
		kill_agent
	else
		touch "$T/rootfs/tmp/go-$1"
	fi
	wait "$cpid"
	rc=$?
	[ $rc = 137 ] && fail "$1: hung after its agent went away"
	[ $rc = 0 ] || fail "$1: exit $rc: $(cat "$T/$1.out")"
	grep -qx first=0 "$T/$1.out" && grep -qx second=1 "$T/$1.out" &&
		grep -q "Function not implemented" "$T/$1.out" || fail "$1: $(cat "$T/$1.out")"
	[ -e "$T/rootfs/tmp/second-$1" ] && fail "$1: second-$1 created"
	gone "$1"
}

# No agent (no socket; the stale socket of a SIGKILLed agent): runc fails to start the container.
# An agent stopped (SIGTERM) or killed (SIGKILL) and started again on the same path serves the
# containers that connect after it is back; those connected to the dead one get ENOSYS, for a
# call made after it died and for one that was waiting for it.
restart() {
	bundle "$T/n" 'touch /tmp/ran-n; mkdir /tmp/n; echo rc=$?'
	notify "$T/n" none mkdir
	cat >"$T/policy.json" <<'EOF'
{"rules": [{"syscalls": ["mkdir"], "path": {"glob": "/tmp/no-*"}, "action": "errno",
            "errno": "EACCES"}]}
EOF
	refused "sck-r0-$TAG" "no socket"
	start_agent --policy "$T/policy.json"
	kill_agent
	refused "sck-r1-$TAG" "stale socket"

	LOG=$T/agent1.log
	start_agent --policy "$T/policy.json"
	served "sck-ra-$TAG" a
	connected "sck-rd1-$TAG"
	stop_agent
	logline ".event == \"close\" and .container == \"sck-rd1-$TAG\""
	expect "$l" '.reason == "agent stopping"' '.served == 1'
	orphaned "sck-rd1-$TAG"
	gone "sck-ra-$TAG"

	LOG=$T/agent2.log
	start_agent --policy "$T/policy.json"
	served "sck-rb-$TAG" b
	connected "sck-rd2-$TAG"
	orphaned "sck-rd2-$TAG" pending
	gone "sck-rb-$TAG"

	LOG=$T/agent3.log
	start_agent --policy "$T/policy.json"
	served "sck-rc-$TAG" c
	stop_agent
	n=$(jq -c 'select(.event == "connect")' "$LOG" | grep -c .)
	[ "$n" = 1 ] || fail "agent 3: $n connections"
	gone "sck-rc-$TAG"
}

case $SECTION in
verdicts | many | learn | stop | restart) $SECTION ;;
*)
	echo "usage: agent_runc.sh SCK verdicts|many|learn|stop|restart"
	exit 2
	;;
esac
echo "PASS: $SECTION"
exit 0
