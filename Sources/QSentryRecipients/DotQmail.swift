import QSentryCore

/// qmail-local's choice of `.qmail` file for an extension: `.qmail-a-b-c`, then
/// `.qmail-a-b-default`, `.qmail-a-default`, `.qmail-default`. Dots in the extension are
/// written as colons in file names, and the extension is lowercased, as qmail-local does.
public enum DotQmail {
    /// The candidate file names, most specific first.
    public static func candidates(ext: String) -> [String] {
        let e = String(ext.asciiLowercased.map { $0 == "." ? ":" : $0 })
        var names = [".qmail-" + e]
        var rest = Substring(e)
        while let dash = rest.lastIndex(of: "-") {
            rest = rest[..<dash]
            names.append(".qmail-" + rest + "-default")
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
