/// The SRTP master keys a DTLS-SRTP handshake produced, one per direction (RFC 5764 §4.2).
public struct DTLSSRTPKeys: Sendable, Hashable {
    /// The negotiated protection profile.
    public let profile: SRTPProfile
    /// The key the DTLS client protects with and the server unprotects with.
    public let clientWrite: SRTPMasterKey
    /// The key the DTLS server protects with and the client unprotects with.
    public let serverWrite: SRTPMasterKey

    /// Splits `EXTRACTOR-dtls_srtp` output, laid out as client key, server key, client salt,
    /// server salt (RFC 5764 §4.2).
    init(exported material: [UInt8], profile: SRTPProfile) throws(SRTPError) {
        let keyLength = profile.masterKeyLength
        let saltLength = profile.masterSaltLength
        guard material.count == 2 * (keyLength + saltLength) else {
            throw .wrongKeyLength(expected: 2 * (keyLength + saltLength), actual: material.count)
        }
        let saltsStart = 2 * keyLength
        self.profile = profile
        clientWrite = try SRTPMasterKey(
            profile: profile, key: Array(material[0..<keyLength]),
            salt: Array(material[saltsStart..<saltsStart + saltLength]))
        serverWrite = try SRTPMasterKey(
            profile: profile, key: Array(material[keyLength..<saltsStart]),
            salt: Array(material[(saltsStart + saltLength)...]))
    }

    /// The key an endpoint in `role` protects its own packets with.
    public func sending(as role: DTLSRole) -> SRTPMasterKey {
        role == .client ? clientWrite : serverWrite
    }

    /// The key an endpoint in `role` unprotects its peer's packets with.
    public func receiving(as role: DTLSRole) -> SRTPMasterKey {
        role == .client ? serverWrite : clientWrite
    }

    /// Bytes of keying material to export for `profile`: two keys and two salts.
    static func exportLength(for profile: SRTPProfile) -> Int {
        2 * (profile.masterKeyLength + profile.masterSaltLength)
    }
}
