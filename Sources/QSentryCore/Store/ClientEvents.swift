/// What a client did, reported to the shared store (C7 bans, C8 reputation, M9), except for the
/// addresses of the caller's allow list (`ipallow`, C4/E13), which are never banned. The policy is
/// the caller's, with the list it already loaded; the store only counts.
public struct ClientEvents {
    public let store: ReputationStore
    public let allow: IPList
    /// This host's id (`hostid`, else `control/me`): reputation counts distinct reporters.
    public let host: String

    public init(store: ReputationStore, allow: IPList, host: String) {
        self.store = store
        self.allow = allow
        self.host = host
    }

    /// Records `kind` against `ip`, unless it is allow-listed. Throws what the store throws, or a
    /// list that cannot be read.
    public func report(_ ip: IPAddress, _ kind: StoreEventKind, now: Int) throws {
        if try allow.match(ip) != nil { return }
        try store.record(StoreEvent(ip: ip, kind: kind, host: host, time: now))
    }
}
