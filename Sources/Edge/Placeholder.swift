// Replaced by the edge role.
