"""Open311 GeoReport v2 on the 12345 side: the protocol (pure), keys, and its routes."""
