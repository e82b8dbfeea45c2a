import MeshCrypto

/// The SRTP master keys of one relay link, one per direction (DESIGN.md "Relay links"), all
/// `AEAD_AES_128_GCM` (RFC 7714 §14.2).
///
/// Fresh keys are drawn for every link, so a key never protects two links' traffic and a node
/// that leaves the mesh takes nothing reusable with it. The keys are deliberately not
/// `Codable`: on the set-up API they travel only sealed (``LinkKeySeal``), as the
/// ``keyMaterial`` bytes, so no JSON encoder can put them on the wire in clear.
public struct LinkKeys: Sendable, Hashable {
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
    public static func generate() -> LinkKeys {
        var random = SystemRandomNumberGenerator()
        return LinkKeys(downstream: freshKey(using: &random), upstream: freshKey(using: &random))
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

    /// The length of ``keyMaterial``: two AEAD_AES_128_GCM keys and salts (RFC 7714 §14.2:
    /// 128-bit key, 96-bit salt).
    static let keyMaterialLength = 2 * (16 + 12)

    /// Downstream key ‖ salt ‖ upstream key ‖ salt: the plaintext ``LinkKeySeal`` seals.
    var keyMaterial: [UInt8] { downstream.key + downstream.salt + upstream.key + upstream.salt }

    /// Keys from ``keyMaterial``; `nil` unless the bytes are exactly two GCM keys and salts.
    init?(keyMaterial bytes: [UInt8]) {
        guard bytes.count == Self.keyMaterialLength,
            let downstream = try? SRTPMasterKey(
                profile: .aeadAES128GCM, key: Array(bytes[0..<16]), salt: Array(bytes[16..<28])),
            let upstream = try? SRTPMasterKey(
                profile: .aeadAES128GCM, key: Array(bytes[28..<44]), salt: Array(bytes[44..<56]))
        else { return nil }
        self.init(downstream: downstream, upstream: upstream)
    }
}
