import MeshCrypto
import MeshTestSupport
import MeshWire
import Testing

/// MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT beyond the RFC 5769 vectors: tampering,
/// truncated SHA-256 MACs, ordering rules, and the RFC 8489 Appendix B.1 SHA-256 sample.
@Suite struct STUNIntegrityTests {
    let key = STUNIntegrityKey.shortTerm(password: rfc5769Password)

    /// RFC 8489 §14.5, §14.7: flipping any bit the MAC covers must make MESSAGE-INTEGRITY
    /// fail (or the message fail to parse); flipping any bit at all must break the
    /// FINGERPRINT (or the parse).
    @Test func everyBitFlipIsCaught() throws {
        let vector = rfc5769Request
        let integrityEnd = 20 + 20 + 8 + 12 + 16 + 24  // through MESSAGE-INTEGRITY's value
        var integrityCaught = 0
        var fingerprintCaught = 0
        for bit in 0..<(vector.count * 8) {
            var tampered = vector
            tampered[bit / 8] ^= UInt8(1 << (bit % 8))
            guard parseError(tampered) == nil else {
                if bit / 8 < integrityEnd { integrityCaught += 1 }
                fingerprintCaught += 1
                continue
            }
            try withMessage(tampered) { message throws in
                if bit / 8 < integrityEnd {
                    // A flip may move the integrity attribute out of sight; absent counts as failed.
                    if try !message.verifyIntegrity(.hmacSHA1, key: key) { integrityCaught += 1 }
                }
                if message.fingerprintIsValid != true { fingerprintCaught += 1 }
            }
        }
        #expect(integrityCaught == integrityEnd * 8)
        #expect(fingerprintCaught == vector.count * 8)
    }

    @Test(arguments: [16, 20, 24, 28, 32])
    func sha256RoundTripsAtEveryAllowedLength(length: Int) throws {
        let transactionID = STUNTransactionID.random()
        let bytes = try buildMessage(.bindingRequest, transactionID) { builder in
            try builder.appendText(.username, "alice:bob")
            try builder.appendIntegrity(.hmacSHA256, key: key, length: length)
            try builder.appendFingerprint()
        }
        try withMessage(bytes) { message throws in
            let input = try #require(message.integrityInput(.hmacSHA256))
            #expect(input.mac.count == length)
            #expect(try message.verifyIntegrity(.hmacSHA256, key: key))
            #expect(try !message.verifyIntegrity(.hmacSHA256, key: .shortTerm(password: "other")))
            #expect(try !message.verifyIntegrity(.hmacSHA1, key: key))
            #expect(message.fingerprintIsValid == true)
        }
    }

    /// RFC 8489 §14.6: MESSAGE-INTEGRITY-SHA256 may follow MESSAGE-INTEGRITY, and its MAC
    /// covers the MESSAGE-INTEGRITY attribute; both must verify.
    @Test func bothIntegrityAttributesVerify() throws {
        let bytes = try buildMessage(.bindingRequest, .random()) { builder in
            try builder.appendPriority(1)
            try builder.appendIntegrity(.hmacSHA1, key: key)
            try builder.appendIntegrity(.hmacSHA256, key: key)
            try builder.appendFingerprint()
        }
        try withMessage(bytes) { message throws in
            #expect(
                message.attributes.map(\.type) == [.priority, .messageIntegrity, .messageIntegritySHA256, .fingerprint])
            #expect(try message.verifyIntegrity(.hmacSHA1, key: key))
            #expect(try message.verifyIntegrity(.hmacSHA256, key: key))
            #expect(message.fingerprintIsValid == true)
        }
    }

    /// RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY (other than -SHA256 and
    /// FINGERPRINT) are ignored, so appending one does not change what verifies.
    @Test func attributesAfterIntegrityAreIgnored() throws {
        let bytes = try buildMessage(.bindingRequest, .random()) { builder in
            try builder.appendText(.username, "a:b")
            try builder.appendIntegrity(.hmacSHA1, key: key)
            try builder.appendPriority(7)  // ignored by receivers
            try builder.appendUseCandidate()  // ignored by receivers
            try builder.appendFingerprint()
        }
        try withMessage(bytes) { message throws in
            #expect(message.attributes.map(\.type) == [.username, .messageIntegrity, .fingerprint])
            #expect(try message.priority == nil)
            #expect(try message.useCandidate == false)
            #expect(try message.verifyIntegrity(.hmacSHA1, key: key))
            #expect(message.fingerprintIsValid == true)
        }
    }

    /// RFC 8489 §14.6: after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT counts, even a
    /// MESSAGE-INTEGRITY.
    @Test func onlyFingerprintCountsAfterSHA256() throws {
        let bytes = try buildMessage(.bindingRequest, .random()) { builder in
            try builder.appendIntegrity(.hmacSHA256, key: key)
            try builder.appendIntegrity(.hmacSHA1, key: key)
            try builder.appendFingerprint()
        }
        try withMessage(bytes) { message throws in
            #expect(message.attributes.map(\.type) == [.messageIntegritySHA256, .fingerprint])
            #expect(message.integrityInput(.hmacSHA1) == nil)
            #expect(try message.verifyIntegrity(.hmacSHA256, key: key))
        }
    }

    /// RFC 8489 Appendix B.1: request with USERHASH, PASSWORD-ALGORITHM SHA-256 and
    /// MESSAGE-INTEGRITY-SHA256 under a SHA-256 long-term key.
    @Test func rfc8489AppendixB1() throws {
        let vector: [UInt8] = [
            0x00, 0x01, 0x00, 0x90,  // Binding request, message length 144
            0x21, 0x12, 0xa4, 0x42,  // magic cookie
            0x78, 0xad, 0x34, 0x33,  // }
            0xc6, 0xad, 0x72, 0xc0,  // } transaction ID
            0x29, 0xda, 0x41, 0x2e,  // }
            0x00, 0x1e, 0x00, 0x20,  // USERHASH, length 32
            0x4a, 0x3c, 0xf3, 0x8f, 0xef, 0x69, 0x92, 0xbd,  // }
            0xa9, 0x52, 0xc6, 0x78, 0x04, 0x17, 0xda, 0x0f,  // } SHA-256(username ":" realm)
            0x24, 0x81, 0x94, 0x15, 0x56, 0x9e, 0x60, 0xb2,  // }
            0x05, 0xc4, 0x6e, 0x41, 0x40, 0x7f, 0x17, 0x04,  // }
            0x00, 0x15, 0x00, 0x29,  // NONCE, length 41
            0x6f, 0x62, 0x4d, 0x61, 0x74, 0x4a, 0x6f, 0x73,  // }
            0x32, 0x41, 0x41, 0x41, 0x43, 0x66, 0x2f, 0x2f,  // }
            0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64,  // } "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"
            0x36, 0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39,  // }   then 3 bytes of zero padding
            0x46, 0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73,  // }
            0x41, 0x00, 0x00, 0x00,  // }
            0x00, 0x14, 0x00, 0x0b,  // REALM, length 11
            0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e,  // } "example.org", then 1 byte of padding
            0x6f, 0x72, 0x67, 0x00,  // }
            0x00, 0x1d, 0x00, 0x04,  // PASSWORD-ALGORITHM, length 4
            0x00, 0x02, 0x00, 0x00,  // SHA-256, no parameters
            0x00, 0x1c, 0x00, 0x20,  // MESSAGE-INTEGRITY-SHA256, length 32
            0xb5, 0xc7, 0xbf, 0x00, 0x5b, 0x6c, 0x52, 0xa2,  // }
            0x1c, 0x51, 0xc5, 0xe8, 0x92, 0xf8, 0x19, 0x24,  // } HMAC-SHA256
            0x13, 0x62, 0x96, 0xcb, 0x92, 0x7c, 0x43, 0x14,  // }
            0x93, 0x09, 0x27, 0x8c, 0xc6, 0x51, 0x8e, 0x65,  // }
        ]
        let userHash = try STUNIntegrityKey.userHash(username: rfc5769LongTermUsername, realm: "example.org")
        let key = try STUNIntegrityKey.longTerm(
            username: rfc5769LongTermUsername, realm: "example.org", password: "TheMatrIX", algorithm: .sha256)
        try withMessage(vector) { message throws in
            #expect(
                message.attributes.map(\.type) == [
                    .userHash, .nonce, .realm, .passwordAlgorithm, .messageIntegritySHA256,
                ])
            #expect(array(try message.userHash) == userHash)
            #expect(try message.string(.nonce) == "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA")
            #expect(try message.string(.realm) == "example.org")
            let algorithm = try #require(try message.passwordAlgorithm)
            #expect(algorithm.algorithm == STUNPasswordAlgorithm.sha256)
            #expect(algorithm.parameters.isEmpty)
            #expect(try message.verifyIntegrity(.hmacSHA256, key: key))
        }
    }
}
