/// An ICE username fragment and password pair (RFC 8445 §5.3, RFC 8839 §5.4).
///
/// Each side of a session has one pair per ICE generation; the SDP carries it in
/// `a=ice-ufrag` and `a=ice-pwd`. Connectivity checks are signed with the password of the
/// agent that receives them (RFC 8445 §7.2.2).
public struct ICECredentials: Sendable, Hashable, CustomStringConvertible {
    /// The username fragment (`a=ice-ufrag`).
    public let ufrag: String
    /// The password (`a=ice-pwd`).
    public let password: String

    /// A pair from SDP values, taken as given.
    public init(ufrag: String, password: String) {
        self.ufrag = ufrag
        self.password = password
    }

    /// The characters RFC 8839 §5.4 allows (`ice-char = ALPHA / DIGIT / "+" / "/"`).
    static let iceCharacters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    /// Length of generated ufrags: RFC 8839 §5.4 asks for at least 4 characters; 8 gives
    /// 48 bits, enough to look sessions up by ufrag on a shared port without collisions.
    public static let generatedUfragLength = 8
    /// Length of generated passwords: RFC 8839 §5.4 asks for at least 22 characters
    /// (128 bits); 24 gives 144.
    public static let generatedPasswordLength = 24

    /// A fresh pair drawn from the system's cryptographically secure generator.
    public static func generate() -> ICECredentials {
        var generator = SystemRandomNumberGenerator()
        return ICECredentials(
            ufrag: randomICEString(length: generatedUfragLength, using: &generator),
            password: randomICEString(length: generatedPasswordLength, using: &generator))
    }

    /// Whether `text` is 4 to 256 `ice-char`s, the grammar of `a=ice-ufrag` (RFC 8839 §5.4);
    /// passwords use the same characters with 22 to 256 of them.
    public static func isValidUfrag(_ text: String) -> Bool {
        (4...256).contains(text.utf8.count) && text.allSatisfy { iceCharacters.contains($0) }
    }

    /// Whether `text` is 22 to 256 `ice-char`s, the grammar of `a=ice-pwd` (RFC 8839 §5.4).
    public static func isValidPassword(_ text: String) -> Bool {
        (22...256).contains(text.utf8.count) && text.allSatisfy { iceCharacters.contains($0) }
    }

    /// Shows the ufrag only: the password is a secret.
    public var description: String { "ICECredentials(ufrag: \(ufrag))" }

    private static func randomICEString(length: Int, using generator: inout SystemRandomNumberGenerator) -> String {
        // 64 characters, so a uniform index needs no rejection sampling.
        String((0..<length).map { _ in iceCharacters[Int(generator.next(upperBound: UInt8(iceCharacters.count)))] })
    }
}
