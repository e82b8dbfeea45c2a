/// An SRTP protection profile Meshcast speaks, with the key, salt and trailer sizes it implies.
///
/// Only the two profiles WebRTC peers actually offer are here: the mandatory-to-implement
/// AES-CM/HMAC-SHA1-80 of RFC 5764 §4.1.2 and the AEAD profile of RFC 7714 that relay links use.
public enum SRTPProfile: Sendable, Hashable, CaseIterable {
    /// `AES_CM_128_HMAC_SHA1_80` (RFC 3711 §8.2, RFC 5764 §4.1.2).
    case aesCM128HmacSHA1_80
    /// `AEAD_AES_128_GCM` (RFC 7714 §14.2).
    case aeadAES128GCM

    /// Master key length in bytes: 128 bits for both (RFC 3711 §8.2, RFC 7714 §14.2).
    public var masterKeyLength: Int { 16 }

    /// Master salt length in bytes: 112 bits for AES-CM (RFC 3711 §8.2), 96 bits for GCM
    /// (RFC 7714 §14.2).
    public var masterSaltLength: Int {
        switch self {
        case .aesCM128HmacSHA1_80: 14
        case .aeadAES128GCM: 12
        }
    }

    /// Bytes `protectRTP` appends: the 80-bit HMAC tag, or the 16-byte GCM tag (RFC 7714 §7).
    public var rtpTrailerLength: Int {
        switch self {
        case .aesCM128HmacSHA1_80: 10
        case .aeadAES128GCM: 16
        }
    }

    /// Bytes `protectRTCP` appends: the tag plus the 32-bit E flag and SRTCP index
    /// (RFC 3711 §3.4, RFC 7714 §9).
    public var rtcpTrailerLength: Int { rtpTrailerLength + 4 }

    /// The DTLS-SRTP protection profile identifier (RFC 5764 §4.1.2, RFC 7714 §14.2).
    public var dtlsIdentifier: UInt16 {
        switch self {
        case .aesCM128HmacSHA1_80: 0x0001
        case .aeadAES128GCM: 0x0007
        }
    }

    /// The profile name OpenSSL's `use_srtp` configuration string uses.
    public var dtlsName: String {
        switch self {
        case .aesCM128HmacSHA1_80: "SRTP_AES128_CM_SHA1_80"
        case .aeadAES128GCM: "SRTP_AEAD_AES_128_GCM"
        }
    }

    /// The profile a DTLS-SRTP identifier names, or `nil` for profiles Meshcast does not speak.
    public init?(dtlsIdentifier: UInt16) {
        guard let profile = Self.allCases.first(where: { $0.dtlsIdentifier == dtlsIdentifier }) else { return nil }
        self = profile
    }
}
