"""Keep the cyclic garbage collector away from what lives as long as the process.

A started service holds a great many objects (modules, nameko's extensions, SQLAlchemy's
metadata) that are never garbage, and a full collection walks all of them: a pause that shows in
the tail latency under load. Frozen once the service is up, they are left out of every
collection; garbage made afterwards is collected as before.
"""

import gc

_frozen = False


def freeze_what_startup_built() -> None:
    """Once per process: several containers in one process (tests) freeze only the first time."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()  # what startup left as garbage is freed, not frozen
    gc.freeze()
