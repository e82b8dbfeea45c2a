import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads a node's `GET /v1/mesh` with an operator token, for `meshcast status`: one HTTP/1.1
/// exchange over swift-nio (its parser reads the answer), the JSON decoded as a ``MeshOverview``.
public enum MeshOverviewClient {
    /// Why no overview came back, as a sentence.
    public struct Failure: Error, CustomStringConvertible {
        /// The sentence.
        public let description: String
    }

    /// The overview `host:port` answers; throws on no answer, a status other than 200, or JSON
    /// that is not an overview.
    public static func fetch(
        host: String, port: Int, token: String, timeout: Duration = .seconds(5)
    ) async throws(Failure) -> MeshOverview {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        headers.add(name: "Authorization", value: "Bearer \(token)")
        headers.add(name: "Connection", value: "close")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1/mesh", headers: headers)
        let answer: HTTPExchange.Answer
        do {
            answer = try await HTTPExchange.send(
                head, body: [], host: host, port: port, timeout: .milliseconds(timeout.wholeMilliseconds))
        } catch {
            throw Failure(description: "no answer from \(host):\(port): \(error)")
        }
        guard answer.status == 200 else {
            let body = String(decoding: answer.body.prefix(300), as: UTF8.self)
            throw Failure(description: "\(host):\(port) answered \(answer.status): \(body)")
        }
        do {
            return try JSONDecoder().decode(MeshOverview.self, from: Data(answer.body))
        } catch {
            throw Failure(description: "\(host):\(port) answered JSON that is not a mesh overview: \(error)")
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    fileprivate var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
