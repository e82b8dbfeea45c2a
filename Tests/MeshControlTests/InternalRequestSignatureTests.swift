import Foundation
import MeshControl
import Testing

/// ``InternalRequestSignature``: the header format, the signed string, and each rejection.
@Suite struct InternalRequestSignatureTests {
    let signature = InternalRequestSignature(secret: MeshTest.clusterSecret)
    let time: Int64 = 1_700_000_000
    let nonce = InternalRequestNonce(high: 0x0001_0203_0405_0607, low: 0x0809_0a0b_0c0d_0e0f)
    let otherNonce = InternalRequestNonce(high: 0xffee_ddcc_bbaa_9988, low: 0x7766_5544_3322_1100)

    // Expected MACs computed independently with Python's hmac and hashlib (RFC 2104, FIPS 180-4):
    // s = "meshcast-internal-v2\nPOST\n/internal/v1/links\n1700000000\n000102030405060708090a0b0c0d0e0f\n"
    //     + hashlib.sha256(b'{"a":1}').hexdigest()
    // hmac.new(b"cluster secret for the mesh tests", s.encode(), hashlib.sha256).hexdigest()
    @Test func headerIsTimeNonceAndHMACOverMethodTargetTimeNonceAndBodyHash() throws {
        let header = try signature.headerValue(
            method: "POST", target: "/internal/v1/links", body: Array(#"{"a":1}"#.utf8), now: time, nonce: nonce)
        #expect(
            header
                == "t=1700000000,n=000102030405060708090a0b0c0d0e0f,"
                + "v=35777304911bad95781065402aba7d2de459e77a1b27353dcb634cbfe4e16a7f")
        let empty = try signature.headerValue(
            method: "DELETE", target: "/internal/v1/links/link-1", body: [], now: time, nonce: otherNonce)
        #expect(
            empty
                == "t=1700000000,n=ffeeddccbbaa99887766554433221100,"
                + "v=8a293558f105d6faa20d9e10b8942bdcc450b479b45d4d8ec5202254a7e425e3")
        // The query is part of the target, so it changes the MAC.
        let query = try signature.headerValue(
            method: "DELETE", target: "/internal/v1/links/link-1?x=1", body: [], now: time, nonce: otherNonce)
        #expect(query.hasSuffix("v=9587366c108494d82c234b4308dc8673f4ec71c8479420c9fd5d9c352570ea1c"))
    }

    @Test func freshNoncesDiffer() throws {
        let first = try signature.headerValue(method: "DELETE", target: "/x", body: [], now: time)
        let second = try signature.headerValue(method: "DELETE", target: "/x", body: [], now: time)
        #expect(first != second)
    }

    @Test func checkAcceptsItsOwnSignatureWithinSixtySeconds() throws {
        let header = try signature.headerValue(
            method: "DELETE", target: "/internal/v1/links/l", body: [], now: time, nonce: nonce)
        for now in [time - 60, time, time + 60] {
            let stamp = try signature.check(
                header, method: "DELETE", target: "/internal/v1/links/l", body: [], now: now)
            #expect(stamp.time == time && stamp.nonce == nonce)
        }
        #expect(throws: InternalRequestSignature.Rejection.expired(skewSeconds: 61)) {
            try signature.check(header, method: "DELETE", target: "/internal/v1/links/l", body: [], now: time + 61)
        }
        #expect(throws: InternalRequestSignature.Rejection.expired(skewSeconds: 61)) {
            try signature.check(header, method: "DELETE", target: "/internal/v1/links/l", body: [], now: time - 61)
        }
    }

    @Test func anyChangedPartIsAWrongSignature() throws {
        let body = Array(#"{"a":1}"#.utf8)
        let target = "/internal/v1/links"
        let header = try signature.headerValue(method: "POST", target: target, body: body, now: time, nonce: nonce)
        for (method, changedTarget, changedBody) in [
            ("PUT", target, body), ("POST", target + "/x", body), ("POST", target, body + [0x20]),
            ("POST", target + "?x=1", body), ("POST", target + "?", body),
        ] {
            #expect(throws: InternalRequestSignature.Rejection.wrongSignature) {
                try signature.check(header, method: method, target: changedTarget, body: changedBody, now: time)
            }
        }
        // Another nonce under the same MAC.
        let otherNonceHeader = header.replacingOccurrences(of: nonce.description, with: otherNonce.description)
        #expect(throws: InternalRequestSignature.Rejection.wrongSignature) {
            try signature.check(otherNonceHeader, method: "POST", target: target, body: body, now: time)
        }
        let other = InternalRequestSignature(secret: Array("another secret".utf8))
        #expect(throws: InternalRequestSignature.Rejection.wrongSignature) {
            try other.check(header, method: "POST", target: target, body: body, now: time)
        }
    }

    @Test(arguments: [
        // The scheme before nonces: t and v only.
        "t=1700000000,v=" + String(repeating: "0", count: 64),
        "t=1700000000,n=0011,v=" + String(repeating: "0", count: 64),
        "t=1700000000,n=+0000000000000000000000000000000,v=" + String(repeating: "0", count: 64),
        "t=1700000000,n=" + String(repeating: "g", count: 32) + ",v=" + String(repeating: "0", count: 64),
        "t=1,n=" + String(repeating: "0", count: 32) + ",n=" + String(repeating: "1", count: 32) + ",v="
            + String(repeating: "0", count: 64),
        "t=1,n=" + String(repeating: "0", count: 32) + ",v=" + String(repeating: "0", count: 64) + ",x=1",
        String(repeating: "t=1,", count: 200),
    ])
    func malformedHeadersAreNamed(header: String) {
        do throws(InternalRequestSignature.Rejection) {
            try signature.check(header, method: "POST", target: "/", body: [], now: time)
            Issue.record("accepted \(header)")
        } catch {
            guard case .malformed = error else {
                Issue.record("expected malformed, got \(error)")
                return
            }
        }
    }

    @Test func missingHeaderIsNamed() {
        #expect(throws: InternalRequestSignature.Rejection.missing) {
            try signature.check(nil, method: "POST", target: "/", body: [], now: time)
        }
    }
}
