import MeshCrypto
import MeshWire

/// When a TCP or TLS client may move to the worker that owns its session (issue 13, item 6).
extension TURNServer {
    /// The credential id (the session id of a REST username `expiry:id`) of `frame` when it is
    /// an Allocate request that authenticates (RFC 8489 §9.2.4: nonce fresh for this client,
    /// a key of an accepted secret, the MAC right) on a 5-tuple with no allocation yet: the
    /// moment a stream client moves. `nil` for anything else. Nothing is stored or counted:
    /// the request is answered, and checked again, where it is served.
    public func credentialOfFirstAllocate(
        _ frame: UnsafeRawBufferPointer, from client: STUNTransportAddress, transport: TURNClientTransport,
        now: TURNInstant
    ) -> String? {
        guard Self.isAllocateRequest(frame), allocations[TURNFiveTuple(client: client, transport: transport)] == nil,
            let request = try? STUNMessage(parsing: frame), request.fingerprintIsValid != false,
            request.messageIntegrityOffset != nil,
            let username = try? request.text(.username), let realm = try? request.text(.realm),
            let nonce = try? request.text(.nonce),
            nonces.check(nonce, client: client, now: now) == .fresh,
            key(signing: request, username: username, realm: realm, now: now) != nil
        else { return nil }
        return String(decoding: Self.credentialID(of: username), as: UTF8.self)
    }

    /// Whether `frame`'s type is an Allocate request (RFC 8656 §7.2, 0x0003): what a host
    /// checks before ``credentialOfFirstAllocate(_:from:transport:now:)``, so that every other
    /// frame pays two comparisons.
    public static func isAllocateRequest(_ frame: UnsafeRawBufferPointer) -> Bool {
        frame.count >= STUNMessage.headerSize && frame[0] == 0x00 && frame[1] == 0x03
    }
}
