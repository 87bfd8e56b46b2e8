import QSentryCore

// qsentry-local: the .qmail delivery program: per-user spam tagging and Maildir delivery (D1–D6).
let usage = """
usage: in a .qmail file:  | qsentry-local ./Maildir/

Scores the message, tags or files it by the user's preferences, and
delivers it safely into the Maildir.
"""
Program.handleStandardFlags("qsentry-local", usage: usage)
Program.fail("qsentry-local", "delivery is not built yet; use ./Maildir/ in .qmail", code: DeliveryExit.temporary.rawValue)
