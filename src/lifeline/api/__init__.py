"""HTTP plumbing every domain's views share: request context, idempotency, problem details, limits."""
