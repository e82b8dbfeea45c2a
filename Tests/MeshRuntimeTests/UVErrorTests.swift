import CLibUV
import MeshRuntime
import Testing

@Suite("UVError")
struct UVErrorTests {
    @Test("carries libuv's name and text for the code")
    func nameAndMessage() {
        let error = UVError(code: UV_EADDRINUSE.rawValue, operation: "uv_udp_bind")
        #expect(error.name == "EADDRINUSE")
        #expect(error.message == String(cString: uv_strerror(UV_EADDRINUSE.rawValue)))
        #expect(error.description.hasPrefix("uv_udp_bind failed: EADDRINUSE"))
        #expect(throws: error) { try UVError.check(UV_EADDRINUSE.rawValue, "uv_udp_bind") }
        #expect((try? UVError.check(7, "uv_x")) == 7)
    }

    @Test("a real bind conflict comes back through the funnel as EADDRINUSE")
    func bindConflict() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        let code = try await worker.run { () -> Int32? in
            let first = try UDPSocket(worker: worker, bindingTo: loopbackIPv4)
            do {
                _ = try UDPSocket(worker: worker, bindingTo: first.localAddress)
                return nil
            } catch {
                return (error as? UVError)?.code
            }
        }
        #expect(code == UV_EADDRINUSE.rawValue)
    }
}
