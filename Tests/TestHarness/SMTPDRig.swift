import Foundation
import QSentryCore

/// One qmail root with example.com local, the alias user's `.qmail` files for postmaster, sales
/// and info, and qsentry-smtpd under a real tcpserver in front of exim4 -bs (or `child`).
public final class SMTPDRig {
    public let root: TempQmailRoot
    public let exim: Exim
    public var server: TCPServer!

    /// `front`: programs before qsentry-smtpd on the tcpserver line (qsentry-conn and its options).
    public init(_ files: [String: String] = [:], rules: String? = nil, child: String? = nil, front: [String] = []) throws {
        root = try TempQmailRoot()
        exim = try Exim(root: root)
        try root.write("control/me", "mx.example.com\n")
        try root.write("control/rcpthosts", "example.com\n")
        try root.write("control/locals", "example.com\n")
        // The alias user's home, with a few .qmail files: qmail's own way to say who exists.
        let alias = root.path + "/home/alias"
        try FileManager.default.createDirectory(atPath: alias, withIntermediateDirectories: true)
        for f in [".qmail-postmaster", ".qmail-sales", ".qmail-info"] { try root.write("home/alias/" + f, "./Maildir/\n") }
        try root.write("users/assign", "+:alias:7790:2108:\(alias):-::\n.\n")
        try makeUsersCDB(alias: alias)
        for (k, v) in files { try root.write(k, v) }
        let cdb = try rules.map { try TCPServer.compileRules($0, in: root) }
        server = try TCPServer(root: root, command: front + [Run.program("qsentry-smtpd"), child ?? exim.command], rules: cdb)
    }

    /// users/cdb as qmail-newu writes it for "+:alias:…:-::" (every name goes to the alias user).
    public func makeUsersCDB(alias: String) throws {
        let w = try CDBWriter(path: root.path + "/users/cdb")
        try w.add([], Array("-".utf8))
        try w.add(Array("!".utf8), Array("alias\07790\02108\0\(alias)\0-\0".utf8))
        try w.finish()
    }

    public func swaks(_ args: [String]) throws -> String {
        try Swaks.run(server: server.address, ["--helo", "client.example.org"] + args).stdout
    }

    public var log: String { server.server.stderr }
}
