import MeshWire

/// The abs-capture-time header extension value
/// (http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time): the NTP time (UQ32.32) at
/// which the frame's first sample was captured, optionally followed by the capture clock's
/// estimated offset (Q32.32), so 8 or 16 bytes. The SFU does not interpret it: it copies the
/// publisher's value into each viewer's packet, so viewers can measure capture-to-arrival latency.
enum AbsoluteCaptureTime {
    /// Where the value of `view`'s element with local ID `id` lies in `view.bytes`, when the packet
    /// carries one of a length the extension defines (8 or 16 bytes). The element is found by
    /// walking the packet's RFC 8285 block (one- or two-byte form) in place; nothing is allocated.
    static func valueRange(in view: RTPPacketView, id: UInt8) -> Range<Int>? {
        guard let dataStart = view.extensionDataRange?.lowerBound, let element = view.headerExtension?.element(id: id),
            element.value.count == 8 || element.value.count == 16
        else { return nil }
        return (dataStart + element.valueRange.lowerBound)..<(dataStart + element.valueRange.upperBound)
    }
}
