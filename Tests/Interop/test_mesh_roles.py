"""Issue 15 items 3 and 5, tokens with roles and the audit log, on the four-node mesh with a real
Redis.

Every node runs with two named token keys (MESHCAST_TOKEN_KEYS=k-new:...,k-old:...). Checked:
every operator endpoint (DELETE /v1/sessions/{id}, POST /v1/tokens/revoke, POST and DELETE
/v1/nodes/{id}/drain, POST /v1/topology, GET /v1/mesh) on every node refuses publish and view
tokens with 403 and a reason, and a legacy operator token without a jti; an operator drains edge-b
over HTTP on relay-1 (the mesh overview shows it draining, then serving after the DELETE) and
applies the running topology over HTTP, each audited; a token
signed with either key of the rotation is accepted on every node; an operator token revoked over
HTTP at origin-1, and another revoked with `meshcast token revoke JTI`, are refused (401) on
every node within 1 s; an aiortc publisher's session is ended by id by an operator on origin-1
(audited as the operator's session.end and the publisher's publish.end);
edge-b restarted without k-old refuses k-old tokens and still takes k-new ones; the audit stream
holds a row for every mutating call made here, with actor, kid, target, client, request id and
result, and `meshcast audit --actor` prints them. Figures in .build/interop-results/mesh_roles.json.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import subprocess
import time
import urllib.parse

import results
from clients import publish
from meshnode import binary

KEY_NEW = "k-new:" + secrets.token_hex(20)
KEY_OLD = "k-old:" + secrets.token_hex(20)
ROTATION = f"{KEY_NEW},{KEY_OLD}"
NODE_IDS = ("origin-1", "relay-1", "edge-a", "edge-b")
# Every call here comes from loopback: a wider API limit than the default (50/s burst 100 per
# address, mesh-wide), so that the checks of every endpoint on every node leave the revocation
# polls room; the limits have their own tests.
MESH_OPTIONS = {"node_env": {node: {"MESHCAST_TOKEN_KEYS": ROTATION} for node in NODE_IDS},
                "policies": {"rate_limits": "{api: 1000/s burst 2000}"}}
MAX_REVOCATION_S = 1.0
STREAM = "roles"


def mint(node, role: str, *, stream: str | None = None, kid: str | None = None,
         subject: str = "roles-test") -> tuple[str, str]:
    """`meshcast token --ROLE` with the mesh's keys: (token, jti)."""
    command = [str(binary()), "token", f"--{role}", "--subject", subject]
    if stream is not None:
        command += ["--stream", stream]
    if kid is not None:
        command += ["--kid", kid]
    result = subprocess.run(command, capture_output=True, text=True, env=node.env, timeout=30, check=True)
    jti = result.stderr.split("jti ", 1)[1].split()[0]
    return result.stdout.strip().splitlines()[-1], jti


def call(node, method: str, path: str, token: str | None, body: bytes | None = None,
         request_id: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    return node.request(method, path, body, headers)


def revoke_body(jti: str) -> bytes:
    return json.dumps({"jti": jti}).encode()


def refused_everywhere_after(mesh, token: str, start: float) -> dict[str, float | None]:
    """Seconds from `start` until each node answers 401 to the token (None: not within 3 s)."""
    seen: dict[str, float | None] = {node: None for node in NODE_IDS}
    while time.monotonic() - start < 3.0 and any(value is None for value in seen.values()):
        for node_id in NODE_IDS:
            if seen[node_id] is None:
                status, _, _ = call(mesh[node_id], "DELETE", "/v1/sessions/no-such-session", token)
                if status == 401:
                    seen[node_id] = time.monotonic() - start
        time.sleep(0.01)
    return seen


def audit_rows(node, *arguments: str) -> list[dict]:
    """`meshcast audit --json`: the audit stream as the nodes wrote it, one dict per record."""
    printed = subprocess.run([str(binary()), "audit", "--json", "--limit", "100000", *arguments], env=node.env,
                             capture_output=True, text=True, timeout=30, check=True).stdout
    return [json.loads(line) for line in printed.splitlines() if line.strip()]


def legacy_operator_token(node) -> str:
    """An operator token as `meshcast token --operator` minted them before roles: no sub, jti or kid."""
    now = int(time.time())
    encode = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    header = encode(b'{"alg":"HS256","typ":"JWT"}')
    payload = encode(json.dumps({"action": "operator", "exp": now + 600, "iat": now, "stream": "*"},
                                separators=(",", ":")).encode())
    signature = hmac.new(node.secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{encode(signature)}"


def test_operator_endpoints_refuse_other_roles_on_every_node(module_mesh):
    origin = module_mesh["origin-1"]
    view, _ = mint(origin, "view", stream="*")
    publish_token, _ = mint(origin, "publish", stream=STREAM)
    legacy = legacy_operator_token(origin)
    for node_id in NODE_IDS:
        node = module_mesh[node_id]
        for method, path, body in (("DELETE", "/v1/sessions/abc", None),
                                   ("POST", "/v1/tokens/revoke", revoke_body("x")),
                                   ("POST", "/v1/nodes/edge-a/drain", None), ("DELETE", "/v1/nodes/edge-a/drain", None),
                                   ("POST", "/v1/topology", b"mesh: x"), ("GET", "/v1/mesh", None)):
            for role, token in (("view", view), ("publish", publish_token)):
                status, headers, text = call(node, method, path, token, body)
                assert status == 403, f"{node_id} {method} {path} with a {role} token: {status} {text!r}"
                assert f"not a {role} token".encode() in text, text
                assert "insufficient_scope" in headers.get("www-authenticate", "")
            status, _, _ = call(node, method, path, None, body)
            assert status == 401
    # A token minted before roles (no jti) cannot be revoked, so it cannot call the operator API;
    # it still does what it did before (end sessions under /whip and /whep: 404 for none).
    status, _, text = call(origin, "DELETE", "/v1/sessions/abc", legacy)
    assert status == 403 and b"revocable" in text, text
    assert call(origin, "DELETE", f"/whip/{STREAM}/abc", legacy)[0] == 404


def test_both_keys_of_a_rotation_work_on_every_node(module_mesh):
    origin = module_mesh["origin-1"]
    for kid in ("k-new", "k-old"):
        token, _ = mint(origin, "operator", kid=kid)
        for node_id in NODE_IDS:
            status, _, text = call(module_mesh[node_id], "DELETE", "/v1/sessions/none", token)
            assert status == 404, f"{node_id} with a {kid} token: {status} {text!r}"


def test_revoked_tokens_are_refused_on_every_node_within_a_second(module_mesh):
    origin = module_mesh["origin-1"]
    admin, _ = mint(origin, "admin", subject="roles-admin")
    victim, victim_jti = mint(origin, "operator", subject="roles-victim")
    for node_id in NODE_IDS:
        assert call(module_mesh[node_id], "DELETE", "/v1/sessions/none", victim)[0] == 404
    start = time.monotonic()
    status, headers, text = call(origin, "POST", "/v1/tokens/revoke", admin, revoke_body(victim_jti),
                                 request_id="roles-revoke-1")
    assert status == 200, text
    assert headers.get("x-request-id") == "roles-revoke-1"
    over_http = refused_everywhere_after(module_mesh, victim, start)

    second, second_jti = mint(origin, "operator", subject="roles-victim")
    assert call(module_mesh["edge-b"], "DELETE", "/v1/sessions/none", second)[0] == 404
    env = {**origin.env}
    start = time.monotonic()
    subprocess.run([str(binary()), "token", "revoke", second_jti], env=env, capture_output=True, text=True,
                   timeout=30, check=True)
    by_command = refused_everywhere_after(module_mesh, second, start)
    results.write("mesh_roles", {"revoked_over_http_refused_after_s": over_http,
                                 "revoked_by_command_refused_after_s": by_command})
    print(f"\nrevocation seen after (s): over HTTP {over_http}; by command {by_command}")
    for figures in (over_http, by_command):
        for node_id, seconds in figures.items():
            assert seconds is not None and seconds < MAX_REVOCATION_S, f"{node_id}: {figures}"
    _, _, text = call(origin, "DELETE", "/v1/sessions/none", victim)
    assert b"token revoked" in text


def test_an_operator_ends_a_publishers_session_by_id(module_mesh):
    origin = module_mesh["origin-1"]
    operator, _ = mint(origin, "operator", subject="roles-operator")

    async def scenario() -> tuple[int, int]:
        publisher = await publish(origin, STREAM, mint(origin, "publish", stream=STREAM)[0])
        await publisher.connected()
        session = urllib.parse.urlsplit(publisher.location).path.rsplit("/", 1)[1]
        ended = await asyncio.to_thread(call, origin, "DELETE", f"/v1/sessions/{session}", operator)
        again = await asyncio.to_thread(call, origin, "DELETE", f"/v1/sessions/{session}", operator)
        publisher.location = None
        await publisher.close()
        return ended[0], again[0]

    ended, again = asyncio.run(scenario())
    assert ended == 204 and again == 404


def test_every_mutating_call_is_audited(module_mesh):
    origin = module_mesh["origin-1"]
    rows = audit_rows(origin)
    actions = {(row["action"], row["actor"]) for row in rows}
    assert ("token.revoke", "roles-admin") in actions, rows
    assert ("session.end", "roles-operator") in actions, rows
    assert ("publish.start", "roles-test") in actions, rows
    assert any(row["action"] == "token.revoke" and row["actor"].startswith("cli:") for row in rows), rows
    revoke = next(row for row in rows if row["requestID"] == "roles-revoke-1")
    assert revoke["keyID"] == "k-new" and revoke["node"] == "origin-1"
    assert revoke["result"].startswith("200") and revoke["client"].startswith("127.0.0.1:")
    assert revoke["target"].startswith("token/")
    ended = [row for row in rows if row["action"] == "session.end" and row["result"].startswith("204")]
    assert ended and ended[0]["target"].startswith("session/")
    # The publish the operator ended is also a publish.end under its publisher's name, from the
    # engine's report of the session's end (no DELETE of the publisher's own).
    session = ended[0]["target"].removeprefix("session/")
    assert any(row["action"] == "publish.end" and row["actor"] == "roles-test"
               and row["target"] == f"whip/{STREAM}/{session}" for row in rows), rows
    # Refused operator calls by view/publish tokens are not state changes: they are the request
    # log's, not the audit log's; the operator's 404s are audited with their result.
    assert not any(row["actor"] == "roles-test" and row["action"] == "token.revoke" for row in rows)
    lines = audit_rows(origin, "--actor", "roles-admin")
    assert lines and all(line["actor"] == "roles-admin" for line in lines), lines
    table = subprocess.run([str(binary()), "audit", "--since", "10m"], env=origin.env, capture_output=True,
                           text=True, timeout=30, check=True).stdout
    assert "token.revoke" in table and "session.end" in table


def test_removing_the_old_key_refuses_its_tokens(module_mesh):
    edge = module_mesh["edge-b"]
    old, _ = mint(edge, "operator", kid="k-old")
    new, _ = mint(edge, "operator", kid="k-new")
    edge.stop()
    edge.env = {**edge.env, "MESHCAST_TOKEN_KEYS": KEY_NEW}
    edge.restart()
    status, _, text = call(edge, "DELETE", "/v1/sessions/none", old)
    assert status == 401 and b"unknown token key id k-old" in text, text
    assert call(edge, "DELETE", "/v1/sessions/none", new)[0] == 404
    assert call(module_mesh["edge-a"], "DELETE", "/v1/sessions/none", old)[0] == 404


def test_http_drain_and_topology_apply_by_an_operator_are_followed_and_audited(module_mesh):
    relay = module_mesh["relay-1"]
    operator, _ = mint(relay, "operator", subject="http-operator")

    def state_of_edge_b() -> str:
        status, _, body = call(relay, "GET", "/v1/mesh", operator)
        assert status == 200, body
        return next(node["state"] for node in json.loads(body)["nodes"] if node["id"] == "edge-b")

    def within(seconds: float, wanted: str) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if state_of_edge_b() == wanted:
                return True
            time.sleep(0.1)
        return False

    status, _, text = call(relay, "POST", "/v1/nodes/edge-b/drain", operator)
    assert status == 200 and json.loads(text) == {"node": "edge-b", "draining": True, "running": True}, text
    assert within(3.0, "draining"), "edge-b never showed as draining after the HTTP drain"
    status, _, text = call(relay, "DELETE", "/v1/nodes/edge-b/drain", operator)
    assert status == 200 and json.loads(text)["draining"] is False, text
    assert within(3.0, "serving"), "edge-b still draining after the HTTP undrain"
    status, _, text = call(relay, "POST", "/v1/nodes/nowhere/drain", operator)
    assert status == 404, text

    status, _, text = relay.request("POST", "/v1/topology", body=module_mesh.topology.read_bytes(),
                                    headers={"Authorization": f"Bearer {operator}", "Content-Type": "application/yaml"})
    assert status == 200 and json.loads(text)["mesh"], text
    mesh_name = json.loads(text)["mesh"]
    status, _, text = relay.request("POST", "/v1/topology", body=b"mesh: [unclosed",
                                    headers={"Authorization": f"Bearer {operator}", "Content-Type": "application/yaml"})
    assert status == 422, text

    deadline = time.monotonic() + 5
    while True:
        rows = audit_rows(relay, "--actor", "http-operator")
        if len(rows) >= 5 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    seen = [(row["action"], row["target"], row["result"][:3]) for row in rows]
    print(f"\naudit rows of the HTTP operator: {seen}")
    assert seen == [("node.drain", "node/edge-b", "200"), ("node.undrain", "node/edge-b", "200"),
                    ("node.drain", "node/nowhere", "404"), ("topology.apply", f"topology/{mesh_name}", "200"),
                    ("topology.apply", "topology/-", "422")], seen
