/// A STUN method: the 12-bit operation a message belongs to (RFC 8489 §5, §18.2; RFC 8656 §17).
public struct STUNMethod: RawRepresentable, Hashable, Sendable {
    /// The 12-bit method number.
    public let rawValue: UInt16

    /// A method from its number; only the low 12 bits are kept, the rest cannot be encoded.
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0x0FFF }

    /// Binding (RFC 8489 §18.2).
    public static let binding = STUNMethod(rawValue: 0x001)
    /// TURN Allocate (RFC 8656 §17).
    public static let allocate = STUNMethod(rawValue: 0x003)
    /// TURN Refresh (RFC 8656 §17).
    public static let refresh = STUNMethod(rawValue: 0x004)
    /// TURN Send (RFC 8656 §17).
    public static let send = STUNMethod(rawValue: 0x006)
    /// TURN Data (RFC 8656 §17).
    public static let data = STUNMethod(rawValue: 0x007)
    /// TURN CreatePermission (RFC 8656 §17).
    public static let createPermission = STUNMethod(rawValue: 0x008)
    /// TURN ChannelBind (RFC 8656 §17).
    public static let channelBind = STUNMethod(rawValue: 0x009)
}

/// The class of a STUN message (RFC 8489 §5): the two C bits of the message type.
public enum STUNMessageClass: UInt16, Sendable {
    /// A request, answered by a success or error response.
    case request = 0b00
    /// An indication, never answered.
    case indication = 0b01
    /// A success response.
    case successResponse = 0b10
    /// An error response.
    case errorResponse = 0b11
}

/// The 14-bit message type: a method and a class interleaved as RFC 8489 §5 (Figure 3) lays out.
public struct STUNMessageType: Hashable, Sendable {
    /// The method.
    public var method: STUNMethod
    /// The class.
    public var messageClass: STUNMessageClass

    /// A message type from its parts.
    public init(method: STUNMethod, messageClass: STUNMessageClass) {
        self.method = method
        self.messageClass = messageClass
    }

    /// Decodes the 16-bit type field; the two leading bits must already be known to be zero.
    public init(rawValue: UInt16) {
        // M0-M3 sit in bits 0-3, M4-M6 in bits 5-7, M7-M11 in bits 9-13; C0 is bit 4, C1 bit 8.
        let method = (rawValue & 0x000F) | ((rawValue & 0x00E0) >> 1) | ((rawValue & 0x3E00) >> 2)
        let classBits = ((rawValue >> 4) & 0b01) | ((rawValue >> 7) & 0b10)
        self.method = STUNMethod(rawValue: method)
        // Two bits can only hold the four defined classes.
        self.messageClass = STUNMessageClass(rawValue: classBits) ?? .request
    }

    /// The 16-bit type field as written on the wire.
    public var rawValue: UInt16 {
        let m = method.rawValue
        let c = messageClass.rawValue
        return (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 0b01) << 4) | ((c & 0b10) << 7)
    }

    /// Binding request.
    public static let bindingRequest = STUNMessageType(method: .binding, messageClass: .request)
    /// Binding success response.
    public static let bindingSuccess = STUNMessageType(method: .binding, messageClass: .successResponse)
    /// Binding error response.
    public static let bindingError = STUNMessageType(method: .binding, messageClass: .errorResponse)
    /// Binding indication (ICE keepalives, RFC 8445 §11).
    public static let bindingIndication = STUNMessageType(method: .binding, messageClass: .indication)
}
