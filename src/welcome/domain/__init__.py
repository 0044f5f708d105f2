"""What the welcome-mail subscriber knows: the registration it reacts to and the mail it writes.

Pure Python: no framework, broker, database or SMTP import may appear here.
"""
