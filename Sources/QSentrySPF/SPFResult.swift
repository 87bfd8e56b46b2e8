import CSPF2

/// RFC 7208's results, as `control/qsentry/spf` names them.
public enum SPFResult: String, Sendable, CaseIterable {
    case pass, neutral, softfail, fail, permerror, temperror, none

    /// libspf2's result; `status` decides what its INVALID means: it answers INVALID (with
    /// "not SPF" or a syntax error) for a record it found but could not compile, which RFC 7208
    /// calls permerror. Only its own trouble (memory, internal, DNS) stays temporary.
    init(_ r: SPF_result_t, status: SPF_errcode_t) {
        if r == SPF_RESULT_INVALID {
            switch status {
            case SPF_E_NO_MEMORY, SPF_E_INTERNAL_ERROR, SPF_E_DNS_ERROR, SPF_E_NOT_CONFIG, SPF_E_SUCCESS: self = .temperror
            default: self = .permerror
            }
            return
        }
        switch r {
        case SPF_RESULT_PASS: self = .pass
        case SPF_RESULT_FAIL: self = .fail
        case SPF_RESULT_SOFTFAIL: self = .softfail
        case SPF_RESULT_NEUTRAL: self = .neutral
        case SPF_RESULT_NONE: self = .none
        case SPF_RESULT_PERMERROR: self = .permerror
        default: self = .temperror
        }
    }
}

/// One SPF evaluation: the result and the `Received-SPF:` header field that records it.
public struct SPFOutcome: Sendable, Equatable {
    public let result: SPFResult
    /// The whole header field, `Received-SPF: …`, one line.
    public let header: String
}
