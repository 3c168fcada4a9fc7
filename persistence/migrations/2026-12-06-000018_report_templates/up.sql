-- A programme's report template: the narrative sections of its grants' reports, in order, as
-- JSON ([{"key": "activities", "required": true}, ...]); read whole, never filtered. Existing
-- programmes get the default sections.
ALTER TABLE programmes ADD COLUMN report_template TEXT NOT NULL
    DEFAULT '[{"key":"activities","required":true},{"key":"results","required":true},{"key":"challenges","required":false},{"key":"next_steps","required":false}]';
