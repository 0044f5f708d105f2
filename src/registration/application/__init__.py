"""The application core: use cases and the ports they need. No framework imports here."""
