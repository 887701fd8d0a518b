"""Reports, incidents (警情), their state machine and the service that changes them."""
