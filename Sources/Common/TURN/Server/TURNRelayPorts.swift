import MeshWire

/// The relayed transport addresses a server hands out: one IP per address family and a port
/// range (the topology's `relay_ports`), with EVEN-PORT pairs and RESERVATION-TOKENs
/// (RFC 8656 §7.2, §18.7, §18.10).
///
/// Pure bookkeeping: the caller opens a socket on each address it is given and closes it when
/// the allocation ends. A reserved port is held for ``reservationSeconds`` (RFC 8656 §18.10
/// suggests about 30 s).
public struct TURNRelayPorts: Sendable {
    /// The relayed IPv4 address, or `nil` when the server relays no IPv4.
    public let ipv4: STUNIPAddress?
    /// The relayed IPv6 address, or `nil` when the server relays no IPv6.
    public let ipv6: STUNIPAddress?
    /// The ports handed out.
    public let range: ClosedRange<UInt16>
    /// How long a RESERVATION-TOKEN holds its port.
    public let reservationSeconds: Int64

    private var inUse: [STUNAddressFamily: Set<UInt16>] = [:]
    private var reservations: [UInt64: (address: STUNTransportAddress, expiry: TURNInstant)] = [:]
    private var cursor: UInt16
    private var generator = SystemRandomNumberGenerator()

    /// Relayed addresses on `ipv4` and/or `ipv6` with ports from `range`.
    public init(
        ipv4: STUNIPAddress?, ipv6: STUNIPAddress? = nil, range: ClosedRange<UInt16>, reservationSeconds: Int64 = 30
    ) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.range = range
        self.reservationSeconds = reservationSeconds
        self.cursor = range.lowerBound
    }

    /// Whether addresses of `family` can be handed out at all (440 when not, RFC 8656 §7.2).
    public func supports(_ family: STUNAddressFamily) -> Bool { ip(for: family) != nil }

    /// Ports of `family` in use, reservations included.
    public func portsInUse(_ family: STUNAddressFamily) -> Int { inUse[family]?.count ?? 0 }

    /// A free relayed address of `family`; with `even` an even port, and with `reserveNext`
    /// the next port is held too and a token for it returned. `nil` when none is free (508).
    public mutating func take(
        _ family: STUNAddressFamily, even: Bool = false, reserveNext: Bool = false, now: TURNInstant
    ) -> (address: STUNTransportAddress, token: UInt64?)? {
        dropExpiredReservations(now: now)
        guard let ip = ip(for: family) else { return nil }
        var used = inUse[family] ?? []
        let count = Int(range.upperBound) - Int(range.lowerBound) + 1
        for step in 0..<count {
            let port = UInt16(Int(range.lowerBound) + (Int(cursor - range.lowerBound) + step) % count)
            guard !used.contains(port), !even || port % 2 == 0 else { continue }
            if reserveNext {
                guard port < range.upperBound, !used.contains(port + 1) else { continue }
                let token = UInt64.random(in: 1 ... .max, using: &generator)
                used.insert(port + 1)
                reservations[token] = (
                    STUNTransportAddress(ip: ip, port: port + 1), now.adding(seconds: reservationSeconds)
                )
                used.insert(port)
                inUse[family] = used
                cursor = port == range.upperBound ? range.lowerBound : port + 1
                return (STUNTransportAddress(ip: ip, port: port), token)
            }
            used.insert(port)
            inUse[family] = used
            cursor = port == range.upperBound ? range.lowerBound : port + 1
            return (STUNTransportAddress(ip: ip, port: port), nil)
        }
        return nil
    }

    /// The address a RESERVATION-TOKEN held, now handed to its allocation; `nil` for an
    /// unknown or expired token (508, RFC 8656 §7.2).
    public mutating func redeem(_ token: UInt64, now: TURNInstant) -> STUNTransportAddress? {
        dropExpiredReservations(now: now)
        return reservations.removeValue(forKey: token)?.address
    }

    /// Returns `address` to the pool.
    public mutating func release(_ address: STUNTransportAddress) {
        inUse[address.ip.family]?.remove(address.port)
    }

    private mutating func dropExpiredReservations(now: TURNInstant) {
        for (token, reservation) in reservations where reservation.expiry <= now {
            reservations[token] = nil
            release(reservation.address)
        }
    }

    private func ip(for family: STUNAddressFamily) -> STUNIPAddress? {
        switch family {
        case .ipv4: ipv4
        case .ipv6: ipv6
        default: nil
        }
    }
}
