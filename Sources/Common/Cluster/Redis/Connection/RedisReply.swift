import CHiredis

/// One RESP reply, copied out of hiredis's `redisReply` tree so that it outlives it.
public enum RedisReply: Sendable, Equatable {
    /// A bulk string; bytes, since Redis values are binary-safe.
    case bulk([UInt8])
    /// An integer reply (`:42`).
    case integer(Int64)
    /// A multi-bulk reply; elements may be of any kind, including errors inside `EXEC`.
    case array([RedisReply])
    /// The null bulk or null array (`$-1`, `*-1`): a missing key or field.
    case null
    /// A status reply (`+OK`, `+PONG`).
    case status(String)
    /// An error reply (`-ERR ...`); `command` throws `RedisError.server` for a top-level one.
    case error(String)

    /// Copies a hiredis reply tree; the caller still owns `reply` and frees it once.
    init(copying reply: UnsafePointer<redisReply>) {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            self = .bulk(Self.bytes(node.str, node.len))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(node.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(node.elements)
            if let children = node.element {
                for index in 0..<node.elements {
                    if let child = children[index] {
                        elements.append(RedisReply(copying: child))
                    } else {
                        elements.append(.null)
                    }
                }
            }
            self = .array(elements)
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(node.str, node.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(node.str, node.len), as: UTF8.self))
        default:
            self = .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }
}

extension RedisReply {
    /// The reply as text: a bulk string decoded as UTF-8, or a status; nil otherwise.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The reply as an integer: an integer reply, or a bulk string holding a decimal number.
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The elements of an array reply; nil for any other kind.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// An `HGETALL`-style flat array of field/value pairs as a dictionary (empty for a missing key).
    public func fieldMap() throws(RedisError) -> [String: String] {
        guard let elements = array, elements.count % 2 == 0 else {
            throw .unexpectedReply("expected an even field/value array, got \(self)")
        }
        var fields: [String: String] = [:]
        var index = 0
        while index < elements.count {
            guard let field = elements[index].string, let value = elements[index + 1].string else {
                throw .unexpectedReply("non-string field or value in \(self)")
            }
            fields[field] = value
            index += 2
        }
        return fields
    }
}
