"""Roles: what the code needs to know about a sheet or a column, by meaning rather than by key.

The rules file gives each sheet and column its own key and label; the few the checker must find
(who sent a report, for which cycle, when; the nominee's name and level…) carry a `role:` there.
The code asks for the role (RuleSet.sheet_key, RuleSet.field_key), never for a key of the file.
"""

# Sheet roles: the sheet kind each must have, and whether every rules file needs one.
SHEET_ROLES = {
    "unit_info": ("form", True),  # who sends the report, for which cycle, and when
    "nominations": ("table", True),  # one nominee (a person or a collective) per row
    "activities": ("table", True),  # one activity of the movement per row
    "summary": ("form", False),  # the summary report's figures and narrative
}

# Field roles: the sheet role each belongs to (None: any table sheet may have one such column).
FIELD_ROLES = {
    "row_number": None,  # "STT": a row with nothing else is a blank row, not a nomination
    "unit": "unit_info",
    "period": "unit_info",
    "report_type": "unit_info",
    "sent_date": "unit_info",
    "reply_address": "unit_info",  # the unit's email address: reply drafts go there (write.feedback)
    "nominee": "nominations",
    "nominee_kind": "nominations",
    "gender": "nominations",
    "birth_year": "nominations",
    "position": "nominations",
    "achievement": "nominations",
    "scope": "nominations",
    "level": "nominations",
    "activity_date": "activities",
    "activity_type": "activities",
}
