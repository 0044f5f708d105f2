"""nameko checks every call's arguments against the method (`inspect.getcallargs`); whether a
call fits depends only on how many arguments it has and which names, so each shape is checked
once."""

from typing import Any


class SignatureCheckedOncePerShape:
    def setup(self) -> None:
        super().setup()  # type: ignore[misc]
        self._valid_call_shapes: set[tuple[int, tuple[str, ...]]] = set()

    def check_signature(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        shape = (len(args), tuple(sorted(kwargs)))
        if shape not in self._valid_call_shapes:
            super().check_signature(args, kwargs)  # type: ignore[misc]
            self._valid_call_shapes.add(shape)
