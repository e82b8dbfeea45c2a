import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshWire

// Helpers shared by the ICE and peer transport tests: fake loopback addresses (no socket is
// ever opened) and byte-array wrappers around the pointer-based STUN API.

/// A fake peer address on 127.0.0.1.
func loopback(_ port: UInt16) throws -> SocketAddress {
    try SocketAddress(ipv4: "127.0.0.1", port: port)
}

/// A Binding request from `client`, as bytes.
func bindingRequest(_ client: ICEControllingClient, nominate: Bool = true) throws -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 512)
    let length = try bytes.withUnsafeMutableBytes { try client.writeBindingRequest(into: $0, nominate: nominate) }
    return Array(bytes[..<length])
}

/// Runs `agent` on `request`; returns the outcome and the response bytes (empty when none).
func answer(
    _ agent: ICELiteAgent, _ request: [UInt8], from: SocketAddress, now: UInt64
) throws -> (ICEBindingOutcome, [UInt8]) {
    var response = [UInt8](repeating: 0, count: 256)
    let outcome = try request.withUnsafeBytes { bytes in
        let message = try STUNMessage(parsing: bytes)
        return response.withUnsafeMutableBytes { response in
            agent.handleBindingRequest(message, from: from, now: now, response: response)
        }
    }
    switch outcome {
    case .respond(let length, _, _), .respondError(let length, _): return (outcome, Array(response[..<length]))
    case .ignore: return (outcome, [])
    }
}

/// Parses `bytes` as STUN and hands the view to `body`.
func withSTUN<Result>(_ bytes: [UInt8], _ body: (STUNMessage) throws -> Result) throws -> Result {
    try bytes.withUnsafeBytes { try body(try STUNMessage(parsing: $0)) }
}
