"""A small TURN client for the interop tests: one UDP 5-tuple speaking RFC 8656 with the long-term
credential mechanism (RFC 8489 §9.2), its messages built by aioice's STUN codec."""

import base64
import hashlib
import hmac
import socket
import struct
import time


def credential(secret: str, user: str) -> tuple[str, str]:
    """TURN REST: username = expiry:id, password = base64(HMAC-SHA1(secret, username))."""
    username = f"{int(time.time()) + 3600}:{user}"
    return username, base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()


def allocate_request(**attributes):
    from aioice import stun
    from aioice.turn import UDP_TRANSPORT

    message = stun.Message(message_method=stun.Method.ALLOCATE, message_class=stun.Class.REQUEST)
    message.attributes["REQUESTED-TRANSPORT"] = UDP_TRANSPORT
    message.attributes.update(attributes)
    return message


class TURNClient:
    """One UDP 5-tuple speaking the long-term credential mechanism to the node."""

    def __init__(self, port: int, username: str, password: str) -> None:
        self.server = ("127.0.0.1", port)
        self.username, self.password = username, password
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(2.0)
        self.realm = self.nonce = None
        self.last_answer = b""  # the raw bytes of the last answer

    def transact(self, message):
        from aioice import stun

        self.socket.sendto(bytes(message), self.server)
        while True:
            raw = self.socket.recv(2048)
            answer = stun.parse_message(raw)
            if answer.transaction_id == message.transaction_id:
                self.last_answer = raw
                return answer

    def signed(self, message):
        from aioice.turn import make_integrity_key

        message.attributes.update(USERNAME=self.username, REALM=self.realm, NONCE=self.nonce)
        message.add_message_integrity(make_integrity_key(self.username, self.realm, self.password))
        return message

    def allocate(self) -> int | None:
        """The error code of an authenticated Allocate (None: success), after the 401 that
        gives REALM and NONCE."""
        challenge = self.transact(allocate_request())
        assert challenge.attributes["ERROR-CODE"][0] == 401, challenge
        self.realm, self.nonce = challenge.attributes["REALM"], challenge.attributes["NONCE"]
        answer = self.transact(self.signed(allocate_request()))
        return answer.attributes["ERROR-CODE"][0] if "ERROR-CODE" in answer.attributes else None

    def release(self) -> int | None:
        """Refresh with LIFETIME 0: deletes the allocation (RFC 8656 §7.3)."""
        return self.refresh(0)

    def refresh(self, lifetime: int = 600) -> int | None:
        from aioice import stun

        message = stun.Message(message_method=stun.Method.REFRESH, message_class=stun.Class.REQUEST)
        message.attributes["LIFETIME"] = lifetime
        answer = self.transact(self.signed(message))
        return answer.attributes["ERROR-CODE"][0] if "ERROR-CODE" in answer.attributes else None


def alternate_server(raw: bytes) -> tuple[str, int] | None:
    """The IPv4 ALTERNATE-SERVER (0x8023, RFC 8489 §14.15) of a raw STUN message, which aioice
    does not decode."""
    offset = 20
    while offset + 4 <= len(raw):
        kind, length = struct.unpack_from("!HH", raw, offset)
        if kind == 0x8023 and length == 8 and raw[offset + 5] == 0x01:
            port = struct.unpack_from("!H", raw, offset + 6)[0]
            return socket.inet_ntoa(raw[offset + 8:offset + 12]), port
        offset += 4 + (length + 3) // 4 * 4
    return None

