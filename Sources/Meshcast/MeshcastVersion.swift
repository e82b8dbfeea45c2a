/// The release of Meshcast this binary was built from.
enum MeshcastVersion {
    static let current = "0.1.0"
}
