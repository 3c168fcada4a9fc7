DROP TABLE outbox_audience;
DROP TABLE outbox;
