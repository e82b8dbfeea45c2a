import MeshWire
import Synchronization

/// When each VP8 picture left the publisher (NTP), by its 15-bit PictureID (RFC 7741 §4.2):
/// how viewers of a server that drops abs-capture-time (Janus's streaming plugin) still
/// measure end-to-end latency, as long as it passes VP8 payload descriptors through
/// untouched. The publisher's worker writes, viewers' workers read; fixed memory, lock-free.
final class FrameSendTimes: @unchecked Sendable {
    private static let count = 1 << 15
    private let slots: UnsafeMutablePointer<Atomic<UInt64>>

    init() {
        slots = .allocate(capacity: Self.count)
        for index in 0..<Self.count { (slots + index).initialize(to: Atomic(0)) }
    }

    deinit {
        slots.deinitialize(count: Self.count)
        slots.deallocate()
    }

    /// Records `packet`'s send time when it starts a VP8 picture.
    func recordSent(_ packet: UnsafeRawBufferPointer, ntp: UInt64) {
        guard let view = try? RTPPacketView(parsing: packet), let pictureID = Self.pictureStart(view) else { return }
        slots[Int(pictureID)].store(ntp, ordering: .relaxed)
    }

    /// The send time of the picture `packet` starts, if known.
    func sentAt(_ packet: RTPPacketView) -> UInt64? {
        guard let pictureID = Self.pictureStart(packet) else { return nil }
        let ntp = slots[Int(pictureID)].load(ordering: .relaxed)
        return ntp == 0 ? nil : ntp
    }

    private static func pictureStart(_ packet: RTPPacketView) -> UInt16? {
        guard let descriptor = try? VP8PayloadDescriptor(parsing: packet.payload), descriptor.isStartOfFrame else {
            return nil
        }
        return descriptor.pictureID.map { $0 & 0x7FFF }
    }
}
