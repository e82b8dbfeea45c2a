enum MeshOriginPlaceholder {}
