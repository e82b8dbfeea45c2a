/// How many bytes a viewer's retransmissions may take per second: a share of what it was sent.
///
/// Behind a full queue every packet the queue dropped is NACKed (RFC 4585 §6.2.1): answering
/// them all would add a third again to a path already overflowing, which keeps the queue full
/// and the losses coming; libwebrtc's sender caps its retransmissions the same way.
struct RetransmissionBudget {
    /// The share of the send rate retransmissions may add.
    static let share = 0.25
    /// The budget of a second in which little or nothing was sent (bytes).
    static let least = 12_000

    private var bytes = RetransmissionBudget.least

    /// Whether a retransmission may go now.
    var allows: Bool { bytes > 0 }

    /// A retransmission of `length` bytes went.
    mutating func spend(_ length: Int) {
        bytes -= length
    }

    /// A new second: `sentBytes` went to the viewer in the last one.
    mutating func refill(sentBytes: Int) {
        bytes = max(Int(Double(sentBytes) * Self.share), Self.least)
    }
}
