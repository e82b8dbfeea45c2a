/// A STUN attribute type code (RFC 8489 §14, §18.3; RFC 8445 §16.1; RFC 8656 §18).
public struct STUNAttributeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit type code.
    public let rawValue: UInt16

    /// A type from its code.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Codes below 0x8000 are comprehension-required: an agent that does not know one must
    /// reject the message (RFC 8489 §14).
    public var isComprehensionRequired: Bool { rawValue < 0x8000 }

    public var description: String { "0x" + String(rawValue, radix: 16) }

    // RFC 8489 §14 (comprehension-required range).
    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    public static let mappedAddress = STUNAttributeType(rawValue: 0x0001)
    /// USERNAME (RFC 8489 §14.3).
    public static let username = STUNAttributeType(rawValue: 0x0006)
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5).
    public static let messageIntegrity = STUNAttributeType(rawValue: 0x0008)
    /// ERROR-CODE (RFC 8489 §14.8).
    public static let errorCode = STUNAttributeType(rawValue: 0x0009)
    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).
    public static let unknownAttributes = STUNAttributeType(rawValue: 0x000A)
    /// REALM (RFC 8489 §14.9).
    public static let realm = STUNAttributeType(rawValue: 0x0014)
    /// NONCE (RFC 8489 §14.10).
    public static let nonce = STUNAttributeType(rawValue: 0x0015)
    /// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6).
    public static let messageIntegritySHA256 = STUNAttributeType(rawValue: 0x001C)
    /// PASSWORD-ALGORITHM (RFC 8489 §14.12).
    public static let passwordAlgorithm = STUNAttributeType(rawValue: 0x001D)
    /// USERHASH (RFC 8489 §14.4).
    public static let userHash = STUNAttributeType(rawValue: 0x001E)
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    public static let xorMappedAddress = STUNAttributeType(rawValue: 0x0020)

    // RFC 8489 §14 (comprehension-optional range).
    /// PASSWORD-ALGORITHMS (RFC 8489 §14.11).
    public static let passwordAlgorithms = STUNAttributeType(rawValue: 0x8002)
    /// ALTERNATE-DOMAIN (RFC 8489 §14.16).
    public static let alternateDomain = STUNAttributeType(rawValue: 0x8003)
    /// SOFTWARE (RFC 8489 §14.14).
    public static let software = STUNAttributeType(rawValue: 0x8022)
    /// ALTERNATE-SERVER (RFC 8489 §14.15).
    public static let alternateServer = STUNAttributeType(rawValue: 0x8023)
    /// FINGERPRINT (RFC 8489 §14.7).
    public static let fingerprint = STUNAttributeType(rawValue: 0x8028)

    // ICE, RFC 8445 §16.1.
    /// PRIORITY (RFC 8445 §16.1).
    public static let priority = STUNAttributeType(rawValue: 0x0024)
    /// USE-CANDIDATE (RFC 8445 §16.1).
    public static let useCandidate = STUNAttributeType(rawValue: 0x0025)
    /// ICE-CONTROLLED (RFC 8445 §16.1).
    public static let iceControlled = STUNAttributeType(rawValue: 0x8029)
    /// ICE-CONTROLLING (RFC 8445 §16.1).
    public static let iceControlling = STUNAttributeType(rawValue: 0x802A)

    // TURN, RFC 8656 §18.
    /// CHANNEL-NUMBER (RFC 8656 §18.1).
    public static let channelNumber = STUNAttributeType(rawValue: 0x000C)
    /// LIFETIME (RFC 8656 §18.2).
    public static let lifetime = STUNAttributeType(rawValue: 0x000D)
    /// XOR-PEER-ADDRESS (RFC 8656 §18.3).
    public static let xorPeerAddress = STUNAttributeType(rawValue: 0x0012)
    /// DATA (RFC 8656 §18.4).
    public static let data = STUNAttributeType(rawValue: 0x0013)
    /// XOR-RELAYED-ADDRESS (RFC 8656 §18.5).
    public static let xorRelayedAddress = STUNAttributeType(rawValue: 0x0016)
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).
    public static let requestedAddressFamily = STUNAttributeType(rawValue: 0x0017)
    /// EVEN-PORT (RFC 8656 §18.7).
    public static let evenPort = STUNAttributeType(rawValue: 0x0018)
    /// REQUESTED-TRANSPORT (RFC 8656 §18.8).
    public static let requestedTransport = STUNAttributeType(rawValue: 0x0019)
    /// DONT-FRAGMENT (RFC 8656 §18.9).
    public static let dontFragment = STUNAttributeType(rawValue: 0x001A)
    /// RESERVATION-TOKEN (RFC 8656 §18.10).
    public static let reservationToken = STUNAttributeType(rawValue: 0x0022)
    /// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11).
    public static let additionalAddressFamily = STUNAttributeType(rawValue: 0x8000)
    /// ADDRESS-ERROR-CODE (RFC 8656 §18.12).
    public static let addressErrorCode = STUNAttributeType(rawValue: 0x8001)
    /// ICMP (RFC 8656 §18.13).
    public static let icmp = STUNAttributeType(rawValue: 0x8004)
}
