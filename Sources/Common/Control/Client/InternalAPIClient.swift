import MeshCrypto
import MeshRTC
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The internal API as a downstream node calls it: plain HTTP/1.1 over swift-nio, one
/// connection per request, each signed with the cluster secret and a fresh nonce
/// (``InternalRequestSignature``). Link keys go out and come back sealed (``LinkKeySeal``):
/// nothing secret crosses the network in clear, though the rest of each call does.
///
/// ```swift
/// let api = InternalAPIClient(secret: clusterSecret)
/// let link = try await api.openLink(apiBase: "http://10.0.0.2:8080", request)
/// ```
public struct InternalAPIClient: InternalAPI {
    private let secret: [UInt8]
    private let signature: InternalRequestSignature
    private let timeout: Duration

    /// A client signing with `secret` that waits at most `timeout` for each whole answer.
    public init(secret: [UInt8], timeout: Duration = .seconds(2)) {
        self.secret = secret
        self.signature = InternalRequestSignature(secret: secret)
        self.timeout = timeout
    }

    /// `POST /internal/v1/links`: the keys travel sealed to this request, and come back sealed
    /// to the answer; the answer counts only if it opens and names the node asked.
    public func openLink(apiBase: String, _ request: LinkSetupRequest) async throws(InternalAPIFailure)
        -> LinkSetupResponse
    {
        let seal: LinkKeySeal
        let sealed: SealedLinkSetupRequest
        do {
            seal = try LinkKeySeal(clusterSecret: secret)
            sealed = try SealedLinkSetupRequest(sealing: request, with: seal)
        } catch {
            throw .unreachable("could not seal the link keys: \(error)")
        }
        let answer = try await send(.POST, apiBase: apiBase, path: "/internal/v1/links", json: sealed)
        let sealedAnswer: SealedLinkSetupResponse
        do {
            sealedAnswer = try JSONDecoder().decode(SealedLinkSetupResponse.self, from: Data(answer))
        } catch {
            throw .malformedResponse("the link answer is not a SealedLinkSetupResponse: \(error)")
        }
        guard sealedAnswer.upstreamNode == request.upstreamNode else {
            throw .malformedResponse(
                "the link answer comes from '\(sealedAnswer.upstreamNode)', not '\(request.upstreamNode)'")
        }
        do {
            return try sealedAnswer.opened(by: request.downstreamNode, with: seal)
        } catch {
            throw .malformedResponse("the link answer's keys: \(error)")
        }
    }

    /// `POST /internal/v1/links/{link}/subscriptions`.
    public func subscribe(apiBase: String, link: String, _ request: RelaySubscriptionRequest)
        async throws(InternalAPIFailure)
    {
        _ = try await send(
            .POST, apiBase: apiBase, path: "/internal/v1/links/\(PercentEncoding.encoded(link))/subscriptions",
            json: request)
    }

    /// `DELETE /internal/v1/links/{link}/subscriptions/{stream}`.
    public func unsubscribe(apiBase: String, link: String, stream: String) async throws(InternalAPIFailure) {
        let path =
            "/internal/v1/links/\(PercentEncoding.encoded(link))/subscriptions/\(PercentEncoding.encoded(stream))"
        _ = try await send(.DELETE, apiBase: apiBase, path: path, body: [])
    }

    /// `DELETE /internal/v1/links/{link}`.
    public func closeLink(apiBase: String, link: String) async throws(InternalAPIFailure) {
        _ = try await send(
            .DELETE, apiBase: apiBase, path: "/internal/v1/links/\(PercentEncoding.encoded(link))", body: [])
    }

    // MARK: Sending

    private func send(_ method: HTTPMethod, apiBase: String, path: String, json value: some Encodable)
        async throws(InternalAPIFailure) -> [UInt8]
    {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(value))
        } catch {
            throw .unreachable("could not encode the request body: \(error)")
        }
        return try await send(method, apiBase: apiBase, path: path, body: body, contentType: "application/json")
    }

    /// Sends a signed request and returns the body of a 2xx answer.
    private func send(
        _ method: HTTPMethod, apiBase: String, path: String, body: [UInt8], contentType: String? = nil
    ) async throws(InternalAPIFailure) -> [UInt8] {
        let endpoint = try InternalAPIEndpoint(apiBase: apiBase)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.authority)
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Content-Length", value: String(body.count))
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        do {
            let now = Int64(Date().timeIntervalSince1970)
            headers.add(
                name: InternalRequestSignature.headerName,
                value: try signature.headerValue(method: method.rawValue, target: path, body: body, now: now))
        } catch {
            throw .unreachable("could not sign the request: \(error)")
        }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        let answer: HTTPExchange.Answer
        do {
            answer = try await HTTPExchange.send(
                head, body: body, host: endpoint.host, port: endpoint.port, timeout: Self.timeAmount(timeout))
        } catch {
            switch error {
            case .responseTooLarge: throw .malformedResponse("\(endpoint.authority): \(error)")
            default: throw .unreachable("\(endpoint.authority): \(error)")
            }
        }
        guard (200...299).contains(answer.status) else {
            throw .rejected(status: answer.status, body: String(decoding: answer.body.prefix(2000), as: UTF8.self))
        }
        return answer.body
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else { return .nanoseconds(.max) }
        return .nanoseconds(max(0, nanoseconds.partialValue &+ attoseconds / 1_000_000_000))
    }
}
