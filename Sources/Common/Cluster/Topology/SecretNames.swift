/// The names of the environment variables that hold the mesh's secrets.
///
/// A topology file lives in a repository, so it names where a secret comes from and never
/// holds the secret itself.
public struct SecretNames: Sendable, Equatable {
    /// The variable holding the cluster secret that authenticates the internal node API.
    public var clusterSecretVariable: String
    /// The variable holding the key that signs publish and view tokens.
    public var tokenSecretVariable: String

    /// Creates the pair of names.
    public init(clusterSecretVariable: String, tokenSecretVariable: String) {
        self.clusterSecretVariable = clusterSecretVariable
        self.tokenSecretVariable = tokenSecretVariable
    }
}
