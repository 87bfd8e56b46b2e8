/// E19: what one sender (an authenticated user, or a relay client's address) sent in the current
/// clock hour and day, and the store's side of it. Fixed windows (the hour and the day of the
/// clock, UTC): two counters a sender, one round trip to read them, one to add a message.
public struct SendingCounts: Sendable, Equatable {
    public var messagesThisHour = 0
    public var messagesToday = 0
    public var recipientsThisHour = 0
    public var recipientsToday = 0

    public init(messagesThisHour: Int = 0, messagesToday: Int = 0, recipientsThisHour: Int = 0, recipientsToday: Int = 0) {
        self.messagesThisHour = messagesThisHour
        self.messagesToday = messagesToday
        self.recipientsThisHour = recipientsThisHour
        self.recipientsToday = recipientsToday
    }

    /// The hour and day buckets `now` falls in.
    public static func buckets(_ now: Int) -> (hour: Int, day: Int) { (now / 3600, now / 86_400) }
}

public protocol SendingCounterStore: AnyObject {
    /// `who`'s counts in the hour and day of `now`.
    func sendingCounts(_ who: String, now: Int) throws -> SendingCounts
    /// Adds one message to `recipients` recipients to `who`'s counts.
    func recordSending(_ who: String, recipients: Int, now: Int) throws
    /// Everyone who sent in the day of `now`, with their counts (`qsentry limits`).
    func sendingCounters(now: Int) throws -> [(who: String, counts: SendingCounts)]
    /// Forgets `who`'s counts, those that count at `now` at least (`qsentry limits --reset`).
    func resetSending(_ who: String, now: Int) throws
}
