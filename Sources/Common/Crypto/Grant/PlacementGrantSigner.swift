#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Signs and checks ``PlacementGrant``s as HS256 JWS compact tokens (RFC 7515 §3.1).
///
/// The key is HMAC-SHA256(cluster secret, "meshcast placement grant v1"), not the cluster secret
/// itself, so a grant can never pass for an internal API signature or a stream token, nor the
/// other way round.
public struct PlacementGrantSigner: Sendable {
    /// The JWS `typ` of a grant.
    static let type = "meshcast-grant"
    /// The longest grant accepted; real ones are a few hundred bytes.
    public static let maximumLength = 2048

    /// Why a grant was refused; each is a 403 with its sentence.
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not a grant this mesh signed: malformed, another key, or altered.
        case forged(String)
        /// Its time is over.
        case expired
        /// Signed for another node, stream or action.
        case misdirected(String)
        /// Already redeemed once.
        case reused

        /// A sentence for the 403 body and the log.
        public var description: String {
            switch self {
            case .forged(let why): "placement grant refused: \(why)"
            case .expired: "placement grant expired: ask the node you first asked again"
            case .misdirected(let why): "placement grant refused: \(why)"
            case .reused: "placement grant already used: ask the node you first asked again"
            }
        }
    }

    private let key: [UInt8]

    /// A signer for the mesh whose cluster secret is `clusterSecret`.
    public init(clusterSecret: [UInt8]) throws {
        key = try Digest.hmac(.sha256, key: clusterSecret, message: Array("meshcast placement grant v1".utf8))
    }

    /// The grant as a compact token, safe in a query parameter (base64url and dots only).
    public func sign(_ grant: PlacementGrant) throws(OpenSSLError) -> String {
        let header = Array(#"{"alg":"HS256","typ":"\#(Self.type)"}"#.utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding a struct of strings, numbers and a bool cannot fail.
        let payload = (try? encoder.encode(grant)).map { Array($0) } ?? []
        return try CompactHS256.sign(header: header, payload: payload, secret: key)
    }

    /// The grant in `token` if this mesh signed it, it is for `node`, `stream` and `action`, and
    /// `now` (wall-clock milliseconds) is before its expiry. Whether it was used before is the
    /// caller's to check (``PlacementGrant/id``).
    public func verify(_ token: String, node: String, stream: String, action: StreamAction, now: UInt64)
        throws(Rejection) -> PlacementGrant
    {
        guard token.utf8.count <= Self.maximumLength else { throw .forged("longer than \(Self.maximumLength) bytes") }
        let payload: [UInt8]
        do {
            payload = try CompactHS256.verifiedPayload(token, secret: key)
        } catch {
            throw .forged(error.description)
        }
        let grant: PlacementGrant
        do {
            grant = try JSONDecoder().decode(PlacementGrant.self, from: Data(payload))
        } catch {
            throw .forged("unreadable claims")
        }
        guard grant.node == node else { throw .misdirected("it places the client on \(grant.node), not here") }
        guard grant.stream == stream, grant.action == action else {
            throw .misdirected("it is for another stream or kind of session")
        }
        guard now < grant.expiresAt else { throw .expired }
        return grant
    }

    /// The grant in a token this node already verified (to release what it holds), unchecked.
    public static func unverifiedGrant(_ token: String) -> PlacementGrant? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= maximumLength, parts.count == 3, let payload = Base64URL.decode(parts[1]) else {
            return nil
        }
        return try? JSONDecoder().decode(PlacementGrant.self, from: Data(payload))
    }
}
