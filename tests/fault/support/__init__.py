"""What the fault tests are built from: a TCP proxy that can cut a link, the service as a real
process, a load driver, an event collector and the accounting that compares them."""
