import MeshCrypto

/// The SRTP master keys of one relay link, one per direction (DESIGN.md "Relay links"), all
/// `AEAD_AES_128_GCM` (RFC 7714 §14.2).
///
/// Fresh keys are drawn for every link, so a key never protects two links' traffic and a node
/// that leaves the mesh takes nothing reusable with it. On the set-up API the keys travel as
/// JSON with unpadded base64url strings (RFC 4648 §5, the token code's alphabet):
/// `{"downstream": {"key": "...", "salt": "..."}, "upstream": {...}}`.
public struct RelayLinkKeys: Sendable, Hashable, Codable {
    /// Protects media and keepalives the upstream node sends downstream.
    public var downstream: SRTPMasterKey
    /// Protects feedback (NACK, PLI/FIR, receiver reports) the downstream node sends upstream.
    public var upstream: SRTPMasterKey

    /// Keys given explicitly (tests, or keys received over the set-up API).
    public init(downstream: SRTPMasterKey, upstream: SRTPMasterKey) {
        self.downstream = downstream
        self.upstream = upstream
    }

    /// Two fresh GCM master keys and salts from the system's cryptographic random source
    /// (`SystemRandomNumberGenerator`: `getrandom(2)` on Linux).
    public static func generate() -> RelayLinkKeys {
        var random = SystemRandomNumberGenerator()
        return RelayLinkKeys(downstream: freshKey(using: &random), upstream: freshKey(using: &random))
    }

    /// One GCM master key and salt drawn from `random`.
    static func freshKey(using random: inout some RandomNumberGenerator) -> SRTPMasterKey {
        let profile = SRTPProfile.aeadAES128GCM
        let key = (0..<profile.masterKeyLength).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let salt = (0..<profile.masterSaltLength).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        do {
            return try SRTPMasterKey(profile: profile, key: key, salt: salt)
        } catch {
            // The lengths come from the profile itself, so the check cannot fail.
            preconditionFailure("\(error)")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case downstream, upstream
    }

    /// One direction's key and salt in base64url, as the set-up API carries them.
    private struct EncodedKey: Codable {
        var key: String
        var salt: String
    }

    /// Decodes both directions; rejects base64url that does not decode or lengths that do not
    /// match AEAD_AES_128_GCM (RFC 7714 §14.2: 128-bit key, 96-bit salt).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        downstream = try Self.decodeKey(container, .downstream)
        upstream = try Self.decodeKey(container, .upstream)
    }

    /// Encodes both directions as base64url key and salt.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.encodeKey(downstream), forKey: .downstream)
        try container.encode(Self.encodeKey(upstream), forKey: .upstream)
    }

    private static func encodeKey(_ key: SRTPMasterKey) -> EncodedKey {
        EncodedKey(key: Base64URL.encode(key.key), salt: Base64URL.encode(key.salt))
    }

    private static func decodeKey(
        _ container: KeyedDecodingContainer<CodingKeys>, _ field: CodingKeys
    ) throws -> SRTPMasterKey {
        let encoded = try container.decode(EncodedKey.self, forKey: field)
        guard let key = Base64URL.decode(encoded.key), let salt = Base64URL.decode(encoded.salt) else {
            throw DecodingError.dataCorruptedError(
                forKey: field, in: container, debugDescription: "key or salt is not unpadded base64url (RFC 4648 §5)")
        }
        do {
            return try SRTPMasterKey(profile: .aeadAES128GCM, key: key, salt: salt)
        } catch {
            throw DecodingError.dataCorruptedError(
                forKey: field, in: container, debugDescription: "AEAD_AES_128_GCM key material: \(error)")
        }
    }
}
