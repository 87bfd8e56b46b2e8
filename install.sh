#!/bin/bash
# qsentry installer for Debian 12 (and Debian-like systems).
#
#   ./install.sh          install build and run-time dependencies (apt-get), build
#                         release with a static Swift runtime, install the five
#                         programs, their man pages and the example control files
#   ./install.sh test     install what the tests need, then run the whole suite
#   ./install.sh man      install only the man pages (the tests check them this way)
#
# Settings (environment): PREFIX (default /usr/local), QMAIL (default /var/qmail), QSENTRY_WEB
# (default yes; no leaves the web console out: its HTTP stack is most of the build, bench/build.sh). QMAIL is
# built into the programs (as qmail builds in conf-qmail: qmail-local passes no QMAIL), and both
# are written into the installed examples (run scripts, tcp.smtp, .qmail lines).
# Idempotent: a second run changes nothing. Never overwrites an admin's control file.
#
# The state ($QMAIL/qsentry: store, Bayes tokens, quarantine) belongs to the group qsentry:
# directories 2770, files 0660 (StateFiles in the sources). qsentry-conn, -smtpd and -queue get
# the group from tcpserver's -g (the example run script), qsentry-local from its setgid bit
# (qmail-lspawn drops supplementary groups), the admin CLI by adopting what it creates as root.
set -euo pipefail

PREFIX=${PREFIX:-/usr/local}
QMAIL=${QMAIL:-/var/qmail}
MODE=${1:-install}
HERE=$(cd "$(dirname "$0")" && pwd)
PROGRAMS="qsentry-conn qsentry-smtpd qsentry-queue qsentry-local qsentry qsentry-libclamav qsentry-ocr qsentry-web"
PER_CONNECTION="qsentry-conn qsentry-smtpd qsentry-queue qsentry-local"
WEB=${QSENTRY_WEB:-yes}
case "$WEB" in
    yes) ;;
    no) PROGRAMS=${PROGRAMS% qsentry-web} ;;
    *) printf 'install.sh: error: QSENTRY_WEB is yes or no, not %s\n' "$WEB" >&2; exit 100 ;;
esac

# C libraries (system-library targets) and the tools install.sh itself uses.
BUILD_PACKAGES="pkg-config libcdb-dev libc-ares-dev libclamav-dev libspf2-dev libhiredis-dev
  libmaxminddb-dev libssl-dev libsqlite3-dev libpsl-dev liblmdb-dev libidn2-dev libunistring-dev tinycdb ucspi-tcp publicsuffix
  libopendkim-dev libopendmarc-dev libbsd-dev libmd-dev libdb5.3-dev
  libtesseract-dev libleptonica-dev tesseract-ocr-eng libcrypt-dev
  daemontools"
# Real servers and clients the integration tests start on loopback, and the benchmarks' peers.
TEST_PACKAGES="rbldnsd nsd clamav-daemon clamdscan redis-server redis-tools swaks libnet-ssleay-perl openssl bind9-dnsutils
  libmaxmind-db-writer-perl p0f hyperfine python3 man-db exim4-daemon-light strace spamassassin spamd spamc bogofilter chromium cvm valgrind gdb linux-perf
  python3-dkim python3-authres python3-nacl python3-dnspython imagemagick chromium-driver python3-selenium"

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

preflight() {
    [ "$(id -u)" = 0 ] || die "run as root (it installs packages and programs): sudo ./install.sh${1:+ $1}"
    command -v apt-get >/dev/null 2>&1 && [ -r /etc/debian_version ] ||
        die "this installer is for Debian and Debian-like systems (apt-get and /etc/debian_version not found)"
    if ! command -v swift >/dev/null 2>&1; then
        [ -x /opt/swift/usr/bin/swift ] && PATH=/opt/swift/usr/bin:$PATH && export PATH
    fi
    command -v swift >/dev/null 2>&1 ||
        die "no Swift 6 toolchain on PATH (Debian 12 does not package one): install it from swift.org, then run again"
}

# Installs the packages not yet installed; does nothing (not even apt-get update) when all are there.
apt_install() {
    missing=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -n "$missing" ] || return 0
    say "apt-get install$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Test servers must not start as system services (freshclam would try to download
# signatures; a system redis or nsd would hold ports): tests start their own.
apt_install_without_services() {
    made_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=yes
    fi
    status=0
    apt_install "$@" || status=$?
    [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
    return $status
}

# swift build with the release flags and ARGS, its progress lines left out; swift's own status.
swift_release() {
    (cd "$HERE" && swift build "${release[@]}" "$@" 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]|prohibited flag|^Building|^Build of product' || true; }
     exit "${PIPESTATUS[0]}")
}

build_release() {
    say "building release (static Swift runtime, qmail root $QMAIL built in)"
    case "$QMAIL" in
        /*) ;;
        *) die "QMAIL must be an absolute path: $QMAIL" ;;
    esac
    case "$QMAIL" in
        *[\"\\\ ]*) die "QMAIL may not contain quotes, backslashes or spaces: $QMAIL" ;;
    esac
    # The built-in root (Sources/CSystemSupport), as qmail builds in conf-qmail.
    release=(-c release --static-swift-stdlib -Xcc "-DQSENTRY_QMAIL_ROOT=\"$QMAIL\"")
    # A failed build must stop here: programs left from an earlier build would otherwise be installed.
    if [ "$WEB" = yes ]; then
        swift_release || die "the release build failed (see above)"
    else
        # Each program but the console, one after another (modules they share are built once).
        for p in $PROGRAMS; do swift_release --product "$p" || die "the release build of $p failed (see above)"; done
    fi
    bin=$(cd "$HERE" && swift build "${release[@]}" --show-bin-path)
    for p in $PROGRAMS; do
        [ -x "$bin/$p" ] || die "build failed: $bin/$p missing"
    done
    # The start-up promise: no dynamic Swift runtime or Foundation in per-connection programs.
    for p in $PER_CONNECTION; do
        if ldd "$bin/$p" 2>&1 | grep -qE 'libswiftCore|libFoundation|libswift_'; then
            die "$p links the Swift runtime dynamically: $(ldd "$bin/$p" | grep -E 'swift|Foundation' | tr '\n' ' ')"
        fi
        # ... and no dynamic loader work at all (qsentry-libclamav and qsentry-ocr, helpers exec'd only in their modes, are the dynamic programs).
        # (ldd exits 1 for a static program: read its words, not its status.)
        linked=$(ldd "$bin/$p" 2>&1 || true)
        case "$linked" in
            *"not a dynamic executable"*|*"statically linked"*) ;;
            *) die "$p is not a static executable: $(tr '\n' ' ' <<<"$linked")" ;;
        esac
    done
}

install_programs() {
    install -d "$PREFIX/bin" "$PREFIX/share/man/man8" "$PREFIX/share/man/man5" "$PREFIX/share/doc/qsentry"
    for p in $PROGRAMS; do
        install -C -m 755 "$bin/$p" "$PREFIX/bin/$p"
    done
    # Deliveries run as each user with only that user's group: the state group comes from the file.
    chgrp qsentry "$PREFIX/bin/qsentry-local"
    chmod 2755 "$PREFIX/bin/qsentry-local"
    install_man_pages
    # Examples for reference (tcp.smtp, run scripts, .qmail lines), always refreshed, with this
    # install's paths in them; run scripts stay executable.
    (cd "$HERE/qmail-control-examples" && find . -type f) | while read -r f; do
        mode=644
        [ -x "$HERE/qmail-control-examples/$f" ] && mode=755
        dest="$PREFIX/share/doc/qsentry/examples/$f"
        install -d "$(dirname "$dest")"
        sed -e "s|/var/qmail|$QMAIL|g" -e "s|/usr/local|$PREFIX|g" "$HERE/qmail-control-examples/$f" > "$dest.tmp"
        chmod "$mode" "$dest.tmp"
        mv "$dest.tmp" "$dest"
    done
}

# The state's group and directories (StateFiles); what an earlier version left is brought in line.
install_state() {
    getent group qsentry >/dev/null || groupadd --system qsentry || die "cannot create the group qsentry"
    install -d -m 755 "$QMAIL"
    for d in "$QMAIL/qsentry" "$QMAIL/qsentry/quarantine"; do
        install -d -o root -g qsentry -m 2770 "$d"
    done
    chgrp -R qsentry "$QMAIL/qsentry"
    find "$QMAIL/qsentry" -type d -exec chmod 2770 {} +
    find "$QMAIL/qsentry" -type f -exec chmod 0660 {} +
    say "state in $QMAIL/qsentry (group qsentry, 2770)"
    # The Redis password: the programs' group reads it, no one else.
    if [ -f "$QMAIL/control/qsentry/store-auth" ]; then
        chown root:qsentry "$QMAIL/control/qsentry/store-auth"
        chmod 0640 "$QMAIL/control/qsentry/store-auth"
    fi
}

install_man_pages() {
    install -d "$PREFIX/share/man/man8" "$PREFIX/share/man/man5"
    for page in "$HERE"/man/*.[58]; do
        section=${page##*.}
        install -C -m 644 "$page" "$PREFIX/share/man/man$section/$(basename "$page")"
    done
    # man-db finds pages under PREFIX/share/man through PATH (PREFIX/bin); refresh its index when it can.
    if [ "$PREFIX" = /usr/local ] && command -v mandb >/dev/null 2>&1; then mandb -q 2>/dev/null || true; fi
}

# Example control files go in only where the admin has none: an existing file is never touched.
install_examples() {
    src="$HERE/qmail-control-examples/control/qsentry"
    install -d -m 755 "$QMAIL/control/qsentry"
    for f in "$src"/*; do
        name=$(basename "$f")
        if [ -e "$QMAIL/control/qsentry/$name" ]; then
            continue
        fi
        install -m 644 "$f" "$QMAIL/control/qsentry/$name"
        say "added $QMAIL/control/qsentry/$name"
    done
}

# The web console (A3): its user qsentryweb (primary group qsentryweb, also in qsentry for the
# quarantine and the store), owner of the lists it edits. control/qsentry is root:qsentryweb
# 1775: sticky, so the console can replace only the files it owns (the lists), never root's
# store, keys or checkpassword line. web-users and web-key are root:qsentryweb 0640.
WEB_LISTS="ipblock ipallow mailfromblock mailfromallow rcptblock rcptallow countries attachments keywords keywords-allow honeypots unfiltered"
install_web() {
    getent group qsentryweb >/dev/null || groupadd --system qsentryweb || die "cannot create the group qsentryweb"
    getent passwd qsentryweb >/dev/null ||
        useradd --system --gid qsentryweb --groups qsentry --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin qsentryweb || die "cannot create the user qsentryweb"
    id -nG qsentryweb | grep -qw qsentry || usermod -a -G qsentry qsentryweb
    c="$QMAIL/control/qsentry"
    chown root:qsentryweb "$c" && chmod 1775 "$c"
    for name in $WEB_LISTS; do
        f="$c/$name"
        if [ -f "$f" ] && [ "$(stat -c %u "$f")" = 0 ]; then chown qsentryweb "$f"; fi
    done
    for name in web-users web-key; do
        [ -f "$c/$name" ] && chown root:qsentryweb "$c/$name" && chmod 0640 "$c/$name"
    done
    # A key below the example's comments, once: no active line yet.
    if ! grep -q '^[^#]' "$c/web-key" 2>/dev/null; then
        key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
        [ ${#key} = 64 ] || die "cannot read 32 random bytes for $c/web-key"
        echo "$key" >> "$c/web-key"
        say "wrote a release-link key in $c/web-key"
    fi
}

case "$MODE" in
    install)
        preflight
        apt_install $BUILD_PACKAGES
        build_release
        getent group qsentry >/dev/null || groupadd --system qsentry || die "cannot create the group qsentry"
        install_programs
        install_examples
        install_state
        if [ "$WEB" = yes ]; then install_web; else say "QSENTRY_WEB=no: the web console is not built or installed"; fi
        say "installed $PROGRAMS in $PREFIX/bin; examples in $PREFIX/share/doc/qsentry/examples"
        say "next: qsentry check, then see README.md for the tcpserver, QMAILQUEUE and .qmail lines"
        ;;
    test)
        preflight test
        apt_install $BUILD_PACKAGES
        apt_install_without_services $TEST_PACKAGES
        # The state's group, as an install makes it (the tests' qmail roots use it too).
        getent group qsentry >/dev/null || groupadd --system qsentry
        cd "$HERE"
        say "building and running the test suite (real servers on loopback)"
        swift build --build-tests 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]|prohibited flag|^Compiling|^Building|^Write' || true; }
        # Per-test lines are long; keep failures, suites that failed and the closing summaries.
        set +e
        swift test --skip-build 2>&1 | grep -vE '^(􀟈|◇|↳|✔ Test [^ ]+\(|✔ Suite|Test Suite .* started)'
        status=${PIPESTATUS[0]}
        # qsentry deployed into a real qmail, as the README says (Tests/Deployment/deploy.sh).
        say "deployment suite (a real qmail from ../shared/qmail)"
        Tests/Deployment/deploy.sh || status=1
        # Each fuzz target briefly (bench/fuzz.sh TARGET SECONDS runs them long).
        say "fuzzing each target for ${QSENTRY_FUZZ_SECONDS:-5} s"
        bench/fuzz.sh all "${QSENTRY_FUZZ_SECONDS:-5}" || status=1
        exit "$status"
        ;;
    man)
        install_man_pages
        say "installed the man pages in $PREFIX/share/man"
        ;;
    *)
        die "usage: ./install.sh [test|man]"
        ;;
esac
