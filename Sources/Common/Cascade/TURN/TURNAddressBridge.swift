import MeshRuntime
import MeshWire

// The other direction of `STUNTransportAddress(_: SocketAddress)` (MeshRTC): built from the
// address bits, not text, so the relay path does not allocate per packet.

extension SocketAddress {
    /// The socket address of a STUN transport address.
    init(turn address: STUNTransportAddress) {
        switch address.ip {
        case let .v4(value): self.init(ipv4: value, port: address.port)
        case let .v6(high, low): self.init(ipv6High: high, low: low, port: address.port)
        }
    }
}
