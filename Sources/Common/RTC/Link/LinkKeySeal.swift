import MeshCrypto

/// Seals a link's SRTP master keys for the set-up API (`POST /internal/v1/links` and its
/// answer), so that they never cross the network in clear (DESIGN.md "Security").
///
/// - Key: `HKDF-SHA256(IKM = cluster secret, salt = none, info = "meshcast relay-link keys v1",
///   L = 32)` (RFC 5869), an `AEAD_AES_256_GCM` key (RFC 5116 §5.2) used for nothing else.
/// - Plaintext: ``LinkKeys/keyMaterial`` (56 bytes), under a fresh random 96-bit nonce.
/// - Associated data: ``LinkKeyContext/associatedData``: which message, both nodes, the
///   sender's media address and, in the answer, the link id. A box moved into another request,
///   another answer or the other direction does not open.
/// - JSON: ``SealedLinkKeys``, `{"version": 1, "box": "<base64url(nonce ‖ ciphertext ‖ tag)>"}`.
public struct LinkKeySeal: Sendable {
    /// The format this node seals and opens; part of the HKDF label and of the associated data,
    /// so that a later format can never be confused with this one.
    public static let version = 1
    /// RFC 5869's `info`: what the derived key is for.
    static let derivationLabel = Array("meshcast relay-link keys v1".utf8)
    /// The length of a version 1 box: nonce, the sealed key material, tag.
    static let boxLength = SealedBox.nonceLength + LinkKeys.keyMaterialLength + SealedBox.tagLength

    private let key: AES256GCMKey

    /// A seal keyed from `clusterSecret`; every node of the mesh derives the same key.
    public init(clusterSecret: [UInt8]) throws(OpenSSLError) {
        let bytes = try HKDF.sha256(
            inputKey: clusterSecret, salt: [], info: Self.derivationLabel, length: AES256GCMKey.keyLength)
        do {
            key = try AES256GCMKey(bytes: bytes)
        } catch {
            // HKDF returned exactly keyLength bytes, so the key cannot be refused.
            preconditionFailure("\(error)")
        }
    }

    /// `keys` sealed for `context`.
    public func seal(_ keys: LinkKeys, for context: LinkKeyContext) throws(OpenSSLError)
        -> SealedLinkKeys
    {
        let box = try key.seal(keys.keyMaterial, associatedData: context.associatedData)
        return SealedLinkKeys(version: Self.version, box: Base64URL.encode(box.combined))
    }

    /// The keys in `sealed`, when it is a version 1 box sealed with this cluster secret for
    /// exactly `context`. Never traps, whatever the JSON carried.
    public func open(_ sealed: SealedLinkKeys, for context: LinkKeyContext) throws(SealedKeysError)
        -> LinkKeys
    {
        guard sealed.version == Self.version else {
            throw .malformed(
                "sealedKeys version \(sealed.version) is not understood (this node speaks \(Self.version))")
        }
        guard let bytes = Base64URL.decode(sealed.box) else {
            throw .malformed("sealedKeys.box is not unpadded base64url (RFC 4648 §5)")
        }
        guard bytes.count == Self.boxLength else {
            throw .malformed("sealedKeys.box has \(bytes.count) bytes, not \(Self.boxLength)")
        }
        let plaintext: [UInt8]
        do {
            plaintext = try key.open(try SealedBox(combined: bytes), associatedData: context.associatedData)
        } catch {
            switch error {
            case .malformed(let reason): throw .malformed(reason)
            case .authenticationFailed:
                throw .unopenable("sealedKeys do not open: another cluster secret, or sealed for another request")
            case .library(let reason): throw .unopenable(reason)
            }
        }
        guard let keys = LinkKeys(keyMaterial: plaintext) else {
            throw .malformed("the sealed key material is not two AEAD_AES_128_GCM keys and salts")
        }
        return keys
    }
}

/// Sealed link keys as the set-up API's JSON carries them: `{"version": 1, "box": "..."}`.
public struct SealedLinkKeys: Sendable, Hashable, Codable {
    /// The sealing format (``LinkKeySeal/version``).
    public var version: Int
    /// `nonce ‖ ciphertext ‖ tag` in unpadded base64url (RFC 4648 §5).
    public var box: String

    /// Sealed keys from their JSON fields.
    public init(version: Int, box: String) {
        self.version = version
        self.box = box
    }
}

/// Why sealed link keys were refused; the internal API answers 400 with the sentence.
public enum SealedKeysError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a sealed box of the known format (version, base64url, length).
    case malformed(String)
    /// A well-formed box that does not open here: another secret, another context, or tampered.
    case unopenable(String)

    /// A short sentence for the 400 body or the log.
    public var description: String {
        switch self {
        case .malformed(let reason): reason
        case .unopenable(let reason): reason
        }
    }
}
