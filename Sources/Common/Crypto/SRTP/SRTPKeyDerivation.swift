import COpenSSL

/// The RFC 3711 §4.3 key derivation: session keys and salts from a master key and salt.
///
/// Runs once per context at set-up, so it may allocate. With `key_derivation_rate` 0 (the only
/// rate DTLS-SRTP uses, RFC 5764 §4.1.2), r = 0 and the PRF input is x = label ‖ 0⁴⁸ XOR the
/// master salt (§4.3.1); the PRF is AES-CM under the master key from IV = x · 2¹⁶ (§4.3.3).
enum SRTPKeyDerivation {
    /// RFC 3711 §4.3.2 labels.
    enum Label: UInt8 {
        case rtpEncryption = 0x00
        case rtpAuthentication = 0x01
        case rtpSalt = 0x02
        case rtcpEncryption = 0x03
        case rtcpAuthentication = 0x04
        case rtcpSalt = 0x05
    }

    /// `count` bytes of the PRF output for `label`.
    ///
    /// The master salt is treated as 112 bits; RFC 7714 §11 pads its 96-bit salt with zeros on
    /// the right to that length.
    static func derive(masterKey: [UInt8], masterSalt: [UInt8], label: Label, count: Int) throws(SRTPError) -> [UInt8] {
        guard masterKey.count == 16, masterSalt.count <= 14 else { throw .badParameter }
        // IV = (master salt padded to 14 bytes, label XORed into octet 7) ‖ 0x0000.
        var iv = masterSalt + [UInt8](repeating: 0, count: 16 - masterSalt.count)
        iv[7] ^= label.rawValue
        guard let context = EVP_CIPHER_CTX_new() else { throw .allocationFailed }
        defer { EVP_CIPHER_CTX_free(context) }
        // Encrypting zeros in counter mode yields the keystream itself.
        let zeros = [UInt8](repeating: 0, count: count)
        var output = [UInt8](repeating: 0, count: count + 16)
        var written: Int32 = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, masterKey, iv) == 1,
            EVP_EncryptUpdate(context, &output, &written, zeros, Int32(count)) == 1,
            written == Int32(count)
        else {
            _ = OpenSSLError.capture("EVP_EncryptUpdate(aes-128-ctr)")
            throw .cipherFail
        }
        return Array(output.prefix(count))
    }
}
