import Foundation

/// `swaks`, the real SMTP client, against a server under test.
public enum Swaks {
    /// Runs swaks with `--server` set; the transcript is in stdout.
    public static func run(server: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> RunResult {
        try Run.command("swaks", ["--server", server, "--timeout", "20"] + arguments, timeout: timeout)
    }

    /// The reply codes the server sent (`<-  250 …` and `<** 553 …` lines), in order.
    public static func replyCodes(_ transcript: String) -> [Int] {
        transcript.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("<-") || line.hasPrefix("<~") || line.hasPrefix("<**") else { return nil }
            let body = line.drop(while: { $0 == "<" || $0 == "-" || $0 == "~" || $0 == "*" || $0 == " " })
            guard body.count >= 4, body[body.index(body.startIndex, offsetBy: 3)] != "-" else { return nil }
            return Int(body.prefix(3))
        }
    }
}
