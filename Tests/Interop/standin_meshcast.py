"""`meshcast` as far as the node tests need it, played by the aiortc stand-in (standin.py).

Only for checking the test harness itself (fixture, clients, measurements) while the real
node is being written:  MESHCAST_BIN=Tests/Interop/standin-meshcast scripts/interop -k fanout
Tokens are unsigned placeholders; hostile-input tests are expected to fail against it.
"""

import asyncio
import base64
import json
import re
import signal
import sys
import time

from media import keep_ice_on_loopback
from standin import StandInNode


async def serve(port: int) -> None:
    keep_ice_on_loopback()
    node = StandInNode()
    await node.start(port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"stand-in node on 127.0.0.1:{port}", flush=True)
    await stop.wait()
    await node.stop()


def main(arguments: list[str]) -> int:
    if arguments[:1] == ["node"]:
        if "--help" in arguments:
            print("stand-in: meshcast node --topology FILE --id NODE")
            return 0
        topology = open(arguments[arguments.index("--topology") + 1]).read()
        asyncio.run(serve(int(re.search(r"api: 127\.0\.0\.1:(\d+)", topology).group(1))))
        return 0
    if arguments[:1] == ["token"]:
        claims = {"stream": arguments[arguments.index("--stream") + 1],
                  "scope": "publish" if "--publish" in arguments else "view", "exp": int(time.time()) + 3600}
        encode = lambda value: base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
        print(f"{encode({'alg': 'HS256', 'typ': 'JWT'})}.{encode(claims)}.c3RhbmQtaW4")
        return 0
    print(f"stand-in meshcast: unsupported {arguments}", file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
