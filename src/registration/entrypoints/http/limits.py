"""The HTTP API's limits, in one place for the parser, the server and the contract's tests."""

# A registration is a few hundred bytes; anything near this is not one.
MAX_BODY_BYTES = 64 * 1024
