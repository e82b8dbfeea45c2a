/// What ``ICELiteAgent/handleBindingRequest(_:from:now:response:)`` did with a request.
public enum ICEBindingOutcome: Sendable, Equatable {
    /// The request was valid; a Binding success response of `length` bytes is in the response
    /// buffer and goes back to the request's source. `from` is now a validated address of the
    /// session. `nominated`: the request carried USE-CANDIDATE. `addressChanged`: the selected
    /// address is different from before this request (first nomination or roaming), so the
    /// engine should re-point its 5-tuple look-up.
    case respond(length: Int, nominated: Bool, addressChanged: Bool)
    /// The request was refused; an error response of `length` bytes is in the response buffer
    /// and goes back to the request's source.
    case respondError(length: Int, rejection: ICEBindingRejection)
    /// Nothing is sent back (RFC 8489 §7.3: not a request, or not STUN at all); `reason`
    /// names the rule and is a static string, safe to use as a metric label.
    case ignore(reason: String)
}

/// Why a Binding request got an error response.
public enum ICEBindingRejection: Sendable, Equatable {
    /// USERNAME or MESSAGE-INTEGRITY is missing or malformed: 400 (RFC 8489 §9.1.3).
    case badRequest
    /// The USERNAME is not `localUfrag:remoteUfrag` of a current generation: 401 (RFC 8489 §9.1.3).
    case unknownUsername
    /// MESSAGE-INTEGRITY does not verify under the local password: 401 (RFC 8489 §9.1.3).
    case badIntegrity
    /// The request carries comprehension-required attributes ICE does not know: 420 (RFC 8489 §6.3.1).
    case unknownAttributes

    /// The STUN error code sent back.
    public var code: Int {
        switch self {
        case .badRequest: 400
        case .unknownUsername, .badIntegrity: 401
        case .unknownAttributes: 420
        }
    }

    /// The reason phrase sent back (RFC 8489 §14.8 suggests these).
    public var reasonPhrase: String {
        switch self {
        case .badRequest: "Bad Request"
        case .unknownUsername, .badIntegrity: "Unauthorized"
        case .unknownAttributes: "Unknown Attribute"
        }
    }
}
