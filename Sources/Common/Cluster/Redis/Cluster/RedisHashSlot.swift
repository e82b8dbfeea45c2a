/// Redis Cluster's key → slot function (Redis Cluster specification, "Key distribution model"):
/// CRC16-CCITT (XModem: polynomial 0x1021, initial value 0) of the key's hash tag, modulo 16384.
///
/// The hash tag is the part between the first `{` and the next `}` when that part is not empty;
/// otherwise the whole key is hashed. Keys that must meet in one script or `MULTI` carry the
/// same tag (`node:{e1}` and `node:{e1}:reservations`).
public enum RedisHashSlot {
    /// The number of slots in a Redis Cluster.
    public static let count = 16384

    /// The slot of `key`.
    public static func of(_ key: String) -> Int {
        of(bytes: Array(key.utf8))
    }

    /// The slot of a key given as bytes.
    public static func of(bytes key: [UInt8]) -> Int {
        Int(crc16(tag(of: key)) & 0x3FFF)
    }

    /// The bytes that are hashed: the hash tag when there is a non-empty one, else the key.
    static func tag(of key: [UInt8]) -> ArraySlice<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
            close > open + 1
        else { return key[...] }
        return key[(open + 1)..<close]
    }

    /// CRC16-CCITT (XModem), bit by bit: keys are short, and a table would be 512 bytes of
    /// constants to check by eye. The specification's test vector: "123456789" → 0x31C3.
    public static func crc16<Bytes: Sequence>(_ bytes: Bytes) -> UInt16 where Bytes.Element == UInt8 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }
}
