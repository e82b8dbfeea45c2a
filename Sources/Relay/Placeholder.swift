// Replaced by the relay role.
