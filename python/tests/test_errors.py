"""The exception classes: one base with a stable code, a subclass per code, the same codes as
the core (and so as Node)."""

from __future__ import annotations

import os
import pickle

import pytest

import sessionkeeper
from sessionkeeper import _native, errors


def test_codes_match_the_core() -> None:
    assert list(errors.ERROR_CODES) == _native.ERROR_CODES


@pytest.mark.parametrize("code", errors.ERROR_CODES)
def test_each_code_has_a_subclass(code: str) -> None:
    error = errors._from_code(code, "message")
    assert type(error) is not errors.SessionStorageError
    assert isinstance(error, errors.SessionStorageError) and error.code == code
    assert str(error) == error.message == "message"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and copy.code == code and str(copy) == "message"


def test_builtin_bases() -> None:
    assert issubclass(errors.InvalidArgumentError, ValueError)
    assert issubclass(errors.InvalidSessionError, ValueError)
    assert issubclass(errors.CallbackTimeoutError, TimeoutError)
    assert issubclass(errors.StorageIOError, OSError)
    assert issubclass(errors.NotSupportedError, NotImplementedError)
    assert str(errors.StorageIOError("disk full")) == "disk full"


def test_an_unknown_code_is_still_a_session_storage_error() -> None:
    error = errors._from_code("SOMETHING_NEW", "later")
    assert type(error) is errors.SessionStorageError and error.code == "SOMETHING_NEW"


def test_public_names() -> None:
    for name in sessionkeeper.__all__:
        assert hasattr(sessionkeeper, name), name
    expected = os.environ.get("SESSIONKEEPER_VERSION")  # set by `make test-python`
    assert sessionkeeper.__version__ == (expected or sessionkeeper.__version__)
