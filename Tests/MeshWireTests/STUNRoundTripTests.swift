import MeshTestSupport
import MeshWire
import Testing

/// Parse → rebuild → parse again, the recipe a libFuzzer round-trip target follows: the
/// second parse must see the same type, transaction ID and honoured attributes.
@Suite struct STUNRoundTripTests {
    /// Rebuilds `message` attribute by attribute. Integrity MACs are copied as carried (they
    /// cover padding, which is rebuilt as zeros, so a copied MAC need not verify);
    /// FINGERPRINT is recomputed, so it is valid whether or not the original's was.
    static func reserialize(_ message: STUNMessage, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var builder = try STUNMessageBuilder(into: buffer, type: message.type, transactionID: message.transactionID)
        for attribute in message.attributes {
            switch attribute.type {
            case .messageIntegrity, .messageIntegritySHA256:
                let algorithm: STUNIntegrityAlgorithm = attribute.type == .messageIntegrity ? .hmacSHA1 : .hmacSHA256
                let slot = try builder.reserveIntegrity(algorithm, length: attribute.value.count)
                slot.mac.copyMemory(from: attribute.value)
            case .fingerprint:
                try builder.appendFingerprint()
            default:
                try builder.append(attribute.type, value: attribute.value)
            }
        }
        return builder.count
    }

    static let vectors = [rfc5769Request, rfc5769IPv4Response, rfc5769IPv6Response, rfc5769LongTermRequest]

    @Test(arguments: vectors)
    func rebuildParsesTheSame(vector: [UInt8]) throws {
        var storage = [UInt8](repeating: 0, count: 1500)
        try vector.withUnsafeBytes { raw in
            let first = try STUNMessage(parsing: raw)
            try storage.withUnsafeMutableBytes { buffer in
                let count = try Self.reserialize(first, into: buffer)
                let second = try STUNMessage(parsing: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                #expect(second.type == first.type)
                #expect(second.transactionID == first.transactionID)
                #expect(second.attributes.map(\.type) == first.attributes.map(\.type))
                // FINGERPRINT is recomputed and covers padding, which the builder writes as zeros.
                let values = { (message: STUNMessage) in
                    message.attributes.filter { $0.type != .fingerprint }.map { Array($0.value) }
                }
                #expect(values(second) == values(first))
                #expect(second.fingerprintIsValid == (first.fingerprintOffset == nil ? nil : true))
                #expect(count == vector.count)
            }
        }
    }
}
