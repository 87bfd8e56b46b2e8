/// What the content rules need from one message, gathered in one pass by MIMEParser.
public struct MessageFacts: Sendable {
    /// The top-level Subject, RFC 2047 words decoded.
    public var subject = ""
    /// Decoded text of every text/plain and text/html part (HTML reduced to text),
    /// up to `MIMELimits.text` bytes.
    public var text: [UInt8] = []
    /// Host names from links and bare host names in the text, lower case, deduplicated,
    /// in the order first seen (at most `MIMELimits.hosts`).
    public var hosts: [String] = []
    /// Attachment file names (Content-Disposition filename, Content-Type name), decoded.
    public var attachmentNames: [String] = []
    /// With `MIMELimits.hashAttachments`: the SHA-256 (hex) of each non-empty part that is not
    /// text (attachments, inline images), decoded, in order, at most `MIMELimits.names`.
    public var attachmentHashes: [String] = []
    /// With `MIMELimits.attachmentSizes`: each named part's decoded size, in `attachmentNames`' order.
    public var attachmentSizes: [Int] = []
    /// With `MIMELimits.images`: the decoded bytes of image parts (image/*, or an image file
    /// name), at most that many, each at most `MIMELimits.imageBytes` (M7's OCR).
    public var images: [[UInt8]] = []
    /// Image parts not kept, and why (too many, too large), for the log.
    public var skippedImages: [String] = []
    /// The text OCR read in `images` (M7), set after the parse by qsentry-queue: the keyword
    /// rules read it with the text, Bayes as tokens of their own (`image:`), and its hosts are in `hosts`.
    public var imageText: [UInt8] = []
    /// Top-level header fields the caller asked for (`MIMELimits.fields`), by lower-case name: the first of each.
    public var fields: [String: String] = [:]
    /// Every value (top-down, at most `MIMELimits.repeats`) of the top-level fields asked for in
    /// `MIMELimits.repeatedFields`, such as the Received hops.
    public var repeated: [String: [String]] = [:]
    /// Entities seen (the message itself counts as one).
    public var parts = 0
    /// True when nesting went deeper than `MIMELimits.depth`: the rest was read as opaque.
    public var tooDeep = false
    /// True when text or hosts hit their limits (the rest was not gathered).
    public var truncated = false

    public init() {}
}

/// Bounds on what one message may make the parser keep.
public struct MIMELimits: Sendable {
    /// Bytes of text kept; 0: none gathered (no rule reads it), and the message is not marked truncated.
    public var text = 1 << 20
    /// Hosts kept from links and text; 0: none looked for (no rule that reads them is on).
    public var hosts = 500
    public var depth = 20
    /// A header block (one entity's) longer than this is cut; the rest of it is skipped.
    public var headerBytes = 64 * 1024
    /// Attachment names kept.
    public var names = 1000
    /// Top-level fields to keep (lower case), e.g. `x-qsentry-session`.
    public var fields: [String] = []
    /// Top-level fields whose every value is kept (lower case), e.g. `received`.
    public var repeatedFields: [String] = []
    /// Values kept of each repeated field.
    public var repeats = 20
    /// Hash the decoded bytes of every part that is not text (M12's exact hashes).
    public var hashAttachments = false
    /// Count each named part's decoded bytes (`MessageFacts.attachmentSizes`: the web console's message view).
    public var attachmentSizes = false
    /// Image parts kept for OCR (0: none), and the bytes of one at most.
    public var images = 0
    public var imageBytes = 5 << 20

    public init() {}
}
