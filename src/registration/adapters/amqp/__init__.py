"""RabbitMQ adapters that talk AMQP directly (py-amqp), outside nameko's request path."""
