DROP TABLE user_contacts;
DROP TABLE notification_outbox;
DROP TABLE case_timeline;
DROP TABLE second_opinions;
DROP TABLE review_cases;
