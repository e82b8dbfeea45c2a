import Hummingbird
import MeshCrypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `GET /v1/turn`: the node's live TURN allocations, behind the operator API's check (an
/// operator or admin token for every stream, revocable and not revoked): a listing names every
/// client, so a token scoped to one stream does not open it. 404 when the node runs no TURN.
struct TURNRoutes: Sendable {
    let turn: (any TURNStatusSource)?
    let authorization: BearerAuthorization

    /// The body of `GET /v1/turn`.
    struct Listing: Encodable {
        let allocations: [TURNAllocationListing]
    }

    func register(on router: Router<ControlRequestContext>) {
        router.get("/v1/turn") { request, context in
            await list(request).logged(request, context: context)
        }
    }

    private func list(_ request: Request) async -> RequestOutcome {
        do {
            _ = try authorization.authorizeOperator(request)
        } catch {
            return RequestOutcome(error.response, reason: error.reason)
        }
        guard let turn else {
            return RequestOutcome(Responses.text(.notFound, "this node runs no TURN server"), reason: "no TURN")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            let body = try encoder.encode(Listing(allocations: await turn.allocations()))
            return RequestOutcome(
                Responses.body(.ok, contentType: MediaTypes.json, String(decoding: body, as: UTF8.self)),
                reason: "turn allocations listed")
        } catch {
            return RequestOutcome(
                Responses.text(.internalServerError, "could not encode JSON: \(error)"), reason: "json")
        }
    }
}
