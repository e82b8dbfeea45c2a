import COpenSSL

/// AES-128 in counter mode (RFC 3711 §4.1.1) over one `EVP_CIPHER_CTX` keyed once: per packet
/// only a new IV goes in (`EVP_EncryptInit_ex` with no cipher and no key keeps the key schedule),
/// so nothing is allocated.
///
/// OpenSSL's CTR increments all 128 bits of the IV, RFC 3711 only the low 16; they agree because
/// an SRTP packet is far shorter than 2¹⁶ blocks and the IV's two low octets start at zero.
final class AESCTRCipher {
    /// RFC 3711 §4.1.1: the counter block is 128 bits.
    static let ivLength = 16

    private let context: OpaquePointer

    /// A context keyed with the 16-byte session `key`.
    init(key: [UInt8]) throws(SRTPError) {
        guard key.count == 16 else { throw .badParameter }
        guard let context = EVP_CIPHER_CTX_new() else { throw .allocationFailed }
        self.context = context
        guard EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key, nil) == 1 else {
            _ = OpenSSLError.capture("EVP_EncryptInit_ex(aes-128-ctr)")
            throw .initFailed
        }
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// XORs `data` in place with the keystream that starts at counter block `iv` (16 bytes).
    /// Encryption and decryption are the same operation.
    func apply(iv: UnsafeRawPointer, to data: UnsafeMutableRawBufferPointer) throws(SRTPError) {
        guard let base = data.baseAddress, data.count > 0 else { return }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var written: Int32 = 0
        guard EVP_EncryptInit_ex(context, nil, nil, nil, iv.assumingMemoryBound(to: UInt8.self)) == 1,
            EVP_EncryptUpdate(context, bytes, &written, bytes, Int32(data.count)) == 1,
            written == Int32(data.count)
        else {
            _ = OpenSSLError.capture("AES-128-CTR")
            throw .cipherFail
        }
    }
}
