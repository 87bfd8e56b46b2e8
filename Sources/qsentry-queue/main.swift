import QSentryCore

// qsentry-queue: the QMAILQUEUE program, content checks at DATA (M1–M10).
let usage = """
usage: QMAILQUEUE=/usr/local/bin/qsentry-queue (run by qmail-smtpd)

Reads the message on fd 0 and the envelope on fd 1, scans it (ClamAV,
attachments, keywords, URL blocklists, Bayes) and hands it to qmail-queue.
"""
Program.handleStandardFlags("qsentry-queue", usage: usage)
// qmail-queue's 71: "mail server temporarily refuses": nothing is lost, the sender retries.
Program.fail("qsentry-queue", "the content checks are not built yet; unset QMAILQUEUE", code: QueueExit.temporaryRefusal.rawValue)
