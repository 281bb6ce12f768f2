"""The pages that gather every app's part of the record: the caseload, the client record,
the team view, the access reviews; and what every page's menu offers."""
