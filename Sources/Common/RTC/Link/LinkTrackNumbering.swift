/// How one track's sequence numbers run on a link: one SSRC, one numbering (RFC 3550 §5.1).
///
/// A track goes out under its mesh SSRC with the sequence numbers its history holds, unchanged,
/// until the source behind the SSRC changes: an origin keeps a layer's mesh SSRC when its
/// publisher reconnects, and the new publisher numbers from a random start (§5.1). Sent as they
/// are, those numbers jump on the link: the SRTP packet index (RFC 3711 §3.3.1) lands behind
/// the replay window, so both ends refuse every packet until the numbers catch up, or far ahead,
/// a gap the next hop tries to repair and then gives up on. So after
/// ``continueWithNewSource()`` the new source's first packet goes out as the newest + 1 and the
/// rest keep their spacing (a fixed offset); NACKs for them are mapped back. The change of
/// timestamps tells viewers' forwarders that a new stream began
/// (``OutgoingStreamRewriter/continuesCurrentSource(_:layer:now:misorderWindow:)``).
struct LinkTrackNumbering: Sendable {
    /// The newest sequence number sent on the link; `nil` before the first.
    private(set) var newest: UInt16?
    /// Link number minus history number, for the current source.
    private(set) var offset: UInt16 = 0
    /// The link number the current source started at; older numbers were an earlier source's.
    private var currentSince: UInt16?
    private var newSourcePending = false

    /// The next first transmission is a new source's: it continues at the newest + 1.
    mutating func continueWithNewSource() {
        newSourcePending = newest != nil
    }

    /// The link's number for the first transmission of history number `sequence`.
    mutating func send(_ sequence: UInt16) -> UInt16 {
        if newSourcePending, let newest {
            offset = newest &+ 1 &- sequence
            currentSince = newest &+ 1
            newSourcePending = false
        }
        let link = sequence &+ offset
        if newest.map({ Int16(bitPattern: link &- $0) > 0 }) ?? true { newest = link }
        return link
    }

    /// The history's number for link number `link` (a NACK), or `nil` for an earlier source's.
    func historySequence(ofLink link: UInt16) -> UInt16? {
        if let currentSince, Int16(bitPattern: link &- currentSince) < 0 { return nil }
        return link &- offset
    }
}
