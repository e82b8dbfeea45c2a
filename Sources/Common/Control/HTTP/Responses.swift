import Hummingbird

/// Small response builders, so that every error answer carries a text body saying why.
enum Responses {
    /// A `text/plain` response; `text` gets a trailing newline for people using curl.
    static func text(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
        body(status, contentType: MediaTypes.plainText, text.hasSuffix("\n") ? text : text + "\n", headers: headers)
    }

    /// A response with `body` as `contentType`.
    static func body(
        _ status: HTTPResponse.Status, contentType: String, _ body: String, headers: HTTPFields = [:]
    ) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        let buffer = ByteBuffer(string: body)
        headers[.contentLength] = String(buffer.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// A response with no body.
    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: headers)
    }
}
