"""What only the fault tests are built from: a load driver, an event collector, the stored state
and the accounting that compares them, and the figures they print."""

# What a registration answered 202 announces. The loads never follow the confirmation link, so
# this is the event every guarantee of the fault tests is about.
ANNOUNCED_EVENT = "ConfirmationRequested"
