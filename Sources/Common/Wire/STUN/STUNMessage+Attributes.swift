/// Typed readers for the RFC 8489 and RFC 8445 attributes (the TURN ones are on ``turn``). Each
/// returns `nil` when the attribute is absent and throws when it is present but malformed; text
/// and byte values are borrowed from the message.
extension STUNMessage {
    /// USERNAME must be fewer than 509 bytes (RFC 8489 §14.3).
    public static let usernameLimit = 508
    /// REALM, NONCE and SOFTWARE: fewer than 128 characters, at most 763 bytes (RFC 8489 §14.9, §14.10, §14.14).
    public static let textLimit = 763

    /// The byte limit RFC 8489 sets on a text attribute, or `nil` when it sets none.
    public static func byteLimit(of type: STUNAttributeType) -> Int? {
        switch type {
        case .username: usernameLimit
        case .realm, .nonce, .software, .alternateDomain: textLimit
        default: nil
        }
    }

    /// The raw value of a text attribute (USERNAME, REALM, NONCE, SOFTWARE), checked against its limit.
    public func text(_ type: STUNAttributeType) throws(STUNError) -> UnsafeRawBufferPointer? {
        guard let attribute = first(type) else { return nil }
        if let limit = Self.byteLimit(of: type), attribute.value.count > limit {
            throw .valueTooLong(type: type.rawValue, length: attribute.value.count, limit: limit)
        }
        return attribute.value
    }

    /// A text attribute decoded as UTF-8, for control-plane callers.
    public func string(_ type: STUNAttributeType) throws(STUNError) -> String? {
        try text(type).map { String(decoding: $0, as: UTF8.self) }
    }

    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    public var mappedAddress: STUNTransportAddress? {
        get throws(STUNError) {
            try first(.mappedAddress).map { attribute throws(STUNError) in try .init(mapped: attribute) }
        }
    }

    /// ALTERNATE-SERVER (RFC 8489 §14.15), laid out like MAPPED-ADDRESS.
    public var alternateServer: STUNTransportAddress? {
        get throws(STUNError) {
            try first(.alternateServer).map { attribute throws(STUNError) in try .init(mapped: attribute) }
        }
    }

    /// The first XOR-encoded address attribute of `type` (XOR-MAPPED-ADDRESS by default;
    /// also XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS) (RFC 8489 §14.2).
    public func xorAddress(_ type: STUNAttributeType = .xorMappedAddress) throws(STUNError) -> STUNTransportAddress? {
        guard let attribute = first(type) else { return nil }
        return try STUNTransportAddress(xor: attribute, transactionID: transactionID)
    }

    /// USERHASH: the 32-byte SHA-256 of username and realm (RFC 8489 §14.4).
    public var userHash: UnsafeRawBufferPointer? {
        get throws(STUNError) { try fixed(.userHash, length: 32)?.value }
    }

    /// ERROR-CODE (RFC 8489 §14.8).
    public var errorCode: STUNErrorCode? {
        get throws(STUNError) {
            try first(.errorCode).map { attribute throws(STUNError) in try .init(parsing: attribute) }
        }
    }

    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).
    public var unknownAttributes: STUNAttributeTypeList? {
        get throws(STUNError) {
            try first(.unknownAttributes).map { attribute throws(STUNError) in try .init(parsing: attribute) }
        }
    }

    /// PASSWORD-ALGORITHM (RFC 8489 §14.12).
    public var passwordAlgorithm: STUNPasswordAlgorithm? {
        get throws(STUNError) {
            try first(.passwordAlgorithm).map { attribute throws(STUNError) in try .init(parsing: attribute) }
        }
    }

    /// PASSWORD-ALGORITHMS (RFC 8489 §14.11).
    public var passwordAlgorithms: STUNPasswordAlgorithmList? {
        get throws(STUNError) {
            try first(.passwordAlgorithms).map { attribute throws(STUNError) in try .init(parsing: attribute) }
        }
    }

    /// PRIORITY (RFC 8445 §7.1.1, §16.1).
    public var priority: UInt32? {
        get throws(STUNError) { try fixed(.priority, length: 4).flatMap { $0.reader.readUInt32Value() } }
    }

    /// Whether USE-CANDIDATE is present (RFC 8445 §7.1.2, §16.1); it has no value.
    public var useCandidate: Bool {
        get throws(STUNError) { try fixed(.useCandidate, length: 0) != nil }
    }

    /// The tie-breaker of ICE-CONTROLLED (RFC 8445 §7.1.3, §16.1).
    public var iceControlled: UInt64? {
        get throws(STUNError) { try fixed(.iceControlled, length: 8).flatMap { $0.reader.readUInt64Value() } }
    }

    /// The tie-breaker of ICE-CONTROLLING (RFC 8445 §7.1.3, §16.1).
    public var iceControlling: UInt64? {
        get throws(STUNError) { try fixed(.iceControlling, length: 8).flatMap { $0.reader.readUInt64Value() } }
    }

    /// The TURN attributes (RFC 8656 §18), read through their own view, ``TURNAttributes``.
    public var turn: TURNAttributes { TURNAttributes(self) }

    /// The first attribute of `type`, required to be `length` bytes long when present.
    public func fixed(_ type: STUNAttributeType, length: Int) throws(STUNError) -> STUNAttribute? {
        guard let attribute = first(type) else { return nil }
        try attribute.requireLength(length)
        return attribute
    }
}

extension ByteReader {
    /// Reads a 32-bit value from a reader that is not stored (for one-shot accessors).
    func readUInt32Value() -> UInt32? {
        var copy = self
        return copy.readUInt32()
    }

    /// Reads a 64-bit value from a reader that is not stored (for one-shot accessors).
    func readUInt64Value() -> UInt64? {
        var copy = self
        return copy.readUInt64()
    }
}
