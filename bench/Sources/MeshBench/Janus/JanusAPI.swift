import Foundation

/// One viewer's conversation with the Janus API over HTTP (janus.plugin.streaming): create a
/// session, attach the plugin, `watch` a mountpoint (Janus answers with a JSEP offer on the
/// long-poll), `start` with our answer, keep the session alive, destroy it. Blocking calls:
/// run them off the media workers.
final class JanusAPI {
    /// Why a request failed: Janus's `error` reply or an unexpected one.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Seconds between keepalives; Janus drops sessions idle for `session_timeout` (60 s).
    static let keepaliveInterval = 25
    /// Seconds the long-poll may take before we give up waiting for the offer.
    static let offerTimeoutSeconds = 30

    let base: HTTPURL
    /// `session_id` from `create`.
    private(set) var session: UInt64 = 0
    /// `handle_id` from `attach`.
    private(set) var handle: UInt64 = 0
    private var transactions = 0

    /// Talks to the API at `base` (`http://127.0.0.1:<port>/janus`).
    init(base: HTTPURL) {
        self.base = base
    }

    /// `create` then `attach` to janus.plugin.streaming.
    func attachStreaming() throws {
        session = try identifier(of: try post(base.target, ["janus": "create"]))
        handle = try identifier(of: try post(sessionPath, ["janus": "attach", "plugin": "janus.plugin.streaming"]))
    }

    /// Asks to watch mountpoint `id` and returns Janus's SDP offer from the long-poll.
    func watch(mountpoint id: Int) throws -> String {
        let transaction = nextTransaction()
        let ack = try post(handlePath, message(["request": "watch", "id": id], transaction: transaction))
        if let jsep = ack["jsep"] as? [String: Any], let sdp = jsep["sdp"] as? String { return sdp }
        for _ in 0..<Self.offerTimeoutSeconds {
            for event in try poll() where (event["transaction"] as? String) == transaction || event["jsep"] != nil {
                if let jsep = event["jsep"] as? [String: Any], jsep["type"] as? String == "offer",
                    let sdp = jsep["sdp"] as? String
                {
                    return sdp
                }
                if let failure = Self.pluginError(event) { throw Failure(description: "watch refused: \(failure)") }
            }
        }
        throw Failure(description: "no offer within \(Self.offerTimeoutSeconds) s of watch \(id)")
    }

    /// Sends `start` with our SDP answer; Janus begins forwarding once ICE and DTLS complete.
    func start(answer sdp: String) throws {
        let body = message(["request": "start"], transaction: nextTransaction(), jsep: ["type": "answer", "sdp": sdp])
        _ = try post(handlePath, body)
    }

    /// Resets the session's idle timer.
    func keepalive() throws {
        _ = try post(sessionPath, ["janus": "keepalive"])
    }

    /// Destroys the session (and with it the handle and its PeerConnection).
    func destroy() throws {
        guard session != 0 else { return }
        _ = try post(sessionPath, ["janus": "destroy"])
        session = 0
    }

    /// One long-poll `GET /janus/<session>?maxev=5`: the events Janus queued (up to 30 s wait).
    func poll() throws -> [[String: Any]] {
        guard let url = base.resolving(sessionPath + "?maxev=5") else { throw Failure(description: "bad session path") }
        let response = try HTTPClient.request("GET", url, timeoutSeconds: 35)
        guard response.status == 200 else { throw Failure(description: "long-poll: HTTP \(response.status)") }
        let parsed = try JSONSerialization.jsonObject(with: Data(response.body))
        if let list = parsed as? [[String: Any]] { return list }
        if let single = parsed as? [String: Any] { return (single["janus"] as? String) == "keepalive" ? [] : [single] }
        return []
    }

    private var sessionPath: String { "\(base.target)/\(session)" }
    private var handlePath: String { "\(base.target)/\(session)/\(handle)" }

    private func message(_ body: [String: Any], transaction: String, jsep: [String: Any]? = nil) -> [String: Any] {
        var request: [String: Any] = ["janus": "message", "body": body, "transaction": transaction]
        if let jsep { request["jsep"] = jsep }
        return request
    }

    private func nextTransaction() -> String {
        transactions += 1
        return "meshbench-\(transactions)"
    }

    /// POSTs `request` (adding a transaction if missing) and returns the reply; throws on a
    /// Janus `error` reply (its `error.code` and `reason`).
    private func post(_ path: String, _ request: [String: Any]) throws -> [String: Any] {
        var request = request
        if request["transaction"] == nil { request["transaction"] = nextTransaction() }
        guard let url = base.resolving(path) else { throw Failure(description: "bad path \(path)") }
        let response = try HTTPClient.request(
            "POST", url, headers: [("Content-Type", "application/json")], body: try JanusJSON.encode(request))
        guard response.status == 200 else { throw Failure(description: "\(path): HTTP \(response.status)") }
        let reply = try JanusJSON.decode(response.body)
        if reply["janus"] as? String == "error" {
            let error = reply["error"] as? [String: Any]
            throw Failure(description: "Janus error \(error?["code"] ?? "?"): \(error?["reason"] ?? "?")")
        }
        if let failure = Self.pluginError(reply) { throw Failure(description: failure) }
        return reply
    }

    private func identifier(of reply: [String: Any]) throws -> UInt64 {
        guard let data = reply["data"] as? [String: Any], let id = JanusJSON.identifier(data["id"]) else {
            throw Failure(description: "reply without data.id: \(reply["janus"] ?? "?")")
        }
        return id
    }

    /// The streaming plugin's `error` field, if its data carries one.
    private static func pluginError(_ reply: [String: Any]) -> String? {
        guard let plugin = reply["plugindata"] as? [String: Any], let data = plugin["data"] as? [String: Any],
            let error = data["error"]
        else { return nil }
        return "\(data["error_code"] ?? "?"): \(error)"
    }
}
