import Yams

/// `webhooks`: a list of `{url, events, secret, ca}` (``WebhookTarget``).
extension TopologyDecoder {
    static let webhookKeys = ["url", "events", "secret", "ca"]

    /// The targets, or `nil` after reporting every bad entry with its location.
    func decodeWebhooks(_ node: Node) -> [WebhookTarget]? {
        guard let items = read.list(node, "'webhooks'") else { return nil }
        var targets: [WebhookTarget] = []
        var valid = true
        for item in items {
            guard let fields = read.fields(item, "webhook", known: Self.webhookKeys, required: ["url", "secret"]),
                let url = fields["url"].flatMap({ read.string($0, "'url'") }),
                let secret = fields["secret"].flatMap({ read.string($0, "'secret'") })
            else {
                valid = false
                continue
            }
            guard WebhookTarget.endpoint(url.value) != nil else {
                log.error(
                    "webhook url must be http(s)://host[:port][/path], found '\(url.value)'", at: url.location)
                valid = false
                continue
            }
            var events = WebhookEvent.allCases
            if let eventsNode = fields["events"] {
                events = []
                for name in read.stringOrList(eventsNode, "'events'") ?? [] {
                    guard let event = WebhookEvent(rawValue: name.value) else {
                        let known = WebhookEvent.allCases.map(\.rawValue).joined(separator: ", ")
                        log.error("unknown webhook event '\(name.value)' (known: \(known))", at: name.location)
                        valid = false
                        continue
                    }
                    events.append(event)
                }
            }
            let ca = fields["ca"].flatMap { read.string($0, "'ca'") }
            if let ca, !WebhookTarget.usesTLS(url.value) {
                log.error("webhook 'ca' is for an https:// url, not '\(url.value)'", at: ca.location)
                valid = false
            }
            targets.append(
                WebhookTarget(url: url.value, events: events, secretVariable: secret.value, caFile: ca?.value))
        }
        return valid ? targets : nil
    }
}
