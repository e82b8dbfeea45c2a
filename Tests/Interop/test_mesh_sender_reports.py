"""Issue 11 item 3, sender reports end to end: an aiortc viewer on edge-a, fed origin-1 ->
relay-1 -> edge-a (RELAY_FIRST_LINKS: edge-a has no link from the origin), receives RTCP sender
reports for audio and video whose NTP <-> RTP mapping is the aiortc publisher's (RFC 3550
§6.4.1: an SR's NTP and RTP timestamps name the same instant), within 10 ms.

Method. The publisher's SRs and RTP packets are captured as they leave it (its DTLS
transport's `_send_rtp`, before SRTP), the viewer's as they arrive (each RTCRtpReceiver's
`_handle_rtp_packet` and `_handle_rtcp_packet`). The two RTP timestamp spaces differ: the
edge rewrites each viewer stream to start at a random timestamp, a constant offset D per kind
(RFC 3550 §5.1; one offset while the viewer stays on one source, which it does here). D is
measured, not assumed: a packet's payload is the same on both sides (Opus untouched; VP8 after
its payload descriptor, whose picture id the edge renumbers), so D = viewer timestamp -
publisher timestamp for every matched packet, and the most common value is taken (it must
account for >= 90 % of the matches). The audio track is noise, so that every Opus packet is
unique. Then, for a viewer SR (Nv, Tv) of one kind, the media instant Tv - D is in the
publisher's space, and a publisher SR (Np, Tp) says that instant is at wall-clock time
Np + (Tv - D - Tp) / clock rate. The offset is Nv minus that time: 0 when the viewer's SR states
the publisher's mapping. NTP times are CLOCK_REALTIME on both sides (one machine).

Which publisher SR to compare with: the nodes pass on the publisher's pairs unchanged and
the edge extrapolates the latest it holds, so each viewer SR reproduces one of the publisher's
recent SRs; "relayed" is the offset against the one it reproduces best among those sent in the
5 s before it (asserted within 10 ms: the mesh's own error). "latest" is the offset against the
publisher SR sent last before the viewer SR arrived, what a viewer would compare with: it adds
aiortc's own inconsistency between its successive pairs (each pairs a packet's RTP time with
the wall-clock time it was sent, after encoding), which no node can remove, so its median is
asserted within 10 ms (one slow encode must not fail the test). Both are printed, with the
audio/video skew of the relayed offsets (what lip sync depends on), and written to
.build/interop-results/mesh_sender_reports.json.
"""

import asyncio
import collections
import os
import statistics
import time
import urllib.parse

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.rtp import RtcpPacket, RtcpSrPacket, RtpPacket, is_rtcp

import results
from clients import Session, prefer_vp8
from media import NumberedVideoTrack, ToneAudioTrack
from meshclients import PlacedViewer, viewer_session
from meshmesh import RELAY_FIRST_LINKS, REGION_A_CLIENT

MESH_OPTIONS = {"links": RELAY_FIRST_LINKS}
STREAM = "lip-sync"
RATES = {"audio": 48000, "video": 90000}
NTP_SECOND = 1 << 32
LIMIT_MS = 10.0


class NoiseAudioTrack(ToneAudioTrack):
    """The tone's pacing with white noise instead: each Opus packet is unique, so it can be
    found again at the viewer."""

    async def recv(self):
        frame = await super().recv()
        frame.planes[0].update(os.urandom(self.SAMPLES * 2))
        return frame


def media_key(kind: str, payload: bytes) -> bytes:
    """The part of a payload no node changes: all of an Opus packet, a VP8 packet after its
    payload descriptor (RFC 7741 §4.2), whose picture id the edge renumbers."""
    if kind == "audio" or not payload:
        return bytes(payload)
    index = 1
    if payload[0] & 0x80 and len(payload) > 1:  # X: an extension byte follows
        extension = payload[1]
        index = 2
        if extension & 0x80 and len(payload) > index:  # I: a 7- or 15-bit picture id
            index += 2 if payload[index] & 0x80 else 1
        if extension & 0x40:  # L: TL0PICIDX
            index += 1
        if extension & 0x30:  # T or K: TID/KEYIDX
            index += 1
    return bytes(payload[index:])


class PublisherCapture:
    """What the publisher sends, as it leaves: its SRs (ntp, rtp, monotonic time) and each RTP
    packet's timestamp by media key, per kind."""

    def __init__(self, pc: RTCPeerConnection) -> None:
        self.kinds = {sender._ssrc: sender.kind for sender in pc.getSenders()}
        self.reports: dict[str, list[tuple[int, int, float]]] = collections.defaultdict(list)
        self.timestamps: dict[str, dict[bytes, int]] = collections.defaultdict(dict)
        for transport in {id(s.transport): s.transport for s in pc.getSenders()}.values():
            self._wrap(transport)

    def _wrap(self, transport) -> None:
        original = transport._send_rtp

        async def send_rtp(data: bytes) -> None:
            self._record(data)
            await original(data)

        transport._send_rtp = send_rtp

    def _record(self, data: bytes) -> None:
        if is_rtcp(data):
            for packet in RtcpPacket.parse(data):
                if isinstance(packet, RtcpSrPacket) and packet.ssrc in self.kinds:
                    info = packet.sender_info
                    self.reports[self.kinds[packet.ssrc]].append((info.ntp_timestamp, info.rtp_timestamp, time.monotonic()))
            return
        packet = RtpPacket.parse(data)
        kind = self.kinds.get(packet.ssrc)  # RTX has an SSRC of its own: not counted
        if kind:
            self.timestamps[kind][media_key(kind, packet.payload)] = packet.timestamp


class ViewerCapture:
    """What the viewer receives, per kind: RTP (ssrc, timestamp, media key) and SRs (ssrc, ntp,
    rtp, monotonic time). Installed before the offer, so nothing is missed."""

    def __init__(self, pc: RTCPeerConnection) -> None:
        self.packets: dict[str, list[tuple[int, int, bytes]]] = collections.defaultdict(list)
        self.reports: dict[str, list[tuple[int, int, int, float]]] = collections.defaultdict(list)
        for transceiver in pc.getTransceivers():
            self._wrap(transceiver.receiver, transceiver.kind)

    def _wrap(self, receiver, kind: str) -> None:
        on_rtp, on_rtcp = receiver._handle_rtp_packet, receiver._handle_rtcp_packet

        async def handle_rtp(packet, arrival_time_ms: int) -> None:
            self.packets[kind].append((packet.ssrc, packet.timestamp, media_key(kind, packet.payload)))
            await on_rtp(packet, arrival_time_ms=arrival_time_ms)

        async def handle_rtcp(packet) -> None:
            if isinstance(packet, RtcpSrPacket):
                info = packet.sender_info
                self.reports[kind].append((packet.ssrc, info.ntp_timestamp, info.rtp_timestamp, time.monotonic()))
            await on_rtcp(packet)

        receiver._handle_rtp_packet, receiver._handle_rtcp_packet = handle_rtp, handle_rtcp


async def publish_captured(origin) -> tuple[Session, PublisherCapture]:
    token = origin.token(STREAM, "publish")
    session = Session(origin, RTCPeerConnection(RTCConfiguration(iceServers=[])), token)
    session.source = NumberedVideoTrack()
    prefer_vp8(session.pc.addTransceiver(session.source, direction="sendonly"))
    session.pc.addTransceiver(NoiseAudioTrack(), direction="sendonly")
    await session.offer(f"/whip/{urllib.parse.quote(STREAM)}")
    return session, PublisherCapture(session.pc)


def signed32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def offset_ms(viewer_ntp: int, source_rtp: int, publisher: tuple[int, int, float], rate: int) -> float:
    """The viewer SR's wall-clock time minus the time the publisher's pair gives the same
    media instant, in ms."""
    ntp, rtp, _ = publisher
    media_s = signed32(source_rtp - rtp) / rate
    wall_s = (viewer_ntp - ntp) / NTP_SECOND
    return (wall_s - media_s) * 1000


def analyse(kind: str, publisher: PublisherCapture, viewer: ViewerCapture) -> dict:
    sent = publisher.timestamps[kind]
    matches = collections.Counter()
    ssrcs = collections.Counter()
    for ssrc, timestamp, key in viewer.packets[kind]:
        if key in sent:
            matches[(timestamp - sent[key]) & 0xFFFFFFFF] += 1
            ssrcs[ssrc] += 1
    figures = {"packets_received": len(viewer.packets[kind]), "packets_matched": sum(matches.values()),
               "publisher_reports": len(publisher.reports[kind])}
    if not matches:
        return figures
    shift, hits = matches.most_common(1)[0]
    ssrc = ssrcs.most_common(1)[0][0]
    figures.update(timestamp_offset=shift, offset_share=round(hits / sum(matches.values()), 4), viewer_ssrc=ssrc)
    relayed, latest = [], []
    for report_ssrc, ntp, rtp, received_at in viewer.reports[kind]:
        if report_ssrc != ssrc:
            continue
        source_rtp = (rtp - shift) & 0xFFFFFFFF
        recent = [p for p in publisher.reports[kind] if 0 <= ntp - p[0] <= 5 * NTP_SECOND]
        before = [p for p in publisher.reports[kind] if p[2] < received_at]
        if recent:
            relayed.append(min((offset_ms(ntp, source_rtp, p, RATES[kind]) for p in recent), key=abs))
        if before:
            latest.append(offset_ms(ntp, source_rtp, before[-1], RATES[kind]))
    figures.update(
        viewer_reports=len(relayed),
        relayed_ms=[round(value, 3) for value in relayed],
        latest_ms=[round(value, 3) for value in latest],
        relayed_max_abs_ms=round(max((abs(v) for v in relayed), default=float("nan")), 3),
        latest_median_ms=round(statistics.median(latest), 3) if latest else None,
        latest_max_abs_ms=round(max((abs(v) for v in latest), default=float("nan")), 3),
    )
    return figures


async def sender_reports_through_relay(mesh) -> dict:
    origin = mesh["origin-1"]
    publisher, sent = await publish_captured(origin)
    await publisher.connected()
    await asyncio.sleep(1.0)
    viewer = viewer_session(origin, origin.token(STREAM, "view"), PlacedViewer)
    received = ViewerCapture(viewer.pc)
    await viewer.offer_placed(mesh, origin, STREAM, forwarded_for=REGION_A_CLIENT.format(31), expect_edge="edge-a")
    await viewer.connected()
    # The edge reports once a second; aiortc's publisher every 0.5-1.5 s per kind.
    await asyncio.sleep(10.0)
    figures = {kind: analyse(kind, sent, received) for kind in ("audio", "video")}
    figures["edge"] = viewer.node.node_id
    audio, video = figures["audio"].get("relayed_ms"), figures["video"].get("relayed_ms")
    if audio and video:
        figures["audio_video_skew_ms"] = round(statistics.median(audio) - statistics.median(video), 3)
    await viewer.close()
    await publisher.close()
    return figures


def test_edge_viewer_sender_reports_state_the_publishers_mapping(module_mesh):
    figures = asyncio.run(sender_reports_through_relay(module_mesh))
    results.write("mesh_sender_reports", figures)
    print(f"\nviewer on {figures['edge']} (origin-1 -> relay-1 -> edge-a)")
    for kind in ("audio", "video"):
        got = figures[kind]
        print(f"  {kind}: {got.get('viewer_reports', 0)} SRs; offset vs the relayed publisher SR, max |.| "
              f"{got.get('relayed_max_abs_ms')} ms; vs the publisher's latest SR median {got.get('latest_median_ms')} ms, "
              f"max |.| {got.get('latest_max_abs_ms')} ms; {got['packets_matched']}/{got['packets_received']} packets "
              f"matched, timestamp offset share {got.get('offset_share')}")
    print(f"  audio/video skew of the relayed offsets: {figures.get('audio_video_skew_ms')} ms")

    assert figures["edge"] == "edge-a"
    for kind in ("audio", "video"):
        got = figures[kind]
        assert got["publisher_reports"] >= 3, f"{kind}: the publisher sent {got['publisher_reports']} SRs"
        assert got.get("offset_share", 0) >= 0.9, f"{kind}: no single timestamp offset between publisher and viewer: {got}"
        assert got.get("viewer_reports", 0) >= 3, f"{kind}: the edge's viewer got {got.get('viewer_reports', 0)} SRs"
        worst = got["relayed_max_abs_ms"]
        assert worst <= LIMIT_MS, f"{kind}: a viewer SR is {worst} ms off the publisher's mapping: {got['relayed_ms']}"
        median = got["latest_median_ms"]
        assert abs(median) <= LIMIT_MS, f"{kind}: viewer SRs are {median} ms off the publisher's latest: {got['latest_ms']}"
