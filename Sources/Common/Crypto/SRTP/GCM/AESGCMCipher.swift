import COpenSSL

/// One AES-128-GCM key with its OpenSSL context, reused for every packet.
///
/// The key schedule is set once at init (`EVP_EncryptInit_ex` with the cipher and key); each
/// packet then only sets the 96-bit IV, feeds the AAD and the data in place and gets or checks
/// the 16-byte tag, none of which allocates. Not thread safe: one worker owns it.
final class AESGCMCipher {
    /// RFC 7714 §7: the tag is 16 octets.
    static let tagLength = 16
    /// RFC 7714 §8.1 and §9.1: the IV is 12 octets (GCM's native nonce length).
    static let ivLength = 12

    private let context: OpaquePointer
    private let encrypting: Bool

    /// A context keyed with the 16-byte `key`, for sealing (`encrypting`) or opening.
    init(key: [UInt8], encrypting: Bool) throws(SRTPError) {
        guard key.count == 16 else { throw .badParameter }
        guard let context = EVP_CIPHER_CTX_new() else { throw .allocationFailed }
        self.context = context
        self.encrypting = encrypting
        let status =
            encrypting
            ? EVP_EncryptInit_ex(context, EVP_aes_128_gcm(), nil, key, nil)
            : EVP_DecryptInit_ex(context, EVP_aes_128_gcm(), nil, key, nil)
        guard status == 1 else {
            _ = OpenSSLError.capture("EVP_CipherInit_ex(aes-128-gcm)")
            throw .initFailed
        }
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Encrypts `data` in place under `iv`, authenticating `aad`, then `secondAAD`, then `data`,
    /// and writes the tag to `tag` (16 bytes). The AAD comes in two parts because SRTCP's
    /// trails the packet (RFC 7714 §9.2).
    func seal(
        iv: UnsafeRawPointer, aad: UnsafeRawBufferPointer, secondAAD: UnsafeRawBufferPointer,
        data: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawPointer
    ) throws(SRTPError) {
        var written: Int32 = 0
        guard EVP_EncryptInit_ex(context, nil, nil, nil, iv.assumingMemoryBound(to: UInt8.self)) == 1,
            feed(aad, &written),
            feed(secondAAD, &written),
            update(data, &written),
            EVP_EncryptFinal_ex(context, tag.assumingMemoryBound(to: UInt8.self), &written) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(Self.tagLength), tag) == 1
        else {
            _ = OpenSSLError.capture("AES-128-GCM seal")
            throw .cipherFail
        }
    }

    /// Decrypts `data` in place under `iv` and checks `tag` over `aad`, `secondAAD` and `data`;
    /// throws ``SRTPError/authFail`` when it does not verify (the data is then garbage).
    func open(
        iv: UnsafeRawPointer, aad: UnsafeRawBufferPointer, secondAAD: UnsafeRawBufferPointer,
        data: UnsafeMutableRawBufferPointer, tag: UnsafeRawPointer
    ) throws(SRTPError) {
        var written: Int32 = 0
        guard EVP_DecryptInit_ex(context, nil, nil, nil, iv.assumingMemoryBound(to: UInt8.self)) == 1,
            feed(aad, &written),
            feed(secondAAD, &written),
            update(data, &written),
            // OpenSSL only reads the expected tag; the parameter is not const in its prototype.
            EVP_CIPHER_CTX_ctrl(
                context, EVP_CTRL_AEAD_SET_TAG, Int32(Self.tagLength), UnsafeMutableRawPointer(mutating: tag))
                == 1
        else {
            _ = OpenSSLError.capture("AES-128-GCM open")
            throw .cipherFail
        }
        // GCM's final step writes no bytes; the scratch pointer only has to be valid.
        var scratch: UInt8 = 0
        guard EVP_DecryptFinal_ex(context, &scratch, &written) == 1 else {
            ERR_clear_error()  // a tag mismatch is an expected outcome, not a library fault
            throw .authFail
        }
    }

    /// Passes additional authenticated data (GCM's AAD: a NULL output pointer).
    private func feed(_ aad: UnsafeRawBufferPointer, _ written: inout Int32) -> Bool {
        guard let base = aad.baseAddress, aad.count > 0 else { return true }
        return cipherUpdate(nil, base.assumingMemoryBound(to: UInt8.self), Int32(aad.count), &written)
    }

    /// Transforms `data` in place (GCM is a stream mode: output length equals input length).
    private func update(_ data: UnsafeMutableRawBufferPointer, _ written: inout Int32) -> Bool {
        guard let base = data.baseAddress, data.count > 0 else { return true }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        return cipherUpdate(bytes, bytes, Int32(data.count), &written) && written == Int32(data.count)
    }

    private func cipherUpdate(
        _ output: UnsafeMutablePointer<UInt8>?, _ input: UnsafePointer<UInt8>, _ count: Int32, _ written: inout Int32
    ) -> Bool {
        encrypting
            ? EVP_EncryptUpdate(context, output, &written, input, count) == 1
            : EVP_DecryptUpdate(context, output, &written, input, count) == 1
    }
}
