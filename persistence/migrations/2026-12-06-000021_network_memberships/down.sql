DROP TABLE network_memberships;
