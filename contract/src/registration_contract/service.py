"""Where the service is found on the broker."""

# The Nameko service name: RPC calls go to `rpc-<this>`, `@event_handler(SERVICE_NAME, ...)`
# subscribes to its events.
SERVICE_NAME = "nameko_registration_service"
# The topic exchange its events are published to, the routing key being the event type
# (what nameko's EventDispatcher would use for this service name).
EVENTS_EXCHANGE = f"{SERVICE_NAME}.events"
