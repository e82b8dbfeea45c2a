import MeshWire
import Testing

/// MAPPED-ADDRESS and the XOR address attributes (RFC 8489 §14.1, §14.2; RFC 8656 §18.3, §18.5).
@Suite struct STUNAddressTests {
    static let addresses: [STUNTransportAddress] = [
        STUNTransportAddress(ip: .v4(0x7F00_0001), port: 3478),
        STUNTransportAddress(ip: .v4(0xFFFF_FFFF), port: 0xFFFF),
        STUNTransportAddress(ip: .v4(0), port: 0),
        STUNTransportAddress(ip: .v6(high: 0, low: 1), port: 5349),
        STUNTransportAddress(ip: .v6(high: 0xFE80_0000_0000_0000, low: 0x0202_B3FF_FE1E_8329), port: 1),
        STUNTransportAddress(ip: .v6(high: .max, low: .max), port: 0x2112),
    ]

    @Test(arguments: addresses)
    func xorAndPlainRoundTrip(address: STUNTransportAddress) throws {
        let transactionID = STUNTransactionID.random()
        let bytes = try buildMessage(.bindingSuccess, transactionID) { builder in
            try builder.appendMappedAddress(address)
            try builder.appendXORAddress(address)
            try builder.appendXORAddress(address, as: .xorPeerAddress)
            try builder.appendXORAddress(address, as: .xorRelayedAddress)
            try builder.appendMappedAddress(address, as: .alternateServer)
        }
        try withMessage(bytes) { message throws in
            #expect(try message.mappedAddress == address)
            #expect(try message.xorAddress() == address)
            #expect(try message.xorAddress(.xorPeerAddress) == address)
            #expect(try message.xorAddress(.xorRelayedAddress) == address)
            #expect(try message.alternateServer == address)
            // The XOR form on the wire differs from the plain form unless the masks cancel.
            let plain = try #require(message.first(.mappedAddress))
            let xored = try #require(message.first(.xorMappedAddress))
            #expect(plain.value.count == address.encodedLength)
            #expect(Array(plain.value) != Array(xored.value))
        }
    }

    /// The IPv6 mask is the cookie followed by the transaction ID, so another transaction
    /// ID decodes to another address (RFC 8489 §14.2).
    @Test func ipv6DependsOnTransactionID() throws {
        let address = STUNTransportAddress(ip: .v6(high: 0x2001_0DB8_0000_0000, low: 1), port: 9)
        let bytes = try buildMessage(.bindingSuccess, STUNTransactionID(high: 1, low: 2)) { builder in
            try builder.appendXORAddress(address)
        }
        var other = bytes
        other[19] ^= 0xFF  // last transaction ID byte
        try withMessage(other) { message throws in
            let decoded = try #require(try message.xorAddress())
            #expect(decoded != address)
            #expect(decoded.port == address.port)
        }
    }

    @Test func malformedAddressesThrow() throws {
        func message(value: [UInt8]) -> [UInt8] {
            let padded = (value.count + 3) & ~3
            return [0x01, 0x01, 0x00, UInt8(4 + padded), 0x21, 0x12, 0xa4, 0x42]
                + [UInt8](repeating: 1, count: 12)
                + [0x00, 0x20, 0x00, UInt8(value.count)]  // XOR-MAPPED-ADDRESS
                + value + [UInt8](repeating: 0, count: padded - value.count)
        }
        let badFamily = message(value: [0x00, 0x03, 0x12, 0x34, 1, 2, 3, 4])
        try withMessage(badFamily) { message in
            #expect(throws: STUNError.unknownAddressFamily(3)) { try message.xorAddress() }
        }
        let shortIPv6 = message(value: [0x00, 0x02, 0x12, 0x34, 1, 2, 3, 4])
        try withMessage(shortIPv6) { message in
            #expect(throws: STUNError.invalidAttributeLength(type: 0x0020, length: 8)) { try message.xorAddress() }
        }
        let tooShort = message(value: [0x00, 0x01])
        try withMessage(tooShort) { message in
            #expect(throws: STUNError.invalidAttributeLength(type: 0x0020, length: 2)) { try message.xorAddress() }
        }
    }

    @Test func textForms() {
        #expect(STUNIPAddress.v4(0xC000_0201).description == "192.0.2.1")
        #expect(STUNIPAddress.v6(high: 0x2001_0DB8_0000_0000, low: 0x0000_0000_0000_0001).description == "2001:db8::1")
        #expect(STUNIPAddress.v6(high: 0, low: 0).description == "::")
        #expect(STUNIPAddress.v6(high: 0, low: 1).description == "::1")
        #expect(
            STUNIPAddress.v6(high: 0x2001_0DB8_0000_0001, low: 0x0000_0001_0000_0001).description
                == "2001:db8:0:1:0:1:0:1")
        #expect(STUNTransportAddress(ip: .v6(high: 0, low: 1), port: 80).description == "[::1]:80")
    }
}
