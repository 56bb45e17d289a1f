#!/bin/sh
# The console's defences, with curl against a real `loaxa-office serve` on
# 127.0.0.1 over a SQLite store holding three boards (tests/console/common.sh):
# every page without a session goes to the login; an operator of commune
# xa-a cannot read xa-b's board by its URL, nor see it in the fleet, its
# events or its reports; a POST without the session's CSRF token is refused
# (403), the login form's too; a title holding <script> is shown as text; a
# filter holding SQL finds nothing; repeated bad passwords slow the next
# tries, per name and per address (measured); the cookie is HttpOnly and
# SameSite=Strict; an expired session opens nothing; the audit trail names
# each action and refuses UPDATE and DELETE. Also: user add's refusals, the
# fleet CSV's formula cells, the language switch, report ranges, TLS
# directly (Secure cookies, HSTS) and --behind-proxy (X-Forwarded-For).
. "$TOP/tests/fleet-common.sh"
. "$TOP/tests/console/common.sh"
command -v sqlite3 > /dev/null || { echo "ok - console security # SKIP sqlite3 is not installed (make deps)"; exit 0; }
command -v curl > /dev/null || { echo "ok - console security # SKIP curl is not installed"; exit 0; }
DB=sqlite:$tmp/fleet.db
seed_boards "$DB"
user_add admin1 admin 'correct horse battery' > /dev/null || notok "console: user add admin"
user_add op-a operator 'operator a password' --commune xa-a > /dev/null || notok "console: user add operator"
console_start "$DB" || { notok "console: serve starts"; exit 1; }

# --- accounts -------------------------------------------------------------------------
bad=""
user_add op-x operator 'long enough password' > "$tmp/u1" 2>&1 && bad="$bad [an operator without a commune]"
user_add admin2 admin 'short' > "$tmp/u2" 2>&1 && bad="$bad [a short password]"
user_add admin1 admin 'another long password' > "$tmp/u3" 2>&1 && bad="$bad [a name taken]"
user_add 'Bad Name' admin 'long enough password' > "$tmp/u4" 2>&1 && bad="$bad [a bad name]"
user_add ed1 editor 'long enough password' --commune xa-a > "$tmp/u5" 2>&1 && bad="$bad [an editor bound to a commune]"
"$OFFICE" user add --db "$DB" nopw --role admin < /dev/null > "$tmp/u6" 2>&1 && bad="$bad [no password]"
grep -q 'give at least one --commune' "$tmp/u1" && grep -q 'shorter than 10' "$tmp/u2" && grep -q 'already an account' "$tmp/u3" \
    || bad="$bad [messages: $(cat "$tmp/u1" "$tmp/u2" "$tmp/u3" | head -3)]"
[ -z "$bad" ] && [ "$(sql "$DB" "select count(*) from users")" = 2 ] && [ "$(sql "$DB" "select count(*) from users where hash like '\$argon2id\$%'")" = 2 ] \
    && ok "console: user add refuses what it must, with a message saying what to do; passwords kept as Argon2id hashes" \
    || notok "console: user add refuses what it must" "$bad; $(sql "$DB" "select name, substr(hash, 1, 10) from users")"

# --- without a session ----------------------------------------------------------
bad=""
for p in / /board?site=xa-a /reports "/reports/download?from=2026-01-01&to=2026-12-31&format=csv" /audit /events /nowhere; do
	r=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$CONSOLE$p")
	[ "$r" = "303 $CONSOLE/login" ] || bad="$bad $p:$r"
done
r=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -d csrf=x "$CONSOLE/logout")
[ "$r" = "303 $CONSOLE/login" ] || bad="$bad POST/logout:$r"
[ -z "$bad" ] && ok "console: every page without a session redirects to the login" \
    || notok "console: every page without a session redirects to the login" "$bad"

# --- login, its cookie ---------------------------------------------------------
r=$(login "$tmp/admin" admin1 'correct horse battery')
[ "$r" = "303 $CONSOLE/" ] && ok "console: an admin logs in" || notok "console: an admin logs in" "$r"
curl -s -D "$tmp/h" -o /dev/null -c "$tmp/x" -b "$tmp/x" "$CONSOLE/login" > /dev/null
pre=$(curl -s -c "$tmp/x" -b "$tmp/x" "$CONSOLE/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
curl -s -D "$tmp/h" -o /dev/null -c "$tmp/x" -b "$tmp/x" --data-urlencode "csrf=$pre" --data-urlencode name=admin1 \
    --data-urlencode 'password=correct horse battery' "$CONSOLE/login"
grep -i '^set-cookie: loaxa_session=[0-9a-f]\{64\}; Path=/; Max-Age=[0-9]*; HttpOnly; SameSite=Strict' "$tmp/h" > /dev/null \
    && ok "console: the session cookie is a 256-bit random token, HttpOnly, SameSite=Strict" \
    || notok "console: the session cookie is HttpOnly, SameSite=Strict" "$(grep -i set-cookie "$tmp/h")"
tok=$(sed -n 's/.*loaxa_session\t\([0-9a-f]*\)$/\1/p' "$tmp/x")
[ -n "$tok" ] && [ "$(sql "$DB" "select count(*) from sessions where token = '$tok'")" = 0 ] \
    && ok "console: the store keeps the session token's hash, not the token" \
    || notok "console: the store keeps the session token's hash" "token $tok"

s=$(get "$tmp/admin" /)
n=$(grep -o 'data-site="xa-[abc]"' "$tmp/body" | sort -u | wc -l)
[ "$s" = 200 ] && [ "$n" = 3 ] && ok "console: the admin's fleet page shows the three boards of the store" \
    || notok "console: the admin's fleet shows three boards" "status $s, boards $n"

# --- an operator of xa-a ----------------------------------------------------------
r=$(login "$tmp/op" op-a 'operator a password')
[ "$r" = "303 $CONSOLE/" ] && ok "console: an operator logs in" || notok "console: an operator logs in" "$r"
s=$(get "$tmp/op" /)
if [ "$s" = 200 ] && grep -q 'data-site="xa-a"' "$tmp/body" && ! grep -q 'xa-b\|xa-c' "$tmp/body"; then
	ok "console: the operator's fleet holds their commune only"
else notok "console: the operator's fleet holds their commune only" "status $s; $(grep -o 'data-site="[^"]*"' "$tmp/body")"; fi
s=$(get "$tmp/op" "/board?site=xa-b")
if [ "$s" = 404 ] && ! grep -q 'Tin xã B\|alert\|2026120101' "$tmp/body"; then
	ok "console: the operator of xa-a cannot read xa-b's board by its URL (404, nothing of it shown)"
else notok "console: the operator cannot read xa-b's board by URL" "status $s"; fi
s=$(get "$tmp/op" "/board?site=xa-a")
[ "$s" = 200 ] && grep -q 'Tin xã A' "$tmp/body" && ok "console: the operator reads their own board and its airings" \
    || notok "console: the operator reads their own board" "status $s"
curl -s -m 3 -b "$tmp/op" "$CONSOLE/events" > "$tmp/ev" 2> /dev/null
if grep -q '^data: .*"xa-a"' "$tmp/ev" && ! grep -q 'xa-b\|xa-c' "$tmp/ev"; then
	ok "console: the operator's events stream carries their commune only"
else notok "console: the operator's events carry their commune only" "$(head -c 300 "$tmp/ev")"; fi
s=$(get "$tmp/admin" "/board?site=xa-b")
[ "$s" = 200 ] && ok "console: the admin reads xa-b's board" || notok "console: the admin reads xa-b's board" "status $s"

# --- escaping ------------------------------------------------------------------------
if grep -q '&lt;script&gt;alert(1)&lt;/script&gt; Hàng giả' "$tmp/body" && ! grep -q '<script>alert' "$tmp/body"; then
	ok "console: a title holding <script> is shown as text"
else notok "console: a title holding <script> is shown as text" "$(grep -o '.\{20\}alert.\{20\}' "$tmp/body")"; fi
s=$(get "$tmp/admin" / -G --data-urlencode 'commune="><script>alert(2)</script>')
! grep -q '<script>alert(2)' "$tmp/body" && grep -q '&quot;&gt;&lt;script&gt;alert(2)' "$tmp/body" \
    && ok "console: a filter's value is written back escaped" || notok "console: a filter's value is written back escaped"

# --- CSV and languages -------------------------------------------------------------------
s=$(get "$tmp/admin" /fleet.csv)
if [ "$s" = 200 ] && grep -qF ",\"'=1+2\"" "$tmp/body" && ! grep -qF ',=1+2' "$tmp/body" && [ "$(grep -c 'xa-' "$tmp/body")" = 3 ]; then
	ok "console: the fleet as CSV, a cell beginning with = neutralised"
else notok "console: the fleet CSV neutralises formula cells" "status $s: $(grep xa-c "$tmp/body")"; fi
get "$tmp/admin" "/?lang=en" -c "$tmp/admin" > /dev/null
en=$(grep -c '<th>Commune</th>' "$tmp/body")
get "$tmp/admin" "/" > /dev/null
en2=$(grep -c '<th>Commune</th>' "$tmp/body")
get "$tmp/admin" "/?lang=vi" -c "$tmp/admin" > /dev/null
vi=$(grep -c '<th>Xã</th>' "$tmp/body")
[ "$en" = 1 ] && [ "$en2" = 1 ] && [ "$vi" = 1 ] && ok "console: Vietnamese by default, English on ?lang=en, kept by a cookie" \
    || notok "console: the language switch" "en $en, kept $en2, vi $vi"
s=$(get "$tmp/admin" "/reports/download?from=2000-01-01&to=2026-12-31&format=csv")
s2=$(get "$tmp/admin" "/reports/download?from=2026-02-30&to=2026-12-31&format=csv")
[ "$s" = 400 ] && [ "$s2" = 400 ] && ok "console: a report over ten years or from a date that does not exist is refused (400)" \
    || notok "console: report ranges checked" "$s $s2"

# --- SQL in the filters ------------------------------------------------------------------
bad=""
for q in "commune=xa-a' OR '1'='1" "commune=' OR 1=1 --" "district=x' OR 'a'='a" "commune=xa-a'; DROP TABLE boards; --"; do
	s=$(get "$tmp/admin" / -G --data-urlencode "$q")
	n=$(grep -c 'data-site="' "$tmp/body")
	[ "$s" = 200 ] && [ "$n" = 0 ] || bad="$bad [$q: status $s, $n boards]"
done
s=$(get "$tmp/op" "/board?site=xa-b'%20OR%20'1'='1")
[ "$s" = 404 ] || bad="$bad [board: $s]"
s=$(get "$tmp/admin" / -G --data-urlencode "commune=xa-c")
n=$(grep -c 'data-site="' "$tmp/body")
[ "$n" = 1 ] || bad="$bad [the plain filter: $n boards]"
[ -z "$bad" ] && [ "$(sql "$DB" 'select count(*) from boards')" = 3 ] \
    && ok "console: SQL in a filter finds nothing and changes nothing (a plain filter finds one)" \
    || notok "console: SQL in a filter finds nothing" "$bad"

# --- CSRF ------------------------------------------------------------------------------------
s=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/admin" -X POST "$CONSOLE/logout")
s2=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/admin" -d "csrf=$(printf '%064d' 0)" "$CONSOLE/logout")
s3=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/admin" "$CONSOLE/")
[ "$s" = 403 ] && [ "$s2" = 403 ] && [ "$s3" = 200 ] \
    && ok "console: a POST without the session's CSRF token is refused (403) and the session stays" \
    || notok "console: POST without CSRF is 403" "none $s, wrong $s2, then $s3"
s=$(curl -s -o /dev/null -w '%{http_code}' -c "$tmp/y" -b "$tmp/y" --data-urlencode name=admin1 \
    --data-urlencode 'password=correct horse battery' "$CONSOLE/login")
[ "$s" = 403 ] && ok "console: a login POST without the form's token is refused (403), right password or not" \
    || notok "console: login without its CSRF token is 403" "status $s"
s=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$tmp/op" -d "csrf=$(csrf "$tmp/op")" "$CONSOLE/logout")
s2=$(get "$tmp/op" /)
[ "$s" = "303 $CONSOLE/login" ] && [ "$s2" = 303 ] && ok "console: logging out with the token ends the session" \
    || notok "console: log out ends the session" "$s, then $s2"

# --- expiry ------------------------------------------------------------------------------
login "$tmp/late" admin1 'correct horse battery' > /dev/null
[ "$(get "$tmp/late" /)" = 200 ] || notok "console: a fresh session opens the fleet"
sql "$DB" "update sessions set expires = $(($(date +%s) - 1))" > /dev/null
s=$(get "$tmp/late" /)
[ "$s" = 303 ] && ok "console: an expired session opens nothing" || notok "console: an expired session opens nothing" "status $s"

# --- slowed logins -----------------------------------------------------------------------------
# timed WHO PASSWORD FROM: milliseconds of one failed login
timed() {
	t0=$(date +%s%N)
	login "$tmp/slow" "$1" "$2" "$3" > /dev/null
	echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
first=$(timed op-a wrong1 127.0.0.2)
i=2
while [ $i -le 6 ]; do last=$(timed op-a "wrong$i" 127.0.0.2); i=$((i + 1)); done
# a fresh address, the same name: the name's count slows it
byname=$(timed op-a wrong7 127.0.0.3)
# the same address as the failures, a fresh name: the address's count slows it
byaddr=$(timed nobody wrong 127.0.0.2)
# neither: as fast as the first
fresh=$(timed someone wrong 127.0.0.4)
if [ "$last" -ge $((first + 1500)) ] && [ "$byname" -ge $((first + 1500)) ] && [ "$byaddr" -ge $((first + 1500)) ] &&
    [ "$fresh" -lt $((first + 1000)) ]; then
	ok "console: bad passwords slow the next logins, per name and per address (1st ${first} ms, 6th ${last} ms, name ${byname} ms, address ${byaddr} ms, neither ${fresh} ms)"
else notok "console: bad passwords slow the next logins" "1st $first, 6th $last, by name $byname, by address $byaddr, fresh $fresh ms"; fi
r=$(login "$tmp/after" op-a 'operator a password' 127.0.0.5)
[ "$r" = "303 $CONSOLE/" ] && ok "console: the right password still logs in after the failures" \
    || notok "console: the right password logs in after failures" "$r"

# --- the audit trail ------------------------------------------------------------------------------
a=$(sql "$DB" "select who || '|' || what || '|' || addr from audit order by id")
miss=""
for want in "admin1|logged in as admin|127.0.0.1" "op-a|asked for board \"xa-b\": not among the communes it may see|127.0.0.1" \
    "admin1|refused a form to /logout without its CSRF token|127.0.0.1" "op-a|logged out|127.0.0.1" \
    "op-a|login failed (0 before in 15 min)|127.0.0.2" "loaxa-office user add|added the account op-a as operator for xa-a|local" \
    "-|login refused: the form had no valid CSRF token|127.0.0.1" "admin1|read board xa-b|127.0.0.1"; do
	printf '%s\n' "$a" | grep -qxF -e "$want" || miss="$miss [$want]"
done
[ -z "$miss" ] && ok "console: the audit trail names who did what, when and from where" \
    || notok "console: the audit trail names each action" "missing:$miss"
n=$(sql "$DB" "select count(*) from audit")
sql "$DB" "update audit set who = 'nobody'" > "$tmp/u" 2>&1; u=$?
sql "$DB" "delete from audit" > "$tmp/d" 2>&1; d=$?
[ $u -ne 0 ] && [ $d -ne 0 ] && [ "$(sql "$DB" "select count(*) from audit")" = "$n" ] \
    && grep -q 'append-only' "$tmp/u" && ok "console: the audit trail refuses UPDATE and DELETE" \
    || notok "console: the audit trail refuses UPDATE and DELETE" "update $u, delete $d: $(cat "$tmp/u" "$tmp/d")"
console_stop

# --- TLS directly ------------------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2> /dev/null
: > "$tmp/tls.err"
"$OFFICE" serve --db "$DB" --listen 127.0.0.1:0 --tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key" 2>> "$tmp/tls.err" &
tls_pid=$!
stop_tls() { kill "$tls_pid" 2> /dev/null; wait "$tls_pid" 2> /dev/null; }
cleanup_hooks="stop_tls $cleanup_hooks"
wait_for 20 grep -q ' 127\.0\.0\.1:[0-9][0-9]*$' "$tmp/tls.err"
port=$(sed -n 's/.* 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/tls.err")
s=$(curl -s --cacert "$tmp/tls.crt" -D "$tmp/th" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/login")
plain=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$port/login")
if [ "$s" = 200 ] && grep -qi '^set-cookie: loaxa_pre=[0-9a-f]*;.*HttpOnly; SameSite=Strict; Secure' "$tmp/th" &&
    grep -qi '^strict-transport-security: max-age=' "$tmp/th" && [ "$plain" != 200 ]; then
	ok "console: over TLS (--tls-cert, --tls-key) with Secure cookies and HSTS; plain HTTP gets no page"
else notok "console: over TLS" "https $s, http $plain; $(cat "$tmp/tls.err"; grep -i 'cookie\|strict' "$tmp/th")"; fi
stop_tls

# --- behind a reverse proxy -------------------------------------------------------------------
: > "$tmp/proxy.err"
"$OFFICE" serve --db "$DB" --listen 127.0.0.1:0 --behind-proxy 2>> "$tmp/proxy.err" &
proxy_pid=$!
stop_proxy() { kill "$proxy_pid" 2> /dev/null; wait "$proxy_pid" 2> /dev/null; }
cleanup_hooks="stop_proxy $cleanup_hooks"
wait_for 20 grep -q ' 127\.0\.0\.1:[0-9][0-9]*$' "$tmp/proxy.err"
P=http://127.0.0.1:$(sed -n 's/.* 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/proxy.err")
xff="X-Forwarded-For: 198.51.100.9, 203.0.113.7"
pre=$(curl -s -H "$xff" -c "$tmp/px" -b "$tmp/px" "$P/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
curl -s -D "$tmp/ph" -o /dev/null -H "$xff" -c "$tmp/px" -b "$tmp/px" --data-urlencode "csrf=$pre" --data-urlencode name=admin1 \
    --data-urlencode 'password=wrong password' "$P/login"
stop_proxy
if [ "$(sql "$DB" "select addr from audit where what like 'login failed%' order by id desc limit 1")" = 203.0.113.7 ] &&
    grep -qi '^set-cookie: loaxa_pre=.*; Secure' "$tmp/ph"; then
	ok "console: --behind-proxy takes the client's address from the proxy's X-Forwarded-For, and sets Secure cookies"
else notok "console: --behind-proxy" "$(sql "$DB" "select addr from audit order by id desc limit 1"); $(grep -i cookie "$tmp/ph")"; fi
exit 0
