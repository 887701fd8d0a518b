"""Storage: engine, sessions, migrations and the hash-chained event log."""
