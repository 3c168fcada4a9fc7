DROP TABLE grant_indicators;
DROP TABLE indicators;
