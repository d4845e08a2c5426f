"""The office's mailbox: fetching the units' emails over IMAP (fetch.py), between the library API
and the workspace. Network code lives here only; nothing below it opens a socket."""
