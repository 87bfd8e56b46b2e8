import QSentryCore

/// What the connection layer knows about the client when it starts: tcpserver's environment.
public struct ClientInfo: Sendable {
    /// `TCPREMOTEIP` as given.
    public let ipText: String
    /// The parsed address; nil when tcpserver gave none or garbage (then no rule can run).
    public let ip: IPAddress?
    /// `TCPREMOTEHOST`, when tcpserver looked it up.
    public let remoteHost: String?

    public init(ipText: String, remoteHost: String? = nil) {
        self.ipText = ipText
        self.ip = IPAddress(ipText)
        self.remoteHost = remoteHost.flatMap { $0.isEmpty ? nil : $0 }
    }

    public static func fromEnvironment() -> ClientInfo {
        ClientInfo(ipText: Environment.get(EnvironmentContract.tcpRemoteIP.name) ?? "",
                   remoteHost: Environment.get(EnvironmentContract.tcpRemoteHost.name))
    }
}
