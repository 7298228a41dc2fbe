#!/bin/sh
# Checks of the operations files, in TAP: the rendered systemd units and timers, the
# sysusers/tmpfiles entries, the production nginx site and
# tally.conf.example. Tools that are missing (systemd-analyze, nginx,
# openssl) turn their checks into SKIPs. Env: TALLY_SRC (source dir),
# TALLY_BIN (build dir, where tally-worker, tallyctl and
# systemd/tally.service are).
set -u
src=${TALLY_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TALLY_BIN:-$src}
unit=$bin/systemd/tally.service
site=$src/nginx/tally.conf
example=$src/tally.conf.example
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tally-verify.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM


n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check DESCRIPTION COMMAND...: ok when the command succeeds
	d=$1; shift
	if out=$("$@" 2>&1); then pass "$d"; else fail "$d" "$out"; fi
}
# value of the first KEY= line of the unit
unit_get() { sed -n "s/^$1=//p" "$unit" | head -1; }

# ---- the unit ----
if [ -f "$unit" ] && ! grep -q '@[a-z]*@' "$unit"; then
	pass "tally.service is rendered (no @placeholder@ left)"
else
	fail "tally.service is rendered (no @placeholder@ left)" "missing or unrendered: $unit"
fi

exec_start=$(unit_get ExecStart)
case "$exec_start" in
"/usr/bin/spawn-fcgi -n -s /run/tally/tally.sock -M 0660 -U www-data -G www-data -u tally -g tally -- "*/tally-worker" --config "*/tally/tally.conf)
	pass "ExecStart runs spawn-fcgi in the foreground with tally-worker" ;;
*)	fail "ExecStart runs spawn-fcgi in the foreground with tally-worker" "ExecStart=$exec_start" ;;
esac

missing=""
for kv in Type=exec Restart=on-failure KillMode=mixed RuntimeDirectory=tally \
	ReadWritePaths=/var/lib/tally UMask=0027 \
	"CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_CHOWN" NoNewPrivileges=yes \
	ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
	ProtectKernelTunables=yes ProtectKernelModules=yes ProtectControlGroups=yes \
	"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" RestrictNamespaces=yes \
	RestrictRealtime=yes RestrictSUIDSGID=yes LockPersonality=yes \
	MemoryDenyWriteExecute=yes SystemCallArchitectures=native \
	SystemCallFilter=@system-service; do
	grep -qx "$kv" "$unit" || missing="$missing [$kv]"
done
# User= or StateDirectory= would break the uid change (see the unit's comments)
for k in User Group DynamicUser StateDirectory; do
	grep -q "^$k=" "$unit" && missing="$missing [no $k= expected]"
done
if [ -z "$missing" ]; then pass "hardening and process settings present"
else fail "hardening and process settings present" "missing or wrong:$missing"; fi

stop=$(unit_get TimeoutStopSec | tr -d s)
if [ -n "$stop" ] && [ "$stop" -gt 30 ] 2>/dev/null; then
	pass "TimeoutStopSec ($stop s) leaves the workers their 30 s drain"
else
	fail "TimeoutStopSec leaves the workers their 30 s drain" "TimeoutStopSec=$stop"
fi

# systemd-analyze verify checks that the binaries exist: point them at the build tree.
if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze verify" "systemd-analyze not available"
	skip "systemd-analyze security" "systemd-analyze not available"
else
	printf '[Service]\nExecStart=/bin/true\n' > "$tmp/probe.service"
	if ! probe=$(systemd-analyze verify "$tmp/probe.service" 2>&1) || [ -n "$probe" ]; then
		skip "systemd-analyze verify" "systemd-analyze cannot run here: $(echo "$probe" | head -1)"
		skip "systemd-analyze security" "systemd-analyze cannot run here"
	else
		bindir=$(dirname "$(echo "$exec_start" | sed 's/.* -- \([^ ]*\).*/\1/')")
		sed "s|$bindir/|$bin/|g" "$unit" > "$tmp/tally.service"
		if out=$(systemd-analyze verify "$tmp/tally.service" 2>&1) && [ -z "$out" ]; then
			pass "systemd-analyze verify: no error, no warning"
		else
			fail "systemd-analyze verify: no error, no warning" "$out"
		fi
		# exposure 0 (locked down) .. 10 (unprotected); this unit scores about 2.5
		if sec=$(systemd-analyze security --offline=yes --threshold=30 "$tmp/tally.service" 2>&1); then
			pass "systemd-analyze security: exposure at most 3.0 ($(echo "$sec" | sed -n 's/.*exposure level for [^:]*: \([0-9.]*\).*/\1/p'))"
		elif echo "$sec" | grep -q 'exposure level'; then
			fail "systemd-analyze security: exposure at most 3.0" "$(echo "$sec" | grep -E '✗|exposure')"
		else
			skip "systemd-analyze security" "no offline analysis here: $(echo "$sec" | head -1)"
		fi
	fi
fi

# ---- sysusers.d and tmpfiles.d, applied to a scratch root ----
root=$tmp/root
mkdir -p "$root/etc"
for f in passwd group shadow gshadow; do [ -r /etc/$f ] && cp /etc/$f "$root/etc/"; done
if ! command -v systemd-sysusers >/dev/null 2>&1; then
	skip "sysusers.d/tally.conf creates user and group tally" "systemd-sysusers not available"
elif out=$(systemd-sysusers --root="$root" - < "$src/systemd/sysusers.d/tally.conf" 2>&1) &&
	grep -q '^tally:' "$root/etc/passwd" && grep -q '^tally:' "$root/etc/group"; then
	pass "sysusers.d/tally.conf creates user and group tally"
else
	fail "sysusers.d/tally.conf creates user and group tally" "$out"
fi
if ! command -v systemd-tmpfiles >/dev/null 2>&1; then
	skip "tmpfiles.d/tally.conf makes /var/lib/tally for tally, 0750" "systemd-tmpfiles not available"
elif [ "$(id -u)" != 0 ] || ! grep -q '^tally:' "$root/etc/passwd"; then
	skip "tmpfiles.d/tally.conf makes /var/lib/tally for tally, 0750" "needs root and the user from the previous check"
elif out=$(systemd-tmpfiles --root="$root" --create - < "$src/systemd/tmpfiles.d/tally.conf" 2>&1) &&
	[ "$(stat -c %a:%u "$root/var/lib/tally" 2>/dev/null)" = "750:$(sed -n 's/^tally:[^:]*:\([0-9]*\):.*/\1/p' "$root/etc/passwd")" ]; then
	pass "tmpfiles.d/tally.conf makes /var/lib/tally for tally, 0750"
else
	fail "tmpfiles.d/tally.conf makes /var/lib/tally for tally, 0750" "$out" "$(ls -lnd "$root/var/lib/tally" 2>&1)"
fi

# ---- paths that must agree between the files ----
db=$(sed -n 's/^# database = //p' "$example")
sock=$(sed -n 's/^ *server unix:\([^;]*\);.*/\1/p' "$site")
problems=""
[ "$(dirname "$db")" = /var/lib/tally ] || problems="$problems [database $db is outside ReadWritePaths]"
grep -q "^d $(dirname "$db") " "$src/systemd/tmpfiles.d/tally.conf" || problems="$problems [tmpfiles.d does not create $(dirname "$db")]"
[ "$sock" = /run/tally/tally.sock ] || problems="$problems [nginx upstream socket $sock is not spawn-fcgi's]"
grep -q '^u tally ' "$src/systemd/sysusers.d/tally.conf" || problems="$problems [sysusers.d does not create tally]"
if [ -z "$problems" ]; then pass "database directory, socket and user agree across unit, site, sysusers, tmpfiles, example"
else fail "database directory, socket and user agree across unit, site, sysusers, tmpfiles, example" "$problems"; fi

# nginx workers x keepalive < tally workers x threads; both pools default to
# one process per CPU, so the rule is keepalive < threads.
keepalive=$(sed -n 's/^ *keepalive \([0-9]*\);.*/\1/p' "$site")
threads=$(sed -n 's/^# threads = //p' "$example")
if [ -n "$keepalive" ] && [ -n "$threads" ] && [ "$keepalive" -lt "$threads" ]; then
	pass "upstream keepalive ($keepalive) < threads per worker ($threads)"
else
	fail "upstream keepalive < threads per worker" "keepalive=$keepalive threads=$threads"
fi

# ---- the production nginx site, with a throwaway certificate ----
if ! command -v nginx >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
	skip "nginx -t accepts nginx/tally.conf" "nginx or openssl not installed"
elif ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj /CN=analytics.example.com -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1; then
	fail "nginx -t accepts nginx/tally.conf" "openssl could not make a test certificate"
else
	mkdir -p "$tmp/nginx/logs" "$tmp/nginx/tmp"
	sed -e "s|/etc/nginx/tally/|$src/nginx/|g" \
	    -e "s|/etc/letsencrypt/live/analytics.example.com/fullchain.pem|$tmp/cert.pem|" \
	    -e "s|/etc/letsencrypt/live/analytics.example.com/privkey.pem|$tmp/key.pem|" \
	    -e "s|/var/log/nginx/|$tmp/nginx/logs/|g" "$site" > "$tmp/nginx/site.conf"
	# as Debian's /etc/nginx/modules-enabled/50-mod-nchan.conf does (libnginx-mod-nchan)
	cat > "$tmp/nginx/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log $tmp/nginx/logs/access.log;
    client_body_temp_path $tmp/nginx/tmp/body;
    proxy_temp_path $tmp/nginx/tmp/proxy;
    fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
    uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
    scgi_temp_path $tmp/nginx/tmp/scgi;
    include $tmp/nginx/site.conf;
}
EOF
	check "nginx -t accepts nginx/tally.conf" \
		nginx -t -q -p "$tmp/nginx" -e "$tmp/nginx/logs/error.log" -c "$tmp/nginx/nginx.conf"
fi

# ---- tally.conf.example ----
keys=$(sed -n 's/^[[:space:]]*{ [SIBE](\([a-z_]*\).*/\1/p' "$src/app/core/cfg.c")
absent=""
for k in $keys; do grep -q "^# $k =" "$example" || absent="$absent $k"; done
if [ -n "$keys" ] && [ -z "$absent" ]; then pass "tally.conf.example lists every key of app/core/cfg.c"
else fail "tally.conf.example lists every key of app/core/cfg.c" "missing:${absent:- (no keys found in cfg.c)}"; fi

sed -n 's/^# \([a-z_]* =.*\)$/\1/p' "$example" > "$tmp/all.conf"
if [ ! -x "$bin/tallyctl" ]; then
	fail "tallyctl accepts every line of tally.conf.example" "no $bin/tallyctl"
else
	check "tallyctl accepts every line of tally.conf.example" \
		env TALLY_DATABASE="$tmp/example.db" "$bin/tallyctl" --config "$tmp/all.conf" migrate
fi

# ---- the timers: retention pruning and insights (docs/lifecycle.md) ----
for u in prune insights; do
	svc=$bin/systemd/tally-$u.service
	timer=$src/systemd/tally-$u.timer
	case $u in
	prune) cmd="prune --all" ;;
	insights) cmd="insights generate --all" ;;
	esac
	if [ ! -f "$svc" ] || grep -q '@[a-z]*@' "$svc"; then
		fail "tally-$u.service is rendered (no @placeholder@ left)" "missing or unrendered: $svc"
		continue
	fi
	pass "tally-$u.service is rendered (no @placeholder@ left)"
	missing=""
	for kv in Type=oneshot User=tally Group=tally ReadWritePaths=/var/lib/tally UMask=0027 \
		CapabilityBoundingSet= NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
		PrivateTmp=yes PrivateDevices=yes "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" \
		MemoryDenyWriteExecute=yes SystemCallFilter=@system-service; do
		grep -qxF "$kv" "$svc" || missing="$missing [$kv]"
	done
	grep -q "^ExecStart=.*/tallyctl --config .*/tally/tally.conf $cmd\$" "$svc" ||
		missing="$missing [ExecStart runs tallyctl $cmd]"
	if [ -z "$missing" ]; then pass "tally-$u.service: tallyctl $cmd as tally, hardened"
	else fail "tally-$u.service: tallyctl $cmd as tally, hardened" "missing or wrong:$missing"; fi
	missing=""
	case $u in
	prune) want='OnCalendar=daily|RandomizedDelaySec=1h|Persistent=true|WantedBy=timers.target' ;;
	insights) want='OnCalendar=*-*-* *:05:00|Persistent=true|WantedBy=timers.target' ;;
	esac
	old_ifs=$IFS; IFS='|'; set -f
	for kv in $want; do
		grep -qxF "$kv" "$timer" || missing="$missing [$kv]"
	done
	set +f; IFS=$old_ifs
	if [ -z "$missing" ]; then pass "tally-$u.timer: $(echo "$want" | tr '|' ' ')"
	else fail "tally-$u.timer: $(echo "$want" | tr '|' ' ')" "missing or wrong:$missing"; fi
	if ! command -v systemd-analyze >/dev/null 2>&1 || [ -n "${probe-x}" ]; then
		skip "systemd-analyze verify tally-$u.service and .timer" "systemd-analyze cannot run here"
		continue
	fi
	mkdir -p "$tmp/$u"
	bindir=$(dirname "$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$svc")")
	sed "s|$bindir/|$bin/|g" "$svc" > "$tmp/$u/tally-$u.service"
	cp "$timer" "$tmp/$u/"
	if out=$(cd "$tmp/$u" && systemd-analyze verify "tally-$u.service" "tally-$u.timer" 2>&1) &&
		[ -z "$out" ]; then
		pass "systemd-analyze verify tally-$u.service and .timer: no error, no warning"
	else
		fail "systemd-analyze verify tally-$u.service and .timer: no error, no warning" "$out"
	fi
done
echo "1..$n"
