"""Talking to other platforms: outbox relay, inbound receiver, Open311, NENA EIDO."""
