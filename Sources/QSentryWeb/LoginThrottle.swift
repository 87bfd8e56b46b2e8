/// A3: failed logins slowed and limited, per client address and per name: after `limit`
/// failures within `window` seconds, that address (or name) may not try again until the oldest
/// failure leaves the window. Each failure is also answered only after a pause (the handler's).
public actor LoginThrottle {
    public let limitPerClient: Int
    public let limitPerName: Int
    public let window: Int
    private var byClient: [String: [Int]] = [:]
    private var byName: [String: [Int]] = [:]

    public init(limitPerClient: Int = 10, limitPerName: Int = 5, window: Int = 900) {
        self.limitPerClient = limitPerClient
        self.limitPerName = limitPerName
        self.window = window
    }

    /// Seconds to wait before `client` may try `name` again; 0 when it may try now.
    public func wait(client: String, name: String, now: Int) -> Int {
        prune(now: now)
        var wait = 0
        if let f = byClient[client], f.count >= limitPerClient { wait = max(wait, f[f.count - limitPerClient] + window - now) }
        if let f = byName[name.lowercased()], f.count >= limitPerName { wait = max(wait, f[f.count - limitPerName] + window - now) }
        return max(0, wait)
    }

    public func failed(client: String, name: String, now: Int) {
        byClient[client, default: []].append(now)
        byName[name.lowercased(), default: []].append(now)
    }

    /// A good login forgets the name's failures (not the client's: one good account must not
    /// reset a guesser's count against the others).
    public func succeeded(name: String) { byName[name.lowercased()] = nil }

    func prune(now: Int) {
        byClient = byClient.compactMapValues { let k = $0.filter { $0 > now - window }; return k.isEmpty ? nil : k }
        byName = byName.compactMapValues { let k = $0.filter { $0 > now - window }; return k.isEmpty ? nil : k }
    }
}
