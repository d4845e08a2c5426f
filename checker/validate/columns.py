"""The columns ntvt adds to the frames, beside the rules file's own (whose keys never start with "_")."""

VALID_ROWS = "_valid_nominations"  # per file: the rows of the nominations sheet without an error
# What every check may read besides the column it checks: the source file and row, the sending
# date (a fallback where a file has none), the plan year, the count above.
CONTEXT_COLUMNS = ("_file", "_row", "_sent", "_sent_from", "_year", VALID_ROWS)
