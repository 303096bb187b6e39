"""Doctest collection: the loaders' examples need the real data, which not every machine has.

``make unit`` runs ``pytest --doctest-modules attnlib``. The examples of ``load_mnist`` and
``load_fsdd`` read the real datasets; where no verified copy is on disk (and tests never
download), they are skipped with the reason, instead of failing on a missing network.
"""

import pytest

LOADERS = {
    "attnlib.data.mnist.load_mnist": ("mnist", "load_mnist"),
    "attnlib.data.fsdd.load_fsdd": ("fsdd", "load_fsdd"),
}


def _has_local_copy(module: str, function: str) -> str | None:
    """None when the real data loads without downloading, else why not."""
    import importlib

    load = getattr(importlib.import_module(f"attnlib.data.{module}"), function)
    try:
        load("test", download=False)
    except Exception as exc:  # noqa: BLE001 - any failure means: no usable local copy
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.name in LOADERS:
            reason = _has_local_copy(*LOADERS[item.name])
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"no local copy of the data ({reason})"))
