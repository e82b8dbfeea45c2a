import Foundation
import MeshRuntime
import Synchronization

/// Polls `condition` every 2 ms until it holds or `timeout` passes; returns its last answer.
/// Keeps every waiting test bounded without asserting anything about time.
func waitUntil(timeout: Duration = .seconds(3), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return try await condition()
}

/// State shared between a worker's callbacks and the test's task.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func update<Result>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}

/// Kernel thread ids of this process (the entries of /proc/self/task).
func processThreadIDs() -> Set<Int32> {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return Set(names.compactMap { Int32($0) })
}

/// The `Cpus_allowed_list` line of /proc/self/task/<tid>/status, expanded ("0-2,5" → [0,1,2,5]).
func allowedCPUsFromProc(threadID: Int32) -> [Int]? {
    guard let status = try? String(contentsOfFile: "/proc/self/task/\(threadID)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
    else { return nil }
    let list = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
    var cpus: [Int] = []
    for part in list.split(separator: ",") {
        let bounds = part.split(separator: "-").compactMap { Int($0) }
        if bounds.count == 2 {
            cpus += Array(bounds[0]...bounds[1])
        } else if let cpu = bounds.first {
            cpus.append(cpu)
        }
    }
    return cpus
}

/// A test datagram: an 8-byte big-endian sequence number, then `size - 8` bytes derived from
/// it, so the receiver can check every byte without a copy of what was sent.
enum TestDatagram {
    static func fill(_ buffer: UnsafeMutableRawBufferPointer, sequence: UInt64) {
        withUnsafeBytes(of: sequence.bigEndian) { buffer.copyBytes(from: $0) }
        for index in 8..<buffer.count {
            buffer[index] = UInt8(truncatingIfNeeded: sequence &* 31 &+ UInt64(index))
        }
    }

    /// The sequence number when every byte matches, else nil.
    static func check(_ bytes: UnsafeRawBufferPointer, expectedSize: Int) -> UInt64? {
        guard bytes.count == expectedSize, bytes.count >= 8 else { return nil }
        var sequence: UInt64 = 0
        for index in 0..<8 { sequence = sequence << 8 | UInt64(bytes[index]) }
        for index in 8..<bytes.count where bytes[index] != UInt8(truncatingIfNeeded: sequence &* 31 &+ UInt64(index)) {
            return nil
        }
        return sequence
    }
}

/// What a receiving socket saw: sequence numbers (duplicates counted apart) and bad datagrams.
struct ReceiveTally: Sendable {
    var sequences: Set<UInt64> = []
    var duplicates = 0
    var corrupt = 0

    mutating func record(_ bytes: UnsafeRawBufferPointer, size: Int) {
        guard let sequence = TestDatagram.check(bytes, expectedSize: size) else {
            corrupt += 1
            return
        }
        if !sequences.insert(sequence).inserted { duplicates += 1 }
    }
}

let loopbackIPv4 = { () -> SocketAddress in
    do { return try SocketAddress(ipv4: "127.0.0.1", port: 0) } catch { fatalError("\(error)") }
}()
