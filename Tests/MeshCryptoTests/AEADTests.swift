import Testing

@testable import MeshCrypto

/// The sealing primitives behind relay-link key transport: HKDF-SHA256 (RFC 5869) and
/// AEAD_AES_256_GCM (RFC 5116 §5.2) with the nonce in front of the box.
@Suite struct AEADTests {
    // RFC 5869 Appendix A.1 (Test Case 1): basic test case with SHA-256.
    @Test func rfc5869TestCase1() throws {
        let inputKey = [UInt8](repeating: 0x0b, count: 22)
        let salt = hex("000102030405060708090a0b0c")
        let info = hex("f0f1f2f3f4f5f6f7f8f9")
        #expect(
            try HKDF.extract(salt: salt, inputKey: inputKey)
                == hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"))
        #expect(
            try HKDF.sha256(inputKey: inputKey, salt: salt, info: info, length: 42)
                == hex(
                    """
                    3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf
                    34007208d5b887185865
                    """))
    }

    // RFC 5869 Appendix A.2 (Test Case 2): longer inputs and outputs (three HMAC blocks).
    @Test func rfc5869TestCase2() throws {
        let inputKey = Array(UInt8(0x00)...UInt8(0x4f))
        let salt = Array(UInt8(0x60)...UInt8(0xaf))
        let info = Array(UInt8(0xb0)...UInt8(0xff))
        #expect(
            try HKDF.sha256(inputKey: inputKey, salt: salt, info: info, length: 82)
                == hex(
                    """
                    b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c
                    59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71
                    cc30c58179ec3e87c14c01d5c1f3434f1d87
                    """))
    }

    // RFC 5869 Appendix A.3 (Test Case 3): zero-length salt and info; the salt becomes
    // HashLen zeros (§2.2).
    @Test func rfc5869TestCase3() throws {
        let inputKey = [UInt8](repeating: 0x0b, count: 22)
        #expect(
            try HKDF.extract(salt: [], inputKey: inputKey)
                == hex("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04"))
        #expect(
            try HKDF.sha256(inputKey: inputKey, salt: [], info: [], length: 42)
                == hex(
                    """
                    8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d
                    9d201395faa4b61a96c8
                    """))
    }

    // RFC 5116 §5.2 defers to the GCM specification (McGrew & Viega, "The Galois/Counter
    // Mode of Operation", test case 16: 256-bit key, 96-bit IV, 60-byte plaintext, 20-byte AAD).
    static let gcmKey = hex("feffe9928665731c6d6a8f9467308308 feffe9928665731c6d6a8f9467308308")
    static let gcmNonce = hex("cafebabefacedbaddecaf888")
    static let gcmPlaintext = hex(
        """
        d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
        1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39
        """)
    static let gcmAAD = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
    static let gcmCiphertext = hex(
        """
        522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
        8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662
        """)
    static let gcmTag = hex("76fc6ece0f4e1768cddf8853bb2d551b")

    @Test func gcmTestCase16SealsAndOpens() throws {
        let key = try AES256GCMKey(bytes: Self.gcmKey)
        let box = try key.seal(Self.gcmPlaintext, associatedData: Self.gcmAAD, nonce: Self.gcmNonce)
        #expect(box.ciphertext == Self.gcmCiphertext)
        #expect(box.tag == Self.gcmTag)
        #expect(box.combined == Self.gcmNonce + Self.gcmCiphertext + Self.gcmTag)
        let parsed = try SealedBox(combined: box.combined)
        #expect(try key.open(parsed, associatedData: Self.gcmAAD) == Self.gcmPlaintext)
    }

    @Test func randomNoncesDifferAndRoundTrip() throws {
        let key = try AES256GCMKey(bytes: Self.gcmKey)
        let first = try key.seal([1, 2, 3], associatedData: [9])
        let second = try key.seal([1, 2, 3], associatedData: [9])
        #expect(first.nonce != second.nonce)
        #expect(first.ciphertext != second.ciphertext)
        #expect(try key.open(first, associatedData: [9]) == [1, 2, 3])
        #expect(try key.open(second, associatedData: [9]) == [1, 2, 3])
        #expect(try key.open(key.seal([], associatedData: []), associatedData: []) == [])
    }

    // RFC 5116 §2.2: decryption returns FAIL unless nonce, ciphertext, tag, associated data and
    // key are all the ones sealed; every flipped bit anywhere in the box must be caught.
    @Test func everyFlippedByteIsRefused() throws {
        let key = try AES256GCMKey(bytes: Self.gcmKey)
        let combined = try key.seal(Self.gcmPlaintext, associatedData: Self.gcmAAD).combined
        for index in combined.indices {
            var tampered = combined
            tampered[index] ^= 0x01
            #expect(throws: AEADError.authenticationFailed) {
                try key.open(SealedBox(combined: tampered), associatedData: Self.gcmAAD)
            }
        }
    }

    @Test func wrongAssociatedDataOrKeyIsRefused() throws {
        let key = try AES256GCMKey(bytes: Self.gcmKey)
        let box = try key.seal(Self.gcmPlaintext, associatedData: Self.gcmAAD)
        #expect(throws: AEADError.authenticationFailed) {
            try key.open(box, associatedData: Self.gcmAAD + [0])
        }
        #expect(throws: AEADError.authenticationFailed) { try key.open(box, associatedData: []) }
        let other = try AES256GCMKey(bytes: [UInt8](repeating: 7, count: 32))
        #expect(throws: AEADError.authenticationFailed) { try other.open(box, associatedData: Self.gcmAAD) }
    }

    @Test func shortBoxesAndKeysAreMalformedNotTraps() {
        for length in 0..<(SealedBox.nonceLength + SealedBox.tagLength) {
            #expect(throws: AEADError.self) { try SealedBox(combined: [UInt8](repeating: 0xAA, count: length)) }
        }
        for length in [0, 16, 31, 33] {
            #expect(throws: AEADError.self) { try AES256GCMKey(bytes: [UInt8](repeating: 1, count: length)) }
        }
    }

    // The parser path the network reaches: any byte string is either a box that fails to
    // open, or malformed; never a trap (the libFuzzer target FuzzSealedBox runs the same loop).
    @Test func arbitraryBytesAreRefusedWithAnError() throws {
        let key = try AES256GCMKey(bytes: Self.gcmKey)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2000 {
            let length = round % 200
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(throws: AEADError.self) {
                try key.open(SealedBox(combined: bytes), associatedData: Self.gcmAAD)
            }
        }
    }
}
