"""The demo: a made-up city (示范市) seeded into a database, and a call simulator that keeps the desk busy."""
