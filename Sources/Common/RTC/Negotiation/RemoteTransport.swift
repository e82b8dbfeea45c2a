import MeshWire

/// The offerer's ICE credentials, certificate fingerprint and DTLS role.
struct RemoteTransport {
    var ufrag: String
    var password: String
    var fingerprint: String
    /// True when we take the DTLS server role, answering `a=setup:passive`.
    var weAreDTLSServer: Bool

    /// Reads the transport from `places`, searched in order: under BUNDLE every section shares
    /// one transport, so the first place that has an attribute wins (RFC 9143 §7.1.3 puts it
    /// in the tagged section; many clients repeat it in all, or write it at session level).
    init(from places: [any SDPAttributeCarrying]) throws(NegotiationError) {
        guard let ufrag = places.lazy.compactMap(\.iceUfrag).first,
            let password = places.lazy.compactMap(\.icePwd).first
        else { throw .missingICECredentials }
        try Self.check(ufrag, "a=ice-ufrag", length: 4...256)
        try Self.check(password, "a=ice-pwd", length: 22...256)
        self.ufrag = ufrag
        self.password = password

        guard let offered = places.lazy.map(\.fingerprints).first(where: { !$0.isEmpty }) else {
            throw .missingFingerprint
        }
        // WebRTC's hash is SHA-256 (RFC 8827 §6.5); take it when several are offered.
        let chosen = offered.first { $0.hashFunction.lowercased() == "sha-256" } ?? offered[0]
        fingerprint = "\(chosen.hashFunction) \(chosen.hexDigest)"

        // RFC 4145 §4: without a=setup the offerer is active. actpass or active: we are passive
        // (the DTLS server); passive: we must connect (RFC 8842 §5.3).
        switch places.lazy.compactMap(\.setupRole).first ?? .active {
        case .activeOrPassive, .active: weAreDTLSServer = true
        case .passive: weAreDTLSServer = false
        case .holdConnection: throw .unsupportedSetup
        }
    }

    /// ice-char is ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4).
    static func check(_ value: String, _ name: String, length: ClosedRange<Int>) throws(NegotiationError) {
        guard length.contains(value.utf8.count) else {
            throw .invalidICECredentials(
                "\(name) is \(value.utf8.count) characters long, outside \(length.lowerBound) to \(length.upperBound)")
        }
        let isICEChar: (UInt8) -> Bool = { byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || byte == 0x2B || byte == 0x2F
        }
        guard value.utf8.allSatisfy(isICEChar) else {
            throw .invalidICECredentials("\(name) '\(value)' has characters other than letters, digits, '+' and '/'")
        }
    }
}
