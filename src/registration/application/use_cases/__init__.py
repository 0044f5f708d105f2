"""The use cases, one per module: a small class whose fields are the ports it needs (the
composition root fills them by name) and whose call is the use case."""
