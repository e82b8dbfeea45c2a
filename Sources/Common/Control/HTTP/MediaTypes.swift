import Hummingbird

/// The media types the session resources speak.
enum MediaTypes {
    /// A WHIP/WHEP offer and answer (RFC 3264, RFC 9725 §4.2).
    static let sdp = "application/sdp"
    /// A PATCH body and an ICE restart answer (RFC 8840).
    static let trickleICEFragment = "application/trickle-ice-sdpfrag"
    static let plainText = "text/plain; charset=utf-8"
    static let json = "application/json"
    static let html = "text/html; charset=utf-8"
    /// The Prometheus text exposition format.
    static let prometheus = "text/plain; version=0.0.4; charset=utf-8"

    /// Whether `field` (a `Content-Type` value) names `type`, ignoring parameters and case.
    static func matches(_ field: String?, _ type: String) -> Bool {
        guard let field else { return false }
        let essence = field.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return essence.trimmingWhitespace().lowercased() == type
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's OWS, RFC 9110 §5.6.3).
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let view = self[...]
        guard let first = view.firstIndex(where: { !isSpace($0) }),
            let last = view.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return Substring(view[first...last])
    }
}
