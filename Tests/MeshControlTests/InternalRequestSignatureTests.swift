import MeshControl
import Testing

/// ``InternalRequestSignature``: the header format, the signed string, and each rejection.
@Suite struct InternalRequestSignatureTests {
    let signature = InternalRequestSignature(secret: MeshTest.clusterSecret)
    let time: Int64 = 1_700_000_000

    // Expected MACs computed independently with Python's hmac module:
    // hmac.new(b"cluster secret for the mesh tests", b"POST\n/internal/v1/links\n1700000000\n{\"a\":1}",
    //          hashlib.sha256).hexdigest()
    @Test func headerIsTimeAndHexHMACOverMethodPathTimeAndBody() throws {
        let header = try signature.headerValue(
            method: "POST", path: "/internal/v1/links", body: Array(#"{"a":1}"#.utf8), now: time)
        #expect(header == "t=1700000000,v=124c6eb66794c92335a79c73f4cb30f428d81162197d801eef8893365455dcb4")
        let empty = try signature.headerValue(method: "DELETE", path: "/internal/v1/links/link-1", body: [], now: time)
        #expect(empty == "t=1700000000,v=e0687703ff98f7ca8962c98b23d3fa50d17b8bd37a6b7a063925ab7335431f52")
    }

    @Test func checkAcceptsItsOwnSignatureWithinSixtySeconds() throws {
        let header = try signature.headerValue(method: "DELETE", path: "/internal/v1/links/l", body: [], now: time)
        for now in [time - 60, time, time + 60] {
            try signature.check(header, method: "DELETE", path: "/internal/v1/links/l", body: [], now: now)
        }
        #expect(throws: InternalRequestSignature.Rejection.expired(skewSeconds: 61)) {
            try signature.check(header, method: "DELETE", path: "/internal/v1/links/l", body: [], now: time + 61)
        }
        #expect(throws: InternalRequestSignature.Rejection.expired(skewSeconds: 61)) {
            try signature.check(header, method: "DELETE", path: "/internal/v1/links/l", body: [], now: time - 61)
        }
    }

    @Test func anyChangedPartIsAWrongSignature() throws {
        let body = Array(#"{"a":1}"#.utf8)
        let header = try signature.headerValue(method: "POST", path: "/internal/v1/links", body: body, now: time)
        #expect(throws: InternalRequestSignature.Rejection.wrongSignature) {
            try signature.check(header, method: "PUT", path: "/internal/v1/links", body: body, now: time)
        }
        #expect(throws: InternalRequestSignature.Rejection.wrongSignature) {
            try signature.check(header, method: "POST", path: "/internal/v1/links/x", body: body, now: time)
        }
        #expect(throws: InternalRequestSignature.Rejection.wrongSignature) {
            try signature.check(header, method: "POST", path: "/internal/v1/links", body: body + [0x20], now: time)
        }
        let other = InternalRequestSignature(secret: Array("another secret".utf8))
        #expect(throws: InternalRequestSignature.Rejection.wrongSignature) {
            try other.check(header, method: "POST", path: "/internal/v1/links", body: body, now: time)
        }
    }

    @Test func missingHeaderIsNamed() {
        #expect(throws: InternalRequestSignature.Rejection.missing) {
            try signature.check(nil, method: "POST", path: "/", body: [], now: time)
        }
    }
}
