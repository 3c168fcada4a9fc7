DROP TABLE call_committee;
DROP TABLE call_criteria;
DROP TABLE calls;
DROP TABLE programme_funders;
DROP TABLE programmes;
