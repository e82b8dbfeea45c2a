/// Bytes a parsed or built RTCP packet refers to: borrowed from a received packet (parsing
/// allocates nothing), or owned by this value when a builder encoded them.
///
/// Borrowed bytes must outlive the value, as with every view in this module.
public struct RTCPBytes: Equatable {
    /// The bytes.
    public let buffer: UnsafeRawBufferPointer
    /// Keeps built bytes alive; `nil` when borrowed.
    private let owner: OwnedStorage?

    /// Borrows `buffer` without copying it.
    public init(borrowing buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        self.owner = nil
    }

    /// Copies `bytes` into storage this value owns.
    public init<C: Collection>(copying bytes: C) where C.Element == UInt8 {
        let storage = OwnedStorage(count: bytes.count)
        var index = 0
        for byte in bytes {
            storage.memory[index] = byte
            index += 1
        }
        self.buffer = UnsafeRawBufferPointer(storage.memory)
        self.owner = storage
    }

    /// Owned bytes filled by `body` through a writer of exactly `count` bytes.
    init(count: Int, writing body: (inout ByteWriter) throws(ByteWriter.Overflow) -> Void) throws(ByteWriter.Overflow) {
        let storage = OwnedStorage(count: count)
        var writer = ByteWriter(storage.memory)
        try body(&writer)
        self.buffer = UnsafeRawBufferPointer(storage.memory)
        self.owner = storage
    }

    /// An empty value.
    public static var empty: RTCPBytes { RTCPBytes(borrowing: UnsafeRawBufferPointer(start: nil, count: 0)) }

    /// How many bytes.
    public var count: Int { buffer.count }

    /// The bytes as an array (for tests and the control plane).
    public var array: [UInt8] { Array(buffer) }

    public static func == (lhs: RTCPBytes, rhs: RTCPBytes) -> Bool {
        lhs.buffer.elementsEqual(rhs.buffer)
    }

    /// Heap memory freed when the last value referring to it goes away.
    private final class OwnedStorage {
        /// Exactly the requested bytes (at least one is allocated so the base is never nil).
        let memory: UnsafeMutableRawBufferPointer
        private let allocation: UnsafeMutableRawBufferPointer

        init(count: Int) {
            allocation = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 8)
            allocation.initializeMemory(as: UInt8.self, repeating: 0)
            memory = UnsafeMutableRawBufferPointer(rebasing: allocation[0..<count])
        }

        deinit { allocation.deallocate() }
    }
}
