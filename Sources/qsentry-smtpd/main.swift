import QSentryCore

// qsentry-smtpd: the SMTP wrapper in front of an unpatched qmail-smtpd (E1–E17).
let usage = """
usage: tcpserver … [qsentry-conn] qsentry-smtpd /var/qmail/bin/qmail-smtpd [args…]

Speaks SMTP with the client, checks envelopes (recipients, senders, SPF,
honeypots, AUTH, TLS) and passes accepted commands to qmail-smtpd.
"""
Program.handleStandardFlags("qsentry-smtpd", usage: usage)
Program.fail("qsentry-smtpd", "the envelope checks are not built yet; remove qsentry-smtpd from the tcpserver line")
