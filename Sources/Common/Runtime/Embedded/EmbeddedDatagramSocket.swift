import CLibUV

/// A UDP socket on an ``EmbeddedNetwork``: sends copy the bytes into the network, and the
/// runtime's driver hands it what arrived, one batch per delivery round.
///
/// Use it only where its loop runs (the test's task). It is `@unchecked Sendable`, as
/// ``UDPSocket`` is, only so that it can leave a `run {}` block and sit in the network's
/// table; its callbacks are touched by the driver alone.
public final class EmbeddedDatagramSocket: DatagramSocket, @unchecked Sendable {
    /// The bound address (with the port the network picked if 0 was asked).
    public let localAddress: SocketAddress
    /// True between ``startReceiving(_:batchEnded:)`` and ``stopReceiving()`` or ``close()``.
    public private(set) var isReceiving = false
    /// True once closed.
    public private(set) var isClosed = false
    /// Datagrams handed to the receive handler.
    public private(set) var datagramsReceived = 0
    /// Datagrams sent (whatever the network then did with them).
    public private(set) var datagramsSent = 0
    /// The last SO_RCVBUF size asked for (recorded only).
    public private(set) var receiveBufferSize: Int32 = 0
    /// The last SO_SNDBUF size asked for (recorded only).
    public private(set) var sendBufferSize: Int32 = 0

    private weak var network: EmbeddedNetwork?
    private weak var loop: EmbeddedLoop?
    private var onReceive: ((UnsafeRawBufferPointer, SocketAddress) -> Void)?
    private var onBatchEnded: (() -> Void)?

    init(network: EmbeddedNetwork, localAddress: SocketAddress, loop: EmbeddedLoop?) {
        self.network = network
        self.localAddress = localAddress
        self.loop = loop
    }

    private func checkOpen(_ operation: String) throws(UVError) -> EmbeddedNetwork {
        guard !isClosed, let network else { throw UVError(code: UV_EBADF.rawValue, operation: operation) }
        return network
    }

    public func setReceiveBufferSize(_ bytes: Int32) throws(UVError) {
        _ = try checkOpen("uv_recv_buffer_size")
        receiveBufferSize = bytes
    }

    public func setSendBufferSize(_ bytes: Int32) throws(UVError) {
        _ = try checkOpen("uv_send_buffer_size")
        sendBufferSize = bytes
    }

    public func startReceiving(
        _ handler: @escaping (UnsafeRawBufferPointer, SocketAddress) -> Void,
        batchEnded: (() -> Void)? = nil
    ) throws(UVError) {
        _ = try checkOpen("uv_udp_recv_start")
        onReceive = handler
        onBatchEnded = batchEnded
        isReceiving = true
    }

    /// Stops receiving; datagrams for it wait in flight until it starts again.
    public func stopReceiving() {
        isReceiving = false
    }

    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) throws(UVError) -> UDPSendOutcome {
        let network = try checkOpen("uv_udp_try_send")
        network.transmit(from: localAddress, to: destination, bytes: bytes)
        datagramsSent += 1
        return .sent
    }

    @discardableResult
    public func sendBatch(_ datagrams: UnsafeBufferPointer<OutgoingDatagram>) throws(UVError) -> Int {
        let network = try checkOpen("sendmmsg")
        for datagram in datagrams {
            network.transmit(from: localAddress, to: datagram.destination, bytes: datagram.bytes)
        }
        datagramsSent += datagrams.count
        return datagrams.count
    }

    /// Segmented sends are delivered as the separate datagrams the kernel would make of them,
    /// so the engine's GSO path runs in embedded tests too.
    public var segmentationOffloadAvailable: Bool { true }

    /// Sends each segment as its own datagram (what UDP GSO puts on the wire).
    @discardableResult
    public func sendSegmented(
        _ segments: UnsafeBufferPointer<UnsafeRawBufferPointer>, to destination: SocketAddress
    ) throws(UVError) -> Int {
        let network = try checkOpen("sendmsg(UDP_SEGMENT)")
        for segment in segments {
            network.transmit(from: localAddress, to: destination, bytes: segment)
        }
        datagramsSent += segments.count
        return segments.count
    }

    /// Unbinds the address and forgets the callbacks. Idempotent.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        isReceiving = false
        onReceive = nil
        onBatchEnded = nil
        network?.unbind(self)
        loop?.forget(self)
    }

    // MARK: Driver side

    /// Hands one datagram to the handler, in a private copy the handler may change in place
    /// (the engine decrypts SRTP where it lies).
    func receive(_ datagram: EmbeddedDatagram) {
        datagramsReceived += 1
        var bytes = datagram.bytes
        bytes.withUnsafeMutableBytes { onReceive?(UnsafeRawBufferPointer($0), datagram.source) }
    }

    func endBatch() {
        onBatchEnded?()
    }
}
