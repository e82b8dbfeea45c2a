import MeshRTC
import MeshWire

/// One RTP stream a publisher sends (the audio, or one video layer): its header writer, its
/// send history for NACKs, and what it sent. Worker thread only.
final class OutgoingStream {
    /// "audio", or the video layer's RID ("video" without simulcast).
    let label: String
    let isVideo: Bool
    let clip: MediaClip
    let clockRate: UInt32
    /// The SSRC; a copy of the header's, so that a deliver callback may read it while the
    /// packetizer holds `header` (exclusive access).
    let ssrc: UInt32
    /// RTP timestamp of frame 0; frame n is at `firstTimestamp + n * step`.
    let firstTimestamp: UInt32
    /// Timestamp step per frame or packet.
    let timestampStep: UInt32
    var header: RTPStreamHeader
    /// The RTX stream (RFC 4588) that carries this one's retransmissions; video only.
    var retransmission: RTPStreamHeader?
    var vp8 = VP8Packetizer(firstPictureID: UInt16.random(in: 0...0x7FFF))
    /// The last ~1024 packets sent, before encryption, to answer NACKs (RFC 4585 §6.2.1).
    let history = PacketHistory(capacity: 1024, slotSize: 1500)

    private(set) var packetsSent = 0
    private(set) var bytesSent = 0
    /// Packets sent again on a NACK.
    var packetsResent = 0
    /// Timestamp of the last packet sent, for sender reports.
    private(set) var lastTimestamp: UInt32 = 0

    init(label: String, isVideo: Bool, clip: MediaClip, header: RTPStreamHeader) {
        self.label = label
        self.isVideo = isVideo
        self.clip = clip
        self.header = header
        ssrc = header.ssrc
        clockRate = isVideo ? VP8Packetizer.clockRate : OpusPacketizer.clockRate
        timestampStep = isVideo ? VP8Packetizer.clockRate / 30 : OpusPacketizer.samplesPerPacket
        firstTimestamp = UInt32.random(in: 0...UInt32.max)
    }

    /// The RTP timestamp of frame `index` (continuous across clip loops).
    func timestamp(frame index: Int) -> UInt32 {
        firstTimestamp &+ UInt32(truncatingIfNeeded: index) &* timestampStep
    }

    /// Records a packet sent: keeps it for NACKs and counts it.
    func sent(_ packet: UnsafeRawBufferPointer, sequence: UInt16, timestamp: UInt32, isKeyframeStart: Bool, now: UInt64)
    {
        history.store(packet, sequence: sequence, arrival: now, isKeyframeStart: isKeyframeStart)
        packetsSent &+= 1
        bytesSent &+= packet.count
        lastTimestamp = timestamp
    }
}
