#!/bin/bash
# Builds a real qmail (notqmail, from ../shared/qmail) into $1 (its conf-qmail), with qmail's
# users and groups as INSTALL.ids.md creates them, and configures it for one local domain:
#   Tests/Deployment/qmail.sh QMAIL_PREFIX TARBALL DOMAIN
# The users' homes name the prefix (qmail-getpw finds ~alias through them), so a machine whose
# qmail users already belong to another qmail is refused rather than changed.
set -euo pipefail
Q=$1 TARBALL=$2 DOMAIN=$3

say() { printf 'qmail.sh: %s\n' "$*"; }

alias_home=$(getent passwd alias | cut -d: -f6 || true)
if [ -n "$alias_home" ] && [ "$alias_home" != "$Q/alias" ]; then
    say "the user alias already has the home $alias_home: another qmail lives on this machine; not touching it"
    exit 2
fi
getent group nofiles >/dev/null || groupadd --system nofiles
getent group qmail >/dev/null || groupadd --system qmail
for u in alias:nofiles:$Q/alias qmaild:nofiles:$Q qmaill:nofiles:$Q qmailp:nofiles:$Q \
         qmailq:qmail:$Q qmailr:qmail:$Q qmails:qmail:$Q; do
    IFS=: read -r name group home <<<"$u"
    getent passwd "$name" >/dev/null || useradd --system -M -g "$group" -d "$home" -s /usr/sbin/nologin "$name"
done

src=$(dirname "$Q")/qmail-src
rm -rf "$src" "$Q"
mkdir -p "$src"
tar xzf "$TARBALL" -C "$src" --strip-components=1
echo "$Q" > "$src/conf-qmail"
say "building notqmail into $Q"
(cd "$src" && make -s setup check >"$src/build.log" 2>&1) || { tail -30 "$src/build.log"; exit 1; }

# One local domain, nothing ever sent off this machine: no remote deliveries at all.
echo "$DOMAIN" > "$Q/control/me"
echo "$DOMAIN" > "$Q/control/locals"
echo "$DOMAIN" > "$Q/control/rcpthosts"
echo "$DOMAIN" > "$Q/control/defaultdomain"
echo 0 > "$Q/control/concurrencyremote"
say "qmail ready in $Q"
