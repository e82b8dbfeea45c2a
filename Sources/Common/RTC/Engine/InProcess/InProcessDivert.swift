import MeshRuntime

/// A worker's socket with an in-process side: datagrams to an address served inside this
/// process (a TURN allocation's relayed address, issue 13) are handed to `handOver` instead of
/// the kernel; everything else goes to the kernel socket unchanged.
///
/// The worker learns those addresses from what arrives in-process (``learn(_:)``) and forgets
/// them when the allocation ends, so a direct viewer costs one `isEmpty` test, and a worker with
/// TURN viewers one hash lookup per datagram. Nothing allocates per datagram. Worker thread only.
final class InProcessDivert: DatagramSocket {
    let kernel: any DatagramSocket
    /// Addresses served in-process that this worker's sessions have heard from.
    private var addresses: Set<SocketAddress> = []
    /// Takes one datagram for an in-process address; false when it could not (counted as a drop).
    private let handOver: (UnsafeRawBufferPointer, SocketAddress) -> Bool
    /// Runs once after a ``send(_:to:)`` or ``sendBatch(_:)`` that handed datagrams over: the
    /// end of a burst, where the taker flushes what it batched from them.
    private let handedOverBurst: (() -> Void)?
    /// Datagrams and bytes handed over, and those `handOver` refused.
    private(set) var handedOver = 0
    private(set) var bytesHandedOver = 0
    private(set) var refused = 0

    init(
        kernel: any DatagramSocket, handOver: @escaping (UnsafeRawBufferPointer, SocketAddress) -> Bool,
        handedOverBurst: (() -> Void)?
    ) {
        self.kernel = kernel
        self.handOver = handOver
        self.handedOverBurst = handedOverBurst
        addresses.reserveCapacity(64)
    }

    /// Sends to `address` go in-process from now on.
    func learn(_ address: SocketAddress) {
        if !addresses.contains(address) { addresses.insert(address) }
    }

    /// Sends to `address` go to the kernel again (its allocation ended).
    func forget(_ address: SocketAddress) {
        addresses.remove(address)
    }

    /// True when a datagram to `address` would be handed over.
    func isInProcess(_ address: SocketAddress) -> Bool {
        !addresses.isEmpty && addresses.contains(address)
    }

    private func divert(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) {
        if handOver(bytes, destination) {
            handedOver &+= 1
            bytesHandedOver &+= bytes.count
        } else {
            refused &+= 1
        }
    }

    var localAddress: SocketAddress { kernel.localAddress }

    func setReceiveBufferSize(_ bytes: Int32) throws(UVError) { try kernel.setReceiveBufferSize(bytes) }

    func setSendBufferSize(_ bytes: Int32) throws(UVError) { try kernel.setSendBufferSize(bytes) }

    func startReceiving(
        _ handler: @escaping (UnsafeRawBufferPointer, SocketAddress) -> Void, batchEnded: (() -> Void)?
    ) throws(UVError) {
        try kernel.startReceiving(handler, batchEnded: batchEnded)
    }

    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) throws(UVError) -> UDPSendOutcome {
        guard isInProcess(destination) else { return try kernel.send(bytes, to: destination) }
        divert(bytes, to: destination)
        handedOverBurst?()
        return .sent
    }

    /// Sends the kernel's runs of the batch with `sendmmsg` and hands the in-process datagrams
    /// over in between, in order. A short kernel send ends the batch there, as a full socket does.
    @discardableResult
    func sendBatch(_ datagrams: UnsafeBufferPointer<OutgoingDatagram>) throws(UVError) -> Int {
        guard !addresses.isEmpty else { return try kernel.sendBatch(datagrams) }
        var runStart = 0
        var handed = false
        defer { if handed { handedOverBurst?() } }
        for index in datagrams.indices where addresses.contains(datagrams[index].destination) {
            if index > runStart {
                let run = UnsafeBufferPointer(rebasing: datagrams[runStart..<index])
                let sent = try kernel.sendBatch(run)
                if sent < run.count { return runStart + sent }
            }
            divert(datagrams[index].bytes, to: datagrams[index].destination)
            handed = true
            runStart = index + 1
        }
        guard runStart < datagrams.count else { return datagrams.count }
        return runStart + (try kernel.sendBatch(UnsafeBufferPointer(rebasing: datagrams[runStart...])))
    }

    var segmentationOffloadAvailable: Bool { kernel.segmentationOffloadAvailable }

    /// Relay links only, never to an in-process address: straight to the kernel.
    @discardableResult
    func sendSegmented(_ segments: UnsafeBufferPointer<UnsafeRawBufferPointer>, to destination: SocketAddress)
        throws(UVError) -> Int
    {
        try kernel.sendSegmented(segments, to: destination)
    }

    func close() { kernel.close() }
}
