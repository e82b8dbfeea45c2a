import MeshWire

// Joins MeshWire's STUN views (which know which bytes are authenticated, RFC 8489 §14.5/§14.6)
// to the HMACs here, so callers verify and sign a message in one call.

extension STUNIntegrityAlgorithm {
    /// The digest this MAC is computed with.
    public var digest: Digest.Algorithm { self == .hmacSHA1 ? .sha1 : .sha256 }
}

extension STUNMessage {
    /// Whether the message's `algorithm` integrity attribute is valid under `key`;
    /// `false` when the message carries none.
    public func verifyIntegrity(_ algorithm: STUNIntegrityAlgorithm, key: STUNIntegrityKey) throws -> Bool {
        guard let input = integrityInput(algorithm) else { return false }
        return try input.withAdjustedHeader { header in
            try STUNMessageIntegrity.verify(
                algorithm.digest, key: key, header: header, body: input.body, mac: input.mac)
        }
    }
}

extension STUNMessageBuilder {
    /// Appends `algorithm`'s integrity attribute, signed with `key` over everything before it.
    public mutating func appendIntegrity(_ algorithm: STUNIntegrityAlgorithm, key: STUNIntegrityKey, length: Int? = nil)
        throws
    {
        let slot = try reserveIntegrity(algorithm, length: length)
        try STUNMessageIntegrity.sign(algorithm.digest, key: key, input: slot.input, mac: slot.mac)
    }
}
