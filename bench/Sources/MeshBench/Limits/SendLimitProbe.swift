import CMeshShims
import Foundation
import Glibc
import MeshCrypto

/// Measures what this machine's kernel charges to send one UDP datagram over loopback: the
/// floor under any forwarding node's CPU per packet (issue 12: "the physical limit measured in
/// the same run").
///
/// One thread sends `datagramBytes`-byte datagrams round-robin to `destinations` bound loopback
/// sockets, in `sendmmsg` batches of 32 through the node's own shim (`CMeshShims_sendmmsg`),
/// and divides its thread CPU time (user + system: on loopback the receive path runs in the
/// sender's softirq, as it does for the node) by the datagrams sent. The destinations are not
/// read and their buffers are as small as the kernel allows; ``prefillRounds`` untimed rounds
/// fill them all before the clock starts, so every timed datagram is dropped at a full socket,
/// after the work a delivered packet costs up to the enqueue. (With default buffers and 1000
/// destinations the buffers took a large share of the timed 0.4 s to fill, and the figure read
/// 1.1 to 4.8 µs from one run to the next, depending on how much of it was spent enqueueing.)
/// The GSO variant sends the same bytes as `UDP_SEGMENT` sends to one destination at a time
/// (`CMeshShims_sendSegmented`), which is what relay links do.
struct SendLimitProbe {
    /// Datagrams per `sendmmsg` call, as the node's workers batch them.
    static let batch = 32
    /// The largest video datagram a scenario's publisher makes: RTP header, VP8 descriptor,
    /// the packetizer's largest fragment and the GCM tag (header extensions not counted).
    static let scenarioDatagramBytes =
        12 + VP8Packetizer.descriptorSize + VP8Packetizer.maximumFragment + SRTPProfile.aeadAES128GCM.rtpTrailerLength

    var datagramBytes = SendLimitProbe.scenarioDatagramBytes
    var destinations = 200
    /// CPU seconds each variant is measured for.
    var seconds = 0.4
    /// Untimed rounds to every destination first: more than the smallest buffer holds.
    static let prefillRounds = 4

    /// Both variants and the price of a sleep (``WakeUpProbe``); GSO is `nil` where the kernel
    /// refuses `UDP_SEGMENT`.
    func measure() throws -> SendLimitFigures {
        let sockets = try LoopbackSockets(destinations: destinations)
        defer { sockets.close() }
        let plain = try measureBatched(sockets)
        let segmented = try measureSegmented(sockets)
        return SendLimitFigures(
            datagramBytes: datagramBytes, destinations: destinations, batch: Self.batch, usPerPacket: plain,
            gsoUsPerPacket: segmented, gsoSegments: segmented == nil ? nil : segmentsPerSend,
            wakeUpUs: try WakeUpProbe().measure())
    }

    /// Segments per GSO send: 64, or fewer where 64 would pass the 65,507-byte UDP limit.
    var segmentsPerSend: Int { max(1, min(Int(CMeshShims_maxSegmentsPerSend), 65_507 / datagramBytes)) }

    private func measureBatched(_ sockets: LoopbackSockets) throws -> Double {
        let payload = UnsafeMutableRawPointer.allocate(byteCount: datagramBytes, alignment: 16)
        let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: Self.batch)
        let messages = UnsafeMutablePointer<CMeshShims_mmsghdr>.allocate(capacity: Self.batch)
        defer {
            payload.deallocate()
            vectors.deallocate()
            messages.deallocate()
        }
        payload.initializeMemory(as: UInt8.self, repeating: 0x5A, count: datagramBytes)
        vectors.initialize(repeating: iovec(iov_base: payload, iov_len: datagramBytes), count: Self.batch)
        messages.initialize(repeating: CMeshShims_mmsghdr(), count: Self.batch)
        var next = 0
        let send = { () throws -> Int in
            for slot in 0..<Self.batch {
                messages[slot].msg_hdr = msghdr(
                    msg_name: UnsafeMutableRawPointer(mutating: sockets.address(next)),
                    msg_namelen: socklen_t(MemoryLayout<sockaddr_in>.size), msg_iov: vectors + slot, msg_iovlen: 1,
                    msg_control: nil, msg_controllen: 0, msg_flags: 0)
                next = (next + 1) % destinations
            }
            let sent = CMeshShims_sendmmsg(sockets.sender, messages, UInt32(Self.batch), 0)
            guard sent > 0 else { throw SendLimitError(operation: "sendmmsg", code: -sent) }
            return Int(sent)
        }
        var prefilled = 0
        while prefilled < Self.prefillRounds * destinations { prefilled += try send() }
        return try Self.timed(seconds: seconds, send)
    }

    private func measureSegmented(_ sockets: LoopbackSockets) throws -> Double? {
        guard CMeshShims_udpSegmentationSupported(sockets.sender) == 1 else { return nil }
        let segments = segmentsPerSend
        let bytes = segments * datagramBytes
        let payload = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        defer { payload.deallocate() }
        payload.initializeMemory(as: UInt8.self, repeating: 0x5A, count: bytes)
        var vector = iovec(iov_base: payload, iov_len: bytes)
        var next = 0
        return try Self.timed(seconds: seconds) {
            let address = sockets.address(next)
            next = (next + 1) % destinations
            let sent = address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                CMeshShims_sendSegmented(
                    sockets.sender, &vector, 1, UInt16(datagramBytes), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
            guard sent > 0 else { throw SendLimitError(operation: "UDP_SEGMENT send", code: Int32(-sent)) }
            return segments
        }
    }

    /// Runs `send` (which returns the datagrams it sent) until `seconds` of this thread's CPU
    /// time have passed; the CPU microseconds per datagram.
    private static func timed(seconds: Double, _ send: () throws -> Int) throws -> Double {
        let start = threadCPUSeconds()
        var datagrams = 0
        var elapsed = 0.0
        repeat {
            for _ in 0..<64 { datagrams += try send() }
            elapsed = threadCPUSeconds() - start
        } while elapsed < seconds
        return elapsed * 1e6 / Double(datagrams)
    }

    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// A socket call the probe needed failed.
struct SendLimitError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32
    var description: String { "send limit probe: \(operation) failed: \(String(cString: strerror(code)))" }
}
