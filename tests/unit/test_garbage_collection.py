import gc

import pytest

from registration.infrastructure.tuning.garbage_collection import freeze_what_startup_built

pytestmark = pytest.mark.unit


def test_what_startup_built_is_frozen_once_per_process():
    freeze_what_startup_built()
    frozen = gc.get_freeze_count()
    made_after_startup = [[] for _ in range(1000)]

    freeze_what_startup_built()

    assert frozen > 0
    assert gc.get_freeze_count() == frozen, "objects made after startup were frozen too"
    del made_after_startup
