/// Why a `.part` file cannot be recovered; recovery never traps on a truncated or garbage file.
public enum MatroskaRecoveryError: Error, Equatable, CustomStringConvertible {
    /// The file does not start with an EBML header (RFC 8794 §11.2.1).
    case notEBML
    /// The EBML DocType is neither `webm` nor `matroska`.
    case notMatroska(docType: String)
    /// A part every segment needs (EBML header, Segment, Info, Tracks) is cut short or missing.
    case headerIncomplete(String)
    /// The file is Matroska but not laid out the way this writer writes (its close could not
    /// patch it in place).
    case unsupportedLayout(String)
    /// The header is whole but no cluster is: nothing playable to keep.
    case noCompleteCluster
    /// The file system refused.
    case file(RecordingFileError)

    public var description: String {
        switch self {
        case .notEBML: "not an EBML file"
        case .notMatroska(let docType): "EBML DocType \"\(docType)\" is not webm or matroska"
        case .headerIncomplete(let what): "segment header incomplete: \(what)"
        case .unsupportedLayout(let what): "layout not written by this writer: \(what)"
        case .noCompleteCluster: "no complete cluster to keep"
        case .file(let error): error.description
        }
    }
}
