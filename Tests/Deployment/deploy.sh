#!/bin/bash
# The deployment suite (issue 17, P4, E20): qsentry as an administrator deploys it.
#
# A real qmail (notqmail from ../shared/qmail) is built into a throw-away prefix; qsentry is
# installed into it by ./install.sh (PREFIX and QMAIL set, nothing else); the installed example
# run scripts are started under svscan/supervise and the installed tcp.smtp is compiled by
# tcprules, each as shipped: same users, same softlimit, same -u/-g. Mail comes in with swaks,
# leaves through qmail-send and qmail-lspawn into a test user's Maildir by the shipped .qmail line,
# and the admin commands run as root beside it. The only edits to the shipped files are the ones
# a test on loopback cannot avoid, made with sed below and named there.
#
#   Tests/Deployment/deploy.sh        (as root; ./install.sh test runs it)
#
# Without ../shared/qmail it says it is skipped and why. Prints "deployment: N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${QSENTRY_SHARED:-$HERE/../shared}
TARBALL=$(ls "$SHARED"/qmail/notqmail-*.tar.gz 2>/dev/null | head -1)
if [ -z "$TARBALL" ]; then
    echo "deployment: skipped: no notqmail source in $SHARED/qmail (the suite needs a real qmail to deploy into)"
    exit 0
fi
[ "$(id -u)" = 0 ] || { echo "deployment: skipped: must run as root (it creates qmail's users and installs)"; exit 0; }

# A fixed place: qmail's users name it as their home.
W=/var/tmp/qsentry-deploy
Q=$W/qmail
P=$W/usr
DOMAIN=deploy.example
EX=$P/share/doc/qsentry/examples
passed=0 failed=0
pass() { passed=$((passed + 1)); printf 'deployment: ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'deployment: FAIL %s\n' "$1"; [ $# -lt 2 ] || printf '%s\n' "$2" | tail -25 | sed 's/^/    /'; }
check() { local name=$1; shift; local out; if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi; }

stop_all() {
    [ -d $W/service ] && svc -dx $W/service/* $W/service/*/log 2>/dev/null
    [ -f $W/svscan.pid ] && kill "$(cat $W/svscan.pid)" 2>/dev/null
    [ -f $W/qmail-send.pid ] && kill "$(cat $W/qmail-send.pid)" 2>/dev/null
    [ -f $W/clamd.pid ] && kill "$(cat $W/clamd.pid)" 2>/dev/null
    [ -f $W/rbldnsd.pid ] && kill "$(cat $W/rbldnsd.pid)" 2>/dev/null
    [ -f $W/nsd.pid ] && kill "$(cat $W/nsd.pid)" 2>/dev/null
    [ -f $W/cvm.pid ] && kill "$(cat $W/cvm.pid)" 2>/dev/null
    pkill -f "^$P/bin/qsentry-web " 2>/dev/null
    for f in $W/redis/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
    pkill -f "^[^ ]*tcpserver .* $W/" 2>/dev/null
    sleep 0.5
    return 0
}
stop_all
trap stop_all EXIT
started=$(date +%s)

# ---- a real qmail, and qsentry installed into it as the README says --------------------------
mkdir -p $W
"$HERE/Tests/Deployment/qmail.sh" "$Q" "$TARBALL" "$DOMAIN" || {
    [ $? = 2 ] && { echo "deployment: skipped: this machine's qmail users belong to another qmail"; exit 0; }
    echo "deployment: 0 passed, 1 failed"; exit 1; }
rm -rf "$P"
echo "deployment: ./install.sh with PREFIX=$P QMAIL=$Q"
if ! (cd "$HERE" && PREFIX=$P QMAIL=$Q ./install.sh) > $W/install.log 2>&1; then
    fail "./install.sh" "$(cat $W/install.log)"
    echo "deployment: $passed passed, $failed failed"; exit 1
fi
pass "./install.sh installs into PREFIX and QMAIL"
export PATH=$P/bin:$PATH

# Defect 5 and 3: the state directory exists, with the documented owner, group and mode.
check "install.sh makes \$QMAIL/qsentry root:qsentry 2770" \
    test "$(stat -c '%U:%G %a' $Q/qsentry)" = "root:qsentry 2770"
check "install.sh makes the quarantine directory qsentry-group 2770" \
    test "$(stat -c '%G %a' $Q/qsentry/quarantine)" = "qsentry 2770"
check "qsentry-local is installed setgid qsentry" test "$(stat -c '%G %a' $P/bin/qsentry-local)" = "qsentry 2755"
check "install.sh makes control/qsentry/store-auth (the Redis password) root:qsentry 0640" \
    test "$(stat -c '%U:%G %a' $Q/control/qsentry/store-auth)" = "root:qsentry 640"
# Defect 9: the installed programs look in the QMAIL they were installed for, with no $QMAIL.
check "the qmail root is built in (qsentry env, no \$QMAIL)" \
    sh -c "env -u QMAIL $P/bin/qsentry check --no-probes 2>&1 | grep -q ' $Q: no problems'"

# Issue 24: the installed programs take argv as glibc hands it over (Sources/CSystemSupport/arguments.c),
# not by reading /proc/self/maps at every start as the Swift runtime's own constructor does, and
# it arrives (--version is argv[1]).
argv_read() { # PROGRAM: --version answers its version and /proc/self/maps is never opened
    strace -f -qq -e trace=openat -o $W/argv.trace $P/bin/$1 --version </dev/null >$W/argv.out 2>&1 || true
    grep -qxE "($1 )?[0-9]+\.[0-9]+\.[0-9]+" $W/argv.out || { cat $W/argv.out; return 1; }
    ! grep /proc/self/maps $W/argv.trace
}
for p in qsentry-conn qsentry-smtpd qsentry-queue qsentry-local qsentry; do
    check "$p takes its arguments without reading /proc/self/maps" argv_read $p
done

# ---- servers the layers talk to: clamd, a blocklist, cvm-unix for AUTH ------------------------
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mkdir -p $W/clamd/db
python3 - $W/clamd/db/test.ndb <<'PY'
import sys
eicar = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
open(sys.argv[1], "w").write("QSentry.Test.EICAR:0:*:" + eicar.encode().hex() + "\n")
PY
cat > $W/clamd/clamd.conf <<EOF
LocalSocket $W/clamd/clamd.sock
LocalSocketMode 666
Foreground yes
DatabaseDirectory $W/clamd/db
LogFile $W/clamd/clamd.log
EOF
clamd -c $W/clamd/clamd.conf & echo $! > $W/clamd.pid
DNSPORT=$(port)
mkdir -p $W/dns
printf '127.0.0.9\n127.0.0.2\n' > $W/dns/bl.zone
rbldnsd -n -f -r $W/dns -b 127.0.0.1/$DNSPORT bl.deploy.test:ip4set:bl.zone & echo $! > $W/rbldnsd.pid
mkdir -p $W/cvm && chmod 755 $W/cvm
cvm-unix cvm-local:$W/cvm/socket & echo $! > $W/cvm.pid

# ---- users: the test user, its .qmail files as shipped, a virtual user through users/assign -----
getent passwd qsuser >/dev/null || useradd -M -d $W/home/qsuser -s /bin/sh qsuser
usermod -d $W/home/qsuser qsuser
echo 'qsuser:Deploy-Pass-1' | chpasswd
rm -rf $W/home && mkdir -p $W/home/qsuser
for d in Maildir Maildir/cur Maildir/new Maildir/tmp; do mkdir -p $W/home/qsuser/$d; done
# The .qmail line of the shipped example, as installed.
dotqmail=$(grep -m1 '^|' $EX/dot-qmail)
echo "$dotqmail" > $W/home/qsuser/.qmail
echo "$dotqmail" > $W/home/qsuser/.qmail-ext
echo "$dotqmail" > $W/home/qsuser/.qmail-default
chown -R qsuser: $W/home/qsuser
chmod 700 $W/home/qsuser/Maildir
echo "&qsuser@$DOMAIN" > $Q/alias/.qmail-sales
echo "&qsuser@$DOMAIN" > $Q/alias/.qmail-postmaster
QSUID=$(id -u qsuser) QSGID=$(id -g qsuser)
printf '=virtual:qsuser:%s:%s:%s:::\n.\n' "$QSUID" "$QSGID" "$W/home/qsuser" > $Q/users/assign
(cd $Q && bin/qmail-newu) || fail "qmail-newu"

# ---- qsentry's control files, as an administrator writes them ----------------------------------
C=$Q/control/qsentry
echo "$W/clamd/clamd.sock" > $C/clamd
echo "127.0.0.1:$DNSPORT" > $C/dnsservers
echo "bl.deploy.test Listed at bl.deploy.test (%IP%)" > $C/dnsbl
printf '.exe\n*.scr\n' > $C/attachments
printf 'events=3\nwindow=10\nduration=60\n' > $C/bans
# checkpassword programs end by becoming the user, which needs root: the README's way is
# cvm-checkpassword setuid root, asking the cvm-unix daemon (root) that alone reads /etc/shadow.
install -m 4755 /usr/bin/cvm-checkpassword $P/bin/cvm-checkpassword
echo "$P/bin/cvm-checkpassword cvm-local:$W/cvm/socket /bin/true" > $C/checkpassword
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$DOMAIN" \
    -keyout $W/tls.key -out $W/tls.crt >/dev/null 2>&1
cp $W/tls.crt $Q/control/servercert.crt && cp $W/tls.key $Q/control/servercert.key
chgrp qsentry $Q/control/servercert.*; chmod 640 $Q/control/servercert.*
echo "$Q/control/servercert.crt" > $C/tls-cert
echo "$Q/control/servercert.key" > $C/tls-key
echo 30000000 > $Q/control/databytes
check "qsentry check finds no problem in the configured install" qsentry check --no-probes

# ---- qmail-send, and the shipped run scripts under svscan --------------------------------------
mkdir -p $W/log
(cd $Q && exec env - PATH="$Q/bin:/usr/bin:/bin" qmail-start ./Maildir/ cat > $W/log/qmail-send 2>&1) &
echo $! > $W/qmail-send.pid
SMTPPORT=$(port)
# An earlier run's console service must not start before its section writes the run script.
rm -rf $W/service/qsentry-web
mkdir -p $W/service/qmail-smtpd/log $W/log/smtpd $W/etc
chown qmaill $W/log/smtpd
# The only edits, all forced by testing on loopback: the tcprules file lives in the test's tree,
# and the listener is 127.0.0.1 on a free port instead of every address on port 25.
sed -e "s|/etc/tcp.smtp|$W/etc/tcp.smtp|g" -e "s| 0 smtp | 127.0.0.1 $SMTPPORT |" \
    $EX/supervise/qmail-smtpd/run > $W/service/qmail-smtpd/run
sed -e "s|/var/log/qmail/smtpd|$W/log/smtpd|" $EX/supervise/qmail-smtpd/log/run > $W/service/qmail-smtpd/log/run
chmod 755 $W/service/qmail-smtpd/run $W/service/qmail-smtpd/log/run
check "the run script differs from the shipped one only in the tcprules path, address and port" \
    test "$(diff $EX/supervise/qmail-smtpd/run $W/service/qmail-smtpd/run | grep -c '^>')" = 2
# tcp.smtp as shipped, but for one edit: loopback is the only network here, so 127.0.0.1 plays
# the site's own host (the shipped 127. rule) and 127.0.0.2-.9 play the Internet.
sed -e 's|^127\.:|127.0.0.1:|' $EX/tcp.smtp > $W/etc/tcp.smtp
tcprules $W/etc/tcp.smtp.cdb $W/etc/tcp.smtp.tmp < $W/etc/tcp.smtp || fail "tcprules"
svscan $W/service > $W/log/svscan 2>&1 & echo $! > $W/svscan.pid
for _ in $(seq 100); do
    ss -ltn | grep -q "127.0.0.1:$SMTPPORT " && [ -S $W/clamd/clamd.sock ] && break; sleep 0.2
done
ss -ltn | grep -q "127.0.0.1:$SMTPPORT " && pass "the shipped run script listens" || fail "the shipped run script listens" "$(cat $W/log/smtpd/current 2>/dev/null)"

S=127.0.0.1:$SMTPPORT
swaks_from() { local ip=$1; shift; swaks --server $S --local-interface "$ip" --timeout 30 "$@" 2>&1; }
inbox_count() { find $W/home/qsuser/Maildir/new $W/home/qsuser/Maildir/cur -type f | wc -l; }
wait_inbox() { # N: until the inbox holds N messages (qmail-send delivers in the background)
    for _ in $(seq 150); do [ "$(inbox_count)" -ge "$1" ] && return 0; sleep 0.2; done
    echo "inbox has $(inbox_count), wanted $1"; tail -5 $W/log/qmail-send; return 1
}
newest() { ls -t $W/home/qsuser/Maildir/new/* | head -1; }
has_code() { grep -qE "^<[*~-]* +$1[ -]" <<<"$2"; }

# ---- the uid of each program of the chain (defect 1) --------------------------------------------
python3 - "$SMTPPORT" $W/uids <<'PY' &
import socket, sys, time, subprocess
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.recv(1000)
time.sleep(1.0)
out = subprocess.run(["ps", "-o", "user=,comm=", "-C", "qsentry-smtpd,qmail-smtpd"], capture_output=True, text=True).stdout
open(sys.argv[2], "w").write(out)
s.sendall(b"QUIT\r\n"); s.recv(1000)
PY
wait $!
check "qsentry-conn/qsentry-smtpd run as qmaild (ps during a session)" grep -q '^qmaild *qsentry-smtpd' $W/uids
check "nothing in the SMTP chain runs as root" sh -c "! grep -q '^root' $W/uids"
check "no running-as-root warning in the smtpd log" sh -c "! grep -q 'running as root' $W/log/smtpd/current"

# Each refusal counts towards a ban (bans: 3 events), so each kind of junk has its own client:
# 127.0.0.5 sends only good mail, .7 viruses, .8 attachments, .3 Bayes spam, .6 is to be banned.

# ---- clean mail: delivered through qmail-local and qsentry-local, tagged ------------------------
before=$(inbox_count)
out=$(swaks_from 127.0.0.5 --from friend@elsewhere.example --to qsuser@$DOMAIN --header "Subject: hello" --body "An ordinary note.")
has_code 250 "$(grep -A1 'DATA' <<<"$out" | tail -1)" || true
if wait_inbox $((before + 1)) >/dev/null; then pass "clean mail from a stranger is delivered"; else fail "clean mail from a stranger is delivered" "$out"; fi
f=$(newest)
check "the delivered message carries X-Spam-Status from qsentry-local" grep -q '^X-Spam-Status:' "$f"
check "the delivered message was scanned by qsentry-queue" grep -q '^X-Virus-Scanned:' "$f"
check "no CR in the queued header lines (qmail stores LF lines)" sh -c "! sed '/^$/q' \"\$1\" | grep -q \$'\\r'" _ "$f"
check "qsentry-local wrote the file as the recipient" test "$(stat -c %U "$f")" = qsuser

# ---- a tag from an envelope rule reaches the user: X-Spam-Status names it ------------------------
echo "same-domain=tag" > $C/sender-rules
before=$(inbox_count)
swaks_from 127.0.0.5 --from colleague@$DOMAIN --to qsuser@$DOMAIN --body "from our own domain, from outside" >/dev/null
if wait_inbox $((before + 1)) >/dev/null && grep -q '^X-Spam-Status: .*QSENTRY_SAME_DOMAIN' "$(newest)"; then
    pass "an envelope tag (sender-rules same-domain=tag) is reported by qsentry-local in X-Spam-Status"
else fail "an envelope tag (sender-rules same-domain=tag) is reported by qsentry-local in X-Spam-Status" "$(grep -m3 'X-QSentry\|X-Spam' "$(newest)")"; fi
rm -f $C/sender-rules

# ---- EICAR: refused at DATA with the scanner's text ---------------------------------------------
eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
out=$(swaks_from 127.0.0.7 --from v@elsewhere.example --to qsuser@$DOMAIN --body "$eicar")
check "EICAR from a stranger is refused 554 at DATA" has_code 554 "$out"
# Defect 7: the site's own clients (tcp.smtp's relay line) are scanned too.
out=$(swaks_from 127.0.0.1 --from me@$DOMAIN --to qsuser@$DOMAIN --body "$eicar")
check "EICAR from the site's own relay client is refused too" has_code 554 "$out"

# ---- a blocked attachment: refused, quarantined, released by root, delivered ---------------------
printf 'MZ fake program\n' > $W/invoice.exe
out=$(swaks_from 127.0.0.8 --from a@elsewhere.example --to qsuser@$DOMAIN --attach @$W/invoice.exe)
check "an .exe attachment is refused 554" has_code 554 "$out"
id=$(qsentry quarantine list 2>/dev/null | awk '/attachment/ {print $1}' | tail -1)
check "the refused message is in the quarantine" test -n "$id"
check "the quarantined file is group qsentry 0660" test "$(stat -c '%G %a' $Q/qsentry/quarantine/$id 2>/dev/null)" = "qsentry 660"
before=$(inbox_count)
check "root releases it with qsentry quarantine release" qsentry quarantine release "$id"
check "the released message is delivered" wait_inbox $((before + 1))
# Defect 3: what root made while releasing (the Bayes database learnt it as ham) stays usable.
if [ -e $Q/qsentry/bayes.lmdb ]; then
    check "files root created in the state are group qsentry 0660" \
        sh -c "! find $Q/qsentry -type f ! -perm -0660 | grep -q . && ! find $Q/qsentry ! -group qsentry | grep -q ."
fi
before=$(inbox_count)
out=$(swaks_from 127.0.0.5 --from friend@elsewhere.example --to qsuser@$DOMAIN --body "after the release")
check "the next delivery after a root release still works" wait_inbox $((before + 1))

# ---- Bayes: learnt by root, used by the delivery user and by qsentry-queue under softlimit -----
if [ -f "$SHARED/corpus/spam.tar.xz" ]; then
    mkdir -p $W/corpus && tar xJf "$SHARED/corpus/spam.tar.xz" -C $W/corpus && tar xJf "$SHARED/corpus/ham.tar.xz" -C $W/corpus
    mkdir -p $W/learn/spam $W/learn/ham
    ls $W/corpus/spam | head -300 | while read -r m; do cp "$W/corpus/spam/$m" $W/learn/spam/; done
    ls $W/corpus/ham | head -300 | while read -r m; do cp "$W/corpus/ham/$m" $W/learn/ham/; done
    check "root learns 300 spam and 300 ham" sh -c "qsentry learn --spam $W/learn/spam && qsentry learn --ham $W/learn/ham"
    check "the Bayes files root made are group qsentry 0660" \
        sh -c "test \"\$(stat -c '%G %a' $Q/qsentry/bayes.lmdb)\" = 'qsentry 660' && test \"\$(stat -c '%G %a' $Q/qsentry/bayes.lmdb-lock)\" = 'qsentry 660'"
    before=$(inbox_count)
    swaks_from 127.0.0.5 --from friend@elsewhere.example --to qsuser@$DOMAIN --body "lunch on friday?" >/dev/null
    if wait_inbox $((before + 1)) >/dev/null && grep -q '^X-Spam-Status: .*BAYES_[0-9]' "$(newest)"; then
        pass "after root learnt, the delivery user scores with Bayes"
    else fail "after root learnt, the delivery user scores with Bayes" "$(grep qsentry-local $W/log/qmail-send | tail -3)"; fi
    # Training on error from the user's junk folder, by root's cron: the Maildir stays the user's.
    mkdir -p $W/home/qsuser/Maildir/.Junk/cur $W/home/qsuser/Maildir/.Junk/new $W/home/qsuser/Maildir/.Junk/tmp
    cp "$W/corpus/spam/$(ls $W/corpus/spam | tail -1)" "$W/home/qsuser/Maildir/.Junk/cur/1.M1P1.junk:2,"
    chown -R qsuser: $W/home/qsuser/Maildir/.Junk
    check "root learns from the user's junk folder (qsentry learn --from-maildir)" \
        qsentry learn --from-maildir $W/home/qsuser/Maildir --user qsuser
    check "... and the learning state it keeps in the Maildir is the user's" \
        test "$(stat -c %U $W/home/qsuser/Maildir/qsentry-learnt)" = qsuser
    echo 99 > $C/bayes-reject
    spam=$W/learn/spam/$(ls $W/learn/spam | head -1)
    out=$(swaks_from 127.0.0.3 --from s@elsewhere.example --to qsuser@$DOMAIN --data "$spam")
    check "bayes-reject refuses a certain spam at DATA under the shipped softlimit" has_code 554 "$out"
    check "no bayes-reject message was deferred (no 451 at DATA)" sh -c "! grep -q 'Cannot allocate\\|MDB_\\|double free' $W/log/smtpd/current"
    rm -f $C/bayes-reject
else
    fail "Bayes tests need $SHARED/corpus"
fi

# ---- recipients: qmail's own sources through the real qmail-newu and .qmail files ---------------
out=$(swaks_from 127.0.0.5 --from a@elsewhere.example --to nosuch@$DOMAIN --quit-after RCPT)
check "an unknown user gets 550 5.1.1" has_code 550 "$out"
for rcpt in virtual sales qsuser-ext qsuser-anything; do
    out=$(swaks_from 127.0.0.5 --from a@elsewhere.example --to $rcpt@$DOMAIN --quit-after RCPT)
    check "$rcpt@ is accepted (users/assign, ~alias/.qmail-sales, .qmail-ext, .qmail-default)" has_code 250 "$(grep -A1 'RCPT TO' <<<"$out")"
done
before=$(inbox_count)
swaks_from 127.0.0.5 --from a@elsewhere.example --to virtual@$DOMAIN --body "to the virtual user" >/dev/null
check "mail to the users/assign user reaches the Maildir" wait_inbox $((before + 1))

# ---- relaying: AUTH through the real qmail-smtpd, strangers refused ----------------------------
out=$(swaks_from 127.0.0.5 --from a@elsewhere.example --to someone@far.example --quit-after RCPT)
check "a stranger cannot relay" has_code 553 "$out"
out=$(swaks_from 127.0.0.5 --tls --auth PLAIN --auth-user qsuser --auth-password Deploy-Pass-1 \
      --from qsuser@$DOMAIN --to someone@far.example --quit-after RCPT)
check "AUTH over STARTTLS with the system password (cvm-unix as root, setuid cvm-checkpassword run by qmaild) relays" \
    has_code 235 "$out"
check "... and the relayed RCPT is accepted by the real qmail-smtpd" has_code 250 "$(grep -A1 'RCPT TO' <<<"$out")"
out=$(swaks_from 127.0.0.5 --tls --auth PLAIN --auth-user qsuser --auth-password wrong \
      --from qsuser@$DOMAIN --to someone@far.example --quit-after AUTH)
check "a wrong password is refused 535" has_code 535 "$out"

# ---- STARTTLS, DNSBL before the queue -----------------------------------------------------------
before=$(inbox_count)
out=$(swaks_from 127.0.0.5 --tls --from friend@elsewhere.example --to qsuser@$DOMAIN --body "over TLS")
check "STARTTLS: a message over TLS is delivered" wait_inbox $((before + 1))
out=$(swaks_from 127.0.0.9 --from a@elsewhere.example --to qsuser@$DOMAIN --quit-after RCPT)
check "a client on the DNSBL is refused before the queue (553)" has_code 553 "$out"

# ---- size: 20 MB byte-identical; databytes refused and logged ----------------------------------
python3 - $W/big.eml <<'PY'
import sys, random
r = random.Random(7)
with open(sys.argv[1], "w", newline="\r\n") as f:
    f.write("From: big@elsewhere.example\nTo: qsuser@deploy.example\nSubject: twenty megabytes\n\n")
    line = 0
    while f.tell() < 20 * 1024 * 1024:
        f.write("line %08d %s\n" % (line, "".join(r.choice("abcdefghij ") for _ in range(60))))
        line += 1
PY
before=$(inbox_count)
out=$(swaks_from 127.0.0.5 --from big@elsewhere.example --to qsuser@$DOMAIN --data @$W/big.eml)
if wait_inbox $((before + 1)) >/dev/null; then
    got=$(newest)
    # The delivered body is the sent body: everything after the first blank line, CRLF -> LF.
    # (swaks puts a CR LF of its own before the final ".": one more empty line at the end.)
    if cmp -s <(sed '1,/^\r\?$/d' $W/big.eml | tr -d '\r'; echo) <(sed '1,/^$/d' "$got"); then
        pass "a 20 MB message arrives byte-identical"
    else fail "a 20 MB message arrives byte-identical" "$(cmp <(sed '1,/^\r\?$/d' $W/big.eml | tr -d '\r'; echo) <(sed '1,/^$/d' "$got"))"; fi
else fail "a 20 MB message is delivered" "$out"; fi
echo 1000000 > $Q/control/databytes
out=$(swaks_from 127.0.0.5 --from big@elsewhere.example --to qsuser@$DOMAIN --data @$W/big.eml)
check "over databytes: 552" has_code 552 "$out"
sleep 0.5
check "over databytes: qsentry-smtpd logs the refusal with ip and sender" \
    grep -q 'qsentry-smtpd: .*ip=127.0.0.5 from=big@elsewhere.example.*rule=databytes code=552' $W/log/smtpd/current
check "over databytes: no anonymous 'envelope is not terminated' line" sh -c "! grep -q 'envelope is not terminated' $W/log/smtpd/current"
echo 30000000 > $Q/control/databytes

# ---- a pipelined session with good and unknown recipients ---------------------------------------
before=$(inbox_count)
out=$(swaks_from 127.0.0.5 --pipeline --from a@elsewhere.example --to qsuser@$DOMAIN,nosuch@$DOMAIN,sales@$DOMAIN --body "pipelined")
check "pipelining: the unknown recipient gets 550, the others 250, the message 250" \
    sh -c "echo \"\$1\" | grep -q '550 5.1.1' && echo \"\$1\" | grep -q '250 ok [0-9]* qp'" _ "$out"
check "pipelining: both good recipients get it" wait_inbox $((before + 2))

# ---- E20: SMTP smuggling through qsentry-smtpd in front of the real qmail-smtpd ----------------
before=$(inbox_count)
for ending in '\n.\n' '\n.\r\n' '\r.\r\n' '\r\n.\r' '\r\n.\n' '\n..\n'; do
    python3 - "$SMTPPORT" "$ending" "$DOMAIN" > $W/smuggle.out 2>&1 <<'PY'
import socket, sys, time
port, ending, domain = int(sys.argv[1]), sys.argv[2].encode().decode("unicode_escape").encode(), sys.argv[3]
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(20)
s.bind if False else None
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline().decode()
        print("<", l.rstrip())
        if len(l) < 4 or l[3] != "-": return l
reply()
for c in ["EHLO smuggler.example", f"MAIL FROM:<a@elsewhere.example>", f"RCPT TO:<qsuser@{domain}>", "DATA"]:
    s.sendall(c.encode() + b"\r\n"); reply()
body = (b"Subject: outer\r\n\r\nouter message" + ending +
        b"MAIL FROM:<smuggled@elsewhere.example>\r\nRCPT TO:<qsuser@" + domain.encode() + b">\r\nDATA\r\n"
        b"Subject: SMUGGLED\r\n\r\nsmuggled\r\n.\r\n")
s.sendall(body)
time.sleep(0.5)
s.sendall(b"QUIT\r\n")
try:
    while True:
        l = f.readline()
        if not l: break
        print("<", l.decode().rstrip())
except Exception as e:
    print("end:", e)
PY
done
sleep 3
# The smuggled text must stay inside the outer message (or in none): never a message of its own.
check "smuggling: no message from the smuggled sender was delivered" \
    sh -c "! grep -rl '^Return-Path: <smuggled@' $W/home/qsuser/Maildir/new $W/home/qsuser/Maildir/cur"
check "smuggling: the smuggling attempts were refused as bare-LF messages or kept whole" \
    grep -q 'rule=bare-lf' $W/log/smtpd/current
check "smuggling: no smuggled sender in the log" sh -c "! grep -q 'from=smuggled@' $W/log/smtpd/current"

# ---- bans: repeated spam through the whole chain bans the client before the greeting ------------
for i in 1 2 3; do swaks_from 127.0.0.6 --from v@elsewhere.example --to qsuser@$DOMAIN --body "$eicar" >/dev/null; done
out=$(swaks_from 127.0.0.6 --from a@elsewhere.example --to qsuser@$DOMAIN --quit-after RCPT)
check "after 3 viruses the client is banned: 451 before any mail" has_code 451 "$out"
check "the ban is in the store (qsentry bans list, as root)" sh -c "qsentry bans list | grep -q 127.0.0.6"
before=$(inbox_count)
swaks_from 127.0.0.5 --from friend@elsewhere.example --to qsuser@$DOMAIN --body "after bans list" >/dev/null
check "mail still flows after root read the bans" wait_inbox $((before + 1))

# ---- defect 2: a Bayes database that cannot be opened is a temporary failure, not a crash --------
if [ -e $Q/qsentry/bayes.lmdb ]; then
    mv $Q/qsentry/bayes.lmdb $W/bayes.lmdb.saved
    mkdir $Q/qsentry/bayes.lmdb   # not a file: mdb_env_open fails
    echo 99 > $C/bayes-reject
    out=$(swaks_from 127.0.0.5 --from friend@elsewhere.example --to qsuser@$DOMAIN --body "store broken")
    check "an unopenable Bayes database: qsentry-queue lets the message through or defers, no crash" \
        sh -c "! grep -q 'double free\\|qq crashed' $W/log/smtpd/current && echo \"\$1\" | grep -qE '^<[~-]* +(250|451) '" _ "$(grep -A1 '^ -> \.' <<<"$out")"
    rm -f $C/bayes-reject
    rmdir $Q/qsentry/bayes.lmdb; mv $W/bayes.lmdb.saved $Q/qsentry/bayes.lmdb
fi

# ---- greylisting, sending and connection limits: the README's files in the shipped chain ---------
# 127.0.0.4 is a stranger used only here. The installed files hold comments only: all three off.
for f in greylist sending-limits connection-limits; do cp $C/$f $W/$f.installed; done
out=$(swaks_from 127.0.0.4 --from first@elsewhere.example --to qsuser@$DOMAIN --quit-after RCPT)
check "the installed greylist, sending-limits and connection-limits files leave them off" has_code 250 "$(grep -A1 'RCPT TO' <<<"$out")"
echo "delay=1s" > $C/greylist
before=$(inbox_count)
out=$(swaks_from 127.0.0.4 --from new@elsewhere.example --to qsuser@$DOMAIN --body "greylisted once")
check "greylisting: a new triplet gets 451 4.7.1 at RCPT" grep -q '451 4.7.1 greylisted' <<<"$out"
sleep 1.5
swaks_from 127.0.0.4 --from new@elsewhere.example --to qsuser@$DOMAIN --body "greylisted once" >/dev/null
check "greylisting: the retry after the delay is delivered" wait_inbox $((before + 1))
check "greylisting: qsentry explain (as root) shows the triplet as known" \
    sh -c "qsentry explain --ip 127.0.0.4 --from new@elsewhere.example --to qsuser@$DOMAIN | grep -q greylist=known"
cp $W/greylist.installed $C/greylist

echo "messages-per-hour=1" > $C/sending-limits
relay() { swaks_from 127.0.0.5 --tls --auth PLAIN --auth-user qsuser --auth-password Deploy-Pass-1 \
          --from qsuser@$DOMAIN --to someone@far.example --body "$1"; }
out=$(relay "first of the hour")
check "sending limits: an authenticated user's first message is taken" has_code 250 "$(grep -A1 -E '^ [~-]> \.$' <<<"$out")"
out=$(relay "second of the hour")
check "sending limits: past messages-per-hour=1 MAIL gets 451 4.7.0" grep -q '451 4.7.0 sending limit reached' <<<"$out"
check "sending limits: qsentry limits (as root) shows the user's count" \
    sh -c "qsentry limits | grep -q '^qsuser.messages 1/1 this hour'"
check "sending limits: qsentry limits --reset (as root)" qsentry limits --reset qsuser
out=$(relay "after the reset")
check "sending limits: after the reset the user sends again" has_code 250 "$(grep -A1 -E '^ [~-]> \.$' <<<"$out")"
cp $W/sending-limits.installed $C/sending-limits

echo "concurrent=1" > $C/connection-limits
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.4", 0)); s.connect(("127.0.0.1", int(sys.argv[1])))
s.recv(1000); time.sleep(4); s.sendall(b"QUIT\r\n"); s.recv(1000)
' "$SMTPPORT" &
holder=$!
sleep 1
out=$(swaks_from 127.0.0.4 --from a@elsewhere.example --to qsuser@$DOMAIN --quit-after RCPT)
check "connection limits: a second connection from one address with concurrent=1 gets 451" \
    grep -q '451 4.7.1 too many connections from 127.0.0.4' <<<"$out"
wait $holder
out=$(swaks_from 127.0.0.4 --from a@elsewhere.example --to qsuser@$DOMAIN --quit-after RCPT)
check "connection limits: once the first session ended its slot is free" has_code 250 "$(grep -A1 'RCPT TO' <<<"$out")"
cp $W/connection-limits.installed $C/connection-limits
before=$(inbox_count)
swaks_from 127.0.0.5 --from friend@elsewhere.example --to qsuser@$DOMAIN --body "after explain and limits as root" >/dev/null
check "mail still flows after root ran explain and qsentry limits" wait_inbox $((before + 1))

# ---- M11: DKIM, DMARC and ARC at DATA; the site's own mail signed ---------------------------------
# The README's steps as root: a key made with qsentry dkim keygen, its printed record published
# (NSD on loopback, beside rbldnsd: qsentry's resolver asks the next server when one refuses),
# and a dmarc file. 127.0.0.11 is a stranger of its own (a DMARC refusal counts towards a ban).
record=$(qsentry dkim keygen $DOMAIN d1 2>$W/keygen.err)
check "qsentry dkim keygen prints the record to publish" grep -q "^d1._domainkey.$DOMAIN. IN TXT \"v=DKIM1; k=rsa; p=" <<<"$record"
check "... and keeps the key root:qsentry 0640 in a root:qsentry 2750 directory" sh -c \
    "test \"\$(stat -c '%U:%G %a' $C/dkim/$DOMAIN/d1.private)\" = 'root:qsentry 640' && test \"\$(stat -c '%U:%G %a' $C/dkim/$DOMAIN)\" = 'root:qsentry 2750'"
NSDPORT=$(port)
mkdir -p $W/nsd
zone() { printf '$ORIGIN %s.\n$TTL 60\n@ IN SOA ns.%s. hostmaster.%s. 1 600 300 86400 60\n@ IN NS ns.%s.\n%s\n' "$1" "$1" "$1" "$1" "$2" > $W/nsd/$1.zone; }
zone $DOMAIN "d1._domainkey IN TXT ${record#d1._domainkey.$DOMAIN. IN TXT }"
zone forged.example '_dmarc IN TXT "v=DMARC1; p=reject"'
printf '%s\n' "server:" "    ip-address: 127.0.0.1@$NSDPORT" "    port: $NSDPORT" '    username: ""' '    chroot: ""' \
    "    zonesdir: \"$W/nsd\"" '    database: ""' "    zonelistfile: \"$W/nsd/zone.list\"" "    xfrdfile: \"$W/nsd/xfrd.state\"" \
    "    pidfile: \"$W/nsd/nsd.pid\"" "    server-count: 1" "remote-control:" "    control-enable: no" \
    "zone:" "    name: $DOMAIN" "    zonefile: $DOMAIN.zone" "zone:" "    name: forged.example" "    zonefile: forged.example.zone" \
    > $W/nsd/nsd.conf
nsd -d -c $W/nsd/nsd.conf > $W/nsd/log 2>&1 & echo $! > $W/nsd.pid
for _ in $(seq 50); do dig +short -p $NSDPORT @127.0.0.1 _dmarc.forged.example TXT 2>/dev/null | grep -q DMARC1 && break; sleep 0.2; done
check "NSD serves the published key" sh -c "dig +short -p $NSDPORT @127.0.0.1 d1._domainkey.$DOMAIN TXT | grep -q DKIM1"
printf '127.0.0.1:%s\n127.0.0.1:%s\n' $DNSPORT $NSDPORT > $C/dnsservers
echo "reject=refuse" > $C/dmarc
check "qsentry check takes the dmarc file and the dkim key" qsentry check --no-probes
# The envelope sender is another domain's: libspf2 passes every loopback client, and an SPF pass
# for ceo@forged.example itself would align.
out=$(swaks_from 127.0.0.11 --from bounce@elsewhere.example --to qsuser@$DOMAIN --header "From: The CEO <ceo@forged.example>" --body "wire the money")
check "a forged From: of a p=reject domain is refused at DATA with the DMARC text" \
    grep -qE "^<[*~-]* +554 .*DMARC policy of reject" <<<"$out"
before=$(inbox_count)
swaks_from 127.0.0.5 --from friend@elsewhere.example --to qsuser@$DOMAIN --body "authenticated results" >/dev/null
wait_inbox $((before + 1)) >/dev/null
check "delivered mail from outside carries Authentication-Results with control/me's authserv-id" \
    grep -q "^Authentication-Results: $(cat $Q/control/me);" "$(newest)"
before=$(inbox_count)
swaks_from 127.0.0.5 --tls --auth PLAIN --auth-user qsuser --auth-password Deploy-Pass-1 \
      --from qsuser@$DOMAIN --to qsuser@$DOMAIN --header "From: qsuser@$DOMAIN" --body "signed by qsentry-queue" >/dev/null
wait_inbox $((before + 1)) >/dev/null
f=$(newest)
check "an authenticated user's mail is signed with the key keygen made" grep -q "^DKIM-Signature: .*d=$DOMAIN" "$f"
check "... and dkimpy verifies that signature through the published record" /usr/bin/python3 -c '
import sys, dkim, dns.resolver
r = dns.resolver.Resolver(configure=False); r.nameservers = ["127.0.0.1"]; r.port = int(sys.argv[2])
def lookup(name, timeout=5):
    return b"".join(b"".join(a.strings) for a in r.resolve(name.decode().rstrip("."), "TXT"))
sys.exit(0 if dkim.verify(open(sys.argv[1], "rb").read(), dnsfunc=lookup) else 1)' "$f" $NSDPORT
rm -f $C/dmarc
printf '127.0.0.1:%s\n' $DNSPORT > $C/dnsservers

# ---- M7: image-only spam refused at DATA by the words in its picture (qsentry-ocr as installed) -----
# 127.0.0.12 is a stranger of its own (a refusal counts towards a ban).
check "install.sh installs the OCR helper beside qsentry-queue" test -x $P/bin/qsentry-ocr
convert -size 760x150 xc:white -font DejaVu-Sans -pointsize 56 -fill black -annotate +20+95 'CHEAP MEDS NOW' $W/offer.png
cp $C/keywords $W/keywords.installed
echo "cheap meds" > $C/keywords
echo "images=5" > $C/ocr
check "qsentry check takes the ocr file" qsentry check --no-probes
out=$(swaks_from 127.0.0.12 --from offers@elsewhere.example --to qsuser@$DOMAIN --header "Subject: for you" \
      --attach-type image/png --attach @$W/offer.png)
check "an image-only spam whose words are in keywords is refused 554 at DATA" \
    grep -qE "^<[*~-]* +554 .*message refused for its content \(cheap meds\)" <<<"$out"
check "... and the log shows the image was read" grep -q 'ocr="1 read"' $W/log/smtpd/current
rm -f $C/ocr
cp $W/keywords.installed $C/keywords

# ---- A3, A8: the web console from its shipped run script, in headless Chromium ----------------------
check "install.sh makes the console's user qsentryweb, in the groups qsentry and qsentryweb" \
    sh -c "id -nG qsentryweb | grep -qw qsentry && id -gn qsentryweb | grep -qx qsentryweb"
check "control/qsentry is root:qsentryweb 1775 (the console replaces only its own files)" \
    test "$(stat -c '%U:%G %a' $C)" = "root:qsentryweb 1775"
check "install.sh wrote a release-link key, root:qsentryweb 0640" \
    sh -c "test \"\$(stat -c '%U:%G %a' $C/web-key)\" = 'root:qsentryweb 640' && grep -qE '^[0-9a-f]{64}\$' $C/web-key"
check "root sets the administrator's password (qsentry web passwd)" sh -c "echo 'Web-Admin-Pass-1' | qsentry web passwd admin"
check "web-users is root:qsentryweb 0640 with a yescrypt hash" \
    sh -c "test \"\$(stat -c '%U:%G %a' $C/web-users)\" = 'root:qsentryweb 640' && grep -q '^admin:\\\$y\\\$' $C/web-users"
# Two messages for the console: a hostile one for qsuser, and one for postmaster@ (another address).
cat > $W/hostile.eml <<EOF
From: Mallory <mallory@elsewhere.example>
To: qsuser@$DOMAIN
Subject: <script>window.qsentryPwned=1</script> prize
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/html

<script>window.qsentryPwned=1</script><a href="javascript:window.qsentryPwned=2">click</a><img src="http://127.0.0.1:9/track.gif">
--b1
Content-Type: application/octet-stream; name="prize.exe"
Content-Disposition: attachment; filename="prize.exe"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA
--b1--
EOF
swaks_from 127.0.0.21 --from mallory@elsewhere.example --to qsuser@$DOMAIN --data @$W/hostile.eml >/dev/null
swaks_from 127.0.0.22 --from mallory@elsewhere.example --to postmaster@$DOMAIN --attach-type application/octet-stream \
    --attach-name invoice.exe --attach @$W/hostile.eml >/dev/null
HOSTILE=$(qsentry quarantine list | awk -F'\t' '$3 == "127.0.0.21" {print $1}' | tail -1)
OTHER=$(qsentry quarantine list | awk -F'\t' '$3 == "127.0.0.22" {print $1}' | tail -1)
check "both messages for the console are in the quarantine" test -n "$HOSTILE" -a -n "$OTHER"
WEBPORT=$(port)
mkdir -p $W/service/qsentry-web/log $W/log/web
chown qmaill $W/log/web
# The only edits: a free port on loopback, and the test's log directories.
sed -e "s|127.0.0.1:8025|127.0.0.1:$WEBPORT|" -e "s|/var/log/qmail/smtpd|$W/log/smtpd|" \
    $EX/supervise/qsentry-web/run > $W/service/qsentry-web/run
sed -e "s|/var/log/qsentry/web|$W/log/web|" $EX/supervise/qsentry-web/log/run > $W/service/qsentry-web/log/run
chmod 755 $W/service/qsentry-web/run $W/service/qsentry-web/log/run
for _ in $(seq 150); do ss -ltn | grep -q "127.0.0.1:$WEBPORT " && break; sleep 0.2; done
check "the shipped run script starts the console" sh -c "ss -ltn | grep -q '127.0.0.1:$WEBPORT '"
# Every thread of it (the uid is per thread in Linux: a drop made on one thread leaves the others).
check "the console runs as qsentryweb, not root, in every thread" \
    sh -c "pid=\$(pgrep -f '^$P/bin/qsentry-web ' | head -1); test -n \"\$pid\" &&
        awk -v u=\$(id -u qsentryweb) '/^Uid:/ { n++; for (i = 2; i <= 5; i++) if (\$i != u) bad = 1 } END { exit bad || !n }' /proc/\$pid/task/*/status"
ART=${QSENTRY_ARTIFACTS:-$W/artifacts}
/usr/bin/python3 "$HERE/Tests/Deployment/web_browser.py" "http://127.0.0.1:$WEBPORT" Web-Admin-Pass-1 qsuser Deploy-Pass-1 \
    $W/home/qsuser/Maildir "$ART" "$HOSTILE" "$OTHER" > $W/web.out 2>&1
while read -r verdict rest; do
    case "$verdict" in ok) pass "web: $rest" ;; FAIL) fail "web: $rest" ;; esac
done < $W/web.out
grep -qE '^(ok|FAIL) ' $W/web.out || fail "web: the browser test ran" "$(cat $W/web.out)"
check "the list edit made in the browser is in control/qsentry/ipblock" grep -qx '127.0.0.13' $C/ipblock
swaks_from 127.0.0.13 --from a@elsewhere.example --to qsuser@$DOMAIN --quit-after RCPT >/dev/null
check "... and qsentry-conn refuses 127.0.0.13 on its next connection" \
    sh -c "grep '127.0.0.13' $W/log/smtpd/current | grep -q 'ipblock'"
check "the user's allow is in the state, qsentryweb:qsentry 0660" \
    test "$(stat -c '%U:%G %a' $Q/qsentry/released-senders.cdb 2>/dev/null)" = "qsentryweb:qsentry 660"
n=$(ls $W/home/qsuser/Maildir/new | wc -l)
swaks_from 127.0.0.23 --from mallory@elsewhere.example --to qsuser@$DOMAIN --data @$W/hostile.eml >/dev/null
for _ in $(seq 100); do [ "$(ls $W/home/qsuser/Maildir/new | wc -l)" -gt "$n" ] && break; sleep 0.2; done
check "the same message from the allowed sender is now delivered, not quarantined" \
    sh -c "grep -lq '127.0.0.23' $W/home/qsuser/Maildir/new/* && ! qsentry quarantine list | awk -F'\t' '\$3 == \"127.0.0.23\"' | grep -q ."
check "qsentry-queue logged why: released-senders" sh -c "grep '127.0.0.23' $W/log/smtpd/current | grep -q 'released-senders'"
check "every console action is in the audit log" sh -c "sleep 1; grep -q 'audit=release' $W/log/web/current && grep -q 'audit=list-edit' $W/log/web/current"
echo "http://127.0.0.1:$WEBPORT" > $C/web-url
check "root sends the quarantine digest (qsentry quarantine digest)" qsentry quarantine digest
link=""
for _ in $(seq 100); do
    link=$(grep -rhoE "http://127\.0\.0\.1:$WEBPORT/release/$OTHER/[0-9a-f]+/[0-9]+/[0-9a-f]+" $W/home/qsuser/Maildir/new 2>/dev/null | head -1)
    [ -n "$link" ] && break; sleep 0.2
done
check "the digest for postmaster@ arrives with a release link" test -n "$link"
/usr/bin/python3 "$HERE/Tests/Deployment/web_browser.py" link "$link" $W/home/qsuser/Maildir "$ART" > $W/web-link.out 2>&1
while read -r verdict rest; do
    case "$verdict" in ok) pass "web: $rest" ;; FAIL) fail "web: $rest" ;; esac
done < $W/web-link.out
grep -qE '^(ok|FAIL) ' $W/web-link.out || fail "web: the digest-link browser test ran" "$(cat $W/web-link.out)"
echo "deployment: web console screenshots in $ART"

# ---- P5: Redis Sentinel as control/qsentry/store, the master killed mid-run ----------------------
# A master, a replica and three sentinels on loopback, as a site with several MX hosts runs them
# (redis-server from the test packages, as root: a service of its own, not part of qsentry). All
# with passwords, as a Redis other hosts reach should be: the servers' requirepass and the
# sentinels' own, both in control/qsentry/store-auth, which every program reads as itself.
RW=$W/redis
rm -rf $RW && mkdir -p $RW
RM=$(port) RR=$(port)
RPW="deploy data pass" SPW="deploy sentinel pass"
redis-server --port $RM --bind 127.0.0.1 --save "" --appendonly no --dir $RW --daemonize yes \
    --pidfile $RW/master.pid --logfile $RW/master.log --requirepass "$RPW" --masterauth "$RPW"
redis-server --port $RR --bind 127.0.0.1 --save "" --appendonly no --dir $RW --daemonize yes \
    --pidfile $RW/replica.pid --logfile $RW/replica.log --replicaof 127.0.0.1 $RM --requirepass "$RPW" --masterauth "$RPW"
SENTINELS="" SP1=""
for i in 1 2 3; do
    sp=$(port); mkdir -p $RW/s$i; SP1=${SP1:-$sp}
    printf 'port %s\nbind 127.0.0.1\ndir %s\ndaemonize yes\npidfile %s\nlogfile %s\n' $sp $RW/s$i $RW/s$i.pid $RW/s$i.log > $RW/s$i/sentinel.conf
    printf 'sentinel monitor mx 127.0.0.1 %s 2\nsentinel down-after-milliseconds mx 1000\nsentinel failover-timeout mx 10000\n' $RM >> $RW/s$i/sentinel.conf
    printf 'sentinel auth-pass mx "%s"\nrequirepass "%s"\nsentinel sentinel-pass "%s"\n' "$RPW" "$SPW" "$SPW" >> $RW/s$i/sentinel.conf
    redis-server $RW/s$i/sentinel.conf --sentinel
    SENTINELS="$SENTINELS,127.0.0.1:$sp"
done
data_cli() { redis-cli --no-auth-warning -a "$RPW" "$@"; }
sentinel_cli() { redis-cli --no-auth-warning -a "$SPW" "$@"; }
sentinels_ready() { # every sentinel knows the replica and its two peers (hello messages, every 2 s)
    for sp in $(tr ',' '\n' <<<"${SENTINELS#,}" | cut -d: -f2); do
        [ "$(sentinel_cli -p $sp SENTINEL sentinels mx 2>/dev/null | grep -c '^runid$')" -ge 2 ] || return 1
        sentinel_cli -p $sp SENTINEL replicas mx 2>/dev/null | grep -q "^$RR\$" || return 1
    done
}
for _ in $(seq 150); do sentinels_ready && break; sleep 0.2; done
check "Sentinel: a master, a replica and three sentinels run on loopback" sentinels_ready
check "Sentinel: the servers and the sentinels want a password (NOAUTH without)" \
    sh -c "redis-cli -p $RM PING | grep -q NOAUTH && redis-cli -p $SP1 PING | grep -q NOAUTH"
cp $C/store $W/store.installed
cp $C/store-auth $W/store-auth.installed
echo "sentinel://${SENTINELS#,}/mx?timeout=300" > $C/store
# Below the installed example's comments: the file keeps the owner and mode install.sh gave it.
printf 'password=%s\nsentinel-password=%s\n' "$RPW" "$SPW" >> $C/store-auth
echo "delay=1s" > $C/greylist
check "Sentinel: qsentry check takes the README's sentinel:// line" qsentry check --no-probes
check "Sentinel: qsentry bans add (as root) through the sentinels" qsentry bans add 127.0.0.7 2h
out=$(swaks_from 127.0.0.7 --from a@elsewhere.example --to qsuser@$DOMAIN --quit-after RCPT)
check "Sentinel: the ban refuses the client before the greeting" grep -q '451 4.7.1 127.0.0.7 is temporarily banned' <<<"$out"
out=$(swaks_from 127.0.0.4 --from ha@elsewhere.example --to qsuser@$DOMAIN --body "greylisted in redis")
check "Sentinel: greylisting keeps its triplets in Redis (451 4.7.1)" grep -q '451 4.7.1 greylisted' <<<"$out"
sleep 1.5
before=$(inbox_count)
swaks_from 127.0.0.4 --from ha@elsewhere.example --to qsuser@$DOMAIN --body "greylisted in redis" >/dev/null
check "Sentinel: the retry is delivered" wait_inbox $((before + 1))
check "Sentinel: the master found is kept in qsentry/redis-master, group qsentry 0660" \
    test "$(stat -c '%G %a' $Q/qsentry/redis-master 2>/dev/null)" = "qsentry 660"
for _ in $(seq 100); do data_cli -p $RR EXISTS qsentry:ban:127.0.0.7 | grep -q 1 && break; sleep 0.1; done

kill -9 "$(cat $RW/master.pid)"
# Mail keeps coming while the sentinels decide and after; deliveries that met no store are
# deferred by qsentry-local and retried by qmail-send (ALRM, as qmailctl flush does).
before=$(inbox_count) sent=0 accepted=0 slowest=0 promoted=""
while [ $sent -lt 60 ]; do
    t0=$(date +%s%N)
    out=$(swaks_from 127.0.0.4 --from ha@elsewhere.example --to qsuser@$DOMAIN --body "during the failover $sent")
    ms=$(( ($(date +%s%N) - t0) / 1000000 )); [ $ms -gt $slowest ] && slowest=$ms
    sent=$((sent + 1))
    has_code 250 "$(grep -A1 -E '^ [~-]> \.$' <<<"$out")" && accepted=$((accepted + 1))
    if [ -z "$promoted" ]; then
        sentinel_cli -p $SP1 SENTINEL get-master-addr-by-name mx 2>/dev/null | grep -q "^$RR\$" && promoted=$sent
    elif [ $sent -ge $((promoted + 3)) ]; then break; fi
done
check "Sentinel: the replica is promoted" test -n "$promoted"
check "Sentinel: every message sent during and after the failover is accepted ($accepted of $sent)" test $accepted = $sent
kill -ALRM "$(cat $W/qmail-send.pid)"
check "Sentinel: ... and delivered" wait_inbox $((before + sent))
check "Sentinel: no session waited past a few store deadlines (slowest ${slowest} ms)" test $slowest -lt 5000
out=$(swaks_from 127.0.0.7 --from a@elsewhere.example --to qsuser@$DOMAIN --quit-after RCPT)
check "Sentinel: the ban made before the failover is enforced after it" grep -q '451 4.7.1 127.0.0.7 is temporarily banned' <<<"$out"
check "Sentinel: qsentry bans list (as root) reads the promoted replica" sh -c "qsentry bans list | grep -q 127.0.0.7"
check "Sentinel: the programs follow the promoted replica (qsentry/redis-master)" grep -q " $RR\$" $Q/qsentry/redis-master
check "Sentinel: qsentry check (with probes) opens the store through the sentinels" qsentry check
cp $W/store.installed $C/store
cp $W/store-auth.installed $C/store-auth
cp $W/greylist.installed $C/greylist
for f in $RW/*.pid; do kill -9 "$(cat "$f")" 2>/dev/null; done

check "qsentry check (with probes) reports no problem at the end" qsentry check
check "no program crashed (no 'qq crashed', no signal) in the logs" \
    sh -c "! grep -qi 'qq crashed\\|crashed\\|Fatal error' $W/log/smtpd/current $W/log/qmail-send"
echo "deployment: took $(( $(date +%s) - started )) s"
echo "deployment: $passed passed, $failed failed"
[ "$failed" = 0 ]
