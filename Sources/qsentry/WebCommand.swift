#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryAdmin
import QSentryCore

/// A3: `qsentry web` serves the console (qsentry-web, installed beside this program, so the CLI
/// links no HTTP server); `qsentry web passwd NAME` sets an administrator's password.
struct WebCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "The web console: serve it, or set an administrator's password (A3).",
        discussion: "qsentry web [--listen ADDR:PORT] [--user NAME] [--log DIR]... [--tls] runs qsentry-web; see qsentry-web --help.",
        subcommands: [Serve.self, Passwd.self],
        defaultSubcommand: Serve.self
    )

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve the console (qsentry-web with these arguments).")
        @Argument(parsing: .allUnrecognized, help: "qsentry-web's options.") var arguments: [String] = []

        func run() throws {
            let program = Exec.besideThisProgram("qsentry-web")
            guard access(program, X_OK) == 0 else {
                throw ValidationError("\(program) is not installed (install.sh with QSENTRY_WEB=no leaves the web console out)")
            }
            let problem = Exec.replace(with: [program] + arguments)
            throw ValidationError(problem)
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set NAME's console password from standard input (one line), as a yescrypt hash in control/qsentry/web-users.")
        @OptionGroup var options: RootOption
        @Argument(help: "The administrator's name: letters, digits, '.', '_', '-'.") var name: String

        func validate() throws {
            if !WebUsers.isValidName(name) { throw ValidationError("\(name): a name is letters, digits, '.', '_' or '-', at most 64") }
        }

        func run() throws {
            var line = [UInt8]()
            var byte: UInt8 = 0
            while read(0, &byte, 1) == 1 && byte != 0x0A && line.count <= 1024 { line.append(byte) }
            if line.last == 0x0D { line.removeLast() }
            guard !line.isEmpty else { throw ValidationError("no password on standard input") }
            guard line.count <= 1024 else { throw ValidationError("password longer than 1024 bytes") }
            try WebUsers.setPassword(options.root, name: name, password: line)
            print("qsentry web passwd: set \(name) in \(options.root.qsentry(WebUsers.fileName))")
        }
    }
}
