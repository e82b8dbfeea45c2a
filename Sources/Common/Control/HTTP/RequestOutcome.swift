import Hummingbird
import Logging

/// What a request came to, for the one log line each session request gets: who asked, for
/// which stream and session, what status it got, and why.
struct RequestOutcome {
    var response: Response
    var stream: String?
    var session: String?
    var reason: String

    init(_ response: Response, stream: String? = nil, session: String? = nil, reason: String) {
        self.response = response
        self.stream = stream
        self.session = session
        self.reason = reason
    }

    /// Logs the outcome (info for successes, notice for refusals, error for 5xx) and returns the response.
    func logged(_ request: Request, context: ControlRequestContext) -> Response {
        var metadata: Logger.Metadata = [
            "client": .string(context.client),
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
        ]
        if let stream { metadata["stream"] = .string(stream) }
        if let session { metadata["session"] = .string(session) }
        let level: Logger.Level =
            switch response.status.code {
            case 500...: .error
            case 400...: .notice
            default: .info
            }
        context.logger.log(level: level, "\(reason)", metadata: metadata)
        return response
    }
}
