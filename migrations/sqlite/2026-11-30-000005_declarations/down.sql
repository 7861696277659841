DROP TABLE declaration_blocks;
DROP TABLE verifications;
DROP TABLE declaration_requests;
DROP TABLE declarations;
DROP TABLE persons;
DROP TABLE employees;
DROP TABLE divisions;
DROP TABLE legal_entities;
