import Foundation
import HTTPTypes
import Hummingbird
import MeshControl
import MeshRTC
import NIOCore

/// Direct ingest (`/v1/recordings/ingest`): a client publishes straight to the recorder with
/// WHIP semantics (RFC 9725) and is recorded.
///
/// | request | answer |
/// | --- | --- |
/// | `POST /v1/recordings/ingest?stream=NAME` (`application/sdp` offer) | `201` + the answer, `Location` of the session, `X-Recording-Id`, `Link` to the recording; `400` bad name or SDP; `409` recorded here already; `507` storage full |
/// | `PATCH …/ingest/{id}` with `application/sdp` | `200` + the answer: renegotiated (new tracks, or a restarted client), same recording, new segment |
/// | `PATCH …/ingest/{id}` with `application/trickle-ice-sdpfrag` | `204` trickled, `200` + fragment for an ICE restart (RFC 9725 §4.3) |
/// | `DELETE …/ingest/{id}` | `200`: session and recording ended |
///
/// A publish token for the stream (as an origin takes for WHIP) or an operator or admin token;
/// `401` without a valid one, `403` for one that does not grant publishing the stream. An
/// unknown session is `404` (after an operator token: whose stream it would be is unknown).
struct IngestRoutes: Sendable {
    let recorder: Recorder
    /// The largest offer read (an SDP of many tracks is a few KiB).
    static let offerLimit = 64 << 10
    static let sdp = "application/sdp"
    static let fragment = "application/trickle-ice-sdpfrag"
    /// The header naming the recording a new session records (also `Link: <…>; rel="related"`).
    static let recordingIDHeader = header("X-Recording-Id")
    /// RFC 8288 web links (HTTPTypes predefines no `Link`).
    static let linkHeader = header("Link")

    func register(on router: Router<ControlRequestContext>, gate: OperatorGate) {
        router.post("/v1/recordings/ingest") { request, context in
            await create(request, context, gate)
        }
        router.patch("/v1/recordings/ingest/{id}") { request, context in
            await session(request, context, gate) { id in try await patch(id, request, context) }
        }
        router.delete("/v1/recordings/ingest/{id}") { request, context in
            await session(request, context, gate) { id in
                guard await recorder.stop(id, reason: "ingest DELETE") != nil else {
                    throw APIError(.notFound, IngestError.unknownSession.description)
                }
                return Response(status: .ok)
            }
        }
    }

    private func create(_ request: Request, _ context: ControlRequestContext, _ gate: OperatorGate) async -> Response {
        guard let name = request.uri.queryParameters["stream"].map(String.init), RecordingRoutes.isStreamName(name)
        else {
            return APIError(.badRequest, "?stream=NAME is required: 1 to 128 of A-Z a-z 0-9 . _ - ~").response
        }
        if let refusal = gate.refusal(for: request, stream: name, action: .publish) { return refusal }
        do {
            var request = request
            let offer = try await Self.body(&request, type: Self.sdp)
            let (id, answer) = try await recorder.ingest(stream: name, offer: offer, client: context.client)
            let text = id.uuidString.lowercased()
            var headers: HTTPFields = [
                .contentType: Self.sdp, .location: "/v1/recordings/ingest/\(text)", .eTag: "\"\(answer.tag)\"",
                Self.recordingIDHeader: text,
            ]
            headers.append(HTTPField(name: Self.linkHeader, value: "</v1/recordings/\(text)>; rel=\"related\""))
            return Self.text(.created, answer.sdp, headers: headers)
        } catch let error as APIError {
            return error.response
        } catch let error as IngestError {
            return Self.response(error)
        } catch {
            return APIError(.internalServerError, "\(error)").response
        }
    }

    /// `application/sdp`: renegotiation; `application/trickle-ice-sdpfrag`: WHIP's trickle or ICE restart.
    private func patch(_ id: UUID, _ request: Request, _ context: ControlRequestContext) async throws -> Response {
        var request = request
        let type = request.headers[.contentType].map {
            $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
        }
        do {
            if type?.lowercased() == Self.sdp {
                let offer = try await Self.body(&request, type: Self.sdp)
                let answer = try await recorder.renegotiate(id, offer: offer, client: context.client)
                return Self.text(.ok, answer.sdp, headers: [.contentType: Self.sdp, .eTag: "\"\(answer.tag)\""])
            }
            let fragment = try await Self.body(&request, type: Self.fragment)
            switch try await recorder.ingests.patch(id, fragment: fragment) {
            case .trickled:
                return Response(status: .noContent)
            case .restarted(let answer, let tag):
                return Self.text(.ok, answer, headers: [.contentType: Self.fragment, .eTag: "\"\(tag)\""])
            }
        } catch let error as SessionRequestError {
            return Self.response(.session(error))
        }
    }

    /// Authorizes a request on ingest session `{id}` for its stream, then runs `body`.
    private func session(
        _ request: Request, _ context: ControlRequestContext, _ gate: OperatorGate,
        _ body: (UUID) async throws -> Response
    ) async -> Response {
        guard let text = context.parameters.get("id"), text.count == 36, let id = UUID(uuidString: text),
            let session = recorder.ingests.session(id)
        else {
            // Whose stream an unknown id would be is unknown: only an operator learns it is unknown.
            if let refusal = gate.refusal(for: request) { return refusal }
            return APIError(.notFound, IngestError.unknownSession.description).response
        }
        if let refusal = gate.refusal(for: request, stream: session.stream, action: .publish) { return refusal }
        do {
            return try await body(id)
        } catch let error as APIError {
            return error.response
        } catch let error as IngestError {
            return Self.response(error)
        } catch {
            return APIError(.internalServerError, "\(error)").response
        }
    }

    /// The body as text, if it is of media type `type` (else `415` with `Accept-Patch`/`-Post`),
    /// not empty (`400`) and at most ``offerLimit`` bytes (`413`).
    static func body(_ request: inout Request, type: String) async throws -> String {
        let sent = request.headers[.contentType].map {
            $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
        }
        guard sent?.lowercased() == type else {
            throw APIError(.unsupportedMediaType, "Content-Type must be \(type)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: offerLimit)
        } catch {
            throw APIError(.contentTooLarge, "the body is over \(offerLimit) bytes")
        }
        guard buffer.readableBytes > 0,
            let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes)
        else {
            throw APIError(.badRequest, "the body is empty or not UTF-8")
        }
        return text
    }

    static func response(_ error: IngestError) -> Response {
        let status: HTTPResponse.Status =
            switch error {
            case .session(.badOffer), .session(.noUsableCodec): .badRequest
            case .session(.unknownSession), .session(.unknownStream), .unknownSession: .notFound
            case .session(.streamAlreadyPublished), .busy, .recorder(.alreadyRecording): .conflict
            case .session(.unavailable), .recorder(.unavailable): .serviceUnavailable
            case .recorder(.unknownStream): .notFound
            case .recorder(.storageFull): .init(code: 507, reasonPhrase: "Insufficient Storage")
            }
        return APIError(status, String(error.description.prefix(300))).response
    }

    /// A field name HTTPTypes does not predefine; the literals are valid tokens, so this cannot fail.
    private static func header(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("invalid header name \(name)") }
        return field
    }

    static func text(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields) -> Response {
        var headers = headers
        let body = ByteBuffer(string: text)
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
