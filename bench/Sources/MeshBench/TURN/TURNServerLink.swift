/// One TURN server a WHIP/WHEP `201` names in a `Link` header (RFC 9725 §4.6, RFC 8288):
/// `<turn:HOST:PORT?transport=udp>; rel="ice-server"; username="…"; credential="…"`.
struct TURNServerLink: Equatable, Sendable {
    /// The transport to the TURN server (RFC 7065's `transport` parameter; UDP when absent).
    enum Transport: String, Sendable {
        case udp
        case tcp
    }

    let host: String
    let port: UInt16
    let transport: Transport
    /// `turns:` (TLS); meshbench's viewers speak UDP and TCP only.
    let secure: Bool
    let username: String
    let credential: String

    /// Why a `Link` field is not a usable TURN server.
    struct Failure: Error, CustomStringConvertible, Equatable {
        let description: String
    }

    /// Every TURN server in a `Link` field value (several links, comma-separated, as repeated
    /// `Link` headers are joined); links that are not `rel="ice-server"` with a `turn:` or
    /// `turns:` URL (a STUN server, another relation) are skipped. Throws on a TURN link that
    /// is malformed or lacks its credentials.
    static func parse(_ field: String) throws(Failure) -> [TURNServerLink] {
        var links: [TURNServerLink] = []
        for value in splitLinks(field) {
            guard let close = value.firstIndex(of: ">"), value.first == "<" else {
                throw Failure(description: "Link value without <URI>: \(value.prefix(80))")
            }
            let uri = String(value[value.index(after: value.startIndex)..<close])
            let parameters = Self.parameters(value[value.index(after: close)...])
            guard parameters["rel"] == "ice-server", uri.hasPrefix("turn:") || uri.hasPrefix("turns:") else { continue }
            links.append(try link(uri: uri, parameters: parameters))
        }
        return links
    }

    /// The first link with `transport` (and not TLS), if any.
    static func first(_ links: [TURNServerLink], transport: Transport) -> TURNServerLink? {
        links.first { $0.transport == transport && !$0.secure }
    }

    private static func link(uri: String, parameters: [String: String]) throws(Failure) -> TURNServerLink {
        let secure = uri.hasPrefix("turns:")
        let rest = uri.dropFirst(secure ? 6 : 5)
        let parts = rest.split(separator: "?", maxSplits: 1)
        guard let authority = parts.first else { throw Failure(description: "TURN URI without a host: \(uri)") }
        var transport = Transport.udp
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") where pair.hasPrefix("transport=") {
                guard let named = Transport(rawValue: String(pair.dropFirst(10)).lowercased()) else {
                    throw Failure(description: "TURN URI with an unknown transport: \(uri)")
                }
                transport = named
            }
        }
        // An IPv6 literal is bracketed (RFC 7065 §3.1): the port follows the last colon.
        guard let colon = authority.lastIndex(of: ":"), let port = UInt16(authority[authority.index(after: colon)...])
        else { throw Failure(description: "TURN URI without a port: \(uri)") }
        var host = String(authority[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw Failure(description: "TURN URI without a host: \(uri)") }
        guard let username = parameters["username"], let credential = parameters["credential"] else {
            throw Failure(description: "TURN link without username and credential: \(uri)")
        }
        return TURNServerLink(
            host: host, port: port, transport: transport, secure: secure, username: username, credential: credential)
    }

    /// Splits a field at the commas between links, not at those inside quotes or `<…>`.
    private static func splitLinks(_ field: String) -> [Substring] {
        var values: [Substring] = []
        var start = field.startIndex
        var quoted = false
        var inURI = false
        var escaped = false
        for index in field.indices {
            let character = field[index]
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\" where quoted: escaped = true
            case "\"" where !inURI: quoted.toggle()
            case "<" where !quoted: inURI = true
            case ">" where !quoted: inURI = false
            case "," where !quoted && !inURI:
                values.append(field[start..<index])
                start = field.index(after: index)
            default: break
            }
        }
        values.append(field[start...])
        return values.map { $0.trimmingLinkSpaces }.filter { !$0.isEmpty }
    }

    /// `; name="value"` or `; name=value` pairs, names lower-cased, quoted values unescaped.
    private static func parameters(_ text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = text[...]
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...].trimmingLinkSpaces
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingLinkSpaces.lowercased()
            var value = ""
            var index = rest.index(after: equals)
            if index < rest.endIndex, rest[index] == "\"" {
                index = rest.index(after: index)
                var escaped = false
                while index < rest.endIndex {
                    let character = rest[index]
                    index = rest.index(after: index)
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                while index < rest.endIndex, rest[index] != ";" {
                    value.append(rest[index])
                    index = rest.index(after: index)
                }
                value = String(value.trimmingLinkSpaces)
            }
            result[name] = value
            rest = rest[index...]
        }
        return result
    }
}

extension Substring {
    fileprivate var trimmingLinkSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}

extension String {
    fileprivate var trimmingLinkSpaces: Substring { self[...].trimmingLinkSpaces }
}
