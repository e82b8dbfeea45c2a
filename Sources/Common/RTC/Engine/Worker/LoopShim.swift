// TEMPORARY: stands in for MeshRuntime's loop protocols until they land; deleted then.
import MeshRuntime

protocol MediaLoop: AnyObject, Sendable {
    var index: Int { get }
    func run<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R
    @discardableResult func post(_ body: @escaping @Sendable () -> Void) -> Bool
    func makeInbox<E: Sendable>(
        of: E.Type, capacity: Int, onReceive: @escaping (E) -> Void, afterDrain: (() -> Void)?
    ) throws -> any LoopInbox<E>
    func openDatagramSocket(bindingTo: SocketAddress) throws -> any DatagramSocket
    func makeTimer() throws -> any LoopTimer
    var loopIdleTime: UInt64 { get }
}

protocol LoopInbox<Element>: AnyObject, Sendable {
    associatedtype Element: Sendable
    @discardableResult func send(_ element: consuming Element) -> InboxSendResult
    func close()
}

protocol DatagramSocket: AnyObject {
    func setReceiveBufferSize(_ bytes: Int32) throws(UVError)
    func setSendBufferSize(_ bytes: Int32) throws(UVError)
    func startReceiving(
        _ handler: @escaping (UnsafeRawBufferPointer, SocketAddress) -> Void, batchEnded: (() -> Void)?) throws
    @discardableResult func send(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) throws
        -> UDPSendOutcome
    func sendBatch(_ datagrams: UnsafeBufferPointer<OutgoingDatagram>) throws -> Int
}

protocol LoopTimer: AnyObject {
    func start(afterMilliseconds: UInt64, repeatingEvery: UInt64, _ body: @escaping () -> Void) throws
}

protocol MonotonicClock: Sendable {
    func now() -> UInt64
    func ntpNow() -> UInt64
}

struct SystemClock: MonotonicClock {
    func now() -> UInt64 { EngineClock.now() }
    func ntpNow() -> UInt64 { EngineClock.ntpNow() }
}

extension WorkerInbox: LoopInbox {}

extension UDPSocket: DatagramSocket {
    func startReceiving(
        _ handler: @escaping (UnsafeRawBufferPointer, SocketAddress) -> Void, batchEnded: (() -> Void)?
    ) throws {
        try startReceiving { bytes, from in
            handler(bytes, from)
            batchEnded?()
        }
    }
}

extension WorkerTimer: LoopTimer {}

extension MediaWorker: MediaLoop {
    func makeInbox<E: Sendable>(
        of: E.Type, capacity: Int, onReceive: @escaping (E) -> Void, afterDrain: (() -> Void)?
    ) throws -> any LoopInbox<E> {
        try makeInbox(of: E.self, capacity: capacity) { element in
            onReceive(element)
            afterDrain?()
        }
    }
    func openDatagramSocket(bindingTo address: SocketAddress) throws -> any DatagramSocket {
        try UDPSocket(worker: self, bindingTo: address)
    }
    func makeTimer() throws -> any LoopTimer { try WorkerTimer(worker: self) }
}
