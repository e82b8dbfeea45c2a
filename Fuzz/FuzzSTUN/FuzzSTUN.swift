import FuzzDriver
import MeshCrypto
import MeshWire

// Properties: every typed reader of a STUN message that parses returns a value or an error,
// never traps; integrity verification runs on whatever the message carries; rebuilding the
// message attribute by attribute gives a message that parses to the same type, transaction and
// attributes (RFC 8489 §14). ChannelData (RFC 8656 §12.4) and the RFC 7983 demultiplexer see
// the same bytes.

nonisolated(unsafe) let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 8)
let key = STUNIntegrityKey.shortTerm(password: "VOkJxbRl1RmTxUk/WvJxBt")

func touchReaders(_ message: STUNMessage) {
    for type in [STUNAttributeType.xorMappedAddress, .xorPeerAddress, .xorRelayedAddress] {
        _ = try? message.xorAddress(type)
    }
    _ = try? message.string(.username)
    _ = try? message.string(.software)
    _ = try? message.mappedAddress
    _ = try? message.alternateServer
    _ = try? message.userHash
    _ = try? message.errorCode
    _ = try? message.unknownAttributes
    _ = try? message.passwordAlgorithm
    _ = try? message.passwordAlgorithms
    _ = try? message.priority
    _ = try? message.useCandidate
    _ = try? message.iceControlled
    _ = try? message.iceControlling
    _ = try? message.turn.channelNumber
    _ = try? message.turn.lifetime
    _ = message.turn.data
    _ = try? message.turn.requestedAddressFamily
    _ = try? message.turn.evenPort
    _ = try? message.turn.requestedTransport
    _ = try? message.turn.dontFragment
    _ = try? message.turn.reservationToken
    _ = try? message.turn.additionalAddressFamily
    _ = try? message.turn.addressErrorCode
    _ = try? message.turn.icmp
    _ = message.fingerprintIsValid
    _ = try? message.verifyIntegrity(.hmacSHA1, key: key)
    _ = try? message.verifyIntegrity(.hmacSHA256, key: key)
}

func rebuild(_ message: STUNMessage) throws -> Int {
    var builder = try STUNMessageBuilder(into: output, type: message.type, transactionID: message.transactionID)
    for attribute in message.attributes {
        switch attribute.type {
        case .messageIntegrity, .messageIntegritySHA256:
            let algorithm: STUNIntegrityAlgorithm = attribute.type == .messageIntegrity ? .hmacSHA1 : .hmacSHA256
            try builder.reserveIntegrity(algorithm, length: attribute.value.count).mac.copyMemory(from: attribute.value)
        case .fingerprint:
            try builder.appendFingerprint()
        default:
            try builder.append(attribute.type, value: attribute.value)
        }
    }
    return builder.count
}

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        _ = RFC7983Demultiplexer.classify(bytes)
        if let channelData = try? TURNChannelData(parsing: bytes) {
            _ = (channelData.channelNumber, channelData.payload.count)
        }
        guard let first = try? STUNMessage(parsing: bytes) else { return }
        touchReaders(first)
        let count: Int
        do {
            count = try rebuild(first)
        } catch {
            fuzzFailure("a parsed STUN message does not rebuild: \(error)")
        }
        guard let second = try? STUNMessage(parsing: UnsafeRawBufferPointer(rebasing: output[0..<count])) else {
            fuzzFailure("a rebuilt STUN message does not parse")
        }
        guard second.type == first.type, second.transactionID == first.transactionID,
            second.attributes.elementsEqual(
                first.attributes,
                by: { lhs, rhs in
                    lhs.type == rhs.type && (lhs.type == .fingerprint || lhs.value.elementsEqual(rhs.value))
                })
        else {
            fuzzFailure("STUN message changed across a rebuild")
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzSTUN_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
