// Replaced by the coordinator tests.
