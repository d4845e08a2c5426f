"""The mark ntvt puts on every file it writes for people (consolidated workbooks, annotated copies,
reply drafts), so that one of them left in an inbox is listed as "tệp do ntvt tạo" and never read
as a unit's report. The blank template is not marked: units fill it and send it back as theirs."""

# A custom document property of the workbooks ntvt writes (docProps/custom.xml). Its value says
# what the file is (one of the kinds below); readers only test that the property is present.
WORKBOOK_PROPERTY = "ntvt-generated"
# A header of the reply drafts (.eml) ntvt writes; its value is the kind below.
EMAIL_HEADER = "X-NTVT-Generated"

CONSOLIDATED, ANNOTATED_COPY, REPLY_DRAFT = "consolidated", "annotated-copy", "reply-draft"
