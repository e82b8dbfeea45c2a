import MeshCrypto
import MeshRuntime

extension PeerTransport {
    /// Protects the RTP packet in `buffer[0..<length]` in place and returns the SRTP length;
    /// `nil` before the handshake finished, after close, or when libsrtp refuses (the buffer
    /// needs ``srtpProfile``'s `rtpTrailerLength` bytes of room). Allocation-free.
    public func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) -> Int? {
        guard !isClosed, let srtp else { return nil }
        return try? srtp.sender.protectRTP(buffer, length: length)
    }

    /// Protects the compound RTCP packet in `buffer[0..<length]` in place and returns the
    /// SRTCP length; `nil` as for ``protectRTP(_:length:)`` (room: `rtcpTrailerLength`).
    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) -> Int? {
        guard !isClosed, let srtp else { return nil }
        return try? srtp.sender.protectRTCP(buffer, length: length)
    }

    /// Unprotects SRTP or SRTCP in place (RFC 3711 §3.3, §3.4). Allocation-free.
    func unprotect(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, from: SocketAddress, rtcp: Bool
    ) -> PeerInbound {
        guard !isClosed, let srtp else { return .dropped(.notConnected) }
        guard ice.isValidated(from) else { return .dropped(.unknownAddress) }
        do throws(SRTPError) {
            let inbound: PeerInbound =
                rtcp
                ? .rtcp(length: try srtp.receiver.unprotectRTCP(buffer, length: length))
                : .rtp(length: try srtp.receiver.unprotectRTP(buffer, length: length))
            authenticatedInbound &+= 1
            // The peer keyed SRTP, so it has the handshake's final flight: libssl's state can go.
            if authenticatedInbound == 1, releasesDTLSStateWhenKeyed { dtls.endpoint.release() }
            return inbound
        } catch {
            switch error {
            case .authFail: return .dropped(.srtpAuth)
            case .replayFail, .replayOld: return .dropped(.srtpReplay)
            default: return .dropped(.srtpError)
            }
        }
    }
}
