import MeshCrypto
import MeshRuntime
import MeshWire

/// The server side of ICE for one session: a lite agent in the controlled role
/// (RFC 8445 §2.5, §6.1.1), sans-IO.
///
/// It answers Binding requests (RFC 8445 §7.3) and never sends checks of its own. The peer's
/// USE-CANDIDATE picks the selected address; a later nominating request from another address
/// moves it (the client roamed). Every valid request on the selected address renews consent
/// (RFC 7675 §5.1); the owner asks ``isConsentExpired(now:timeout:)`` from a timer. One worker
/// owns an agent; it is not `Sendable`.
///
/// A lite agent never changes role, so ICE-CONTROLLED in a request (the peer also thinks it
/// is controlled) is tolerated rather than answered with 487: WebRTC peers facing a lite
/// agent are always full and controlling (RFC 8445 §6.1.1), and the RFC 5769 sample request
/// carries ICE-CONTROLLED.
public final class ICELiteAgent {
    /// One ICE generation: the credentials of both sides and the derived integrity key.
    struct Generation {
        let local: ICECredentials
        let remote: ICECredentials?
        /// Requests to us are signed with our password (RFC 8445 §7.2.2).
        let key: STUNIntegrityKey

        init(local: ICECredentials, remote: ICECredentials?) {
            self.local = local
            self.remote = remote
            self.key = .shortTerm(password: local.password)
        }
    }

    /// Counts of what happened to requests, for metrics.
    public struct Counters: Sendable, Equatable {
        /// Requests answered with a success response.
        public var accepted = 0
        /// Requests answered with an error response.
        public var rejected = 0
        /// Requests dropped without an answer.
        public var ignored = 0

        /// Counters with the given values (zero by default).
        public init(accepted: Int = 0, rejected: Int = 0, ignored: Int = 0) {
            self.accepted = accepted
            self.rejected = rejected
            self.ignored = ignored
        }
    }

    /// How many validated addresses are remembered besides the selected one: enough for a
    /// browser that checks several of its candidates against our one host candidate.
    static let validatedAddressLimit = 4

    /// The generation checks are expected on.
    private var current: Generation
    /// The generation before an ICE restart, still accepted until the new one nominates.
    private var previous: Generation?
    /// Addresses that sent a valid request, newest last.
    private var validated: [SocketAddress] = []

    /// The local credentials of the current generation.
    public var localCredentials: ICECredentials { current.local }
    /// The remote credentials of the current generation, when the offer carried them.
    public var remoteCredentials: ICECredentials? { current.remote }
    /// The local credentials of the generation before a restart, while it is still accepted.
    public var previousLocalCredentials: ICECredentials? { previous?.local }
    /// The address media goes to: the last one a valid USE-CANDIDATE request came from.
    public private(set) var selectedAddress: SocketAddress?
    /// When (monotonic ns) the selected pair last showed consent, or when the last valid
    /// request arrived while nothing was selected yet; `nil` before any valid request.
    public private(set) var lastConsent: UInt64?
    /// What happened to requests so far.
    public private(set) var counters = Counters()

    /// An agent answering to `local`; `remote` (from the peer's SDP) is checked against the
    /// USERNAME's second half when known, and any remote ufrag is accepted when `nil`.
    public init(local: ICECredentials, remote: ICECredentials?) {
        current = Generation(local: local, remote: remote)
    }

    /// The bytes of the local ufrag in a request's USERNAME (`localUfrag:remoteUfrag`): the
    /// part before the first colon, borrowed from the message. `nil` without a USERNAME or colon.
    /// Allocation-free, for demultiplexing a shared port.
    public static func localUfragBytes(in message: STUNMessage) -> UnsafeRawBufferPointer? {
        guard let username = try? message.text(.username),
            let colon = username.firstIndex(of: UInt8(ascii: ":"))
        else { return nil }
        return UnsafeRawBufferPointer(rebasing: username[..<colon])
    }

    /// The local ufrag a request is addressed to, as text (see ``localUfragBytes(in:)``).
    public static func localUfrag(in message: STUNMessage) -> String? {
        localUfragBytes(in: message).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Checks a Binding request from `from` and writes the response into `response`
    /// (256 bytes are plenty).
    ///
    /// In order: a valid FINGERPRINT (else ignored, RFC 8489 §7.3, RFC 8445 §7.3), USERNAME and
    /// MESSAGE-INTEGRITY present (else 400), USERNAME naming a current generation (else 401),
    /// MESSAGE-INTEGRITY valid under that generation's local password (else 401), no unknown
    /// comprehension-required attributes (else 420). A valid request validates `from`;
    /// USE-CANDIDATE makes it the selected address; on the current generation it also ends
    /// the previous one (RFC 8445 §9).
    public func handleBindingRequest(
        _ message: STUNMessage, from: SocketAddress, now: UInt64, response: UnsafeMutableRawBufferPointer
    ) -> ICEBindingOutcome {
        guard message.type == .bindingRequest else { return ignore("not a Binding request (RFC 8489 §6.3)") }
        guard message.fingerprintIsValid == true else {
            return ignore("missing or wrong FINGERPRINT (RFC 8445 §7.3, RFC 8489 §14.7)")
        }
        guard let username = try? message.text(.username), message.messageIntegrityOffset != nil else {
            return reject(message, .badRequest, response: response)
        }
        guard let generation = generation(for: username) else {
            return reject(message, .unknownUsername, response: response)
        }
        guard (try? message.verifyIntegrity(.hmacSHA1, key: generation.isCurrent ? current.key : previousKey)) == true
        else { return reject(message, .badIntegrity, response: response) }
        let unknown = ICEBindingResponse.unknownComprehensionRequired(in: message)
        guard unknown.isEmpty else {
            return reject(
                message, .unknownAttributes, unknown: unknown,
                key: generation.isCurrent ? current.key : previousKey, response: response)
        }
        guard let mapped = STUNTransportAddress(from) else { return ignore("source address has no IP") }

        let nominated = (try? message.useCandidate) ?? false
        let before = selectedAddress
        remember(from)
        if nominated {
            selectedAddress = from
            if generation.isCurrent { previous = nil }
        }
        if selectedAddress == nil || selectedAddress == from { lastConsent = now }
        let key = generation.isCurrent ? current.key : previousKey
        guard let length = try? ICEBindingResponse.success(to: message, mapped: mapped, key: key, into: response)
        else { return ignore("response buffer too small") }
        counters.accepted &+= 1
        return .respond(length: length, nominated: nominated, addressChanged: before != selectedAddress)
    }

    /// Whether `address` sent a valid request (or is the selected address): the addresses DTLS
    /// and media are accepted from.
    public func isValidated(_ address: SocketAddress) -> Bool {
        if selectedAddress == address { return true }
        for candidate in validated where candidate == address { return true }
        return false
    }

    /// Whether consent has lapsed: the last valid request on the selected pair is `timeout`
    /// or more old (RFC 7675 §5.1 uses 30 s). `false` before any valid request.
    public func isConsentExpired(now: UInt64, timeout: UInt64 = 30_000_000_000) -> Bool {
        guard let lastConsent else { return false }
        return now >= lastConsent && now - lastConsent >= timeout
    }

    /// Starts a new ICE generation (RFC 8445 §9) with fresh credentials on both sides. The
    /// selected address and consent are kept so media keeps flowing; requests on the old
    /// credentials stay accepted until one on the new credentials nominates.
    public func restart(local: ICECredentials, remote: ICECredentials) {
        previous = current
        current = Generation(local: local, remote: remote)
    }

    // MARK: - Private

    private struct Match { let isCurrent: Bool }

    private var previousKey: STUNIntegrityKey { previous?.key ?? current.key }

    /// The generation whose `local:remote` USERNAME `username` is.
    private func generation(for username: UnsafeRawBufferPointer) -> Match? {
        if matches(username, current) { return Match(isCurrent: true) }
        if let previous, matches(username, previous) { return Match(isCurrent: false) }
        return nil
    }

    private func matches(_ username: UnsafeRawBufferPointer, _ generation: Generation) -> Bool {
        guard let colon = username.firstIndex(of: UInt8(ascii: ":")) else { return false }
        guard username[..<colon].elementsEqual(generation.local.ufrag.utf8) else { return false }
        guard let remote = generation.remote else { return true }
        return username[(colon + 1)...].elementsEqual(remote.ufrag.utf8)
    }

    private func remember(_ address: SocketAddress) {
        if isValidated(address) { return }
        if validated.count == Self.validatedAddressLimit { validated.removeFirst() }
        validated.append(address)
    }

    private func reject(
        _ message: STUNMessage, _ rejection: ICEBindingRejection, unknown: [STUNAttributeType] = [],
        key: STUNIntegrityKey? = nil, response: UnsafeMutableRawBufferPointer
    ) -> ICEBindingOutcome {
        guard
            let length = try? ICEBindingResponse.error(
                to: message, rejection: rejection, unknown: unknown, key: key, into: response)
        else { return ignore("response buffer too small") }
        counters.rejected &+= 1
        return .respondError(length: length, rejection: rejection)
    }

    private func ignore(_ reason: String) -> ICEBindingOutcome {
        counters.ignored &+= 1
        return .ignore(reason: reason)
    }
}

@available(*, unavailable, message: "an ICE agent belongs to one worker")
extension ICELiteAgent: Sendable {}
