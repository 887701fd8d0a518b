"""The HTTP edge: the application that serves the API (and, later, the consoles)."""
