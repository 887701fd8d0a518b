"""Units, their status and positions, and which to send first (straight-line until road ETAs arrive)."""
