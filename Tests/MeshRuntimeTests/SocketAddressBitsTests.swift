import MeshRuntime
import Testing

/// Socket addresses built from address bits (the TURN relay's per-packet path) equal those
/// parsed from text by libuv, and say the same host and port.
@Suite struct SocketAddressBitsTests {
    @Test func ipv4FromBitsMatchesText() throws {
        let bits = SocketAddress(ipv4: 0xC000_0201, port: 3478)
        #expect(bits == (try SocketAddress(ipv4: "192.0.2.1", port: 3478)))
        #expect(bits.description == "192.0.2.1:3478")
        #expect(bits != (try SocketAddress(ipv4: "192.0.2.1", port: 3479)))
    }

    @Test func ipv6FromBitsMatchesText() throws {
        let bits = SocketAddress(ipv6High: 0x2001_0DB8_0000_0000, low: 0x0000_0000_0000_0042, port: 5349)
        #expect(bits == (try SocketAddress(ipv6: "2001:db8::42", port: 5349)))
        #expect(bits.description == "[2001:db8::42]:5349")
        bits.withIPAddressBytes { bytes in
            #expect(Array(bytes) == [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [0x42])
        }
    }
}
