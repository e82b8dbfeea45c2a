/// The master key and salt one direction of an SRTP session starts from (RFC 3711 §3.2.1),
/// with the profile that fixes their lengths.
public struct SRTPMasterKey: Sendable, Hashable {
    /// The protection profile.
    public let profile: SRTPProfile
    /// The master key, `profile.masterKeyLength` bytes.
    public let key: [UInt8]
    /// The master salt, `profile.masterSaltLength` bytes.
    public let salt: [UInt8]

    /// Checks the lengths against the profile (RFC 3711 §8.2, RFC 7714 §14.2).
    public init(profile: SRTPProfile, key: [UInt8], salt: [UInt8]) throws(SRTPError) {
        guard key.count == profile.masterKeyLength else {
            throw .wrongKeyLength(expected: profile.masterKeyLength, actual: key.count)
        }
        guard salt.count == profile.masterSaltLength else {
            throw .wrongKeyLength(expected: profile.masterSaltLength, actual: salt.count)
        }
        self.profile = profile
        self.key = key
        self.salt = salt
    }
}
