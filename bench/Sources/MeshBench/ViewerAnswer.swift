import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshWire

/// What a viewer needs from the node's SDP answer: its ICE credentials, its certificate
/// fingerprint, the DTLS role left to us, and its one UDP candidate.
struct ViewerAnswer: Sendable {
    let credentials: ICECredentials
    let fingerprint: CertificateFingerprint
    /// Our DTLS role: the answer's `a=setup:passive` makes us the client (RFC 5763 §5).
    let dtlsRole: DTLSRole
    let server: SocketAddress
    /// The id the answer kept for abs-capture-time, `nil` when the node does not forward it.
    let captureTimeID: UInt8?

    /// Why an answer is unusable.
    struct Unusable: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads session-level attributes first, then the first media section's (RFC 8866 §5:
    /// media-level values override; a bundled answer carries the same ones in each).
    init(sdp: String) throws {
        let session = try SessionDescription(parsing: sdp)
        guard let first = session.media.first else { throw Unusable(description: "answer has no media section") }
        guard let ufrag = first.iceUfrag ?? session.iceUfrag, let password = first.icePwd ?? session.icePwd else {
            throw Unusable(description: "answer lacks a=ice-ufrag/a=ice-pwd (RFC 8839 §5.4)")
        }
        credentials = ICECredentials(ufrag: ufrag, password: password)
        guard let printed = first.fingerprints.first ?? session.fingerprints.first else {
            throw Unusable(description: "answer lacks a=fingerprint (RFC 8122 §5)")
        }
        fingerprint = CertificateFingerprint(algorithm: printed.hashFunction, digest: printed.digest)
        dtlsRole = (first.setupRole ?? session.setupRole) == .active ? .server : .client
        let candidates = session.media.flatMap(\.candidates) + session.candidates
        guard
            let candidate = candidates.first(where: { $0.transport.lowercased() == "udp" && !$0.address.contains(":") })
        else { throw Unusable(description: "answer has no IPv4 UDP candidate") }
        server = try SocketAddress(ipv4: candidate.address, port: candidate.port)
        let captureTime = session.media.flatMap(\.extensionMaps).first { $0.uri == ViewerOffer.captureTimeURI }
        captureTimeID = captureTime.flatMap { (1...14).contains($0.id) ? UInt8($0.id) : nil }
    }
}
