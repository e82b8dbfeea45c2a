import CHiredis
import CLibPQ
import CLibSRTP
import CLibUV
import CNuma
import COpenSSL

/// The versions of the C libraries `meshcast` links, read from each library at run time
/// (hiredis only has compile-time macros). Calling one function of each library here is what
/// makes `meshcast --version` fail to link if any bridge is broken.
enum LinkedLibraryVersions {
    /// `meshcast 0.1.0` followed by one `library: version` line per C library.
    static func report() -> String {
        let lines = [
            "meshcast \(MeshcastVersion.current)",
            "  libuv     \(String(cString: uv_version_string()))",
            "  libsrtp2  \(withoutName("libsrtp2", String(cString: srtp_get_version_string())))",
            "  OpenSSL   \(withoutName("OpenSSL", String(cString: OpenSSL_version(OPENSSL_VERSION))))",
            "  hiredis   \(HIREDIS_MAJOR).\(HIREDIS_MINOR).\(HIREDIS_PATCH)",
            "  libpq     \(libpqVersion())",
            "  libnuma   \(numaStatus())",
        ]
        return lines.joined(separator: "\n")
    }

    /// Some libraries put their own name in front of the version; the label already says it.
    private static func withoutName(_ name: String, _ version: String) -> String {
        version.hasPrefix(name + " ") ? String(version.dropFirst(name.count + 1)) : version
    }

    /// `PQlibVersion()` packs the version as major * 10000 + minor since PostgreSQL 10.
    private static func libpqVersion() -> String {
        let packed = Int(PQlibVersion())
        return "\(packed / 10000).\(packed % 10000)"
    }

    /// libnuma has no version call; `numa_available()` is -1 when the kernel lacks NUMA
    /// support, and the node count is only meaningful otherwise.
    private static func numaStatus() -> String {
        guard numa_available() >= 0 else { return "(numa_available() = -1: no NUMA support)" }
        let nodes = Int(numa_max_node()) + 1
        return "(numa_available() = 0: \(nodes) NUMA node\(nodes == 1 ? "" : "s"))"
    }
}
