"""The `ntvt` command (commands.py), over the library API; only this package imports click."""

from .commands import main

__all__ = ["main"]
