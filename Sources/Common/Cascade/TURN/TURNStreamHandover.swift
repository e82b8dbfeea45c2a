import MeshCrypto
import MeshRuntime
import MeshTURN
import MeshWire

/// A TCP or TLS TURN client on its way from the listener's worker to its session's worker
/// (issue 13, item 6): the socket's descriptor, the TLS session (handshake done, records it
/// holds), the reassembler with its partial frame, and the frames cut after the authenticated
/// Allocate that started the move, that one first; the receiving relay serves them in order.
///
/// `@unchecked Sendable`: the TLS session is used by one thread at a time; the first worker
/// stops touching it before the handover is posted, and the second starts after.
struct TURNStreamHandover: @unchecked Sendable {
    let socket: TCPSocketDescriptor
    let tls: TLSServerSession?
    let reassembler: TURNStreamReassembler
    let frames: [[UInt8]]
    let client: STUNTransportAddress
    let lastAllocated: TURNInstant

    var transport: TURNClientTransport { tls == nil ? .tcp : .tls }
}
