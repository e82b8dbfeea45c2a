import CLibPQ

/// The rows of one statement, copied out of libpq's `PGresult` as text (the text protocol:
/// every value arrives as its PostgreSQL text form, or NULL), with typed access by column name.
public struct PostgresResult: Sendable {
    /// The column names, in order.
    public let columns: [String]
    /// The rows, each a value per column.
    public let rows: [PostgresRow]
    /// Rows touched by an INSERT, UPDATE or DELETE (`PQcmdTuples`); 0 otherwise.
    public let affected: Int

    /// A result built from values (empty statements).
    init(columns: [String], rows: [PostgresRow], affected: Int) {
        self.columns = columns
        self.rows = rows
        self.affected = affected
    }

    /// Copies `result` (which the caller still clears).
    init(_ result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let names = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        columns = names
        rows = (0..<Int(PQntuples(result))).map { row in
            let values = (0..<columnCount).map { column -> String? in
                PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
            return PostgresRow(values: values, index: index)
        }
        affected = Int(String(cString: PQcmdTuples(result))) ?? 0
    }
}

/// One row: values by column name, converted from PostgreSQL's text forms. A missing column,
/// an unexpected NULL or a value of the wrong form throws `PostgresError.decoding`.
public struct PostgresRow: Sendable {
    fileprivate let values: [String?]
    fileprivate let index: [String: Int]

    /// The raw text of `column`; nil for NULL.
    public func optionalString(_ column: String) throws(PostgresError) -> String? {
        guard let position = index[column] else { throw .decoding("no column \(column)") }
        return values[position]
    }

    /// The text of a NOT NULL `column`.
    public func string(_ column: String) throws(PostgresError) -> String {
        guard let value = try optionalString(column) else { throw .decoding("\(column) is NULL") }
        return value
    }

    /// An integer column (`int2`, `int4`, `int8`), nil for NULL.
    public func optionalInt(_ column: String) throws(PostgresError) -> Int64? {
        guard let text = try optionalString(column) else { return nil }
        guard let value = Int64(text) else { throw .decoding("\(column) is not an integer: \(text)") }
        return value
    }

    /// A NOT NULL integer column.
    public func int(_ column: String) throws(PostgresError) -> Int64 {
        guard let value = try optionalInt(column) else { throw .decoding("\(column) is NULL") }
        return value
    }

    /// A floating-point column (`float8`, `numeric`), nil for NULL.
    public func optionalDouble(_ column: String) throws(PostgresError) -> Double? {
        guard let text = try optionalString(column) else { return nil }
        guard let value = Double(text) else { throw .decoding("\(column) is not a number: \(text)") }
        return value
    }

    /// A NOT NULL floating-point column.
    public func double(_ column: String) throws(PostgresError) -> Double {
        guard let value = try optionalDouble(column) else { throw .decoding("\(column) is NULL") }
        return value
    }

    /// A NOT NULL `boolean` column (text form `t` or `f`).
    public func bool(_ column: String) throws(PostgresError) -> Bool {
        switch try string(column) {
        case "t": return true
        case "f": return false
        case let text: throw .decoding("\(column) is not a boolean: \(text)")
        }
    }
}
