import MeshCrypto
import MeshTestSupport
import MeshWire
import Testing

/// RFC 5769 §2: parse each sample, check every field, verify MESSAGE-INTEGRITY and
/// FINGERPRINT through MeshCrypto, and rebuild it byte for byte with the builder.
@Suite struct STUNRFC5769Tests {
    let shortTermKey = STUNIntegrityKey.shortTerm(password: rfc5769Password)

    @Test func sampleRequestFields() throws {
        try withMessage(rfc5769Request) { message throws in
            #expect(message.type == .bindingRequest)
            #expect(message.type.rawValue == 0x0001)
            #expect(message.transactionID == rfc5769TransactionID)
            #expect(message.attributesLength == 88)
            #expect(
                message.attributes.map(\.type) == [
                    .software, .priority, .iceControlled, .username, .messageIntegrity, .fingerprint,
                ])
            #expect(try message.string(.software) == "STUN test client")
            #expect(try message.priority == 0x6e00_01ff)
            #expect(try message.iceControlled == 0x932f_f9b1_5126_3b36)
            #expect(try message.iceControlling == nil)
            #expect(try message.useCandidate == false)
            #expect(try message.string(.username) == "evtj:h6vY")
            #expect(message.messageIntegrityOffset == 20 + 20 + 8 + 12 + 16)
            #expect(message.fingerprintOffset == 20 + 20 + 8 + 12 + 16 + 24)
            #expect(message.fingerprintIsValid == true)
            #expect(try message.verifyIntegrity(.hmacSHA1, key: shortTermKey))
            #expect(message.integrityInput(.hmacSHA256) == nil)
        }
    }

    @Test func sampleRequestRebuilds() throws {
        // RFC 5769 pads USERNAME with spaces; the builder's padding byte reproduces that.
        let rebuilt = try buildMessage(.bindingRequest, rfc5769TransactionID, paddingByte: 0x20) { builder in
            try builder.appendText(.software, "STUN test client")
            try builder.appendPriority(0x6e00_01ff)
            try builder.appendICEControlled(tieBreaker: 0x932f_f9b1_5126_3b36)
            try builder.appendText(.username, "evtj:h6vY")
            try builder.appendIntegrity(.hmacSHA1, key: shortTermKey)
            try builder.appendFingerprint()
        }
        #expect(rebuilt == rfc5769Request)
    }

    @Test func ipv4ResponseFields() throws {
        try withMessage(rfc5769IPv4Response) { message throws in
            #expect(message.type == .bindingSuccess)
            #expect(message.type.rawValue == 0x0101)
            #expect(message.transactionID == rfc5769TransactionID)
            #expect(message.attributes.map(\.type) == [.software, .xorMappedAddress, .messageIntegrity, .fingerprint])
            #expect(try message.string(.software) == "test vector")
            let address = try #require(try message.xorAddress())
            #expect(address == STUNTransportAddress(ip: .v4(0xC000_0201), port: rfc5769Port))
            #expect(address.description == "192.0.2.1:32853")
            #expect(try message.mappedAddress == nil)
            #expect(message.fingerprintIsValid == true)
            #expect(try message.verifyIntegrity(.hmacSHA1, key: shortTermKey))
        }
    }

    @Test func ipv4ResponseRebuilds() throws {
        let rebuilt = try buildMessage(.bindingSuccess, rfc5769TransactionID, paddingByte: 0x20) { builder in
            try builder.appendText(.software, "test vector")
            try builder.appendXORAddress(STUNTransportAddress(ip: .v4(0xC000_0201), port: rfc5769Port))
            try builder.appendIntegrity(.hmacSHA1, key: shortTermKey)
            try builder.appendFingerprint()
        }
        #expect(rebuilt == rfc5769IPv4Response)
    }

    static let ipv6Mapped = STUNTransportAddress(
        ip: .v6(high: 0x2001_0db8_1234_5678, low: 0x0011_2233_4455_6677), port: rfc5769Port)

    @Test func ipv6ResponseFields() throws {
        try withMessage(rfc5769IPv6Response) { message throws in
            #expect(message.type == .bindingSuccess)
            #expect(message.transactionID == rfc5769TransactionID)
            #expect(message.attributes.map(\.type) == [.software, .xorMappedAddress, .messageIntegrity, .fingerprint])
            #expect(try message.string(.software) == "test vector")
            let address = try #require(try message.xorAddress())
            #expect(address == Self.ipv6Mapped)
            #expect(address.description == "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
            #expect(message.fingerprintIsValid == true)
            #expect(try message.verifyIntegrity(.hmacSHA1, key: shortTermKey))
        }
    }

    @Test func ipv6ResponseRebuilds() throws {
        let rebuilt = try buildMessage(.bindingSuccess, rfc5769TransactionID, paddingByte: 0x20) { builder in
            try builder.appendText(.software, "test vector")
            try builder.appendXORAddress(Self.ipv6Mapped)
            try builder.appendIntegrity(.hmacSHA1, key: shortTermKey)
            try builder.appendFingerprint()
        }
        #expect(rebuilt == rfc5769IPv6Response)
    }

    @Test func longTermRequestFields() throws {
        // RFC 8489 §9.2.2: key = MD5(username ":" realm ":" password), password after SASLprep.
        let key = try STUNIntegrityKey.longTerm(
            username: rfc5769LongTermUsername, realm: "example.org", password: "TheMatrIX")
        #expect(key.bytes.count == 16)
        try withMessage(rfc5769LongTermRequest) { message throws in
            #expect(message.type == .bindingRequest)
            #expect(message.transactionID == rfc5769LongTermTransactionID)
            #expect(message.attributes.map(\.type) == [.username, .nonce, .realm, .messageIntegrity])
            #expect(try message.string(.username) == rfc5769LongTermUsername)
            #expect(try message.string(.nonce) == "f//499k954d6OL34oL9FSTvy64sA")
            #expect(try message.string(.realm) == "example.org")
            #expect(message.fingerprintIsValid == nil)
            #expect(try message.verifyIntegrity(.hmacSHA1, key: key))
            // The password before SASLprep gives another key, which must not verify.
            let unprepared = try STUNIntegrityKey.longTerm(
                username: rfc5769LongTermUsername, realm: "example.org", password: "The\u{00AD}M\u{00AA}tr\u{2168}")
            #expect(try !message.verifyIntegrity(.hmacSHA1, key: unprepared))
        }
    }

    @Test func longTermRequestRebuilds() throws {
        let key = try STUNIntegrityKey.longTerm(
            username: rfc5769LongTermUsername, realm: "example.org", password: "TheMatrIX")
        let rebuilt = try buildMessage(.bindingRequest, rfc5769LongTermTransactionID) { builder in
            try builder.appendText(.username, rfc5769LongTermUsername)
            try builder.appendText(.nonce, "f//499k954d6OL34oL9FSTvy64sA")
            try builder.appendText(.realm, "example.org")
            try builder.appendIntegrity(.hmacSHA1, key: key)
        }
        #expect(rebuilt == rfc5769LongTermRequest)
    }

    @Test func wrongPasswordFailsIntegrity() throws {
        let wrong = STUNIntegrityKey.shortTerm(password: "VOkJxbRl1RmTxUk/WvJxBu")
        for vector in [rfc5769Request, rfc5769IPv4Response, rfc5769IPv6Response] {
            try withMessage(vector) { message throws in
                #expect(try !message.verifyIntegrity(.hmacSHA1, key: wrong))
            }
        }
    }
}
