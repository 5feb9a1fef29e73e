"""Run a function right after a module is first imported, without importing it now.

The probe instruments multiprocessing (every `Process.start()` recorded, spawned children
given the stack-dump handler) before the student's module is imported. Importing
multiprocessing up front for that costs ~20 ms of CPU in every run, and most runs (all the
thread exercises) never use it; so the instrumentation is applied the moment the student's code
(or a scenario, or the start method of the job) first imports it, before anything of it can be
called.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from types import ModuleType

TYPE_CHECKING = False                 # nothing more is imported in the probe
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

_pending: dict[str, list[Callable[[ModuleType], None]]] = {}


def after_import(name: str, hook: Callable[[ModuleType], None]) -> None:
    """Call `hook(module)` once `name` is imported: now if it already is."""
    module = sys.modules.get(name)
    if module is not None:
        hook(module)
        return
    _pending.setdefault(name, []).append(hook)
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


class _Finder:
    """A meta-path finder that finds nothing itself: for a watched module it asks the other
    finders, and wraps the loader so that the hooks run when the module has executed."""

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if name not in _pending:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        original = getattr(loader, "exec_module", None)
        if original is None:           # pragma: no cover - every stdlib loader has it
            return spec

        def exec_module(module: ModuleType) -> None:
            original(module)
            for hook in _pending.pop(name, []):
                hook(module)

        loader.exec_module = exec_module     # this spec's own loader object
        return spec


_FINDER = _Finder()
