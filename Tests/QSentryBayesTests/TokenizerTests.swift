import Testing
import QSentryBayes
import QSentryStore

@Suite struct TokenizerTests {
    func tokens(_ text: String) -> Set<String> { Tokenizer().texts(of: Array(text.utf8)[...]) }

    /// M7: words OCR read in images are tokens of their own, marked as from an image.
    @Test func imageTextIsMarked() {
        var facts = Tokenizer.facts(of: Array("Subject: hi\r\n\r\nplain words here\r\n".utf8)[...])
        facts.imageText = Array("CHEAP MEDS tonight\n".utf8)
        let t = Tokenizer().texts(of: facts)
        #expect(t.isSuperset(of: ["image:cheap", "image:meds", "image:tonight", "plain", "words"]), "\(t)")
        #expect(!t.contains("cheap"), "image words are not body words")
    }

    @Test func bodyWordsAreFoldedAndBounded() {
        let t = tokens("Subject: Hello\r\n\r\nBUY Cheap Viagra now!!! at $99 on 2026-11-25 ok x\r\n")
        #expect(t.isSuperset(of: ["buy", "cheap", "viagra", "now!!!", "$99", "subject:hello"]))
        #expect(!t.contains("ok") && !t.contains("x"), "shorter than 3 bytes")
        #expect(!t.contains("2026-11-25") && !t.contains("2026"), "numbers are noise")
    }

    @Test func longWordsBecomeSkipTokens() {
        let t = tokens("\r\n" + String(repeating: "a", count: 57) + " word\r\n")
        #expect(t.contains("skip:a:50") && t.contains("word"))
    }

    @Test func headerFieldsArePrefixedAndDecoded() {
        let t = tokens("""
            From: "Great Deals" <deals@promo.example>\r
            Subject: =?UTF-8?B?R3JhdGlz?= offer\r
            Message-ID: <abc.123@mailer.Example.NET>\r
            X-Mailer: BulkSender 5\r
            \r
            body text\r

            """)
        #expect(t.isSuperset(of: ["from:great", "from:deals", "from:promo.example", "subject:gratis", "subject:offer",
                                  "message-id:mailer.example.net", "x-mailer:bulksender"]), "\(t.sorted())")
    }

    @Test func htmlIsTextAndLinksGiveHostsWithParents() {
        let t = tokens("""
            Content-Type: text/html\r
            \r
            <p>Click <a href="http://www.track.spam.example/x">here</a></p>\r

            """)
        #expect(t.isSuperset(of: ["click", "here", "url:www.track.spam.example", "url:track.spam.example", "url:spam.example"]),
                "\(t.sorted())")
        #expect(!t.contains("url:example") && !t.contains("href"))
    }

    @Test func receivedHopsGiveHostsAndNetworks() {
        let t = tokens("""
            Received: from mx.Relay.example ([192.0.2.77]) by mail.local.example (8.12.5/8.12.5) with ESMTP\r
            \tfor <jm@taint.example>; Mon, 1 Jul 2002 10:00:00 +0100\r
            Received: (qmail 123 invoked from network); 1 Jul 2002 09:59:59 -0000\r
            Received: from [198.51.100.3] (helo=x) by 1.2.3.4.in-addr.example\r
            Subject: hi\r
            \r
            body\r

            """)
        #expect(t.isSuperset(of: ["rcvd:mx.relay.example", "rcvd:mail.local.example", "rcvd:taint.example",
                                  "rcvd-ip:192.0.2", "rcvd-ip:192.0", "rcvd-ip:198.51.100", "rcvd-ip:198.51",
                                  "rcvd:1.2.3.4.in-addr.example"]), "\(t.sorted())")
        // Versions, times and numbers are not hosts; the address literal is not a host either.
        #expect(!t.contains { $0.hasPrefix("rcvd:8.") || $0.hasPrefix("rcvd:10") || $0 == "rcvd:192.0.2.77" }, "\(t.sorted())")
    }

    @Test func theOpeningWordsAlsoComeInPairs() {
        let words = (1...60).map { "w\(String(repeating: "x", count: 3))\($0)".replacingOccurrences(of: "1", with: "a") }
        let t = tokens("Subject: s\r\n\r\nDear Friend, click here " + words.joined(separator: " ") + "\r\n")
        #expect(t.isSuperset(of: ["bi:dear friend", "bi:friend click", "bi:click here", "dear", "click"]), "\(t.sorted())")
        // Pairs among the first 50 words only; single words to the end.
        let pairs = t.filter { $0.hasPrefix("bi:") }
        #expect(pairs.count == Tokenizer.pairedWords - 1, "\(pairs.sorted())")
        #expect(t.contains(words.last!))
    }

    @Test func base64TextIsDecodedAndAttachmentsGiveExtensions() {
        let t = tokens("""
            Content-Type: multipart/mixed; boundary=b\r
            \r
            --b\r
            Content-Type: text/plain\r
            Content-Transfer-Encoding: base64\r
            \r
            aW52b2ljZSBhdHRhY2hlZA==\r
            --b\r
            Content-Type: application/octet-stream; name="Invoice.PDF.exe"\r
            Content-Transfer-Encoding: base64\r
            \r
            TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r
            --b--\r

            """)
        #expect(t.isSuperset(of: ["invoice", "attached", "att:exe"]), "\(t.sorted())")
        #expect(!t.contains { $0.hasPrefix("tvqq") }, "binary parts are not words")
    }

    @Test func tokenCountIsBounded() {
        var tokenizer = Tokenizer()
        tokenizer.maxTokens = 100
        let words = (0..<5000).map { "w\($0)x" }.joined(separator: " ")
        let message = Array(("\r\n" + words).utf8)[...]
        #expect(tokenizer.tokens(of: message).count == 100)
        #expect(tokenizer.texts(of: message).count == 100)
    }

    /// The keys the programs store are exactly the keys of the text tokens: one tokenizer, two outputs.
    @Test func keysAreTheTextTokensHashed() {
        let message = """
            From: "Prize Desk" <win@promo.example>\r
            Subject: =?UTF-8?B?R3LDvMOfZSBmcm9t?= WINNER\r
            Message-ID: <abc@mx.promo.example>\r
            Content-Type: text/html\r
            \r
            <p>Claim <a href="http://a.b.spam.example/x">your prize</a> at $99 now!!! \(String(repeating: "z", count: 50))</p>\r
            """
        let bytes = Array(message.utf8)[...]
        let texts = Tokenizer().texts(of: bytes)
        #expect(texts.isSuperset(of: ["from:promo.example", "message-id:mx.promo.example", "url:spam.example", "claim", "skip:z:50"]),
                "\(texts.sorted())")
        #expect(Tokenizer().tokens(of: bytes) == TokenKeys(texts.map(TokenHash.key)))
    }

    /// The key function is the database format: these values must never change.
    @Test func tokenKeysAreFixed() {
        #expect(TokenHash.key("viagra") == TokenHash.key("viagra"))
        #expect(TokenHash.key("") != TokenKey.messages)
        #expect(String(TokenHash.key("viagra"), radix: 16) == "133f6799f5817800", "FNV-1a 64 then fmix64, as computed by hand in python")
        #expect(String(TokenHash.key("subject:free"), radix: 16) == "f6fa6dfaee33b496")
        var h = TokenHash("subject:")
        h.add(Array("free".utf8))
        #expect(h.key == TokenHash.key("subject:free"), "a prefix's state continues like the whole text")
    }
}
