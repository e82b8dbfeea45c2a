import Hummingbird
import Logging
import MeshCluster
import MeshCrypto
import MeshRTC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where the routes report state-changing calls (issue 15, item 5): one `audit` log line per
/// call at notice level, always, and a record in the mesh's audit stream (``AuditLog``) when the
/// node has Redis. Calls are recorded once their token is good (the actor is known), whatever
/// their result; a refused token is the request log's business, not the audit log's.
struct AuditTrail: Sendable {
    let log: AuditLog
    let node: String

    /// Records `action` on `target` by the bearer of `claims` with the response's status and
    /// `reason`, and returns the response with the request id in `X-Request-ID`.
    func record(
        _ action: String, target: String, claims: StreamToken?, outcome: RequestOutcome, request: Request,
        context: ControlRequestContext
    ) -> RequestOutcome {
        let requestID = Self.requestID(request)
        let record = AuditRecord(
            time: Int64(Date().timeIntervalSince1970 * 1000), actor: claims?.subject ?? "-",
            keyID: claims?.keyID ?? "-", action: action, target: target, client: context.client,
            requestID: requestID, result: "\(outcome.response.status.code) \(ErrorEcho.capped(outcome.reason))",
            node: node)
        log.record(record)
        context.logger.notice(
            "audit",
            metadata: [
                "actor": .string(record.actor), "kid": .string(record.keyID), "action": .string(action),
                "target": .string(target), "client": .string(record.client), "request": .string(requestID),
                "result": .string(record.result),
            ])
        var outcome = outcome
        outcome.response.headers[.requestID] = requestID
        return outcome
    }

    /// The client's `X-Request-ID` when it is 1 to 64 printable characters without spaces,
    /// else 64 random bits in hex.
    static func requestID(_ request: Request) -> String {
        if let given = request.headers[.requestID], (1...64).contains(given.utf8.count),
            given.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        {
            return given
        }
        return String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}
