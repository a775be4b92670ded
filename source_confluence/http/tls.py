"""TLS trust for Data Center servers signed by a corporate certificate authority.

Verification is always on. A configured CA certificate is added to the public roots (certifi), not
put in their place, so a server whose certificate a public CA signed still verifies. requests takes a
bundle as a file path, so the bundle is written once per process to a private temporary file.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import tempfile
import threading
from pathlib import Path

import certifi

_lock = threading.Lock()
_bundles: dict[str, str] = {}


def trust_store(extra_pem: str | None) -> bool | str:
    """What to pass as requests' `verify`: True (public roots), or a bundle path with `extra_pem` added."""
    if not extra_pem:
        return True
    digest = hashlib.sha256(extra_pem.encode()).hexdigest()
    with _lock:
        path = _bundles.get(digest)
        if path is None or not Path(path).exists():
            roots = Path(certifi.where()).read_text(encoding="utf-8")
            descriptor, path = tempfile.mkstemp(prefix="source-confluence-ca-", suffix=".pem")
            with os.fdopen(descriptor, "w", encoding="utf-8") as bundle:
                bundle.write(roots.rstrip("\n") + "\n" + extra_pem)
            atexit.register(_remove, path)
            _bundles[digest] = path
        return path


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
