/// A worker is the real media loop: its handles are libuv handles on its pinned thread.
extension MediaWorker: MediaLoop {
    public func makeInbox<Element: Sendable>(
        of _: Element.Type,
        capacity: Int,
        onReceive: @escaping (Element) -> Void,
        afterDrain: (() -> Void)?
    ) throws(UVError) -> any LoopInbox<Element> {
        try WorkerInbox(worker: self, capacity: capacity, onReceive: onReceive, afterDrain: afterDrain)
    }

    public func openDatagramSocket(bindingTo address: SocketAddress) throws(UVError) -> any DatagramSocket {
        try UDPSocket(worker: self, bindingTo: address)
    }

    public func makeTimer() throws(UVError) -> any LoopTimer {
        try WorkerTimer(worker: self)
    }
}
