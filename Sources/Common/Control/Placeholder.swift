enum MeshControlPlaceholder {}
