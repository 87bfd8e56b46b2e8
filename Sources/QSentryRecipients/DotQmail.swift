import QSentryCore

/// qmail-local's choice of `.qmail` file for an extension: `.qmail-a-b-c`, then
/// `.qmail-a-b-default`, `.qmail-a-default`, `.qmail-default`. Dots in the extension are
/// written as colons in file names, and the extension is lowercased, as qmail-local does.
public enum DotQmail {
    /// The candidate file names, most specific first.
    public static func candidates(ext: String) -> [String] {
        // On the bytes, as qmail-local: "." and "-" are ASCII, and Character-by-Character walking
        // cost some 1,500 instructions a byte of the name.
        var e = Array(ext.asciiLowercased.utf8)
        for i in e.indices where e[i] == UInt8(ascii: ".") { e[i] = UInt8(ascii: ":") }
        var names = [".qmail-" + String(decoding: e, as: UTF8.self)]
        var end = e.count
        while let dash = e[..<end].lastIndex(of: UInt8(ascii: "-")) {
            end = dash
            names.append(".qmail-" + String(decoding: e[..<dash], as: UTF8.self) + "-default")
        }
        names.append(".qmail-default")
        return names
    }

    /// The first existing file in `home`, or nil. A name with `/` never reaches the file system.
    /// Throws when a candidate cannot be checked (permissions): that is not "no such file".
    public static func find(home: String, ext: String, exists: (String) throws -> Bool = FileBytes.probe) throws -> String? {
        if ext.contains("/") { return nil }
        for name in candidates(ext: ext) where try exists(home + "/" + name) { return name }
        return nil
    }
}
