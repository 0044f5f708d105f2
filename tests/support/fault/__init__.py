"""What only the fault tests are built from: a load driver, an event collector, the stored state
and the accounting that compares them, and the figures they print."""
