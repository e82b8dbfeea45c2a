/// The stream names the HTTP side accepts: 1 to 128 of `A-Z a-z 0-9 . _ ~ -` (RFC 3986's
/// unreserved set), so that a name is safe in a path, a `Location` header, a log line and a
/// Redis key without escaping. `*` stays a token wildcard and is no stream's name.
enum StreamName {
    static let maximumLength = 128

    static func isValid(_ name: String) -> Bool {
        (1...maximumLength).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
                    UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }

    static let rule = "a stream name is 1 to 128 characters of A-Z a-z 0-9 . _ ~ -"
}
