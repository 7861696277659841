DROP TABLE user_case_counts;
DROP TABLE store_events;
