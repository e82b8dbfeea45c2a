#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Syntax checks for the addresses a topology holds. Each returns the parsed value or a
/// message that says what was expected, for the loader to attach a location to.
enum AddressSyntax {
    /// The IP family of a literal address, or `nil` when the text is not one.
    enum Family: Equatable {
        case ipv4
        case ipv6

        var bitCount: Int { self == .ipv4 ? 32 : 128 }
    }

    /// The family of an IPv4 (`127.0.0.1`) or IPv6 (`::1`, no brackets) literal.
    static func ipFamily(of text: String) -> Family? {
        var buffer = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buffer) { bytes -> Family? in
            if inet_pton(AF_INET, text, bytes.baseAddress) == 1 { return .ipv4 }
            if inet_pton(AF_INET6, text, bytes.baseAddress) == 1 { return .ipv6 }
            return nil
        }
    }

    /// Whether the literal is the unspecified address (`0.0.0.0` or `::`), which no peer
    /// can send to.
    static func isUnspecified(_ text: String) -> Bool {
        var buffer = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buffer) { bytes -> Bool in
            let parsed =
                inet_pton(AF_INET, text, bytes.baseAddress) == 1
                || inet_pton(AF_INET6, text, bytes.baseAddress) == 1
            return parsed && bytes.allSatisfy { $0 == 0 }
        }
    }

    /// Whether the text is a DNS host name by RFC 1123 §2.1: dot-separated labels of letters,
    /// digits and inner hyphens, each 1-63 characters, 253 in all.
    static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        // An all-numeric name would read as a malformed IPv4 address, not a host.
        if labels.allSatisfy({ $0.allSatisfy(\.isNumber) }) { return false }
        return labels.allSatisfy { label in
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else {
                return false
            }
            return label.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-")
            }
        }
    }

    /// A host: an IP literal or a DNS name, without a port.
    static func host(_ text: String) -> Result<String, AddressProblem> {
        if ipFamily(of: text) != nil || isHostName(text) { return .success(text) }
        return .failure(AddressProblem("expected an IP address or a host name"))
    }

    /// A port number, 1-65535.
    static func port(_ text: Substring) -> Result<UInt16, AddressProblem> {
        guard let value = Int(text), (1...65535).contains(value) else {
            return .failure(AddressProblem("port '\(text)' is not a number in 1-65535"))
        }
        return .success(UInt16(value))
    }

    /// `host:port`, `ip:port` or `[ipv6]:port`.
    static func endpoint(_ text: String) -> Result<EndpointAddress, AddressProblem> {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                text[text.index(after: close)...].hasPrefix(":")
            else {
                return .failure(AddressProblem("expected [IPv6]:port"))
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
            guard ipFamily(of: String(hostPart)) == .ipv6 else {
                return .failure(AddressProblem("'\(hostPart)' in brackets is not an IPv6 address"))
            }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                return .failure(AddressProblem("expected host:port (IPv6 as [address]:port)"))
            }
            hostPart = parts[0]
            portPart = parts[1]
            if case .failure(let problem) = host(String(hostPart)) {
                return .failure(AddressProblem("host '\(hostPart)': \(problem.message)"))
            }
        }
        return port(portPart).map { EndpointAddress(host: String(hostPart), port: $0) }
    }

    /// `address/prefix`, with the prefix no longer than the family allows.
    static func cidr(_ text: String) -> Result<CIDRBlock, AddressProblem> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return .failure(AddressProblem("expected address/prefix-length, e.g. 10.0.0.0/8"))
        }
        guard let family = ipFamily(of: String(parts[0])) else {
            return .failure(AddressProblem("'\(parts[0])' is not an IP address"))
        }
        guard let prefix = Int(parts[1]), (0...family.bitCount).contains(prefix) else {
            return .failure(AddressProblem("prefix length '\(parts[1])' is not in 0-\(family.bitCount)"))
        }
        return .success(CIDRBlock(address: String(parts[0]), prefixLength: prefix))
    }

    /// `first-last`, both ports, first not after last.
    static func portRange(_ text: String) -> Result<PortRange, AddressProblem> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = Int(parts[0]), let last = Int(parts[1]) else {
            return .failure(AddressProblem("expected first-last, e.g. 40000-40099"))
        }
        for value in [first, last] where !(1...65535).contains(value) {
            return .failure(AddressProblem("port \(value) is out of range 1-65535"))
        }
        guard let range = PortRange(first: UInt16(first), last: UInt16(last)) else {
            return .failure(AddressProblem("range is reversed: \(first) comes after \(last)"))
        }
        return .success(range)
    }
}

/// Why an address did not parse; the loader prefixes it with the value and its location.
struct AddressProblem: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}
