import MeshCrypto
import MeshWire

// Shared by the STUN tests: small conveniences over byte arrays.

/// Parses `bytes` and hands the view to `body` while the bytes are pinned.
@discardableResult func withMessage<Result>(_ bytes: [UInt8], _ body: (STUNMessage) throws -> Result) throws -> Result {
    try bytes.withUnsafeBytes { raw in try body(try STUNMessage(parsing: raw)) }
}

/// The parse error for `bytes`, or `nil` when they parse.
func parseError(_ bytes: [UInt8]) -> STUNError? {
    bytes.withUnsafeBytes { raw in
        do throws(STUNError) {
            _ = try STUNMessage(parsing: raw)
            return nil
        } catch {
            return error
        }
    }
}

/// Builds a message into a fresh 1500-byte buffer and returns exactly the bytes written.
func buildMessage(
    _ type: STUNMessageType, _ transactionID: STUNTransactionID, paddingByte: UInt8 = 0,
    _ body: (inout STUNMessageBuilder) throws -> Void
) throws -> [UInt8] {
    var storage = [UInt8](repeating: 0xEE, count: 1500)
    let count = try storage.withUnsafeMutableBytes { buffer in
        var builder = try STUNMessageBuilder(into: buffer, type: type, transactionID: transactionID)
        builder.paddingByte = paddingByte
        try body(&builder)
        return builder.count
    }
    return Array(storage[..<count])
}

/// Bytes of `buffer` as an array, for comparisons.
func array(_ buffer: UnsafeRawBufferPointer?) -> [UInt8]? { buffer.map { Array($0) } }
