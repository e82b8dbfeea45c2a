extension InternalRequestSignature {
    /// Why a request's signature was not accepted.
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        /// No signature header.
        case missing
        /// The header is not `t=<digits>,n=<32 hex digits>,v=<64 hex digits>`.
        case malformed(String)
        /// The time is further than ``InternalRequestSignature/maxSkewSeconds`` from now.
        case expired(skewSeconds: Int64)
        /// The HMAC does not match: another secret, or a changed method, target (path or
        /// query), time, nonce or body.
        case wrongSignature
        /// A good signature whose nonce this node already accepted: a replayed request.
        case replayed
        /// The HMAC could not be computed (OpenSSL failed).
        case unverifiable(String)

        /// The `reason` label of `meshcast_internal_rejected_total`.
        public var metricReason: String {
            switch self {
            case .missing: "missing_signature"
            case .malformed: "malformed_signature"
            case .expired: "expired_signature"
            case .wrongSignature: "wrong_signature"
            case .replayed: "replayed_signature"
            case .unverifiable: "unverifiable_signature"
            }
        }

        /// A sentence for the 401 body.
        public var description: String {
            let header = InternalRequestSignature.headerName
            return switch self {
            case .missing: "missing \(header) header"
            case .malformed(let reason): "malformed \(header): \(reason)"
            case .expired(let skew):
                "\(header) time is \(skew) s from this node's clock "
                    + "(at most \(InternalRequestSignature.maxSkewSeconds) s allowed)"
            case .wrongSignature: "\(header) does not match the request and cluster secret"
            case .replayed: "\(header) was already used: a signed request is accepted once (replay refused)"
            case .unverifiable(let reason): "the signature could not be checked: \(reason)"
            }
        }
    }
}
