extension RTPPacketView {
    /// Writes a copy of this packet with extension element `id` = `value` added (RFC 8285).
    ///
    /// Existing elements are kept in order and re-encoded without padding; the block stays in
    /// one-byte form (§4.2) unless the packet already uses two-byte form or the new element
    /// needs it (ID above 14, or a value of 0 or more than 16 bytes), then it switches to
    /// two-byte form (§4.3). The block is zero-padded to a 32-bit boundary. Writes nothing on error.
    public func marshal(
        addingHeaderExtension id: UInt8, value: UnsafeRawBufferPointer, into writer: inout ByteWriter
    ) throws(RTPHeaderExtensionError) {
        guard id >= 1 else { throw .idOutOfRange(id) }
        guard value.count <= 255 else { throw .valueTooLong(value.count) }
        let existing = headerExtension
        var form: RTPHeaderExtensionForm = .oneByte
        var elementsSize = 0
        var needsTwoByte = id > 14 || value.count == 0 || value.count > 16
        if let existing {
            guard let existingForm = existing.form else { throw .notRFC8285Profile(existing.profile) }
            try existing.validate()
            if case .twoByte = existingForm { form = existingForm }
            for element in existing {
                guard element.id != id else { throw .duplicateID(id) }
                elementsSize += element.value.count
                if element.value.count == 0 || element.value.count > 16 { needsTwoByte = true }
            }
        }
        if needsTwoByte, case .oneByte = form { form = .twoByte(appBits: 0) }
        let elementCount = (existing?.elementCount ?? 0) + 1
        let overhead = form == .oneByte ? 1 : 2
        let unpadded = elementsSize + value.count + elementCount * overhead
        let blockSize = (unpadded + 3) & ~3
        guard blockSize / 4 <= 0xFFFF else { throw .blockTooLong(blockSize) }

        let csrcEnd = 12 + csrcCount * 4
        let total = csrcEnd + 4 + blockSize + payloadRange.count + paddingLength
        guard writer.remaining >= total else {
            throw .invalidPacket(.bufferTooSmall(ByteWriter.Overflow(needed: total, available: writer.remaining)))
        }
        do {
            try writer.write(bytes[0] | 0x10)
            try writer.write(bytes: UnsafeRawBufferPointer(rebasing: bytes[1..<csrcEnd]))
            try writer.write(form.profile)
            try writer.write(UInt16(blockSize / 4))
            if let existing {
                for element in existing { try Self.write(element.id, element.value, form: form, into: &writer) }
            }
            try Self.write(id, value, form: form, into: &writer)
            try writer.writeZeros(blockSize - unpadded)
            try writer.write(bytes: UnsafeRawBufferPointer(rebasing: bytes[payloadRange.lowerBound..<bytes.count]))
        } catch {
            throw .invalidPacket(.bufferTooSmall(error))
        }
    }

    private static func write(
        _ id: UInt8, _ value: UnsafeRawBufferPointer, form: RTPHeaderExtensionForm, into writer: inout ByteWriter
    ) throws(ByteWriter.Overflow) {
        switch form {
        case .oneByte:
            try writer.write(id << 4 | UInt8(value.count - 1))
        case .twoByte:
            try writer.write(id)
            try writer.write(UInt8(value.count))
        }
        try writer.write(bytes: value)
    }
}

extension RTPHeaderExtensionView {
    /// How many well-formed elements the block holds (a walk, no allocation).
    var elementCount: Int {
        var count = 0
        for _ in self { count += 1 }
        return count
    }
}
