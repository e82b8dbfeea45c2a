import MeshTestSupport
import MeshWire
import Testing

/// Header and attribute-list rules of RFC 8489 §5 and §14, and clean failure on every
/// truncation and malformation.
@Suite struct STUNMessageParsingTests {
    static let vectors = [rfc5769Request, rfc5769IPv4Response, rfc5769IPv6Response, rfc5769LongTermRequest]

    /// Every proper prefix of a valid message is rejected with an error, never a trap.
    @Test(arguments: vectors)
    func everyTruncationFails(vector: [UInt8]) {
        for count in 0..<vector.count {
            let error = parseError(Array(vector[..<count]))
            #expect(error != nil, "prefix of \(count) bytes parsed")
            if count < 20 { #expect(error == .headerTruncated) }
        }
        #expect(parseError(vector) == nil)
    }

    /// A truncated message whose length field is fixed up to match still fails, because
    /// an attribute then overruns the message (RFC 8489 §14).
    @Test func truncationWithAdjustedLengthFails() {
        let vector = rfc5769Request
        for count in stride(from: 24, to: vector.count, by: 4) {
            var cut = Array(vector[..<count])
            cut[2] = UInt8((count - 20) >> 8)
            cut[3] = UInt8((count - 20) & 0xFF)
            let error = parseError(cut)
            // Cuts that fall exactly between attributes leave a valid, shorter message.
            let boundaries = [40, 48, 60, 76, 100]
            if boundaries.contains(count) {
                #expect(error == nil, "cut at \(count)")
            } else {
                #expect(error != nil, "cut at \(count)")
            }
        }
    }

    @Test func headerRules() {
        var leadingBit = rfc5769Request
        leadingBit[0] |= 0x80
        #expect(parseError(leadingBit) == .leadingBitsNotZero)

        var cookie = rfc5769Request
        cookie[7] ^= 0x01
        #expect(parseError(cookie) == .badMagicCookie)

        var oddLength = rfc5769Request
        oddLength[3] = 0x57
        #expect(parseError(oddLength) == .lengthNotMultipleOfFour)

        var longer = rfc5769Request
        longer[3] = 0x5C
        #expect(parseError(longer) == .lengthMismatch(declared: 92, received: 88))

        #expect(parseError(rfc5769Request + [0, 0, 0, 0]) == .lengthMismatch(declared: 88, received: 92))
    }

    @Test func attributeOverrunIsRejected() {
        // Header with length 8, then SOFTWARE claiming 5 bytes (8 padded): 4 + 8 > 8.
        let bytes: [UInt8] = [
            0x00, 0x01, 0x00, 0x08,  // Binding request, length 8
            0x21, 0x12, 0xa4, 0x42,  // magic cookie
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,  // transaction ID
            0x80, 0x22, 0x00, 0x05,  // SOFTWARE, length 5 (padded 8)
            0x61, 0x62, 0x63, 0x64,  // "abcd", the fifth byte and padding missing
        ]
        #expect(parseError(bytes) == .attributeOverrunsMessage(type: 0x8022))
    }

    @Test func fingerprintMustBeLast() {
        // FINGERPRINT followed by SOFTWARE (RFC 8489 §14.7).
        let bytes: [UInt8] = [
            0x00, 0x01, 0x00, 0x0C,  // Binding request, length 12
            0x21, 0x12, 0xa4, 0x42,  // magic cookie
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,  // transaction ID
            0x80, 0x28, 0x00, 0x04,  // FINGERPRINT, length 4
            0x00, 0x00, 0x00, 0x00,  // (value irrelevant)
            0x80, 0x22, 0x00, 0x00,  // SOFTWARE, empty
        ]
        #expect(parseError(bytes) == .fingerprintNotLast)
    }

    @Test func integrityAttributeLengthsAreChecked() {
        func message(type: UInt16, length: UInt16) -> [UInt8] {
            let padded = (Int(length) + 3) & ~3
            return [0x00, 0x01, 0x00, UInt8(4 + padded), 0x21, 0x12, 0xa4, 0x42]
                + [UInt8](repeating: 7, count: 12)
                + [UInt8(type >> 8), UInt8(type & 0xFF), 0x00, UInt8(length)]
                + [UInt8](repeating: 0, count: padded)
        }
        #expect(parseError(message(type: 0x0008, length: 20)) == nil)
        #expect(parseError(message(type: 0x0008, length: 16)) == .invalidAttributeLength(type: 0x0008, length: 16))
        #expect(parseError(message(type: 0x001C, length: 16)) == nil)
        #expect(parseError(message(type: 0x001C, length: 12)) == .invalidAttributeLength(type: 0x001C, length: 12))
        #expect(parseError(message(type: 0x001C, length: 18)) == .invalidAttributeLength(type: 0x001C, length: 18))
        #expect(parseError(message(type: 0x001C, length: 36)) == .invalidAttributeLength(type: 0x001C, length: 36))
        #expect(parseError(message(type: 0x8028, length: 8)) == .invalidAttributeLength(type: 0x8028, length: 8))
    }

    /// RFC 8489 §5 Figure 3 and §6: well-known type values and a round trip of every method
    /// and class through the interleaved encoding.
    @Test func messageTypeEncoding() {
        #expect(STUNMessageType.bindingRequest.rawValue == 0x0001)
        #expect(STUNMessageType.bindingIndication.rawValue == 0x0011)
        #expect(STUNMessageType.bindingSuccess.rawValue == 0x0101)
        #expect(STUNMessageType.bindingError.rawValue == 0x0111)
        // RFC 8656: Allocate request 0x0003, Data indication 0x0017, ChannelBind error 0x0119.
        #expect(STUNMessageType(method: .allocate, messageClass: .request).rawValue == 0x0003)
        #expect(STUNMessageType(method: .data, messageClass: .indication).rawValue == 0x0017)
        #expect(STUNMessageType(method: .channelBind, messageClass: .errorResponse).rawValue == 0x0119)
        let classes: [STUNMessageClass] = [.request, .indication, .successResponse, .errorResponse]
        for method in UInt16(0)...0x0FFF {
            for messageClass in classes {
                let type = STUNMessageType(method: STUNMethod(rawValue: method), messageClass: messageClass)
                #expect(type.rawValue & 0xC000 == 0)
                let decoded = STUNMessageType(rawValue: type.rawValue)
                if decoded != type { Issue.record("method \(method) class \(messageClass) did not round-trip") }
            }
        }
    }

    @Test func framingHelpers() {
        rfc5769Request.withUnsafeBytes { bytes in
            #expect(STUNMessage.looksLikeSTUN(bytes))
            #expect(STUNMessage.framedLength(of: bytes) == 108)
            #expect(STUNMessage.framedLength(of: UnsafeRawBufferPointer(rebasing: bytes[..<3])) == nil)
            #expect(!STUNMessage.looksLikeSTUN(UnsafeRawBufferPointer(rebasing: bytes[..<7])))
        }
        var notSTUN = rfc5769Request
        notSTUN[4] = 0
        notSTUN.withUnsafeBytes { #expect(!STUNMessage.looksLikeSTUN($0)) }
    }
}
