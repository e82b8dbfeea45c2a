import COpenSSL

/// An `AEAD_AES_256_GCM` key (RFC 5116 §5.2) for sealing small control-plane secrets, such as
/// relay-link master keys on their way between nodes, to a context named by associated data.
///
/// Every seal draws a fresh random 96-bit nonce from OpenSSL's CSPRNG. RFC 5116 §3.2 and
/// NIST SP 800-38D §8.3 bound random nonces to 2^32 seals per key; link set-ups are many
/// orders of magnitude fewer. Each call keys its own `EVP_CIPHER_CTX`: unlike
/// `AESGCMCipher` (SRTP, one context per key on a media worker), this runs a few times per
/// link, where simplicity beats reuse.
public struct AES256GCMKey: Sendable {
    /// RFC 5116 §5.2: `K_LEN` is 32 octets.
    public static let keyLength = 32

    private let key: [UInt8]

    /// A key from exactly 32 bytes (derive them, e.g. with ``HKDF``; never use a password).
    public init(bytes: [UInt8]) throws(AEADError) {
        guard bytes.count == Self.keyLength else {
            throw .malformed("an AES-256-GCM key has \(Self.keyLength) bytes, not \(bytes.count)")
        }
        key = bytes
    }

    /// Seals `plaintext` under a fresh random nonce, authenticating `associatedData` with it.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws(OpenSSLError) -> SealedBox {
        var nonce = [UInt8](repeating: 0, count: SealedBox.nonceLength)
        try OpenSSLError.check(RAND_bytes(&nonce, Int32(nonce.count)), "RAND_bytes")
        return try seal(plaintext, associatedData: associatedData, nonce: nonce)
    }

    /// Seals under a given nonce: for known-answer tests only, since a nonce used twice under
    /// one key gives away the XOR of both plaintexts and the GHASH key.
    func seal(_ plaintext: [UInt8], associatedData: [UInt8], nonce: [UInt8]) throws(OpenSSLError) -> SealedBox {
        precondition(nonce.count == SealedBox.nonceLength, "GCM nonces here are 96 bits")
        let context = try OpenSSLError.check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
        defer { EVP_CIPHER_CTX_free(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: SealedBox.tagLength)
        var written: Int32 = 0
        try OpenSSLError.check(
            EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce), "EVP_EncryptInit_ex(aes-256-gcm)")
        if !associatedData.isEmpty {
            try OpenSSLError.check(
                EVP_EncryptUpdate(context, nil, &written, associatedData, Int32(associatedData.count)),
                "EVP_EncryptUpdate(AAD)")
        }
        if !plaintext.isEmpty {
            try OpenSSLError.check(
                EVP_EncryptUpdate(context, &ciphertext, &written, plaintext, Int32(plaintext.count)),
                "EVP_EncryptUpdate")
        }
        // GCM is a stream mode: Final writes no bytes, but needs a valid pointer.
        var scratch = [UInt8](repeating: 0, count: 16)
        try OpenSSLError.check(EVP_EncryptFinal_ex(context, &scratch, &written), "EVP_EncryptFinal_ex")
        try OpenSSLError.check(
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tag.count), &tag), "EVP_CTRL_AEAD_GET_TAG")
        return SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
    }

    /// The plaintext of `box`, when its tag verifies over `associatedData` and the ciphertext
    /// under this key; otherwise ``AEADError/authenticationFailed`` and no plaintext at all.
    public func open(_ box: SealedBox, associatedData: [UInt8]) throws(AEADError) -> [UInt8] {
        guard box.nonce.count == SealedBox.nonceLength, box.tag.count == SealedBox.tagLength else {
            throw .malformed("nonce or tag of the wrong length")
        }
        let opened: [UInt8]?
        do {
            opened = try decrypt(box, associatedData: associatedData)
        } catch {
            throw .library(error.description)
        }
        guard let opened else { throw .authenticationFailed }
        return opened
    }

    /// The plaintext, or `nil` when the tag does not verify.
    private func decrypt(_ box: SealedBox, associatedData: [UInt8]) throws(OpenSSLError) -> [UInt8]? {
        let context = try OpenSSLError.check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
        defer { EVP_CIPHER_CTX_free(context) }
        var plaintext = [UInt8](repeating: 0, count: box.ciphertext.count)
        var written: Int32 = 0
        try OpenSSLError.check(
            EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, box.nonce), "EVP_DecryptInit_ex(aes-256-gcm)")
        if !associatedData.isEmpty {
            try OpenSSLError.check(
                EVP_DecryptUpdate(context, nil, &written, associatedData, Int32(associatedData.count)),
                "EVP_DecryptUpdate(AAD)")
        }
        if !box.ciphertext.isEmpty {
            try OpenSSLError.check(
                EVP_DecryptUpdate(context, &plaintext, &written, box.ciphertext, Int32(box.ciphertext.count)),
                "EVP_DecryptUpdate")
        }
        var tag = box.tag
        try OpenSSLError.check(
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), &tag), "EVP_CTRL_AEAD_SET_TAG")
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_DecryptFinal_ex(context, &scratch, &written) == 1 else {
            // A tag mismatch is an expected outcome, not a library fault: drain the queue
            // through the funnel so that it cannot leak into the next call, and answer only "no".
            _ = OpenSSLError.capture("EVP_DecryptFinal_ex")
            return nil
        }
        return plaintext
    }
}
