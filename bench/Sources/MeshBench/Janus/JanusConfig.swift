/// One mountpoint of the streaming plugin: an RTP source fed by meshbench's publisher, VP8 on
/// `videoPort` (payload type 96) and Opus on `videoPort + 1` (payload type 111).
struct JanusMountpoint: Sendable, Equatable {
    /// Mountpoint id, what `{"request":"watch","id":N}` names.
    let id: Int
    /// UDP port Janus listens on for the publisher's VP8 RTP.
    let videoPort: UInt16
    /// UDP port for the publisher's Opus RTP: the next one up.
    var audioPort: UInt16 { videoPort &+ 1 }
}

/// The complete, minimal configuration set `janus -F <folder>` reads: the core file, the HTTP
/// transport and the streaming plugin with one RTP mountpoint per stream. Every other plugin,
/// transport, logger and event handler of the Debian package is disabled by name, so Janus
/// does no work the Meshcast node does not do either.
struct JanusConfig: Sendable {
    /// Where Debian's janus package keeps its modules.
    static let libraryFolder = "/usr/lib/x86_64-linux-gnu/janus"

    /// Folder the files are written to (also `configs_folder`).
    let folder: String
    /// Port of the HTTP (REST) transport on 127.0.0.1.
    let httpPort: UInt16
    /// The local IPv4 address Janus gathers its one host candidate on. Janus 1.1.2 skips
    /// loopback interfaces when gathering, so this is the host's own interface address
    /// (traffic to it still never leaves the machine); `ice_enforce_list` pins it.
    let candidateAddress: String
    /// First and last port of the ICE (viewer) sockets.
    let rtpPortRange: ClosedRange<UInt16>
    let mountpoints: [JanusMountpoint]
    /// Module file names (`*.so`) installed per folder; all but the ones we need get disabled.
    let installed: [String: [String]]
    /// Janus's log verbosity, 0-7 (4: info; 6 shows ICE and DTLS steps; 7 also libnice's own debug, with NICE_DEBUG=all in the environment).
    var debugLevel = 4

    /// `janus.jcfg`: folders, half-trickle ICE Lite on one address, a fixed port range, and
    /// every unneeded module disabled.
    var core: String {
        """
        general: {
        \tconfigs_folder = "\(folder)"
        \tplugins_folder = "\(Self.libraryFolder)/plugins"
        \ttransports_folder = "\(Self.libraryFolder)/transports"
        \tevents_folder = "\(Self.libraryFolder)/events"
        \tloggers_folder = "\(Self.libraryFolder)/loggers"
        \tdebug_level = \(debugLevel)
        \tinterface = "\(candidateAddress)"
        \tsession_timeout = 60
        }
        media: {
        \tipv6 = false
        \trtp_port_range = "\(rtpPortRange.lowerBound)-\(rtpPortRange.upperBound)"
        }
        nat: {
        \tice_lite = true
        \tnice_debug = \(debugLevel >= 7)
        \tfull_trickle = false
        \tice_enforce_list = "\(candidateAddress)"
        \tignore_mdns = true
        }
        plugins: {
        \tdisable = "\(disabled("plugins", keeping: "libjanus_streaming.so"))"
        }
        transports: {
        \tdisable = "\(disabled("transports", keeping: "libjanus_http.so"))"
        }
        loggers: {
        \tdisable = "\(disabled("loggers", keeping: nil))"
        }
        events: {
        \tbroadcast = false
        \tdisable = "\(disabled("events", keeping: nil))"
        }

        """
    }

    /// `janus.transport.http.jcfg`: plain HTTP on 127.0.0.1 only, no admin API.
    var httpTransport: String {
        """
        general: {
        \tjson = "compact"
        \tbase_path = "/janus"
        \thttp = true
        \tport = \(httpPort)
        \tip = "127.0.0.1"
        \thttps = false
        }
        admin: {
        \tadmin_http = false
        \tadmin_https = false
        }

        """
    }

    /// `janus.plugin.streaming.jcfg`: one RTP mountpoint per stream, VP8 and Opus.
    var streamingPlugin: String {
        var text = "general: {\n\tevents = false\n}\n"
        for mountpoint in mountpoints {
            text += """
                meshbench-\(mountpoint.id): {
                \ttype = "rtp"
                \tid = \(mountpoint.id)
                \tdescription = "meshbench stream \(mountpoint.id)"
                \taudio = true
                \tvideo = true
                \taudioport = \(mountpoint.audioPort)
                \taudiopt = 111
                \taudiocodec = "opus"
                \taudiortpmap = "opus/48000/2"
                \tvideoport = \(mountpoint.videoPort)
                \tvideopt = 96
                \tvideocodec = "vp8"
                \tvideortpmap = "VP8/90000"
                }

                """
        }
        return text
    }

    /// The files to write, by name.
    var files: [(name: String, text: String)] {
        [
            ("janus.jcfg", core),
            ("janus.transport.http.jcfg", httpTransport),
            ("janus.plugin.streaming.jcfg", streamingPlugin),
        ]
    }

    private func disabled(_ kind: String, keeping kept: String?) -> String {
        (installed[kind] ?? []).filter { $0 != kept }.sorted().joined(separator: ",")
    }
}
