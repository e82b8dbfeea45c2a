import Foundation

/// A measuring knob (`MESHCAST_TRACE_HOPS=FILE`): the monotonic time each RTP packet was seen at
/// this node's sockets, written as CSV (`stage,ssrc,seq,monotonic_ns`) when the node stops.
/// Nodes on one machine share CLOCK_MONOTONIC, so joining their files by (ssrc, seq) gives the
/// latency each hop adds (`scripts/measure-hops`). Each worker records into its own
/// preallocated buffer, so tracing allocates nothing per packet.
final class HopTrace: @unchecked Sendable {
    /// Where a packet was seen.
    enum Stage: UInt8 {
        /// The origin, as the publisher's packet arrived.
        case ingest
        /// A relay or edge, as the packet arrived on a link.
        case linkIn
        /// An origin or relay, as the packet left on a link.
        case linkOut

        var name: String {
            switch self {
            case .ingest: "ingest"
            case .linkIn: "link_in"
            case .linkOut: "link_out"
            }
        }
    }

    private struct Entry {
        var stage: UInt8
        var sequence: UInt16
        var ssrc: UInt32
        var time: UInt64
    }

    private let path: String
    private let capacity: Int
    private let buffers: [UnsafeMutablePointer<Entry>]
    /// Entries recorded per worker; each written by its worker only, read once it has stopped.
    private let counts: UnsafeMutablePointer<Int>

    /// A trace into `path` with room for `capacity` packets per worker.
    init(path: String, workers: Int, capacity: Int = 20_000) {
        self.path = path
        self.capacity = capacity
        buffers = (0..<workers).map { _ in .allocate(capacity: capacity) }
        counts = .allocate(capacity: workers)
        counts.initialize(repeating: 0, count: workers)
    }

    deinit {
        buffers.forEach { $0.deallocate() }
        counts.deallocate()
    }

    /// Records one packet on `worker`'s buffer (that worker's thread only); full buffers ignore it.
    func record(_ stage: Stage, ssrc: UInt32, sequence: UInt16, at time: UInt64, worker: Int) {
        let count = counts[worker]
        guard count < capacity else { return }
        buffers[worker][count] = Entry(stage: stage.rawValue, sequence: sequence, ssrc: ssrc, time: time)
        counts[worker] = count + 1
    }

    /// Writes every recorded packet to the file (after the workers stopped recording).
    func write() throws {
        var text = "stage,ssrc,seq,monotonic_ns\n"
        for (worker, buffer) in buffers.enumerated() {
            for index in 0..<counts[worker] {
                let entry = buffer[index]
                let stage = Stage(rawValue: entry.stage)?.name ?? "?"
                text += "\(stage),\(entry.ssrc),\(entry.sequence),\(entry.time)\n"
            }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
