import Hummingbird

/// Adds the CORS response headers every answer needs so that browser publishers and players
/// can read `Location`, `ETag` and `Link` (RFC 9725 §4.4 asks for CORS on WHIP resources), and
/// `Retry-After`, which a page needs to wait as long as a `503` or `429` asks before it tries
/// again (the Fetch standard hides every response header not listed here).
/// Preflight (`OPTIONS`) answers are the routes' own; this only decorates responses.
struct CORSHeaders: RouterMiddleware {
    typealias Context = ControlRequestContext

    /// The response headers a browser page may read beside the CORS-safelisted ones.
    static let exposedHeaders = "Location, ETag, Link, Retry-After"

    let allowedOrigin: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            // The router's own 404/405 arrive as errors; they need the headers too.
            response = try error.response(from: request, context: context)
        }
        response.headers[.accessControlAllowOrigin] = allowedOrigin
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        return response
    }
}
