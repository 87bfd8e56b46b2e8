import QSentryCore

/// `qsentry check`'s second half: what the control files name is there and answers. Each probe
/// runs only when its files are set (nothing is contacted for a feature that is off) and reports
/// one problem a line, with the file it comes from and what to do.
public protocol LiveProbe {
    /// What the probe looks at, for `qsentry check --verbose`.
    var name: String { get }
    func run(_ root: QmailRoot) -> [ControlError]
}

public enum LiveProbes {
    public static let all: [LiveProbe] = [
        DNSServerProbe(), DNSBLTestPointProbe(), ClamdProbe(), SpamdProbe(), StoreProbe(), GeoIPProbe(), P0fProbe(),
        TLSProbe(),
    ]

    /// Every probe's problems, less those about files in `linted` (files the lint found wrong
    /// already: one problem, one line).
    public static func run(_ root: QmailRoot, skipping linted: Set<String> = []) -> [ControlError] {
        all.flatMap { $0.run(root) }.filter { !linted.contains($0.path) }
    }

    /// The first line of a one-value control file, or nil when the file is missing or empty.
    static func value(_ path: String) -> (text: String, line: Int)? {
        guard let line = try? ControlFile.value(path), !line.text.trimmed.isEmpty else { return nil }
        return (line.text.trimmed, line.number)
    }
}
