"""The instance key: ``EGOVINDEX_SECRET_KEY``, or a random key generated once and kept (mode 0600) in the data
folder, never in the repository nor in the database. It signs the web application's session cookies, and keys
derived from it sign the audit log's head kept beside the store (``collection.audit``)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path


def secret_key(data_dir: Path, configured: str) -> str:
    """The configured key, or one generated once and kept (mode 0600) in the data folder; never in the repo.

    Two processes starting at once agree on one key: the file is written in full under a temporary name and
    linked into place only if no key is there yet."""
    if configured:
        return configured
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        temp = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process was first: its key stands
                os.link(temp, path)
        finally:
            temp.unlink(missing_ok=True)
    return path.read_text().strip()


def instance_key() -> bytes:
    """This instance's key, from the settings."""
    from egovindex.settings import get_settings

    settings = get_settings()
    return secret_key(settings.data_dir, settings.secret_key).encode()


def derived_key(purpose: str) -> bytes:
    """A key for one purpose, derived from the instance key (HMAC-SHA256), so that no two uses share a key."""
    return hmac.new(instance_key(), f"egovindex/{purpose}".encode(), hashlib.sha256).digest()
