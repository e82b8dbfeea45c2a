import COpenSSL
import MeshCrypto

/// An independent, slow, test-only model of the SRTP transforms, written from the RFC text on
/// top of raw AES (OpenSSL EVP), so libsrtp's output can be checked against something that
/// is not libsrtp. It only handles 12-byte RTP headers (no CSRCs or extensions) and ROC 0.
enum SRTPReference {
    /// One AES-128 block encryption.
    static func aesBlock(key: [UInt8], _ block: [UInt8]) -> [UInt8] {
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: 32)
        var length: Int32 = 0
        precondition(EVP_EncryptInit_ex(context, EVP_aes_128_ecb(), nil, key, nil) == 1)
        EVP_CIPHER_CTX_set_padding(context, 0)
        precondition(EVP_EncryptUpdate(context, &output, &length, block, 16) == 1)
        return Array(output.prefix(16))
    }

    /// AES in counter mode as RFC 3711 §4.1.1 defines it: block i encrypts IV + i.
    static func keystream(key: [UInt8], iv: [UInt8], count: Int) -> [UInt8] {
        var stream: [UInt8] = []
        var counter = 0
        while stream.count < count {
            var block = iv
            let low = (Int(block[14]) << 8 | Int(block[15])) + counter
            block[14] = UInt8(truncatingIfNeeded: low >> 8)
            block[15] = UInt8(truncatingIfNeeded: low)
            stream += aesBlock(key: key, block)
            counter += 1
        }
        return Array(stream.prefix(count))
    }

    /// RFC 3711 §4.3.1 key derivation with key_derivation_rate 0: x = label at octet 7 of the
    /// 112-bit master salt (RFC 7714 §11: the 96-bit GCM salt is padded with zeros to 112 bits),
    /// then AES-CM keystream under the master key from IV = x · 2^16.
    static func derive(masterKey: [UInt8], masterSalt: [UInt8], label: UInt8, count: Int) -> [UInt8] {
        var x = masterSalt + [UInt8](repeating: 0, count: 14 - masterSalt.count)
        x[7] ^= label
        return keystream(key: masterKey, iv: x + [0, 0], count: count)
    }

    /// AES-128-GCM seal: ciphertext followed by the 16-byte tag.
    static func gcmSeal(key: [UInt8], iv: [UInt8], aad: [UInt8], plaintext: [UInt8]) -> [UInt8] {
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        var length: Int32 = 0
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: 16)
        precondition(EVP_EncryptInit_ex(context, EVP_aes_128_gcm(), nil, key, iv) == 1)  // 96-bit IV is GCM's default
        precondition(EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1)
        precondition(EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1)
        // GCM is a stream mode: Final emits no bytes, it only computes the tag.
        var rest = [UInt8](repeating: 0, count: 16)
        var restLength: Int32 = 0
        precondition(EVP_EncryptFinal_ex(context, &rest, &restLength) == 1 && restLength == 0)
        precondition(EVP_CIPHER_CTX_ctrl(context, 0x10 /* EVP_CTRL_GCM_GET_TAG */, 16, &tag) == 1)
        return Array(ciphertext.prefix(Int(length))) + tag
    }

    /// RFC 7714 §8.1 and §7: IV = (0x0000 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt, AAD = the RTP header.
    static func gcmProtectRTP(key: [UInt8], salt: [UInt8], packet: [UInt8]) -> [UInt8] {
        let header = Array(packet[0..<12])
        let iv = zip([0, 0] + packet[8..<12] + [0, 0, 0, 0] + packet[2..<4], salt).map { $0 ^ $1 }
        return header + gcmSeal(key: key, iv: iv, aad: header, plaintext: Array(packet[12...]))
    }

    /// RFC 7714 §9.1 and §9.2: IV = (0x0000 ‖ SSRC ‖ 0x0000 ‖ 0 ‖ index) XOR salt,
    /// AAD = the first 8 RTCP octets ‖ E ‖ index; the E ‖ index word trails the tag.
    static func gcmProtectRTCP(key: [UInt8], salt: [UInt8], packet: [UInt8], index: UInt32) -> [UInt8] {
        let indexBytes = bigEndian(index)
        let trailer = bigEndian(0x8000_0000 | index)
        let iv = zip([0, 0] + packet[4..<8] + [0, 0] + indexBytes, salt).map { $0 ^ $1 }
        let header = Array(packet[0..<8])
        return header + gcmSeal(key: key, iv: iv, aad: header + trailer, plaintext: Array(packet[8...])) + trailer
    }

    /// RFC 3711 §4.1.1, §4.2 and §3.1: IV = salt·2^16 XOR SSRC·2^64 XOR index·2^16, then the
    /// 80-bit HMAC-SHA1 of the encrypted packet followed by the ROC.
    static func aesCMProtectRTP(key: [UInt8], salt: [UInt8], authKey: [UInt8], packet: [UInt8]) throws -> [UInt8] {
        var iv = salt + [0, 0]
        for i in 0..<4 { iv[4 + i] ^= packet[8 + i] }  // SSRC
        iv[12] ^= packet[2]  // index = ROC(0) ‖ SEQ, shifted left 16 bits
        iv[13] ^= packet[3]
        let payload = Array(packet[12...])
        let stream = keystream(key: key, iv: iv, count: payload.count)
        let encrypted = Array(packet[0..<12]) + zip(payload, stream).map { $0 ^ $1 }
        let tag = try Digest.hmac(.sha1, key: authKey, message: encrypted + [0, 0, 0, 0])
        return encrypted + tag.prefix(10)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
