import Synchronization

/// Counts internal API requests refused before they reached the coordinator, by reason, for
/// `meshcast_internal_rejected_total{reason="..."}` in `/metrics`.
final class InternalRejectionCounter: Sendable {
    /// Every reason the internal routes refuse for, so that each series shows from the first scrape.
    static let reasons = [
        "no_mesh", "no_cluster_secret", "missing_signature", "malformed_signature", "expired_signature",
        "wrong_signature", "replayed_signature", "nonce_memory_full", "unverifiable_signature", "body_too_large",
        "unsupported_media_type", "malformed_json", "malformed_sealed_keys", "unopenable_sealed_keys",
        "crypto_failure",
    ]

    private let counts = Mutex<[String: Int]>(Dictionary(uniqueKeysWithValues: reasons.map { ($0, 0) }))

    /// Counts one refusal for `reason`.
    func count(_ reason: String) {
        counts.withLock { $0[reason, default: 0] += 1 }
    }

    /// The counter in the Prometheus text format.
    func prometheusText() -> String {
        var text =
            "# HELP meshcast_internal_rejected_total Internal API requests refused before the coordinator, by reason.\n"
        text += "# TYPE meshcast_internal_rejected_total counter\n"
        for (reason, value) in counts.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            text += "meshcast_internal_rejected_total{reason=\"\(reason)\"} \(value)\n"
        }
        return text
    }
}
