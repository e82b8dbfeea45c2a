/// The `o=` line: who made the session and which version of it this is (RFC 8866 §5.2).
public struct SDPOrigin: Hashable, Sendable {
    /// The user's login on the originating host, or `-`.
    public var username: String
    /// A numeric string that with the other fields makes the session globally unique. Kept as
    /// text because browsers send up to 19 digits and the value is only ever compared.
    public var sessionID: String
    /// Increases each time the session description changes.
    public var sessionVersion: UInt64
    /// The network type, `IN` for the Internet.
    public var networkType: String
    /// `IP4` or `IP6`.
    public var addressType: String
    /// The address of the machine that made the session (often a placeholder in WebRTC).
    public var unicastAddress: String

    /// An origin from its six fields.
    public init(
        username: String, sessionID: String, sessionVersion: UInt64,
        networkType: String = "IN", addressType: String = "IP4", unicastAddress: String
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.unicastAddress = unicastAddress
    }
}

/// A `c=` line: where media is sent (RFC 8866 §5.7). Also the tail of `a=rtcp` (RFC 3605).
public struct SDPConnection: Hashable, Sendable {
    /// The network type, `IN` for the Internet.
    public var networkType: String
    /// `IP4` or `IP6`.
    public var addressType: String
    /// The address, with any `/ttl` or `/count` suffix kept as written.
    public var address: String

    /// A connection from its three fields.
    public init(networkType: String = "IN", addressType: String = "IP4", address: String) {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }
}

/// A `b=` line: a bandwidth limit such as `AS:256` or `TIAS:128000` (RFC 8866 §5.8).
public struct SDPBandwidth: Hashable, Sendable {
    /// The modifier, such as `AS`, `CT`, `TIAS`, `RS` or `RR`.
    public var type: String
    /// The limit, in the modifier's unit (kbit/s for `AS`, bit/s for `TIAS`).
    public var value: UInt64

    /// A bandwidth line from its modifier and value.
    public init(type: String, value: UInt64) {
        self.type = type
        self.value = value
    }
}

/// A `t=` line with the `r=` lines that follow it (RFC 8866 §5.9, §5.10).
public struct SDPTiming: Hashable, Sendable {
    /// NTP start time; 0 for an unbounded session, which is what WebRTC always sends.
    public var start: UInt64
    /// NTP stop time; 0 for an unbounded session.
    public var stop: UInt64
    /// The `r=` repeat lines after this `t=`, verbatim.
    public var repeats: [String]

    /// A timing line; `t=0 0` by default.
    public init(start: UInt64 = 0, stop: UInt64 = 0, repeats: [String] = []) {
        self.start = start
        self.stop = stop
        self.repeats = repeats
    }
}
