import Glibc
import Testing

@testable import MeshBench

/// Whether Debian's janus and ffmpeg are installed (scripts/janus-setup, scripts/interop-setup).
private let janusAndFFmpegInstalled =
    access(JanusServer.executable, X_OK) == 0 && access("/usr/bin/ffmpeg", X_OK) == 0

@Suite("Janus end to end", .serialized)
struct JanusEndToEndTests {
    /// `meshbench janus-check`: Janus started from our config, ffmpeg RTP into its mountpoint,
    /// one viewer attached over the HTTP API. The command throws unless RTP arrived and decrypted.
    @Test("A viewer attached through Janus's API receives and decrypts RTP", .enabled(if: janusAndFFmpegInstalled))
    func viewerReceivesMedia() async throws {
        let check = try JanusCheckCommand.parse(["--duration", "2", "--http-port", "18188", "--video-port", "42100"])
        try await check.run()
    }
}
