import Foundation
import Testing
import TestHarness

/// One real round trip through each server the integration tests use.
@Suite struct RealServerTests {
    @Test func tcpserverAndSwaks() throws {
        let root = try TempQmailRoot()
        let greeter = try root.write("bin/greeter", """
        #!/bin/sh
        printf '220 test.example ESMTP\\r\\n'
        while read -r line; do
          case "$line" in
            QUIT*) printf '221 bye %s\\r\\n' "$TCPREMOTEIP"; exit 0;;
            *) printf '250 ok\\r\\n';;
          esac
        done
        """, mode: 0o755)
        let tcp = try TCPServer(root: root, command: [greeter])
        let r = try Swaks.run(server: tcp.address, ["--quit-after", "HELO", "--helo", "client.example"])
        #expect(r.status == 0, "\(r.output)")
        #expect(Swaks.replyCodes(r.stdout) == [220, 250, 221])
        #expect(r.stdout.contains("221 bye 127.0.0.1"))
    }

    @Test func tcprulesEnvironmentReachesTheProgram() throws {
        let root = try TempQmailRoot()
        let rules = try TCPServer.compileRules("127.0.0.1:allow,RBLSMTPD=\"-go away\"\n:allow\n", in: root)
        let show = try root.write("bin/show", "#!/bin/sh\nprintf '554 %s\\r\\n' \"$RBLSMTPD\"\n", mode: 0o755)
        let tcp = try TCPServer(root: root, command: [show], rules: rules)
        let r = try Swaks.run(server: tcp.address, ["--quit-after", "CONNECT"])
        #expect(r.stdout.contains("554 -go away"), "\(r.output)")
    }

    @Test func rbldnsdListsAndExplains() throws {
        let root = try TempQmailRoot()
        let dns = try RBLDNSD(root: root, zones: ["bl.test": ":127.0.0.2:Listed: see http://bl.test/?$\n192.0.2.7\n198.51.100.0/24\n"])
        #expect(try DNSProbe.query(port: dns.port, name: "7.2.0.192.bl.test") == ["127.0.0.2"])
        #expect(try DNSProbe.query(port: dns.port, name: "9.100.51.198.bl.test") == ["127.0.0.2"])
        #expect(try DNSProbe.query(port: dns.port, name: "8.2.0.192.bl.test").isEmpty)
        let txt = try DNSProbe.query(port: dns.port, name: "7.2.0.192.bl.test", type: "TXT")
        #expect(txt == ["\"Listed: see http://bl.test/?192.0.2.7\""])
    }

    @Test func nsdServesOrdinaryZones() throws {
        let root = try TempQmailRoot()
        let dns = try NSD(root: root, zones: [
            "example.test": """
            ns IN A 127.0.0.1
            @ IN MX 10 mx.example.test.
            mx IN A 192.0.2.25
            mx IN AAAA 2001:db8::25
            @ IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
            """,
            "2.0.192.in-addr.arpa": "25 IN PTR mx.example.test.",
        ])
        #expect(try DNSProbe.query(port: dns.port, name: "example.test", type: "MX") == ["10 mx.example.test."])
        #expect(try DNSProbe.query(port: dns.port, name: "mx.example.test", type: "AAAA") == ["2001:db8::25"])
        #expect(try DNSProbe.query(port: dns.port, name: "example.test", type: "TXT") == ["\"v=spf1 ip4:192.0.2.0/24 -all\""])
        #expect(try DNSProbe.query(port: dns.port, name: "25.2.0.192.in-addr.arpa", type: "PTR") == ["mx.example.test."])
    }

    @Test func clamdFindsTheTestSignature() throws {
        let root = try TempQmailRoot()
        let clamd = try Clamd(root: root)
        let infected = try root.write("eicar.txt", Clamd.eicar)
        let clean = try root.write("clean.txt", "Hello, this is a clean message.\n")
        let hit = try clamd.scan(infected)
        #expect(hit.status == 1)
        #expect(hit.stdout.contains(Clamd.signatureName + " FOUND"), "\(hit.output)")
        let miss = try clamd.scan(clean)
        #expect(miss.status == 0, "\(miss.output)")
        #expect(FileManager.default.fileExists(atPath: clamd.socketPath))
    }

    @Test func redisRoundTrip() throws {
        let root = try TempQmailRoot()
        let redis = try Redis(root: root)
        try redis.cli("SET", "qsentry:test", "42")
        #expect(try redis.cli("GET", "qsentry:test").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "42")
    }

    @Test func serverIsGoneAfterStop() throws {
        let root = try TempQmailRoot()
        let redis = try Redis(root: root)
        let port = redis.port
        redis.server.stop()
        #expect(!redis.server.isRunning)
        #expect((try? Run.command("redis-cli", ["-p", "\(port)", "PING"], timeout: 5).stdout.contains("PONG")) != true)
    }

    @Test(.enabled(if: QmailInstall.isAvailable, "QSENTRY_TEST_QMAIL names no qmail install"))
    func realQmailSMTPDGreets() throws {
        let root = try TempQmailRoot()
        let qmail = QmailInstall.path!
        let tcp = try TCPServer(root: root, command: [qmail + "/bin/qmail-smtpd"],
                                environment: ProcessInfo.processInfo.environment)
        let r = try Swaks.run(server: tcp.address, ["--quit-after", "EHLO"])
        #expect(Swaks.replyCodes(r.stdout).first == 220, "\(r.output)")
    }
}
