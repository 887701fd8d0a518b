"""Talking to other platforms: HMAC-signed messages, the outbox relay, the inbound receiver, the peers file."""
