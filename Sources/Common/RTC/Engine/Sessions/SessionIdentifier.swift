/// Session ids: 128 random bits in hex, unguessable because they name a resource that can be
/// deleted or patched. Not the only guard: the engine also checks the stream and role in the
/// request's path (``SessionAddress``), and `/v1/streams` never lists ids.
enum SessionIdentifier {
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
