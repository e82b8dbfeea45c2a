/// A UDP socket owned by one loop, as the media engine uses it.
///
/// ``UDPSocket`` is the real one (recvmmsg, try-send, sendmmsg); ``EmbeddedDatagramSocket``
/// sends into an ``EmbeddedNetwork``. Use it only on its loop.
public protocol DatagramSocket: AnyObject {
    /// The bound address, with the port that was picked if 0 was asked.
    var localAddress: SocketAddress { get }

    /// Asks for a receive buffer of `bytes` (SO_RCVBUF).
    func setReceiveBufferSize(_ bytes: Int32) throws(UVError)

    /// Asks for a send buffer of `bytes` (SO_SNDBUF).
    func setSendBufferSize(_ bytes: Int32) throws(UVError)

    /// Starts delivering datagrams to `handler` (bytes valid only during the call, and the
    /// handler may change them in place), then calls `batchEnded` once after each batch that
    /// delivered at least one datagram: the place to flush work collected per datagram.
    func startReceiving(
        _ handler: @escaping (UnsafeRawBufferPointer, SocketAddress) -> Void,
        batchEnded: (() -> Void)?
    ) throws(UVError)

    /// Sends one datagram.
    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) throws(UVError) -> UDPSendOutcome

    /// Sends a batch; returns how many datagrams went out (fewer: the socket was full).
    @discardableResult
    func sendBatch(_ datagrams: UnsafeBufferPointer<OutgoingDatagram>) throws(UVError) -> Int

    /// True when ``sendSegmented(_:to:)`` can use UDP GSO (one system call for a run of
    /// equal-size datagrams to one destination); when false it falls back to `sendmmsg`.
    var segmentationOffloadAvailable: Bool { get }

    /// Sends equal-size datagrams (the last may be shorter) to one destination; returns how
    /// many went out (fewer: the socket was full).
    @discardableResult
    func sendSegmented(_ segments: UnsafeBufferPointer<UnsafeRawBufferPointer>, to destination: SocketAddress)
        throws(UVError) -> Int

    /// Stops receiving and closes the socket. Idempotent.
    func close()
}

extension UDPSocket: DatagramSocket {}
