/// One named token key: the `kid` (RFC 7515 §4.1.4) a token's header carries and its secret.
public struct TokenKey: Sendable, Equatable {
    /// The key id: 1 to 64 of `A-Z a-z 0-9 . _ -`.
    public var id: String
    /// The HS256 secret, at least ``TokenKeyRing/minimumSecretBytes`` bytes.
    public var secret: [UInt8]

    /// Creates a key.
    public init(id: String, secret: [UInt8]) {
        self.id = id
        self.secret = secret
    }
}

/// The keys stream tokens may be signed with. Tokens without a `kid` are checked against the
/// primary secret (the topology's token secret variable, `MESHCAST_SECRET` by default), as every
/// token was before keys had ids; tokens with a `kid` against the named key of
/// ``environmentVariable`` (`kid1:secret1,kid2:secret2`, newest first). The first named key
/// signs new tokens. Rotating: add the new key first, restart the nodes, mint with it; remove the
/// old key once its tokens have expired or should stop working, and restart again.
public struct TokenKeyRing: Sendable, Equatable {
    /// The environment variable holding the named keys.
    public static let environmentVariable = "MESHCAST_TOKEN_KEYS"
    /// The shortest secret accepted.
    public static let minimumSecretBytes = 16

    /// The secret of tokens that carry no `kid`.
    public var primary: [UInt8]
    /// The named keys, newest (the signing key) first.
    public var keys: [TokenKey]

    /// A ring with the primary secret and `keys`.
    public init(primary: [UInt8], keys: [TokenKey] = []) {
        self.primary = primary
        self.keys = keys
    }

    /// The key new tokens are signed with, if there is a named one.
    public var signingKey: TokenKey? { keys.first }

    /// The secret a token whose header names `kid` (or none) is checked against.
    public func secret(for kid: String?) throws(TokenError) -> [UInt8] {
        guard let kid else { return primary }
        guard let key = keys.first(where: { $0.id == kid }) else {
            // The header is the client's text: echo a little of it.
            throw .unknownKey(String(kid.prefix(64)))
        }
        return key.secret
    }

    /// Parses ``environmentVariable``'s value: comma-separated `kid:secret` pairs (a secret may
    /// contain `:` but not `,`); empty entries are skipped.
    public static func parse(_ text: String) throws(TokenKeyRingError) -> [TokenKey] {
        var keys: [TokenKey] = []
        for entry in text.split(separator: ",") {
            let trimmed = entry.trimmingWhitespace()
            guard !trimmed.isEmpty else { continue }
            guard let colon = trimmed.firstIndex(of: ":") else { throw .missingID(position: keys.count + 1) }
            let id = String(trimmed[..<colon])
            let secret = Array(trimmed[trimmed.index(after: colon)...].utf8)
            guard isValidID(id) else { throw .badID(String(id.prefix(64))) }
            guard secret.count >= minimumSecretBytes else { throw .weakSecret(id) }
            guard !keys.contains(where: { $0.id == id }) else { throw .duplicateID(id) }
            keys.append(TokenKey(id: id, secret: secret))
        }
        return keys
    }

    /// 1 to 64 of `A-Z a-z 0-9 . _ -`, so that a kid is safe in a header, a log line and Redis.
    public static func isValidID(_ id: some StringProtocol) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }
}

/// Why ``TokenKeyRing/environmentVariable`` cannot be read; each names the entry.
public enum TokenKeyRingError: Error, Equatable, CustomStringConvertible {
    /// An entry without `kid:`.
    case missingID(position: Int)
    /// A kid outside `A-Z a-z 0-9 . _ -` or longer than 64.
    case badID(String)
    /// A secret shorter than 16 bytes.
    case weakSecret(String)
    /// Two keys with one id.
    case duplicateID(String)

    /// A sentence naming the variable and the entry.
    public var description: String {
        let name = TokenKeyRing.environmentVariable
        return switch self {
        case .missingID(let position): "\(name): entry \(position) is not kid:secret"
        case .badID(let id): "\(name): key id '\(id)' must be 1 to 64 of A-Z a-z 0-9 . _ -"
        case .weakSecret(let id):
            "\(name): the secret of key '\(id)' is shorter than \(TokenKeyRing.minimumSecretBytes) bytes"
        case .duplicateID(let id): "\(name): key id '\(id)' appears twice"
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
