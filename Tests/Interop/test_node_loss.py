"""Issue 3, loss recovery: 5 % of the node's outgoing RTP is dropped at random
(MESHCAST_TEST_DROP_EGRESS=0.05); NACK and RTX must win it back, so the viewer decodes
>= 99 % of the frames. aiortc's NACKs are counted to prove loss really happened.
"""

import asyncio

from aiortc.rtcrtpreceiver import RTCRtpReceiver

import results
from clients import publish, view
from media import delivery


class NackTally:
    """Counts the NACKs aiortc's receivers send (wraps RTCRtpReceiver._send_rtcp_nack)."""

    def __enter__(self):
        self.messages = self.packets = 0
        self.original = RTCRtpReceiver._send_rtcp_nack
        tally = self

        async def counting(receiver, media_ssrc, lost):
            tally.messages += 1
            tally.packets += len(lost)
            return await tally.original(receiver, media_ssrc, lost)

        RTCRtpReceiver._send_rtcp_nack = counting
        return self

    def __exit__(self, *exc):
        RTCRtpReceiver._send_rtcp_nack = self.original


async def lossy_view(node) -> dict:
    publisher = await publish(node, "lossy", node.token("lossy", "publish"))
    await publisher.connected()
    await asyncio.sleep(1.0)
    with NackTally() as tally:
        viewer = await view(node, "lossy", node.token("lossy", "view"))
        await asyncio.sleep(10.0)
        last_sent = publisher.source.sent[-1][0]
        await asyncio.sleep(2.0)  # frames in flight and late retransmissions
    figures = delivery(publisher.source.sent, last_sent, viewer.video, viewer.posted_at)
    figures["nack_messages"], figures["nacked_packets"] = tally.messages, tally.packets
    figures["node_metrics"] = [line for line in node.metrics().splitlines()
                               if not line.startswith("#") and any(k in line for k in ("nack", "rtx", "retrans", "drop"))]
    await viewer.close()
    await publisher.close()
    return figures


def test_five_percent_egress_loss_is_recovered(start_node):
    node = start_node(MESHCAST_TEST_DROP_EGRESS="0.05")
    figures = asyncio.run(lossy_view(node))
    print(f"\n5 % egress loss: join {figures['join_ms']} ms, {figures}")
    results.write("loss", figures)
    assert figures["nacked_packets"] > 0, "the viewer never sent a NACK: is MESHCAST_TEST_DROP_EGRESS honoured?"
    assert figures["ratio"] >= 0.99, f"decoded {figures.get('received')}/{figures['expected']} frames"
    assert figures["in_order"], "frame numbers went backwards"
    assert figures["unreadable"] <= 0.01 * figures["decoded"], f"{figures['unreadable']} corrupt pictures"
