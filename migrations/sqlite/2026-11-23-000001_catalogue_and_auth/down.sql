DROP TABLE revoked_tokens;
DROP TABLE disease_categories;
DROP TABLE review_types;
