import Foundation

/// The canonical JSON form of a topology: what `meshcast topology apply` writes and what the
/// mesh stores in Redis. Keys are sorted and absent options are omitted, so one topology
/// always encodes to the same bytes and two encodings can be compared byte for byte.
///
/// Keys are the model's property names (`announceIP`, `egressMbps`), not the YAML spellings:
/// snake-case conversion would not round-trip acronyms such as `IP` and `URL`.
/// Addresses, CIDRs and port ranges are strings written as in YAML (`127.0.0.1:8080`,
/// `10.0.0.0/8`, `40000-40099`); decoding re-checks their syntax, but not the references
/// between sections, because only validated topologies are ever encoded.
public enum TopologyJSON {
    /// The canonical bytes of a topology; `pretty` adds indentation for people to read.
    public static func encode(_ topology: Topology, pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(topology)
    }

    /// A topology from its JSON form.
    public static func decode(_ data: Data) throws -> Topology {
        try JSONDecoder().decode(Topology.self, from: data)
    }
}

/// Decodes a string and parses it with one of the loader's syntax checks.
private func decodeString<Value>(
    _ decoder: any Decoder,
    _ parse: (String) -> Result<Value, AddressProblem>
) throws -> Value {
    let text = try decoder.singleValueContainer().decode(String.self)
    switch parse(text) {
    case .success(let value): return value
    case .failure(let problem):
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "'\(text)': \(problem.message)"))
    }
}

/// Encodes a value as its topology spelling.
private func encodeString(_ value: some CustomStringConvertible, _ encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(value.description)
}

extension EndpointAddress: Codable {
    /// Decodes `host:port` or `[v6]:port`.
    public init(from decoder: any Decoder) throws { self = try decodeString(decoder, AddressSyntax.endpoint) }
    /// Encodes `host:port` or `[v6]:port`.
    public func encode(to encoder: any Encoder) throws { try encodeString(self, encoder) }
}

extension CIDRBlock: Codable {
    /// Decodes `address/prefix`.
    public init(from decoder: any Decoder) throws { self = try decodeString(decoder, AddressSyntax.cidr) }
    /// Encodes `address/prefix`.
    public func encode(to encoder: any Encoder) throws { try encodeString(self, encoder) }
}

extension PortRange: Codable {
    /// Decodes `first-last`.
    public init(from decoder: any Decoder) throws { self = try decodeString(decoder, AddressSyntax.portRange) }
    /// Encodes `first-last`.
    public func encode(to encoder: any Encoder) throws { try encodeString(self, encoder) }
}

extension WorkerPlan: Codable {
    private enum CodingKeys: String, CodingKey {
        case count, cpus, numa
    }

    /// Decodes `{count?, cpus?}` or `{count?, numa}`, the YAML mapping's shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let count = try container.decodeIfPresent(Int.self, forKey: .count)
        if let cpus = try container.decodeIfPresent([Int].self, forKey: .cpus) {
            self.init(count: count, pinning: .cpus(cpus))
        } else if let numa = try container.decodeIfPresent(Int.self, forKey: .numa) {
            self.init(count: count, pinning: .numaNode(numa))
        } else {
            self.init(count: count, pinning: .inOrder)
        }
    }

    /// Encodes the plan in the YAML mapping's shape; in-order pinning writes only `count`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(count, forKey: .count)
        switch pinning {
        case .inOrder: break
        case .cpus(let cpus): try container.encode(cpus, forKey: .cpus)
        case .numaNode(let node): try container.encode(node, forKey: .numa)
        }
    }
}
