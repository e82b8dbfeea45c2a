extension SessionDescription {
    /// The description as SDP text: lines in RFC 8866 §5 order, each ending in CRLF.
    public var serialized: String {
        var text = ""
        func line(_ type: Character, _ value: String) {
            text += "\(type)=\(value)\r\n"
        }
        line("v", "\(version)")
        line(
            "o",
            "\(origin.username) \(origin.sessionID) \(origin.sessionVersion) \(origin.networkType) \(origin.addressType) \(origin.unicastAddress)"
        )
        line("s", sessionName)
        if let information { line("i", information) }
        if let uri { line("u", uri) }
        for email in emails { line("e", email) }
        for phone in phones { line("p", phone) }
        if let connection { line("c", connection.lineValue) }
        for bandwidth in bandwidths { line("b", bandwidth.lineValue) }
        for timing in timings {
            line("t", "\(timing.start) \(timing.stop)")
            for repeatLine in timing.repeats { line("r", repeatLine) }
        }
        if let timeZones { line("z", timeZones) }
        if let encryptionKey { line("k", encryptionKey) }
        for attribute in attributes { text += attribute.line + "\r\n" }
        for section in media { text += section.serialized }
        return text
    }

    /// The serialized text as UTF-8 bytes.
    public var serializedBytes: [UInt8] { Array(serialized.utf8) }
}

extension MediaDescription {
    /// This media section as SDP text, from its `m=` line, each line ending in CRLF.
    public var serialized: String {
        var text = "m=\(mediaLine.lineValue)\r\n"
        if let information { text += "i=\(information)\r\n" }
        for connection in connections { text += "c=\(connection.lineValue)\r\n" }
        for bandwidth in bandwidths { text += "b=\(bandwidth.lineValue)\r\n" }
        if let encryptionKey { text += "k=\(encryptionKey)\r\n" }
        for attribute in attributes { text += attribute.line + "\r\n" }
        return text
    }
}

extension SDPConnection {
    var lineValue: String { "\(networkType) \(addressType) \(address)" }
}

extension SDPBandwidth {
    var lineValue: String { "\(type):\(value)" }
}
