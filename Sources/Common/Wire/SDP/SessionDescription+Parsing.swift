extension SessionDescription {
    /// Parses SDP text. Lines may end in CRLF or bare LF.
    ///
    /// Throws ``SDPParseError`` naming the 1-based line and the rule broken; never traps.
    public init(parsing text: String) throws(SDPParseError) {
        try self.init(parsing: text.utf8)
    }

    /// Parses SDP bytes (UTF-8). Lines may end in CRLF or bare LF.
    ///
    /// Throws ``SDPParseError`` naming the 1-based line and the rule broken; never traps.
    public init<Bytes: Collection<UInt8>>(parsing bytes: Bytes) throws(SDPParseError) {
        let lines = try SDPLine.split(bytes)
        var cursor = SessionCursor(lines: lines)
        self = try cursor.session()
    }
}

/// Walks the lines of a session description in the order RFC 8866 §5 sets out.
private struct SessionCursor {
    let lines: [SDPLine]
    var index = 0

    init(lines: [SDPLine]) {
        self.lines = lines
    }

    var current: SDPLine? { index < lines.count ? lines[index] : nil }

    /// The line number to blame when a required line is missing.
    var blameLine: Int { current?.number ?? ((lines.last?.number ?? 0) + 1) }

    mutating func session() throws(SDPParseError) -> SessionDescription {
        guard let first = current, first.type == "v" else {
            throw SDPParseError(line: blameLine, reason: "a session description must start with 'v=' (RFC 8866 §5.1)")
        }
        guard first.value == "0" else {
            throw SDPParseError(
                line: first.number, reason: "protocol version '\(first.value)' is not 0 (RFC 8866 §5.1)")
        }
        index += 1
        let origin = try required("o", "RFC 8866 §5.2") { (value) throws(SDPValueError) in try SDPParsing.origin(value)
        }
        let sessionName = try required("s", "RFC 8866 §5.3") { (value) throws(SDPValueError) in String(value) }
        var description = SessionDescription(origin: origin, sessionName: sessionName, timings: [])

        while let line = current, line.type != "m" {
            index += 1
            do throws(SDPValueError) {
                switch line.type {
                case "i": description.information = try once(description.information, line)
                case "u": description.uri = try once(description.uri, line)
                case "e": description.emails.append(String(line.value))
                case "p": description.phones.append(String(line.value))
                case "c":
                    guard description.connection == nil else { throw duplicate(line) }
                    description.connection = try SDPParsing.connection(line.value)
                case "b": description.bandwidths.append(try SDPParsing.bandwidth(line.value))
                case "t": description.timings.append(try SDPParsing.timing(line.value))
                case "r":
                    guard !description.timings.isEmpty else {
                        throw SDPValueError("'r=' must follow a 't=' line (RFC 8866 §5.10)")
                    }
                    description.timings[description.timings.count - 1].repeats.append(String(line.value))
                case "z": description.timeZones = try once(description.timeZones, line)
                case "k": description.encryptionKey = try once(description.encryptionKey, line)
                case "a": description.attributes.append(try SDPAttribute(lineValue: line.value))
                default: throw misplaced(line, "at session level")
                }
            } catch {
                throw error.at(line: line.number)
            }
        }
        while let line = current {
            index += 1
            description.media.append(try mediaSection(opening: line))
        }
        return description
    }

    mutating func mediaSection(opening line: SDPLine) throws(SDPParseError) -> MediaDescription {
        let mediaLine: MediaLine
        do throws(SDPValueError) {
            mediaLine = try MediaLine(lineValue: line.value)
        } catch {
            throw error.at(line: line.number)
        }
        var section = MediaDescription(mediaLine: mediaLine)
        while let line = current, line.type != "m" {
            index += 1
            do throws(SDPValueError) {
                switch line.type {
                case "i": section.information = try once(section.information, line)
                case "c": section.connections.append(try SDPParsing.connection(line.value))
                case "b": section.bandwidths.append(try SDPParsing.bandwidth(line.value))
                case "k": section.encryptionKey = try once(section.encryptionKey, line)
                case "a": section.attributes.append(try SDPAttribute(lineValue: line.value))
                default: throw misplaced(line, "inside a media section")
                }
            } catch {
                throw error.at(line: line.number)
            }
        }
        return section
    }

    private mutating func required<Value>(
        _ type: Character, _ rule: String, _ parse: (Substring) throws(SDPValueError) -> Value
    ) throws(SDPParseError) -> Value {
        guard let line = current, line.type == type else {
            throw SDPParseError(line: blameLine, reason: "expected the '\(type)=' line here (\(rule))")
        }
        index += 1
        do throws(SDPValueError) {
            return try parse(line.value)
        } catch {
            throw error.at(line: line.number)
        }
    }

    private func once(_ existing: String?, _ line: SDPLine) throws(SDPValueError) -> String {
        guard existing == nil else { throw duplicate(line) }
        return String(line.value)
    }

    private func duplicate(_ line: SDPLine) -> SDPValueError {
        SDPValueError("'\(line.type)=' may appear only once here (RFC 8866 §5)")
    }

    private func misplaced(_ line: SDPLine, _ place: String) -> SDPValueError {
        SDPValueError("'\(line.type)=' is unknown or out of order \(place) (RFC 8866 §5)")
    }
}

/// Parsers for the session-level line values.
enum SDPParsing {
    static func origin(_ value: Substring) throws(SDPValueError) -> SDPOrigin {
        let parts = SDPText.fields(value)
        guard parts.count == 6 else {
            throw SDPValueError(
                "o= needs 6 fields: username sess-id sess-version nettype addrtype address (RFC 8866 §5.2)")
        }
        guard parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw SDPValueError("o= sess-id '\(parts[1])' is not numeric (RFC 8866 §5.2)")
        }
        return SDPOrigin(
            username: String(parts[0]), sessionID: String(parts[1]),
            sessionVersion: try SDPText.number(parts[2], "o= sess-version"),
            networkType: String(parts[3]), addressType: String(parts[4]), unicastAddress: String(parts[5]))
    }

    static func connection(_ value: Substring) throws(SDPValueError) -> SDPConnection {
        let parts = SDPText.fields(value)
        guard parts.count == 3 else {
            throw SDPValueError("c= needs 'nettype addrtype address' (RFC 8866 §5.7)")
        }
        return SDPConnection(networkType: String(parts[0]), addressType: String(parts[1]), address: String(parts[2]))
    }

    static func bandwidth(_ value: Substring) throws(SDPValueError) -> SDPBandwidth {
        let (type, amount) = SDPText.splitOnce(SDPText.trimmed(value), at: ":")
        guard !type.isEmpty, let amount else {
            throw SDPValueError("b= needs '<bwtype>:<bandwidth>' (RFC 8866 §5.8)")
        }
        return SDPBandwidth(type: String(type), value: try SDPText.number(amount, "b= bandwidth"))
    }

    static func timing(_ value: Substring) throws(SDPValueError) -> SDPTiming {
        let parts = SDPText.fields(value)
        guard parts.count == 2 else {
            throw SDPValueError("t= needs '<start-time> <stop-time>' (RFC 8866 §5.9)")
        }
        return SDPTiming(
            start: try SDPText.number(parts[0], "t= start time"), stop: try SDPText.number(parts[1], "t= stop time"))
    }
}
