import Hummingbird
import MeshRTC

/// Maps the engine's refusals to WHIP/WHEP statuses (RFC 9725 §4.2, §4.6).
enum SessionErrorResponse {
    /// Seconds a client should wait after a 503 before it tries again.
    static let retryAfterSeconds = 5

    /// The status for `error`.
    static func status(_ error: SessionRequestError) -> HTTPResponse.Status {
        switch error {
        case .badOffer: .badRequest
        // RFC 9725 §4.2 allows 400 or 406; 406 would claim content negotiation of the answer's type.
        case .noUsableCodec: .badRequest
        case .streamAlreadyPublished: .conflict
        case .unknownStream, .unknownSession: .notFound
        case .unavailable: .serviceUnavailable
        }
    }

    /// A text/plain response whose body is the error's description, cut to
    /// ``ErrorEcho/sentenceBytes``: whatever an error repeats of the request, the answer stays short.
    static func response(_ error: SessionRequestError, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        if case .unavailable = error { headers[.retryAfter] = String(retryAfterSeconds) }
        return Responses.text(status(error), ErrorEcho.capped(error.description), headers: headers)
    }
}
