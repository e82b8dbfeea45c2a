/// `a=fmtp`: codec parameters for one payload type (RFC 8866 §6.15), in the order written.
///
/// `a=fmtp:111 minptime=10;useinbandfec=1` has two parameters. Some codecs use bare values
/// rather than pairs (RED's `111/111`, telephone-event's `0-16`); those have a nil `value`.
public struct FormatParameters: Hashable, Sendable {
    /// One `name=value` (or bare `name`) entry.
    public struct Parameter: Hashable, Sendable {
        /// The parameter name, or the whole entry when it has no `=`.
        public var name: String
        /// The text after the first `=`, if there is one.
        public var value: String?

        /// A parameter from its name and value.
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// The payload type these parameters apply to.
    public var payloadType: UInt8
    /// The parameters in the order they were written.
    public var parameters: [Parameter]

    /// Parameters for a payload type.
    public init(payloadType: UInt8, parameters: [Parameter]) {
        self.payloadType = payloadType
        self.parameters = parameters
    }

    /// The value of the first parameter called `name` (compared case-insensitively, as
    /// media type parameter names are, RFC 6838 §4.3).
    public subscript(name: String) -> String? {
        parameters.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let (format, rest) = SDPText.splitOnce(SDPText.trimmed(attributeValue), at: " ")
        payloadType = try SDPText.payloadType(format)
        parameters = []
        for entry in (rest ?? "").split(separator: ";") {
            let entry = SDPText.trimmed(entry)
            if entry.isEmpty { continue }
            let (name, value) = SDPText.splitOnce(entry, at: "=")
            parameters.append(Parameter(name: String(name), value: value.map(String.init)))
        }
    }

    var attributeValue: String {
        let list = parameters.map { parameter in
            parameter.value.map { "\(parameter.name)=\($0)" } ?? parameter.name
        }
        return list.isEmpty ? "\(payloadType)" : "\(payloadType) " + list.joined(separator: ";")
    }
}
