/// The two element encodings of RFC 8285, told apart by the extension's profile field.
public enum RTPHeaderExtensionForm: Equatable {
    /// RFC 8285 §4.2: profile 0xBEDE, IDs 1...14, values of 1...16 bytes.
    case oneByte
    /// RFC 8285 §4.3: profile 0x100 followed by 4 application bits, IDs 1...255, values of 0...255 bytes.
    case twoByte(appBits: UInt8)

    /// The form a profile field announces, or `nil` for a non-RFC 8285 extension.
    public init?(profile: UInt16) {
        if profile == 0xBEDE {
            self = .oneByte
        } else if profile & 0xFFF0 == 0x1000 {
            self = .twoByte(appBits: UInt8(profile & 0x0F))
        } else {
            return nil
        }
    }

    /// The profile field that announces this form.
    public var profile: UInt16 {
        switch self {
        case .oneByte: 0xBEDE
        case .twoByte(let appBits): 0x1000 | UInt16(appBits & 0x0F)
        }
    }
}

/// One RFC 8285 extension element: its local ID and where its value lies.
public struct RTPHeaderExtensionElement {
    /// The local identifier negotiated in SDP (`a=extmap`).
    public let id: UInt8
    /// The value's offset within the extension data, for in-place rewrites.
    public let valueRange: Range<Int>
    /// The value bytes, borrowed from the packet.
    public let value: UnsafeRawBufferPointer
}

/// The header extension block of an RTP packet (RFC 3550 §5.3.1, RFC 8285 §4), read in place.
///
/// Iterating yields elements in order and stops at the end, at a one-byte ID 15 (RFC 8285 §4.2
/// says processing ends there), or at the first malformed element; ``validate()`` tells the last
/// two apart. Nothing is allocated.
public struct RTPHeaderExtensionView: Sequence {
    /// The 16-bit profile field.
    public let profile: UInt16
    /// The extension data after the 4-byte preamble (a whole number of words).
    public let data: UnsafeRawBufferPointer

    /// A view of an extension block's data.
    public init(profile: UInt16, data: UnsafeRawBufferPointer) {
        self.profile = profile
        self.data = data
    }

    /// The RFC 8285 form, or `nil` when the block uses another profile.
    public var form: RTPHeaderExtensionForm? { RTPHeaderExtensionForm(profile: profile) }

    /// An iterator over the elements.
    public func makeIterator() -> RTPHeaderExtensionIterator {
        RTPHeaderExtensionIterator(form: form, data: data)
    }

    /// Walks every element and throws the first RFC 8285 violation.
    public func validate() throws(RTPHeaderExtensionError) {
        guard form != nil else { throw .notRFC8285Profile(profile) }
        var iterator = makeIterator()
        while try iterator.nextElement() != nil {}
    }

    /// The element with local ID `id`, if present before any malformed element.
    public func element(id: UInt8) -> RTPHeaderExtensionElement? {
        for element in self where element.id == id { return element }
        return nil
    }
}

/// Walks RFC 8285 elements over borrowed bytes.
public struct RTPHeaderExtensionIterator: IteratorProtocol {
    let form: RTPHeaderExtensionForm?
    let data: UnsafeRawBufferPointer
    var offset = 0
    var finished = false

    init(form: RTPHeaderExtensionForm?, data: UnsafeRawBufferPointer) {
        self.form = form
        self.data = data
        finished = form == nil
    }

    /// The next element, `nil` at the end; stops (returning `nil`) at the first malformed one.
    public mutating func next() -> RTPHeaderExtensionElement? {
        do {
            return try nextElement()
        } catch {
            finished = true
            return nil
        }
    }

    /// The next element, `nil` at the end, or the RFC 8285 rule the next element breaks.
    public mutating func nextElement() throws(RTPHeaderExtensionError) -> RTPHeaderExtensionElement? {
        guard !finished, let form else { return nil }
        // Padding bytes (value 0) may sit between and after elements in both forms.
        while offset < data.count, data[offset] == 0 { offset += 1 }
        guard offset < data.count else {
            finished = true
            return nil
        }
        let start = offset
        let id: UInt8
        let length: Int
        let valueStart: Int
        switch form {
        case .oneByte:
            id = data[start] >> 4
            if id == 15 {
                // RFC 8285 §4.2: ID 15 ends processing; elements before it still count.
                finished = true
                return nil
            }
            guard id != 0 else {
                // RFC 8285 §4.2: ID 0 is padding only, so a non-zero byte cannot carry it.
                finished = true
                throw .idOutOfRange(0)
            }
            length = Int(data[start] & 0x0F) + 1
            valueStart = start + 1
        case .twoByte:
            id = data[start]
            guard start + 1 < data.count else {
                finished = true
                throw .elementOverrunsBlock(id: id, offset: start)
            }
            length = Int(data[start + 1])
            valueStart = start + 2
        }
        guard valueStart + length <= data.count else {
            finished = true
            throw .elementOverrunsBlock(id: id, offset: start)
        }
        offset = valueStart + length
        let range = valueStart..<offset
        return RTPHeaderExtensionElement(
            id: id, valueRange: range, value: UnsafeRawBufferPointer(rebasing: data[range]))
    }
}
