import QSentryCore

// qsentry-conn: the tcpserver hook before the SMTP greeting (C1–C11).
let usage = """
usage: tcpserver … qsentry-conn [options] prog [args…]

Checks the connecting client (reverse DNS, DNS blocklists, IP and country
lists, p0f, bans) before the greeting, then execs prog. See qsentry-conn(8).
"""
Program.handleStandardFlags("qsentry-conn", usage: usage)
// The checks arrive with the connection-layer issue; until then refuse to run rather than wave mail through unchecked.
Program.fail("qsentry-conn", "the connection checks are not built yet; remove qsentry-conn from the tcpserver line")
