import HTTPTypes
import Hummingbird
import MeshRTC
import NIOCore
import NIOHTTP1

/// Reads a request body of a given media type up to a limit, answering 415, 413 and 400
/// itself so that handlers see only usable text: 413 only for a body over the limit, 400 for
/// one that is empty, not UTF-8 or not decodable (a malformed chunked encoding).
struct BoundedBody {
    let limit: Int

    /// A refusal and its response.
    struct Refusal: Error {
        let response: Response
        let reason: String
    }

    /// The body as UTF-8 text, if the request's `Content-Type` is `mediaType` and the body is
    /// non-empty and at most `limit` bytes. `acceptHeader` (`Accept-Post`, `Accept-Patch`)
    /// tells a 415's client what to send instead (RFC 9110 §15.5.16).
    func text(
        of request: inout Request, mediaType: String, acceptHeader: HTTPField.Name
    ) async throws(Refusal) -> String {
        guard MediaTypes.matches(request.headers[.contentType], mediaType) else {
            // The header is the client's text, as long as the HTTP parser allows: echo a little.
            let sent = request.headers[.contentType].map { ErrorEcho.echoed($0) } ?? "none"
            let reason = "Content-Type must be \(mediaType), not \(sent)"
            throw Refusal(
                response: Responses.text(.unsupportedMediaType, reason, headers: [acceptHeader: mediaType]),
                reason: reason)
        }
        // Refuse a declared oversize body before reading a byte of it.
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw tooLarge
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch {
            throw Self.unreadable(error)
        }
        guard buffer.readableBytes > 0 else {
            throw Refusal(response: Responses.text(.badRequest, "empty body"), reason: "empty body")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw Refusal(response: Responses.text(.badRequest, "body is not UTF-8"), reason: "body is not UTF-8")
        }
        return text
    }

    /// A body the HTTP decoder could not read (a bad chunk size, a connection that closed
    /// mid-body): the client's mistake, so 400, not 413. The parser has lost its place in the
    /// byte stream, so the connection cannot carry another request.
    private static func unreadable(_ error: any Error) -> Refusal {
        let reason: String
        switch error as? HTTPParserError {
        case .invalidChunkSize?: reason = "malformed chunked body: bad chunk size (RFC 9112 §7.1)"
        case .some(let parserError): reason = "malformed request body: \(parserError)"
        case nil: reason = "request body could not be read: \(error)"
        }
        return Refusal(
            response: Responses.text(.badRequest, reason, headers: [.connection: "close"]), reason: reason)
    }

    private var tooLarge: Refusal {
        let reason = "body larger than \(limit) bytes"
        return Refusal(response: Responses.text(.contentTooLarge, reason), reason: reason)
    }
}
