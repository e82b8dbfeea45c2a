import MeshWire
import Testing

/// Typed attribute writers and readers round-trip, and malformed values are rejected with the
/// rule they break (RFC 8489 §14, RFC 8445 §16.1, RFC 8656 §18).
@Suite struct STUNAttributeTests {
    @Test func stunAttributesRoundTrip() throws {
        let hash = [UInt8](repeating: 0xAB, count: 32)
        let bytes = try buildMessage(.bindingError, .random()) { builder in
            try builder.appendErrorCode(438, reason: "Stale Nonce")
            try builder.appendUnknownAttributes([STUNAttributeType(rawValue: 0x0031), .evenPort])
            try builder.appendPasswordAlgorithms([STUNPasswordAlgorithm.md5, STUNPasswordAlgorithm.sha256])
            try builder.appendPasswordAlgorithm(STUNPasswordAlgorithm.sha256)
            try hash.withUnsafeBytes { hash in try builder.appendUserHash(hash) }
            try builder.appendText(.realm, "example.org")
            try builder.appendText(.nonce, "n0nce")
            try builder.appendText(.software, "meshcast")
        }
        try withMessage(bytes) { message throws in
            #expect(message.type == .bindingError)
            let error = try #require(try message.errorCode)
            #expect(error.code == 438)
            #expect(error.reason == "Stale Nonce")
            let unknown = try #require(try message.unknownAttributes)
            #expect(unknown.count == 2)
            #expect(Array(unknown) == [STUNAttributeType(rawValue: 0x0031), .evenPort])
            let algorithms = try #require(try message.passwordAlgorithms)
            #expect(algorithms.map(\.algorithm) == [1, 2])
            #expect(algorithms.allSatisfy { $0.parameters.isEmpty })
            #expect(try message.passwordAlgorithm?.algorithm == 2)
            #expect(array(try message.userHash) == hash)
            #expect(try message.string(.realm) == "example.org")
            #expect(try message.string(.nonce) == "n0nce")
            #expect(try message.string(.software) == "meshcast")
            #expect(try message.string(.username) == nil)
        }
    }

    @Test func iceAttributesRoundTrip() throws {
        let bytes = try buildMessage(.bindingRequest, .random()) { builder in
            try builder.appendPriority(0x7E7F_00FF)
            try builder.appendUseCandidate()
            try builder.appendICEControlling(tieBreaker: 0x0123_4567_89AB_CDEF)
        }
        try withMessage(bytes) { message throws in
            #expect(try message.priority == 0x7E7F_00FF)
            #expect(try message.useCandidate)
            #expect(try message.iceControlling == 0x0123_4567_89AB_CDEF)
            #expect(try message.iceControlled == nil)
        }
    }

    @Test func turnAttributesRoundTrip() throws {
        let payload: [UInt8] = [1, 2, 3, 4, 5]
        let peer = STUNTransportAddress(ip: .v4(0xC633_6401), port: 40000)
        let allocate = STUNMessageType(method: .allocate, messageClass: .request)
        let bytes = try buildMessage(allocate, .random()) { builder in
            try builder.appendChannelNumber(0x4123)
            try builder.appendLifetime(600)
            try builder.appendXORAddress(peer, as: .xorPeerAddress)
            try payload.withUnsafeBytes { payload in try builder.appendData(payload) }
            try builder.appendRequestedAddressFamily(.ipv6)
            try builder.appendEvenPort(reserveNextPort: true)
            try builder.appendRequestedTransport()
            try builder.appendDontFragment()
            try builder.appendReservationToken(0xFEED_FACE_CAFE_BEEF)
            try builder.appendAdditionalAddressFamily()
            try builder.appendAddressErrorCode(family: .ipv4, code: 440, reason: "Address Family not Supported")
            try builder.appendICMP(TURNICMP(type: 3, code: 4, errorData: 1400))
        }
        try withMessage(bytes) { message throws in
            #expect(message.type.method == .allocate)
            #expect(message.type.messageClass == .request)
            #expect(try message.turn.channelNumber == 0x4123)
            #expect(try message.turn.lifetime == 600)
            #expect(try message.xorAddress(.xorPeerAddress) == peer)
            #expect(array(message.turn.data) == payload)
            #expect(try message.turn.requestedAddressFamily == .ipv6)
            #expect(try message.turn.evenPort == true)
            #expect(try message.turn.requestedTransport == 17)
            #expect(try message.turn.dontFragment)
            #expect(try message.turn.reservationToken == 0xFEED_FACE_CAFE_BEEF)
            #expect(try message.turn.additionalAddressFamily == .ipv6)
            let addressError = try #require(try message.turn.addressErrorCode)
            #expect(addressError.family == .ipv4)
            #expect(addressError.code == 440)
            #expect(addressError.reason == "Address Family not Supported")
            #expect(try message.turn.icmp == TURNICMP(type: 3, code: 4, errorData: 1400))
        }
        let noReserve = try buildMessage(allocate, .random()) { builder in
            try builder.appendEvenPort(reserveNextPort: false)
        }
        try withMessage(noReserve) { message throws in #expect(try message.turn.evenPort == false) }
    }

    /// The builder refuses values the RFCs forbid instead of writing them.
    @Test func builderRejectsInvalidValues() throws {
        #expect(throws: STUNError.invalidErrorCode(299)) {
            try buildMessage(.bindingError, .random()) { try $0.appendErrorCode(299, reason: "") }
        }
        #expect(throws: STUNError.invalidErrorCode(700)) {
            try buildMessage(.bindingError, .random()) { try $0.appendErrorCode(700, reason: "") }
        }
        #expect(throws: STUNError.channelNumberOutOfRange(0x3FFF)) {
            try buildMessage(.bindingRequest, .random()) { try $0.appendChannelNumber(0x3FFF) }
        }
        let longName = String(repeating: "u", count: 509)
        #expect(throws: STUNError.valueTooLong(type: 0x0006, length: 509, limit: 508)) {
            try buildMessage(.bindingRequest, .random()) { try $0.appendText(.username, longName) }
        }
        #expect(throws: STUNError.invalidAttributeLength(type: 0x001E, length: 3)) {
            try buildMessage(.bindingRequest, .random()) { builder in
                try [UInt8](repeating: 0, count: 3).withUnsafeBytes { try builder.appendUserHash($0) }
            }
        }
    }

    /// A full buffer throws `ByteWriter.Overflow` and leaves the message as it was.
    @Test func builderOverflowKeepsMessageIntact() throws {
        var storage = [UInt8](repeating: 0, count: 40)
        try storage.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(into: buffer, type: .bindingRequest, transactionID: .random())
            try builder.appendPriority(1)
            #expect(builder.count == 28)
            // SOFTWARE of 21 bytes needs 28 more; 12 are left.
            #expect(throws: ByteWriter.Overflow.self) { try builder.appendText(.software, "too long for the rest") }
            #expect(builder.count == 28)
            try builder.appendFingerprint()
            #expect(builder.count == 36)
            #expect(throws: ByteWriter.Overflow.self) { try builder.appendPriority(2) }
            #expect(builder.count == 36)
            let message = try STUNMessage(parsing: builder.bytes)
            #expect(message.attributes.map(\.type) == [.priority, .fingerprint])
            #expect(message.fingerprintIsValid == true)
        }
        var tiny = [UInt8](repeating: 0, count: 19)
        _ = tiny.withUnsafeMutableBytes { buffer in
            #expect(throws: ByteWriter.Overflow.self) {
                try STUNMessageBuilder(into: buffer, type: .bindingRequest, transactionID: .random())
            }
        }
    }

    /// Typed readers reject values whose length breaks the attribute's definition.
    @Test(arguments: [
        (STUNAttributeType.priority, 3), (.iceControlled, 4), (.iceControlling, 12), (.useCandidate, 4),
        (.lifetime, 8), (.channelNumber, 2), (.requestedTransport, 1), (.evenPort, 4),
        (.dontFragment, 1), (.reservationToken, 4), (.userHash, 16), (.requestedAddressFamily, 2),
        (.additionalAddressFamily, 8), (.icmp, 4), (.errorCode, 3), (.addressErrorCode, 2),
        (.unknownAttributes, 3), (.passwordAlgorithm, 2), (.passwordAlgorithms, 6),
    ])
    func readersRejectWrongLengths(type: STUNAttributeType, length: Int) throws {
        let bytes = try buildMessage(.bindingRequest, .random()) { builder in
            try builder.append(type, length: length) { writer throws(ByteWriter.Overflow) in
                // Values that are valid in every other respect: error class 4, family IPv4.
                for index in 0..<length { try writer.write(UInt8(index == 2 ? 4 : 1)) }
            }
        }
        try withMessage(bytes) { message throws in
            #expect(throws: STUNError.self) {
                switch type {
                case .priority: _ = try message.priority
                case .iceControlled: _ = try message.iceControlled
                case .iceControlling: _ = try message.iceControlling
                case .useCandidate: _ = try message.useCandidate
                case .lifetime: _ = try message.turn.lifetime
                case .channelNumber: _ = try message.turn.channelNumber
                case .requestedTransport: _ = try message.turn.requestedTransport
                case .evenPort: _ = try message.turn.evenPort
                case .dontFragment: _ = try message.turn.dontFragment
                case .reservationToken: _ = try message.turn.reservationToken
                case .userHash: _ = try message.userHash
                case .requestedAddressFamily: _ = try message.turn.requestedAddressFamily
                case .additionalAddressFamily: _ = try message.turn.additionalAddressFamily
                case .icmp: _ = try message.turn.icmp
                case .errorCode: _ = try message.errorCode
                case .addressErrorCode: _ = try message.turn.addressErrorCode
                case .unknownAttributes: _ = try message.unknownAttributes
                case .passwordAlgorithm: _ = try message.passwordAlgorithm
                case .passwordAlgorithms: _ = try message.passwordAlgorithms
                default: Issue.record("no reader for \(type)")
                }
            }
        }
    }

    /// RFC 8489 §14.8: class must be 3...6 and number below 100.
    @Test func errorCodeRangeIsChecked() throws {
        for (classBits, number, valid) in [(3, 0, true), (6, 99, true), (2, 0, false), (7, 0, false), (4, 100, false)] {
            let bytes = try buildMessage(.bindingError, .random()) { builder in
                try builder.append(.errorCode, length: 4) { writer throws(ByteWriter.Overflow) in
                    try writer.write(UInt16(0))
                    try writer.write(UInt8(classBits))
                    try writer.write(UInt8(number))
                }
            }
            try withMessage(bytes) { message throws in
                if valid {
                    #expect(try message.errorCode?.code == classBits * 100 + number)
                } else {
                    #expect(throws: STUNError.invalidErrorCode(classBits * 100 + number)) { try message.errorCode }
                }
            }
        }
    }

    /// Unknown comprehension-required attributes are listed for the 420 response (RFC 8489 §14).
    @Test func comprehensionRange() {
        #expect(STUNAttributeType.username.isComprehensionRequired)
        #expect(!STUNAttributeType.software.isComprehensionRequired)
        #expect(STUNAttributeType(rawValue: 0x7FFF).isComprehensionRequired)
        #expect(!STUNAttributeType(rawValue: 0x8000).isComprehensionRequired)
    }
}
