import Foundation
import MeshRTC
import MeshWire

/// Offers for the negotiation tests: the captured ones in Tests/Fixtures/sdp (see
/// scripts/fixtures for how each was made) and a builder for hand-written ones.
enum NegotiationOffers {
    /// A captured offer, verbatim.
    static func fixture(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sdp/\(name).sdp")
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Session-level transport lines of the hand-written offers (ufrag 4 chars, pwd 22 chars,
    /// RFC 8839 §5.4; a SHA-256 fingerprint, RFC 8122 §5).
    static let transport = """
        a=ice-ufrag:EsAw
        a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
        a=fingerprint:sha-256 0F:74:31:25:CB:A2:13:EC:28:6F:6D:2C:61:FF:5D:C2:BC:B9:DB:3D:98:14:8D:1A:BB:EA:33:0C:A4:60:A8:8E
        a=setup:actpass
        """

    /// A hand-written offer: session lines, then the sections, LF line ends (which the
    /// parser accepts, like CRLF).
    static func offer(group: String? = "a=group:BUNDLE 0 1", transport: String = transport, _ sections: String...)
        -> String
    {
        var lines = ["v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0"]
        if let group { lines.append(group) }
        if !transport.isEmpty { lines.append(transport) }
        return (lines + sections).joined(separator: "\n") + "\n"
    }

    /// An Opus audio section, as Chromium writes it (direction and extra lines vary).
    static func audio(mid: String = "0", direction: String = "sendonly", _ extra: String = "") -> String {
        var text = """
            m=audio 9 UDP/TLS/RTP/SAVPF 111
            c=IN IP4 0.0.0.0
            a=mid:\(mid)
            a=\(direction)
            a=rtcp-mux
            a=rtpmap:111 opus/48000/2
            a=fmtp:111 minptime=10;useinbandfec=1
            """
        if !extra.isEmpty { text += "\n" + extra }
        return text
    }

    /// A video section with the given payload types and codec lines.
    static func video(mid: String = "1", direction: String = "sendonly", payloadTypes: String, _ lines: String)
        -> String
    {
        """
        m=video 9 UDP/TLS/RTP/SAVPF \(payloadTypes)
        c=IN IP4 0.0.0.0
        a=mid:\(mid)
        a=\(direction)
        a=rtcp-mux
        \(lines)
        """
    }
}

/// The node's side in every test.
enum NegotiationLocal {
    /// Our fingerprint, as `CertificateFingerprint.sdpValue` writes it.
    static let fingerprint =
        "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"

    /// A UDP and a passive TCP host candidate on a documentation address (RFC 5737).
    static let transport = LocalTransport(
        ufrag: "Mesh", password: "n0deP4ssw0rdF0rTesting", fingerprint: fingerprint,
        candidates: [
            LocalCandidate(ip: "203.0.113.7", port: 40_000, transport: .udp),
            LocalCandidate(ip: "203.0.113.7", port: 40_001, transport: .tcpPassive),
        ])
}

/// Answers and parses the answer back, proving it is valid SDP.
struct NegotiationRun {
    var session: NegotiatedSession
    var answer: SessionDescription
    /// The SSRCs `makeSSRC` handed out, in order.
    var issuedSSRCs: [UInt32]

    init(
        _ offer: String, role: NegotiationRole, capabilities: MediaCapabilities = .default,
        local: LocalTransport = NegotiationLocal.transport, streamName: String = "cam1",
        ssrcs: [UInt32] = [0x1111_1111, 0x2222_2222, 0x3333_3333, 0x4444_4444, 0x5555_5555]
    ) throws {
        var remaining = ssrcs[...]
        var issued: [UInt32] = []
        session = try SessionNegotiator(capabilities: capabilities).answer(
            offer: offer, role: role, local: local, streamName: streamName,
            makeSSRC: {
                let ssrc = remaining.popFirst() ?? 0xFFFF_FFFF
                issued.append(ssrc)
                return ssrc
            })
        issuedSSRCs = issued
        answer = try SessionDescription(parsing: session.answer)
    }

    /// The answer's media section with `mid`, which the test requires.
    func section(_ mid: String) throws -> MediaDescription {
        guard let section = answer.media(withMID: mid) else { throw MissingSection(mid: mid) }
        return section
    }

    /// The negotiated media with `mid`.
    func media(_ mid: String) throws -> NegotiatedMedia {
        guard let media = session.media.first(where: { $0.mid == mid }) else { throw MissingSection(mid: mid) }
        return media
    }

    struct MissingSection: Error {
        var mid: String
    }
}

/// Runs a negotiation expected to fail and returns its error (nil when it did not fail).
func negotiationError(
    _ offer: String, role: NegotiationRole, capabilities: MediaCapabilities = .default, ssrc: UInt32 = 7
) -> NegotiationError? {
    do {
        _ = try SessionNegotiator(capabilities: capabilities).answer(
            offer: offer, role: role, local: NegotiationLocal.transport, streamName: "cam1", makeSSRC: { ssrc })
        return nil
    } catch {
        return error
    }
}
