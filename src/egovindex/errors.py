"""Errors that every layer may raise and every face answers alike."""

from __future__ import annotations


class NotFoundError(LookupError):
    """What is asked for is not there: an edition not loaded, an unknown country, period or record (HTTP 404)."""
