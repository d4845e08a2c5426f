"""The local web page over a workspace (`ntvt serve`): pages in Vietnamese, server-rendered plain
forms, everything served from inside the package."""

from .app import create_app
from .server import DEFAULT_PORT, default_workspace, prepare

__all__ = ["DEFAULT_PORT", "create_app", "default_workspace", "prepare"]
