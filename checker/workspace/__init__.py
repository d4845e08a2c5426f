"""The office's workspace: received files stored by content, outputs, and the SQLite register."""

from .records import FileRecord, FindingRecord, Received, RunRecord
from .workspace import Workspace

__all__ = ["FileRecord", "FindingRecord", "Received", "RunRecord", "Workspace"]
