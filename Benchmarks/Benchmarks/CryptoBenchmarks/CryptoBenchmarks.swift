import Benchmark
import MeshCrypto

// SRTP protect of a 1200-byte RTP packet (the size WebRTC video packets cluster at), in both
// suites Meshcast negotiates, through Meshcast's own transforms (`builtIn`) and through libsrtp2
// (`libsrtp`, Debian's NSS build). Each sample protects 1000 packets (scaling factor kilo).
// Compare with `openssl speed -evp aes-128-gcm -bytes 1200` and, for AES-CM, the sum of
// `openssl speed -evp aes-128-ctr -bytes 1200` and `openssl speed -evp sha1 -bytes 1200`.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 10,
        scalingFactor: .kilo, maxDuration: .seconds(2))

    for profile in [SRTPProfile.aeadAES128GCM, .aesCM128HmacSHA1_80] {
        for implementation in SRTPImplementation.allCases {
            Benchmark("SRTP protect 1200 B \(profile) \(implementation)") { benchmark in
                let key = try SRTPMasterKey(
                    profile: profile, key: [UInt8](repeating: 0x11, count: profile.masterKeyLength),
                    salt: [UInt8](repeating: 0x22, count: profile.masterSaltLength))
                var sender = try SRTPSender(key, implementation: implementation)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
                defer { buffer.deallocate() }
                buffer.initializeMemory(as: UInt8.self, repeating: 0xA5)
                buffer[0] = 0x80  // v=2, p=0, x=0, cc=0
                buffer[1] = 96  // m=0, pt=96
                buffer.storeBytes(of: UInt32(0xCAFE_F00D).bigEndian, toByteOffset: 8, as: UInt32.self)  // SSRC
                var sequence: UInt16 = 0
                // libsrtp clones its stream template on an SSRC's first packet: keep that set-up
                // allocation out of the measured per-packet path.
                _ = try sender.protectRTP(buffer, length: 1200)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    sequence &+= 1
                    buffer.storeBytes(of: sequence.bigEndian, toByteOffset: 2, as: UInt16.self)
                    blackHole(try sender.protectRTP(buffer, length: 1200))
                }
            }

            // Protect then unprotect each packet: the receive path's allocations (its replay and
            // per-SSRC state) counted too.
            Benchmark("SRTP protect+unprotect 1200 B \(profile) \(implementation)") { benchmark in
                let key = try SRTPMasterKey(
                    profile: profile, key: [UInt8](repeating: 0x11, count: profile.masterKeyLength),
                    salt: [UInt8](repeating: 0x22, count: profile.masterSaltLength))
                var sender = try SRTPSender(key, implementation: implementation)
                var receiver = try SRTPReceiver(key, implementation: implementation)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
                defer { buffer.deallocate() }
                buffer.initializeMemory(as: UInt8.self, repeating: 0xA5)
                buffer[0] = 0x80  // v=2, p=0, x=0, cc=0
                buffer[1] = 96  // m=0, pt=96
                buffer.storeBytes(of: UInt32(0xCAFE_F00D).bigEndian, toByteOffset: 8, as: UInt32.self)  // SSRC
                // First packet outside the measurement: libsrtp clones its stream template here.
                _ = try receiver.unprotectRTP(buffer, length: try sender.protectRTP(buffer, length: 1200))
                var sequence: UInt16 = 0
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    sequence &+= 1
                    buffer.storeBytes(of: sequence.bigEndian, toByteOffset: 2, as: UInt16.self)
                    let protected = try sender.protectRTP(buffer, length: 1200)
                    blackHole(try receiver.unprotectRTP(buffer, length: protected))
                }
            }
        }
    }
}
