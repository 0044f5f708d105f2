"""EventPublisher adapters for delivery outside the database transaction."""
