import MeshCrypto
import MeshWire

/// Writes the responses an ICE agent sends to Binding requests (RFC 8445 §7.3, RFC 8489 §6.3).
enum ICEBindingResponse {
    /// A Binding success response to `request` carrying `mapped` in XOR-MAPPED-ADDRESS,
    /// MESSAGE-INTEGRITY under `key` (the password the request was checked with) and
    /// FINGERPRINT (RFC 8445 §7.3.1.1, RFC 8489 §9.1.3). Returns its length.
    static func success(
        to request: STUNMessage, mapped: STUNTransportAddress, key: STUNIntegrityKey,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws -> Int {
        var builder = try STUNMessageBuilder(
            into: buffer, type: .bindingSuccess, transactionID: request.transactionID)
        try builder.appendXORAddress(mapped)
        try builder.appendIntegrity(.hmacSHA1, key: key)
        try builder.appendFingerprint()
        return builder.count
    }

    /// A Binding error response. 400 and 401 carry no MESSAGE-INTEGRITY, since the request
    /// could not be authenticated (RFC 8489 §9.1.3); a 420 to an authenticated request is
    /// signed with `key` and lists `unknown` in UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1.1).
    static func error(
        to request: STUNMessage, rejection: ICEBindingRejection, unknown: [STUNAttributeType] = [],
        key: STUNIntegrityKey? = nil, into buffer: UnsafeMutableRawBufferPointer
    ) throws -> Int {
        var builder = try STUNMessageBuilder(
            into: buffer, type: .bindingError, transactionID: request.transactionID)
        try builder.appendErrorCode(rejection.code, reason: rejection.reasonPhrase)
        if !unknown.isEmpty { try builder.appendUnknownAttributes(unknown) }
        if let key { try builder.appendIntegrity(.hmacSHA1, key: key) }
        try builder.appendFingerprint()
        return builder.count
    }

    /// The comprehension-required attributes (below 0x8000) a Binding request may carry and
    /// ICE understands; anything else in that range earns a 420 (RFC 8489 §6.3.1).
    static let understood: Set<STUNAttributeType> = [
        .mappedAddress, .username, .messageIntegrity, .errorCode, .unknownAttributes, .realm, .nonce,
        .messageIntegritySHA256, .passwordAlgorithm, .userHash, .xorMappedAddress, .priority, .useCandidate,
    ]

    /// The comprehension-required attributes of `message` that ICE does not understand, at
    /// most four (enough for the error response to be useful).
    static func unknownComprehensionRequired(in message: STUNMessage) -> [STUNAttributeType] {
        var unknown: [STUNAttributeType] = []
        for attribute in message.attributes
        where attribute.type.isComprehensionRequired && !understood.contains(attribute.type) {
            unknown.append(attribute.type)
            if unknown.count == 4 { break }
        }
        return unknown
    }
}
