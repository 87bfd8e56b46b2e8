import Foundation
import Testing
import TestHarness

/// A1: `qsentry explain` says what the programs do. For each rule, the real tcpserver →
/// qsentry-conn → qsentry-smtpd → exim line (or qsentry-queue as qmail-smtpd runs it) answers a
/// client, and explain, given the same client and envelope, must give the same verdict and reply.
@Suite struct ExplainAgreementTests {
    struct Case: CustomStringConvertible, Sendable {
        let rule: String
        var files: [String: String] = [:]
        var ip = "127.0.0.1"
        var from = "a@example.org"
        var to = ["sales@example.com"]
        var description: String { rule }
    }

    static let cases: [Case] = [
        Case(rule: "ipblock", files: ["control/qsentry/ipblock": "127.0.0.9\n"], ip: "127.0.0.9"),
        Case(rule: "ipallow", files: ["control/qsentry/ipblock": "127.0.0.0/8\n", "control/qsentry/ipallow": "127.0.0.10\n"], ip: "127.0.0.10"),
        Case(rule: "relay", to: ["user@victim.example"]),
        Case(rule: "routing", to: ["user%victim.example@example.com"]),
        Case(rule: "badmailfrom", files: ["control/badmailfrom": "a@example.org\n"]),
        Case(rule: "mailfromblock", files: ["control/qsentry/mailfromblock": "a@example.org\n"]),
        Case(rule: "mailfromblock-domains", files: ["control/qsentry/mailfromblock-domains": "example.org\n"]),
        Case(rule: "mailfromallow", files: ["control/qsentry/mailfromallow": "a@example.org\n", "control/qsentry/rcptblock": "sales@example.com\n"]),
        Case(rule: "rcptblock", files: ["control/qsentry/rcptblock": "sales@example.com\n"]),
        Case(rule: "rcptallow", files: ["control/qsentry/rcptallow": "info@example.com\n"]),
        Case(rule: "honeypot", files: ["control/qsentry/honeypots": "sales@example.com\n"]),
        Case(rule: "unfiltered", files: ["control/qsentry/unfiltered": "sales@example.com\n", "control/qsentry/rcptblock": "sales@example.com\n"]),
        Case(rule: "unknown-recipient", to: ["nobody@example.com"]),
        Case(rule: "empty-sender", files: ["control/qsentry/sender-rules": "empty-sender=refuse\n"], from: ""),
        Case(rule: "from-equals-to", files: ["control/qsentry/sender-rules": "from-equals-to=refuse\n"], from: "sales@example.com"),
        Case(rule: "same-domain", files: ["control/qsentry/sender-rules": "same-domain=defer\n"], from: "x@example.com"),
        Case(rule: "bad-recipients", files: ["control/qsentry/badrcptlimit": "1\n"], to: ["n1@example.com", "n2@example.com"]),
        Case(rule: "too-many-recipients", files: ["control/qsentry/maxrcpt": "message=1\n"], to: ["sales@example.com", "info@example.com"]),
        Case(rule: "messages", files: ["control/qsentry/rcptblock": "sales@example.com\n",
                                       "control/qsentry/messages": "rcptblock=No mail for %EMailTo% from %IP%\n"]),
    ]

    /// The replies the real line gives: MAIL's, then each RCPT's.
    func realReplies(_ c: Case, _ rig: SMTPDRig) throws -> [String] {
        var lines = ["EHLO client.example.org", "MAIL FROM:<\(c.from)>"]
        lines += c.to.map { "RCPT TO:<\($0)>" }
        let t = try RawClient.session(rig.server.address, lines + ["QUIT"], from: c.ip)
        let transcript = t.split(separator: "\n").map(String.init)
        return lines.dropFirst().map { sent in
            guard let i = transcript.firstIndex(of: "C: " + sent), i + 1 < transcript.count else { return "(no reply)" }
            return transcript[i + 1]
        }
    }

    func explain(_ c: Case, root: TempQmailRoot) throws -> [String: Any] {
        var args = ["explain", "--json", "--ip", c.ip, "--helo", "client.example.org", "--from", c.from]
        for t in c.to { args += ["--to", t] }
        let r = try Run.command(Run.program("qsentry"), args, environment: root.environment())
        #expect(r.status == 0, "\(r.output)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test(arguments: cases)
    func explainAgreesWithTheProgramsAtSMTPTime(_ c: Case) throws {
        let rig = try SMTPDRig(c.files, front: [Run.program("qsentry-conn"), "-t", "5"])
        // Explain first, on the same qmail root (the same control files and store): a real session can
        // change the store (a honeypot hit bans the client), and explain itself must not.
        let e = try explain(c, root: rig.root)
        #expect(try explain(c, root: rig.root)["reply"] as? String == e["reply"] as? String)  // dry: the store is as it was
        let real = try realReplies(c, rig)
        let layers = e["layers"] as? [[String: Any]] ?? []
        let verdict = e["verdict"] as? String ?? ""
        let reply = e["reply"] as? String

        let refusedBeforeMail = real[0].hasPrefix("5") || real[0].hasPrefix("4")
        let realRcpt = Array(real.dropFirst())
        if layers.first?["verdict"] as? String == "refuse" || layers.first?["verdict"] as? String == "defer" {
            // qsentry-conn refused: rblsmtpd's dialogue says 250 to MAIL and the refusal to RCPT.
            #expect(realRcpt.allSatisfy { $0 == reply }, "\(c): real \(real), explain \(reply ?? "nil")")
            return
        }
        let smtpd = layers.count > 1 ? layers[1] : [:]
        let steps = smtpd["steps"] as? [[String: Any]] ?? []
        if refusedBeforeMail {
            #expect(reply == real[0], "\(c): real \(real), explain \(reply ?? "nil")")
            #expect(verdict == (real[0].hasPrefix("5") ? "refuse" : "defer"))
            return
        }
        // Each RCPT: refused the same way, or accepted by both.
        let rcptSteps = steps.filter { ($0["input"] as? String)?.hasPrefix("RCPT TO:") == true }
        #expect(rcptSteps.count == realRcpt.count, "\(c): \(steps)")
        for (step, realReply) in zip(rcptSteps, realRcpt) {
            let result = step["result"] as? String ?? ""
            if realReply.hasPrefix("250") {
                #expect(result == "accept" || result == "tag", "\(c): real \(realReply), explain \(step)")
            } else {
                #expect(step["detail"] as? String == realReply, "\(c): real \(realReply), explain \(step)")
                #expect(result == (realReply.hasPrefix("5") ? "refuse" : "defer"))
            }
        }
        if realRcpt.allSatisfy({ !$0.hasPrefix("250") }) {
            #expect(reply == realRcpt.first, "\(c): real \(real), explain \(reply ?? "nil")")
        } else {
            #expect(verdict == "accept" || verdict == "tag", "\(c): \(verdict)")
        }
    }
}

/// The connection rules that need a DNS server or the store, and the content rules, the same way.
@Suite struct ExplainAgreementMoreTests {
    func explain(_ root: TempQmailRoot, ip: String, to: String = "sales@example.com", message: String? = nil) throws -> [String: Any] {
        var args = ["explain", "--json", "--ip", ip, "--from", "a@example.org", "--to", to]
        if let message { args.append(message) }
        let r = try Run.command(Run.program("qsentry"), args, environment: root.environment())
        #expect(r.status == 0, "\(r.output)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    func rcptReply(_ rig: SMTPDRig, from ip: String) throws -> String {
        let t = try RawClient.session(rig.server.address, ["EHLO c.example.org", "MAIL FROM:<a@example.org>",
                                                           "RCPT TO:<sales@example.com>", "QUIT"], from: ip)
        let lines = t.split(separator: "\n").map(String.init)
        guard let i = lines.firstIndex(of: "C: RCPT TO:<sales@example.com>"), i + 1 < lines.count else { return t }
        return lines[i + 1]
    }

    @Test func dnsblAndBan() throws {
        let rig = try SMTPDRig(front: [Run.program("qsentry-conn"), "-t", "5"])
        let dns = try RBLDNSD(root: rig.root, zones: ["bl.test": ":127.0.0.2:Listed by bl.test: $\n127.0.0.21\n"])
        try rig.root.write("control/qsentry/dnsservers", dns.address + "\n")
        try rig.root.write("control/qsentry/dnsbl", "bl.test\n")
        let listed = try explain(rig.root, ip: "127.0.0.21")
        let real = try rcptReply(rig, from: "127.0.0.21")
        #expect(real.hasPrefix("553") && listed["reply"] as? String == real, "real \(real), explain \(listed)")
        #expect(listed["decided_by"] as? String == "qsentry-conn")

        #expect(try Run.command(Run.program("qsentry"), ["bans", "add", "127.0.0.22", "30m"], environment: rig.root.environment()).status == 0)
        let banned = try explain(rig.root, ip: "127.0.0.22")
        let realBan = try rcptReply(rig, from: "127.0.0.22")
        #expect(realBan.hasPrefix("451") && banned["reply"] as? String == realBan, "real \(realBan), explain \(banned)")
        // A clean client goes through every layer to the same acceptance.
        #expect(try rcptReply(rig, from: "127.0.0.23").hasPrefix("250"))
        #expect(try explain(rig.root, ip: "127.0.0.23")["verdict"] as? String == "accept")
    }

    @Test(arguments: ["attachment", "keyword", "subject-spaces", "virus", "uribl", "bayes", "clean"])
    func contentRules(_ rule: String) throws {
        let root = try TempQmailRoot()
        var dns: RBLDNSD? = nil
        if rule == "uribl" {
            dns = try RBLDNSD(root: root, zones: ["uribl.test": "spam-pills.com\n"], type: "dnset")
            try root.write("control/qsentry/dnsservers", dns!.address + "\n")
            try root.write("control/qsentry/uribl", "uribl.test\n")
        }
        if rule == "bayes" {
            try root.write("control/qsentry/bayes-reject", "99\n")
            try root.write("control/qsentry/bayes-min-learned", "20\n")
            try BayesCorpus.write(to: root.path + "/corpus", spam: 20, ham: 20)
            for kind in ["spam", "ham"] {
                let r = try Run.command(Run.program("qsentry"), ["learn", "--" + kind, root.path + "/corpus/" + kind], environment: root.environment())
                #expect(r.status == 0, "\(r.output)")
            }
        }
        _ = try QueueRun.recordingQueue(in: root)
        try root.write("control/me", "mx.example.com\n")
        try root.write("control/rcpthosts", "example.com\n")
        try root.write("control/qsentry/attachments", ".exe\n")
        try root.write("control/qsentry/keywords", "cheap meds\n")
        try root.write("control/qsentry/subject-spaces", "5\n")
        let clamd = try Clamd(root: root)
        try root.write("control/qsentry/clamd", clamd.socketPath + "\n")
        let message: String
        switch rule {
        case "attachment":
            message = "Subject: invoice\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee\r\n--b\r\nContent-Type: application/octet-stream; name=\"run.exe\"\r\n\r\nMZ\r\n--b--\r\n"
        case "keyword": message = "Subject: offer\r\n\r\nBuy cheap meds today\r\n"
        case "subject-spaces": message = "Subject: hello          there\r\n\r\nhi\r\n"
        case "virus": message = "Subject: test\r\n\r\n\(Clamd.eicar)\r\n"
        case "uribl": message = "Subject: pills\r\n\r\nSee http://www.spam-pills.com/buy now\r\n"
        case "bayes": message = BayesCorpus.message(spam: true, index: 500)
        default: message = "Subject: hello\r\n\r\nJust a note.\r\n"
        }
        let path = root.path + "/message.eml"
        try root.write("message.eml", message)
        let e = try explain(root, ip: "127.0.0.1", message: path)
        let real = try QueueRun(root: root, message: message, envelope: QueueRun.envelope("a@example.org", ["sales@example.com"]),
                                environment: ["TCPREMOTEIP": "127.0.0.1"], customErrorPipe: true)
        if rule == "clean" {
            #expect(real.status == 0 && e["verdict"] as? String == "accept", "\(real.stderr) \(e)")
            return
        }
        // notqmail's qmail-smtpd shows the text written on fd 6: "D<text> (#5.7.1)" becomes "554 <text> (#5.7.1)".
        #expect(real.status == 82 && real.customError.hasPrefix("D"), "\(real.stderr)")
        let reply = e["reply"] as? String ?? ""
        #expect(e["verdict"] as? String == "refuse" && e["decided_by"] as? String == "qsentry-queue", "\(e)")
        #expect(reply.contains("554 " + real.customError.dropFirst()), "real \(real.customError), explain \(reply)")
        #expect(real.stderr.contains("rule=\(rule)"), "\(real.stderr)")
    }
}

/// The rules that ask the DNS (reverse DNS, SPF, the sender's MX), the country database and p0f.
@Suite struct ExplainAgreementDNSTests {
    static let zone = """
    ns IN A 127.0.0.1
    fail IN TXT "v=spf1 ip4:198.51.100.1 -all"
    fail IN A 198.51.100.1
    nomx IN TXT "no mail here"
    """

    func explain(_ root: TempQmailRoot, ip: String, from: String = "a@example.org") throws -> [String: Any] {
        let r = try Run.command(Run.program("qsentry"), ["explain", "--json", "--ip", ip, "--from", from, "--to", "sales@example.com"],
                                environment: root.environment())
        #expect(r.status == 0, "\(r.output)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// The reply to `command` in a session from `ip`.
    func reply(_ rig: SMTPDRig, from ip: String, sender: String = "a@example.org", to command: String) throws -> String {
        let t = try RawClient.session(rig.server.address, ["EHLO c.example.org", "MAIL FROM:<\(sender)>", "RCPT TO:<sales@example.com>", "QUIT"],
                                      from: ip)
        let lines = t.split(separator: "\n").map(String.init)
        guard let i = lines.firstIndex(where: { $0.hasPrefix("C: " + command) }), i + 1 < lines.count else { return t }
        return lines[i + 1]
    }

    @Test func spfAndSenderMX() throws {
        let nsd = try NSD(root: try TempQmailRoot(), zones: ["spf.test": Self.zone])
        let rig = try SMTPDRig(["control/qsentry/dnsservers": nsd.address + "\n", "control/qsentry/spf": "fail=refuse\n",
                                "control/qsentry/sender-rules": "sender-mx=refuse\n"],
                               rules: ":allow,TCPREMOTEIP=\"192.0.2.10\"\n")
        for sender in ["a@fail.spf.test", "a@nomx.spf.test"] {
            let e = try explain(rig.root, ip: "192.0.2.10", from: sender)
            let real = try reply(rig, from: "127.0.0.1", sender: sender, to: "MAIL")
            #expect(real.hasPrefix("5") && e["reply"] as? String == real, "\(sender): real \(real), explain \(e)")
        }
    }

    @Test func reverseDNSCountryAndP0f() throws {
        let rig = try SMTPDRig(front: [Run.program("qsentry-conn"), "-t", "5"])
        let nsd = try NSD(root: rig.root, zones: ["0.0.127.in-addr.arpa": "41 IN PTR 127-0-0-41.dynamic.example.test.\n"])
        try rig.root.write("control/qsentry/dnsservers", nsd.address + "\n")
        try rig.root.write("control/qsentry/rdns", "mode=require\ngeneric=refuse\n")
        try rig.root.write("control/qsentry/rdns-generic", "*dynamic*\n")
        for ip in ["127.0.0.41", "127.0.0.42"] {  // generic name; no name at all
            let e = try explain(rig.root, ip: ip)
            let real = try reply(rig, from: ip, to: "RCPT")
            #expect(real.hasPrefix("553") && e["reply"] as? String == real, "\(ip): real \(real), explain \(e)")
        }
        try FileManager.default.removeItem(atPath: rig.root.path + "/control/qsentry/rdns")

        let mmdb = rig.root.path + "/country.mmdb"
        try MMDBWriter.write(mmdb, networks: ["127.0.1.0/24": "XB"])
        try rig.root.write("control/qsentry/geoip", mmdb + "\n")
        try rig.root.write("control/qsentry/countries", "XB\n")
        let country = try explain(rig.root, ip: "127.0.1.2")
        let realCountry = try reply(rig, from: "127.0.1.2", to: "RCPT")
        #expect(realCountry.hasPrefix("553") && country["reply"] as? String == realCountry, "real \(realCountry), explain \(country)")
        try FileManager.default.removeItem(atPath: rig.root.path + "/control/qsentry/countries")

        // p0f knows a client once it has seen it connect: the real session first, then explain asks p0f as qsentry-conn did.
        let p0f = try P0f(root: rig.root)
        try rig.root.write("control/qsentry/p0f", p0f.socketPath + "\n")
        try rig.root.write("control/qsentry/p0f-policy", "linux=refuse\n")
        let realP0f = try reply(rig, from: "127.0.0.2", to: "RCPT")
        let e = try explain(rig.root, ip: "127.0.0.2")
        #expect(realP0f.hasPrefix("553") && e["reply"] as? String == realP0f, "real \(realP0f), explain \(e)")
    }
}

