"""The use case and the ports it needs; adapters implement the ports, the core imports none."""
