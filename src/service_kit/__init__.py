"""What the registration service and the welcome subscriber both need, and neither owns.

Configuration, the `nameko run` launcher, the listening socket, database creation, log lines,
address masking and problem documents. Nothing here imports `registration` or `welcome`.
"""
