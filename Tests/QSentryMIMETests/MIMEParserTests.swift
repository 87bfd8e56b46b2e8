import Foundation
import Testing
@testable import QSentryMIME

@Suite struct MIMEParserTests {
    func parse(_ message: String, chunk: Int = 7, limits: MIMELimits = MIMELimits()) -> MessageFacts {
        var p = MIMEParser(limits: limits)
        let bytes = Array(message.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        var i = 0
        while i < bytes.count {  // small chunks: lines and encodings cross feed boundaries
            p.feed(bytes[i..<min(i + chunk, bytes.count)])
            i += chunk
        }
        return p.finish()
    }

    func text(_ f: MessageFacts) -> String { String(decoding: f.text, as: UTF8.self) }

    /// M12: each part that is not text hashed as decoded, text parts not, none unless asked.
    /// hosts = 0 (no rule reads them): none looked for in text or links, the text kept the same,
    /// and the message not marked truncated for it.
    @Test func noHostsAreLookedForWhenNoneAreWanted() {
        let message = "Subject: x\nContent-Type: text/html\n\n<a href=\"http://link.example/\">see www.spam.example now</a>\n"
        var none = MIMELimits()
        none.hosts = 0
        let off = parse(message, limits: none), on = parse(message)
        #expect(off.hosts.isEmpty && !off.truncated, "\(off.hosts)")
        #expect(on.hosts.contains("link.example") && on.hosts.contains("www.spam.example"), "\(on.hosts)")
        #expect(off.text == on.text)
    }

    /// text = 0 (only the virus scan, the attachment names or the subject are read): no text is
    /// gathered, and what else was asked for is the same: names, sizes, hashes, fields.
    @Test func noTextIsGatheredWhenNoneIsWanted() {
        let message = """
        Subject: =?utf-8?q?caf=C3=A9?=
        X-Kept: yes
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/html

        <p>see www.spam.example</p>
        --b
        Content-Type: application/octet-stream; name=a.bin
        Content-Transfer-Encoding: base64

        \(Data("abc".utf8).base64EncodedString())
        --b--

        """
        var none = MIMELimits()
        none.text = 0
        none.fields = ["x-kept"]
        none.hashAttachments = true
        none.attachmentSizes = true
        var all = none
        all.text = MIMELimits().text
        let off = parse(message, limits: none), on = parse(message, limits: all)
        #expect(off.text.isEmpty && off.hosts.isEmpty && !off.truncated, "\(off.text) \(off.hosts)")
        #expect(!on.text.isEmpty && on.hosts == ["www.spam.example"], "\(on.hosts)")
        #expect(off.subject == "café" && off.fields["x-kept"] == "yes")
        #expect(off.attachmentNames == ["a.bin"] && off.attachmentSizes == on.attachmentSizes && off.attachmentSizes == [3])
        #expect(off.attachmentHashes == on.attachmentHashes && off.attachmentHashes.count == 1)
    }

    @Test func attachmentHashesAreTheDecodedBytesSHA256() {
        let message = """
        Subject: files
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain

        hello
        --b
        Content-Type: application/octet-stream; name=a.bin
        Content-Transfer-Encoding: base64

        \(Data("abc".utf8).base64EncodedString())
        --b
        Content-Type: image/gif; name=b.gif

        GIF89a
        --b--

        """
        var limits = MIMELimits()
        limits.hashAttachments = true
        let f = parse(message, limits: limits)
        // SHA-256("abc"), and of "GIF89a" plus the line end before the boundary, CR LF as fed here.
        #expect(f.attachmentHashes.first == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(f.attachmentHashes.count == 2)
        #expect(parse(message).attachmentHashes.isEmpty)
    }

    /// The web console's message view: each named part's decoded size, in attachmentNames' order.
    @Test func attachmentSizesAreDecodedBytes() {
        var limits = MIMELimits()
        limits.attachmentSizes = true
        let message = """
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            hello
            --b
            Content-Type: application/octet-stream; name="a.bin"
            Content-Transfer-Encoding: base64

            AAECAwQFBgcICQ==
            --b
            Content-Type: text/plain; name="notes.txt"
            Content-Disposition: attachment

            12345
            --b--
            """
        let f = parse(message, limits: limits)
        #expect(f.attachmentNames == ["a.bin", "notes.txt"])
        #expect(f.attachmentSizes == [10, 6], "\(f.attachmentSizes)")
        #expect(parse(message).attachmentSizes.isEmpty)
    }

    @Test func plainMessage() {
        let f = parse("Subject: =?utf-8?q?cheap_m=C3=A9ds?= =?utf-8?b?IG5vdw==?=\nFrom: a@b\n\nVisit http://www.Spam.example/x?y now\n")
        #expect(f.subject == "cheap méds now")
        #expect(text(f).contains("Visit http://www.Spam.example/x?y now"))
        #expect(f.hosts == ["www.spam.example"])
        #expect(f.parts == 1)
    }

    @Test func multipartWithBase64AndQuotedPrintable() {
        let body = "Buy viagra at cheap-pills.example today"
        let b64 = [UInt8](body.utf8).base64Lines
        let f = parse("""
        Subject: hi
        Content-Type: multipart/mixed; boundary="outer"

        preamble http://preamble.example/
        --outer
        Content-Type: multipart/alternative; boundary=inner

        --inner
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: base64

        \(b64)
        --inner
        Content-Type: text/html
        Content-Transfer-Encoding: quoted-printable

        <p>Click <a href=3D"https://user@Tracker.example:8080/p">here</a> caf=C3=A9 &amp; v<b></b>ia=
        gra</p><script>var x="http://script.example"</script>
        --inner--
        --outer
        Content-Type: application/octet-stream; name="=?utf-8?q?invoice=2Epdf?=.exe"
        Content-Disposition: attachment;
         filename*0*=utf-8''%E2%82%AC;
         filename*1="uro.scr"
        Content-Transfer-Encoding: base64

        TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
        --outer--
        epilogue
        """)
        #expect(text(f).contains(body), "\(text(f))")
        #expect(text(f).contains("Click here café & viagra"), "\(text(f))")
        #expect(!text(f).contains("script.example"))
        #expect(f.hosts.contains("cheap-pills.example") && f.hosts.contains("tracker.example"), "\(f.hosts)")
        #expect(!f.hosts.contains("preamble.example") && !f.hosts.contains("script.example"), "\(f.hosts)")
        #expect(f.attachmentNames == ["€uro.scr"], "\(f.attachmentNames)")
        #expect(f.parts == 5)
    }

    /// What a reader sees: inline tags and comments join a word, block tags part words; links in
    /// any case and order; a data- attribute is not a link; Received hops kept whole when asked
    /// (unfolded: RFC 5322 drops only the line break).
    @Test func htmlAsAReaderSeesItAndEveryReceivedHop() {
        var limits = MIMELimits()
        limits.repeatedFields = ["received"]
        let f = parse("""
        Received: from a.example by b.example
        Received: from c.example
          by d.example
        Content-Type: text/html

        <p>v<!-- x -->iagra and ch<b>ea</b>p<br>pills <A HREF='http://Link.example/x'>x</A>
        <img data-href="http://data.example/" SRC="http://img.example/i.png"><form action=http://form.example/>
        """, limits: limits)
        #expect(text(f).contains("viagra and cheap pills"), "\(text(f))")
        #expect(f.hosts.contains("link.example") && f.hosts.contains("img.example") && f.hosts.contains("form.example"), "\(f.hosts)")
        #expect(!f.hosts.contains("data.example"), "\(f.hosts)")
        #expect(f.repeated["received"] == ["from a.example by b.example", "from c.example  by d.example"], "\(f.repeated)")
    }

    @Test func forwardedMessageIsReadAsAMessage() {
        let f = parse("""
        Subject: fwd
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: message/rfc822

        Subject: inner
        Content-Type: multipart/mixed; boundary=c

        --c
        Content-Type: text/plain

        inner text www.inner.example
        --c
        Content-Type: application/zip
        Content-Disposition: attachment; filename="deep.zip"

        UEsDBAo=
        --c--
        --b--
        """)
        #expect(f.subject == "fwd")
        #expect(text(f).contains("inner text"))
        #expect(f.attachmentNames == ["deep.zip"])
        #expect(f.hosts == ["www.inner.example"])
    }

    @Test func brokenMIMEIsReadToTheEnd() {
        // No closing boundary, a boundary that is a prefix of another, garbage base64, a header without a colon.
        let f = parse("""
        Content-Type: multipart/mixed; boundary=ab

        --abc
        not a part
        --ab
        Content-Transfer-Encoding: base64
        broken header line

        !!!!****
        --ab
        Content-Type: text/plain; name*=bogus

        last part
        """)
        #expect(text(f).contains("last part"))
        #expect(!text(f).contains("not a part"))
    }

    @Test func nestingPastTheLimitIsOpaque() {
        var limits = MIMELimits()
        limits.depth = 3
        var m = ""
        for i in 0..<10 { m += "Content-Type: multipart/mixed; boundary=b\(i)\n\n--b\(i)\n" }
        m += "Content-Type: text/plain\n\ndeep text\n"
        let f = parse(m, limits: limits)
        #expect(f.tooDeep)
        #expect(!text(f).contains("deep text"))
    }

    @Test func textIsBoundedAndLongLinesAreSafe() {
        var limits = MIMELimits()
        limits.text = 1000
        let long = String(repeating: "x", count: 200_000)
        let f = parse("Subject: s\n\n\(long)\nmore\n", chunk: 4096, limits: limits)
        #expect(f.text.count == 1000)
        #expect(f.truncated)
    }

    @Test func hostCandidates() {
        let f = parse("\nmail me: bob@mail.example, see e.g. 1.5 or readme.txt-ish; go to HTTPS://Shop.Example.co.uk:443/x and pills.example.\n")
        #expect(f.hosts == ["shop.example.co.uk", "pills.example"], "\(f.hosts)")
    }

    /// Found by the mime fuzz target: an empty link target trapped (index out of range).
    @Test func emptyLinksAreNoHosts() {
        #expect(HostExtractor.host(ofLink: []) == nil)
        let f = parse("Content-Type: text/html\n\n<a href=\"\">x</a><a href=''>y</a><a href=>z</a> <a href=\"http://ok.example/\">w</a>\n")
        #expect(f.hosts == ["ok.example"], "\(f.hosts)")
    }
}

extension Array where Element == UInt8 {
    /// Base64 in 76-character lines, as mail carries it.
    var base64Lines: String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < count {
            let b0 = self[i], b1 = i + 1 < count ? self[i + 1] : 0, b2 = i + 2 < count ? self[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < count ? table[Int((b1 & 15) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < count ? table[Int(b2 & 63)] : UInt8(ascii: "="))
            i += 3
        }
        var lines: [String] = []
        var k = 0
        while k < out.count { lines.append(String(decoding: out[k..<Swift.min(k + 76, out.count)], as: UTF8.self)); k += 76 }
        return lines.joined(separator: "\n")
    }
}
