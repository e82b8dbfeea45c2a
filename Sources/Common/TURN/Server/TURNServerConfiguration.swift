/// The TURN server's limits and timers, with the RFC's defaults.
///
/// - `realm`: REALM announced in 401/438 (RFC 8489 §14.9); short, since a 401 may not be larger
///   than the request that drew it.
/// - `defaultLifetime` / `maxLifetime`: allocation lifetime when the client asks for less / the
///   most it may get (RFC 8656 §7.2: 600 s and 3600 s).
/// - `permissionLifetime`: 300 s (RFC 8656 §9); `channelLifetime`: 600 s (RFC 8656 §12).
/// - `maxAllocationsPerCredential` / `maxAllocationsPerNode`: 486 Allocation Quota Reached past
///   these (RFC 8656 §7.2; issue 13).
/// - `maxPermissionsPerAllocation` / `maxChannelsPerAllocation`: 508 Insufficient Capacity past
///   these (RFC 8656 §9.2, §11.2).
/// - `bandwidthBytesPerSecond` / `bandwidthBurstBytes`: each allocation's relayed bandwidth cap;
///   0 disables it.
/// - `challengesPerSourcePerSecond`: 401s one source IP may draw per second.
/// - `dropChallengesLargerThanRequest`: send no 401/438 at all when even its smallest form is
///   larger than the request. Off by default: coturn's client opens with a 52-byte Allocate and
///   the smallest 401 (REALM `meshcast`, a 24-byte NONCE) is 68 bytes, so this rule would lock
///   out real clients; the smallest form bounds the gain instead.
/// - `supportsDontFragment`: whether the relay can send with DF set; when not, DONT-FRAGMENT is
///   an unknown comprehension-required attribute (420, RFC 8656 §7.2 step 4).
/// - `software`: SOFTWARE in success responses, or `nil` for none.
public struct TURNServerConfiguration: Sendable {
    /// REALM (RFC 8489 §14.9).
    public var realm = "meshcast"
    /// Lifetime granted when the client asks for less or says nothing (RFC 8656 §7.2).
    public var defaultLifetime: UInt32 = 600
    /// The longest lifetime granted (RFC 8656 §7.2).
    public var maxLifetime: UInt32 = 3600
    /// A permission's lifetime (RFC 8656 §9).
    public var permissionLifetime: Int64 = 300
    /// A channel binding's lifetime (RFC 8656 §12).
    public var channelLifetime: Int64 = 600
    /// Allocations one REST credential's id may hold at once (486 past this).
    public var maxAllocationsPerCredential = 10
    /// Allocations the node holds at once (486 past this).
    public var maxAllocationsPerNode = 1000
    /// Permissions one allocation may hold (508 past this).
    public var maxPermissionsPerAllocation = 64
    /// Channels one allocation may bind (508 past this).
    public var maxChannelsPerAllocation = 64
    /// Relayed bytes per second per allocation, both directions together; 0 = no cap.
    public var bandwidthBytesPerSecond: Int64 = 2_500_000
    /// Bytes an allocation may burst above its rate.
    public var bandwidthBurstBytes: Int64 = 500_000
    /// 401 challenges per source IP per second.
    public var challengesPerSourcePerSecond = 10
    /// Drop a 401/438 whose smallest form is still larger than the request.
    public var dropChallengesLargerThanRequest = false
    /// Whether DONT-FRAGMENT can be honoured.
    public var supportsDontFragment = false
    /// SOFTWARE in success responses.
    public var software: String? = "meshcast"

    /// The defaults above.
    public init() {}
}
