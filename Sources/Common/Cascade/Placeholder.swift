// Replaced by the mesh coordinator.
