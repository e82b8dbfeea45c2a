import Foundation
import Hummingbird
import MeshCatalog
import MeshControl
import MeshRecording
import NIOCore

/// The recorder's API, for operators (a Bearer operator token for every stream, `*`):
///
/// | request | answer |
/// | --- | --- |
/// | `POST /v1/recordings {stream, layers?}` | `201` + id; `404` stream not published; `409` already recording |
/// | `POST /v1/recordings/{id}/stop` | `200`, also when stopped already; `404` unknown |
/// | `GET /v1/recordings?stream=&state=&since=&limit=&after=` | a page, newest first, `next` for the following one |
/// | `GET /v1/recordings/{id}` | the recording with its tracks, segments and gaps |
/// | `GET /v1/recordings/{id}/segments/{n}` | the closed segment file; `Range` → `206`; `410` once expired |
/// | `GET /v1/recordings/{id}/media` | the whole stopped recording as one file (segments joined); `Range` → `206`; `410` once expired |
/// | `POST /v1/recordings/{id}/jobs {kind}` | `202` with the queued job (`remux-mp4`, `transcode-mp4`); `409` while recording; `404` unknown |
/// | `GET /v1/recordings/{id}/mp4` | the MP4 a done job wrote; `Range` → `206`; `404` none yet |
/// | `DELETE /v1/recordings/{id}` | `204`: stopped, rows and files gone |
///
/// Reads go to PostgreSQL: while it is away they answer `503` (recordings go on).
struct RecordingRoutes: Sendable {
    let recorder: Recorder
    /// The largest body `POST /v1/recordings` reads.
    static let bodyLimit = 4096

    /// Registers the routes; `gate` is the node's operator check, the same as for its own
    /// operator API (roles, key rotation, revocation).
    func register(on router: Router<ControlRequestContext>, gate: OperatorGate) {
        router.post("/v1/recordings") { request, _ in
            await answer(request, gate) { try await start(request) }
        }
        router.get("/v1/recordings") { request, _ in
            await answer(request, gate) { try await list(request) }
        }
        router.get("/v1/recordings/{id}") { request, context in
            await answer(request, gate) { try await detail(try recordingID(context)) }
        }
        router.post("/v1/recordings/{id}/stop") { request, context in
            await answer(request, gate) { try await stop(try recordingID(context), request) }
        }
        router.get("/v1/recordings/{id}/segments/{sequence}") { request, context in
            await answer(request, gate) {
                guard let text = context.parameters.get("sequence"), let sequence = Int(text), sequence >= 0 else {
                    throw APIError(.badRequest, "a segment is named by its sequence number (0, 1, ...)")
                }
                return try await segment(try recordingID(context), sequence: sequence, request: request)
            }
        }
        router.get("/v1/recordings/{id}/media") { request, context in
            await answer(request, gate) { try await media(try recordingID(context), request: request) }
        }
        router.post("/v1/recordings/{id}/jobs") { request, context in
            await answer(request, gate) { try await queueJob(try recordingID(context), request) }
        }
        router.get("/v1/recordings/{id}/mp4") { request, context in
            await answer(request, gate) { try await mp4(try recordingID(context), request: request) }
        }
        router.delete("/v1/recordings/{id}") { request, context in
            await answer(request, gate) { try await delete(try recordingID(context), request) }
        }
    }

    // MARK: Handlers

    private func start(_ request: Request) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.bodyLimit)
        } catch {
            throw APIError(.contentTooLarge, "the body is over \(Self.bodyLimit) bytes")
        }
        guard
            let body = try? JSONDecoder().decode(RecordingJSON.StartRequest.self, from: Data(buffer.readableBytesView))
        else {
            throw APIError(.badRequest, "the body must be JSON: {\"stream\": NAME, \"layers\": \"top\"}")
        }
        guard Self.isStreamName(body.stream) else {
            throw APIError(.badRequest, "stream names are 1 to 128 of A-Z a-z 0-9 . _ - ~")
        }
        guard let layers = RecordingLayers(rawValue: body.layers ?? "top") else {
            throw APIError(.badRequest, "layers is top or all")
        }
        do {
            let id = try await recorder.start(stream: body.stream, layers: layers)
            return Self.json(
                .created,
                RecordingJSON.Started(id: id.uuidString.lowercased(), stream: body.stream, state: "recording"),
                headers: [.location: "/v1/recordings/\(id.uuidString.lowercased())"])
        } catch {
            switch error {
            case .unknownStream: throw APIError(.notFound, error.description)
            case .alreadyRecording: throw APIError(.conflict, error.description)
            case .unavailable: throw APIError(.serviceUnavailable, error.description)
            case .storageFull: throw APIError(.init(code: 507, reasonPhrase: "Insufficient Storage"), error.description)
            }
        }
    }

    private func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = RecordingFilter()
        if let stream = query["stream"] { filter.stream = String(stream) }
        if let text = query["state"] {
            guard let state = RecordingState(rawValue: String(text)) else {
                throw APIError(.badRequest, "state is recording, stopped or failed")
            }
            filter.state = state
        }
        if let text = query["since"] {
            guard let date = Self.date(String(text)) else {
                throw APIError(.badRequest, "since is an ISO 8601 time or seconds since 1970")
            }
            filter.since = date
        }
        if let text = query["limit"] {
            guard let limit = Int(text), (1...500).contains(limit) else {
                throw APIError(.badRequest, "limit is 1 to 500")
            }
            filter.limit = limit
        }
        if let text = query["after"] {
            guard let cursor = RecordingJSON.cursor(String(text)) else {
                throw APIError(.badRequest, "after is the next value of a previous page")
            }
            filter.after = cursor
        }
        let page = try await catalogRead { try await recorder.catalog.list(filter) }
        return Self.json(
            .ok,
            RecordingJSON.Page(
                recordings: page.recordings.map(RecordingJSON.Summary.init),
                next: page.next.map(RecordingJSON.cursorText)))
    }

    private func detail(_ id: UUID) async throws -> Response {
        guard let detail = try await catalogRead({ try await recorder.catalog.detail(id) }) else {
            throw APIError(.notFound, "no recording \(id.uuidString.lowercased())")
        }
        let jobs = try await catalogRead { try await recorder.catalog.jobs(recording: id) }
        return Self.json(
            .ok,
            RecordingJSON.Detail(
                recording: .init(detail.recording), tracks: detail.tracks, segments: detail.segments, gaps: detail.gaps,
                jobs: jobs.map(JobJSON.Job.init), pendingChanges: recorder.catalog.lag.pending))
    }

    private func stop(_ id: UUID, _ request: Request) async throws -> Response {
        if let stream = await recorder.stop(id, reason: "API request") {
            return Self.json(
                .ok, RecordingJSON.Started(id: id.uuidString.lowercased(), stream: stream, state: "stopped"))
        }
        // Not running here: stopped already (idempotent), unknown, or running on another recorder.
        guard let detail = try await catalogRead({ try await recorder.catalog.detail(id) }) else {
            throw APIError(.notFound, "no recording \(id.uuidString.lowercased())")
        }
        if detail.recording.state == .recording { try redirectIfElsewhere(detail.recording, request) }
        let state = detail.recording.state == .recording ? "stopped" : detail.recording.state.rawValue
        return Self.json(
            .ok, RecordingJSON.Started(id: id.uuidString.lowercased(), stream: detail.recording.stream, state: state))
    }

    private func segment(_ id: UUID, sequence: Int, request: Request) async throws -> Response {
        guard let detail = try await catalogRead({ try await recorder.catalog.detail(id) }) else {
            throw APIError(.notFound, "no recording \(id.uuidString.lowercased())")
        }
        try refuseExpired(detail.recording)
        try redirectIfElsewhere(detail.recording, request)
        guard let segment = detail.segments.first(where: { $0.sequence == sequence }) else {
            throw APIError(.notFound, "recording \(id.uuidString.lowercased()) has no segment \(sequence)")
        }
        guard segment.state != .open else { throw APIError(.conflict, "segment \(sequence) is still being written") }
        // The catalog's file name is relative to this node's storage; never a path out of it.
        guard !segment.file.contains(".."), !segment.file.hasPrefix("/") else {
            throw APIError(.notFound, "segment \(sequence) has no file here")
        }
        let path = "\(recorder.storage)/\(segment.file)"
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw APIError(.notFound, "segment \(sequence)'s file is not on this recorder")
        }
        return try serve(
            handle, contentType: segment.file.hasSuffix(".mkv") ? "video/x-matroska" : "video/webm", request)
    }

    /// `410 Gone` for a recording whose retention ran out: its row is kept, its files are not.
    private func refuseExpired(_ recording: Recording) throws {
        guard let expired = recording.expiredAt else { return }
        throw APIError(
            .gone, "recording \(recording.id.uuidString.lowercased()) expired at \(expired): its files were deleted")
    }

    /// The whole recording as one file (``MatroskaJoin``), made once it has stopped and kept
    /// beside its segments; `Range` as for a segment. `409` while it records.
    private func media(_ id: UUID, request: Request) async throws -> Response {
        guard let detail = try await catalogRead({ try await recorder.catalog.detail(id) }) else {
            throw APIError(.notFound, "no recording \(id.uuidString.lowercased())")
        }
        try refuseExpired(detail.recording)
        try redirectIfElsewhere(detail.recording, request)
        guard detail.recording.state != .recording, !recorder.recordings.contains(where: { $0.id == id }) else {
            throw APIError(.conflict, "the recording is still being written; its closed segments are served one by one")
        }
        let path: String
        let isMatroska: Bool
        do {
            (path, isMatroska) = try RecordingFiles.joined(detail, storage: recorder.storage)
        } catch {
            switch error {
            case .noSegments: throw APIError(.notFound, error.description)
            case .join: throw APIError(.internalServerError, error.description)
            }
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw APIError(.notFound, "the recording's file is not on this recorder")
        }
        return try serve(handle, contentType: isMatroska ? "video/x-matroska" : "video/webm", request)
    }

    /// A file, whole or the one `Range` asked for (RFC 9110 §14: `206`, `416`).
    private func serve(_ handle: FileHandle, contentType: String, _ request: Request) throws -> Response {
        defer { try? handle.close() }
        let length = Int((try? handle.seekToEnd()) ?? 0)
        var headers: HTTPFields = [.contentType: contentType, .acceptRanges: "bytes"]
        let range = ByteRange(header: request.headers[.range], length: length)
        let slice: Range<Int>
        var status = HTTPResponse.Status.ok
        switch range {
        case .whole: slice = 0..<length
        case .part(let part):
            slice = part
            status = .partialContent
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(length)"
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(length)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        try handle.seek(toOffset: UInt64(slice.lowerBound))
        let data = try handle.read(upToCount: slice.count) ?? Data()
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Queues an MP4 job for a stopped recording: `202` with the job.
    private func queueJob(_ id: UUID, _ request: Request) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.bodyLimit)
        } catch {
            throw APIError(.contentTooLarge, "the body is over \(Self.bodyLimit) bytes")
        }
        guard let body = try? JSONDecoder().decode(JobJSON.Request.self, from: Data(buffer.readableBytesView)),
            let kind = JobQueue.Kind(rawValue: body.kind)
        else {
            throw APIError(
                .badRequest, "the body must be JSON: {\"kind\": \"remux-mp4\"} or {\"kind\": \"transcode-mp4\"}")
        }
        guard let detail = try await catalogRead({ try await recorder.catalog.detail(id) }) else {
            throw APIError(.notFound, "no recording \(id.uuidString.lowercased())")
        }
        try refuseExpired(detail.recording)
        guard detail.recording.state != .recording, !recorder.recordings.contains(where: { $0.id == id }) else {
            throw APIError(.conflict, "the recording is still being written; queue its MP4 once it has stopped")
        }
        let job = try await catalogRead { try await recorder.catalog.enqueueJob(kind, recording: id) }
        let jobs = try await catalogRead { try await recorder.catalog.jobs(recording: id) }
        guard let queued = jobs.first(where: { $0.id == job }) else {
            throw APIError(.notFound, "no recording \(id.uuidString.lowercased())")
        }
        return Self.json(
            .accepted, JobJSON.Job(queued), headers: [.location: "/v1/recordings/\(id.uuidString.lowercased())"])
    }

    /// The MP4 a done job wrote beside the segments; `Range` as for a segment.
    private func mp4(_ id: UUID, request: Request) async throws -> Response {
        guard let detail = try await catalogRead({ try await recorder.catalog.detail(id) }) else {
            throw APIError(.notFound, "no recording \(id.uuidString.lowercased())")
        }
        try refuseExpired(detail.recording)
        try redirectIfElsewhere(detail.recording, request)
        let jobs = try await catalogRead { try await recorder.catalog.jobs(recording: id) }
        guard jobs.contains(where: { $0.state == .done }),
            let handle = FileHandle(
                forReadingAtPath: RecordingFiles.directory(id, storage: recorder.storage) + "/recording.mp4")
        else {
            let pending = jobs.contains { $0.state == .queued || $0.state == .running }
            throw APIError(
                .notFound,
                pending
                    ? "the MP4 job has not finished yet"
                    : "the recording has no MP4: queue one with POST /v1/recordings/\(id.uuidString.lowercased())/jobs")
        }
        return try serve(handle, contentType: "video/mp4", request)
    }

    private func delete(_ id: UUID, _ request: Request) async throws -> Response {
        // The files are on the recorder that wrote them: it deletes.
        if let detail = try await catalogRead({ try await recorder.catalog.detail(id) }) {
            try redirectIfElsewhere(detail.recording, request)
        }
        await recorder.stop(id, reason: "deleted through the API")
        guard try await catalogRead({ try await recorder.catalog.delete(id) }) else {
            throw APIError(.notFound, "no recording \(id.uuidString.lowercased())")
        }
        try? FileManager.default.removeItem(atPath: "\(recorder.storage)/\(id.uuidString.lowercased())")
        return Response(status: .noContent)
    }

    // MARK: Helpers

    /// A `307` to the recorder that holds `recording`'s files (its catalog row's node), when
    /// that is another one: a node that is not a recorder sends requests about a recording to
    /// the recorder its id hashes to (`RecordingsRedirect`), which may not be the one.
    private func redirectIfElsewhere(_ recording: Recording, _ request: Request) throws {
        guard recording.node != recorder.nodeID else { return }
        guard let base = recorder.apiBase(of: recording.node) else {
            throw APIError(.notFound, "the recording is on \(recording.node), which is not in the topology")
        }
        var target = base + request.uri.path
        if let query = request.uri.query, !query.isEmpty { target += "?\(query)" }
        throw APIError(.temporaryRedirect, "the recording is on \(recording.node)", location: target)
    }

    /// Checks the operator token through `gate`, runs `body`, and turns its errors into answers.
    private func answer(
        _ request: Request, _ gate: OperatorGate, _ body: () async throws -> Response
    ) async -> Response {
        if let refusal = gate.refusal(for: request) { return refusal }
        do {
            return try await body()
        } catch let error as APIError {
            return error.response
        } catch {
            return APIError(.internalServerError, "\(error)").response
        }
    }

    private func recordingID(_ context: ControlRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), text.count == 36, let id = UUID(uuidString: text) else {
            throw APIError(.badRequest, "a recording id is a UUID")
        }
        return id
    }

    /// A catalog read; PostgreSQL away is a 503, the recording itself is unaffected.
    private func catalogRead<T>(_ read: () async throws -> T) async throws -> T {
        do {
            return try await read()
        } catch {
            throw APIError(.serviceUnavailable, "the recordings catalog is unreachable now: \(error)")
        }
    }

    static func isStreamName(_ name: String) -> Bool {
        (1...128).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D || byte == 0x7E
            }
    }

    static func date(_ text: String) -> Date? {
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        return ISO8601DateFormatter().date(from: text)
    }

    static func json<T: Encodable>(_ status: HTTPResponse.Status, _ value: T, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        let data = (try? RecordingJSON.encoder.encode(value)) ?? Data("{}".utf8)
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// An API refusal with its status and the sentence its body carries.
struct APIError: Error {
    let status: HTTPResponse.Status
    let message: String
    var challenge = false
    /// Where a `307` sends the client.
    var location: String?

    init(_ status: HTTPResponse.Status, _ message: String, challenge: Bool = false, location: String? = nil) {
        self.status = status
        self.message = message
        self.challenge = challenge
        self.location = location
    }

    var response: Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if challenge { headers[.wwwAuthenticate] = "Bearer realm=\"meshcast\"" }
        if let location { headers[.location] = location }
        let body = ByteBuffer(string: message + "\n")
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
