/// How far the catalog is behind what the recorder wrote: metric-friendly counters, read with
/// `RecordingCatalog.lag`.
public struct CatalogLag: Sendable, Equatable {
    /// Changes accepted but not yet in PostgreSQL (memory and journal).
    public var pending: Int
    /// How long changes have been pending since the writer last applied any (the outage's
    /// length, during one); nil when nothing is pending.
    public var behindFor: Duration?
    /// Changes written to PostgreSQL since start.
    public var applied: Int
    /// Changes PostgreSQL refused with a non-connection error (a bug: logged with SQLSTATE).
    public var rejected: Int
    /// Changes lost because neither the journal nor memory could hold them.
    public var lost: Int
    /// Journal appends that failed (the change stayed in memory).
    public var journalFailures: Int
    /// The journal's size in bytes.
    public var journalBytes: Int64
}
