/// Why a sealed box was not opened. The three cases are kept apart so that callers can say
/// "not a box at all" (a parser error) apart from "a box, but not for us" (an authentication
/// failure): the first is a bug or garbage, the second a moved or forged box.
public enum AEADError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes cannot be a sealed box (too short, wrong key length): nothing was decrypted.
    case malformed(String)
    /// The tag did not verify: another key, other associated data, or changed bytes (RFC 5116 §2.2).
    case authenticationFailed
    /// OpenSSL failed for another reason; the sentence comes from ``OpenSSLError``.
    case library(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "not a sealed box: \(reason)"
        case .authenticationFailed: "the sealed box does not open with this key and context"
        case .library(let reason): reason
        }
    }
}
