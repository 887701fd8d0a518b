"""People, organisations, roles, permissions and tokens."""
