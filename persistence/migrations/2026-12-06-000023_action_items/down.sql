DROP TABLE action_items;
