DROP TABLE disbursements;
DROP TABLE grant_amendments;
DROP TABLE grants;
