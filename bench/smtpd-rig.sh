# Sourced by bench/smtpd.sh and bench/tls.sh (after common.sh): the qmail root of qmail-root.sh
# ($Q) and the tests' exim4 -bs as the SMTP server behind ($WORK/smtpd).
source bench/qmail-root.sh
mkdir -p "$WORK/spool" "$WORK/log"
sed "s|@DIR@|$WORK|g" Tests/TestHarness/exim.conf.in > "$WORK/exim.conf"   # the tests' exim, same file
printf '#!/bin/sh\nexec %s -C %s/exim.conf -bs\n' "$(command -v exim4)" "$WORK" > "$WORK/smtpd"
chmod 755 "$WORK/smtpd"
