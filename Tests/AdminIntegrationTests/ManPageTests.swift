import Foundation
import Testing
import TestHarness

/// A7: a man page for each program and for the control files, clean for man(1), and installed
/// by install.sh where man finds them.
@Suite struct ManPageTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized.path
    static let pages = ["qsentry-conn.8", "qsentry-smtpd.8", "qsentry-queue.8", "qsentry-local.8", "qsentry.8", "qsentry-control.5"]

    @Test(arguments: pages)
    func rendersWithoutWarnings(page: String) throws {
        let path = Self.repository + "/man/" + page
        let r = try Run.command("/usr/bin/man", ["--warnings", "-l", path],
                                environment: ["MANWIDTH": "80", "LC_ALL": "C.UTF-8",
                                              "PATH": "/usr/bin:/bin", "MANPAGER": "cat", "PAGER": "cat"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stderr.isEmpty, "\(page): \(r.stderr)")
        #expect(r.stdout.contains("NAME") && r.stdout.contains("SEE ALSO"), "\(page)")
    }

    @Test func installShPutsThemWhereManLooks() throws {
        let prefix = NSTemporaryDirectory() + "qsentry-man-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let install = try Run.command("/bin/bash", [Self.repository + "/install.sh", "man"],
                                      environment: ["PREFIX": prefix, "PATH": "/usr/bin:/bin"])
        #expect(install.status == 0, "\(install.output)")
        for (name, section) in [("qsentry-conn", "8"), ("qsentry", "8"), ("qsentry-control", "5")] {
            let r = try Run.command("/usr/bin/man", [section, name],
                                    environment: ["MANPATH": prefix + "/share/man", "MANWIDTH": "80", "MANPAGER": "cat",
                                                  "PAGER": "cat", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"])
            #expect(r.status == 0 && r.stdout.uppercased().contains(name.uppercased()), "\(name): \(r.output)")
        }
    }
}
