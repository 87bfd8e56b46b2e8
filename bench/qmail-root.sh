# Sourced by the bench scripts (after common.sh, with $WORK set): a qmail root in $WORK/qmail ($Q):
# example.com local, every name to the alias user, who has .qmail-sales; and free_port.
Q=$WORK/qmail
mkdir -p "$Q/control/qsentry" "$Q/users" "$Q/home/alias"
echo mx.example.com > "$Q/control/me"
echo example.com > "$Q/control/rcpthosts"
echo example.com > "$Q/control/locals"
echo './Maildir/' > "$Q/home/alias/.qmail-sales"
python3 - "$Q" <<'PY'
import subprocess, sys
q = sys.argv[1]
rec = lambda k, v: f"+{len(k)},{len(v)}:{k}->{v}\n"
data = rec("", "-") + rec("!", f"alias\x007790\x002108\x00{q}/home/alias\x00-\x00") + "\n"
subprocess.run(["cdb", "-c", f"{q}/users/cdb"], input=data.encode(), check=True)
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
