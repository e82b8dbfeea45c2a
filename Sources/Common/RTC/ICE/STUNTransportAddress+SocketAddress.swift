import MeshRuntime
import MeshWire

extension STUNTransportAddress {
    /// The STUN form of a socket address, for XOR-MAPPED-ADDRESS; `nil` for an empty address.
    public init?(_ address: SocketAddress) {
        let ip: STUNIPAddress? = address.withIPAddressBytes { bytes in
            var reader = ByteReader(bytes)
            switch bytes.count {
            case 4: return reader.readUInt32().map { .v4($0) }
            case 16:
                guard let high = reader.readUInt64(), let low = reader.readUInt64() else { return nil }
                return .v6(high: high, low: low)
            default: return nil
            }
        }
        guard let ip else { return nil }
        self.init(ip: ip, port: address.port)
    }
}
