"""The public API: every name in attnlib.__all__ is importable and documented."""

import inspect

import attnlib


def test_every_public_name_exists_and_has_a_docstring():
    for name in attnlib.__all__:
        obj = getattr(attnlib, name)
        assert inspect.getdoc(obj), f"attnlib.{name} has no docstring"


def test_version():
    assert attnlib.__version__.count(".") == 2
