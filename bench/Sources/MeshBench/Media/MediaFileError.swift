/// Why a clip file could not be read: the file and the rule of its format it breaks.
struct MediaFileError: Error, CustomStringConvertible, Equatable {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
