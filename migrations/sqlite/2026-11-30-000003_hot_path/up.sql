-- What the hot path reads instead of counting or asking again.

-- Changes every server instance must hear of (a token revoked, the catalogue changed), written in the
-- transaction of the change. Instances on PostgreSQL are also told at once by NOTIFY; instances on
-- SQLite read the rows after the last one they saw. Kept an hour.
CREATE TABLE store_events (
    -- SQLite's rowid: 64-bit, increasing in commit order (one writer at a time).
    event_id INTEGER PRIMARY KEY NOT NULL,
    payload TEXT NOT NULL,
    created_date TEXT NOT NULL
);

-- Each patient's number of cases, kept in the transaction of every insert, so that a page of their
-- list reads its total instead of counting their cases.
CREATE TABLE user_case_counts (
    user_id TEXT PRIMARY KEY NOT NULL,
    total BIGINT NOT NULL
);

INSERT INTO user_case_counts (user_id, total)
SELECT user_id, COUNT(*) FROM review_cases GROUP BY user_id;
