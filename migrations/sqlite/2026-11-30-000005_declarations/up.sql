-- Declaration requests (national eHealth style): the registry they refer to, as imported; the
-- requests; the verification codes sent to persons' phones; and the declarations chain. Same
-- conventions as the first migration: ids are UUIDs as text, timestamps fixed-width RFC 3339 text,
-- dates `YYYY-MM-DD` text, JSON documents text, codes (statuses, types) as the domain writes them.

-- Medical service providers.
CREATE TABLE legal_entities (
    legal_entity_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NULL,
    -- The state register code.
    edrpou TEXT NULL,
    inserted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A legal entity's branches.
CREATE TABLE divisions (
    division_id TEXT PRIMARY KEY NOT NULL,
    legal_entity_id TEXT NOT NULL REFERENCES legal_entities (legal_entity_id),
    name TEXT NOT NULL,
    inserted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX divisions_legal_entity ON divisions (legal_entity_id);

-- Doctors and other employees of a legal entity; the party's names are flattened in.
CREATE TABLE employees (
    employee_id TEXT PRIMARY KEY NOT NULL,
    legal_entity_id TEXT NOT NULL REFERENCES legal_entities (legal_entity_id),
    division_id TEXT NULL REFERENCES divisions (division_id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    second_name TEXT NULL,
    employee_type TEXT NOT NULL,
    speciality TEXT NULL,
    status TEXT NOT NULL,
    -- The raw 32-byte Ed25519 key, as 64 lowercase hex digits.
    public_key TEXT NULL,
    inserted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX employees_legal_entity ON employees (legal_entity_id);

-- Patients.
CREATE TABLE persons (
    person_id TEXT PRIMARY KEY NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    second_name TEXT NULL,
    birth_date TEXT NOT NULL,
    tax_id TEXT NULL,
    phone_number TEXT NULL,
    verification_status TEXT NOT NULL,
    -- A JSON array of {"type": "OTP", "phone_number"}, {"type": "OFFLINE"} or {"type": "NA"}.
    authentication_methods TEXT NOT NULL DEFAULT '[]',
    inserted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A person's choice of a doctor. `block_number` is the chain block that sealed it, NULL until one
-- closes over it.
CREATE TABLE declarations (
    declaration_id TEXT PRIMARY KEY NOT NULL,
    declaration_number TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (person_id),
    employee_id TEXT NOT NULL REFERENCES employees (employee_id),
    legal_entity_id TEXT NOT NULL REFERENCES legal_entities (legal_entity_id),
    division_id TEXT NULL REFERENCES divisions (division_id),
    status TEXT NOT NULL,
    reason TEXT NULL,
    start_date TEXT NOT NULL,
    declaration_request_id TEXT NULL,
    -- When the doctor signed it; NULL for imported declarations.
    signed_at TEXT NULL,
    block_number BIGINT NULL,
    inserted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE UNIQUE INDEX declarations_number ON declarations (declaration_number);
-- The doctor's limit: counted from this index alone (employee, then status, then the person to
-- leave out), never from the table.
CREATE INDEX declarations_employee_status ON declarations (employee_id, status, person_id);
CREATE INDEX declarations_person ON declarations (person_id);
-- The chain: a block's declarations in id order, and those no block holds yet (NULL).
CREATE INDEX declarations_block ON declarations (block_number, declaration_id);

-- Requests for a declaration, on their way to being signed.
CREATE TABLE declaration_requests (
    declaration_request_id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (person_id),
    employee_id TEXT NOT NULL REFERENCES employees (employee_id),
    division_id TEXT NOT NULL REFERENCES divisions (division_id),
    legal_entity_id TEXT NOT NULL REFERENCES legal_entities (legal_entity_id),
    start_date TEXT NOT NULL,
    parent_declaration_id TEXT NULL,
    status TEXT NOT NULL,
    status_reason TEXT NULL,
    -- A JSON object like one of the person's authentication methods; NULL once wiped.
    authentication_method_current TEXT NULL,
    declaration_number TEXT NOT NULL,
    -- The id the declaration gets when the request is signed.
    declaration_id TEXT NOT NULL,
    -- The JSON document the doctor signs; NULL once wiped.
    data_to_be_signed TEXT NULL,
    printout_content TEXT NULL,
    seed TEXT NULL,
    is_shareable BOOLEAN NOT NULL DEFAULT FALSE,
    -- A JSON array of document type codes.
    documents TEXT NOT NULL DEFAULT '[]',
    inserted_at TEXT NOT NULL,
    inserted_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

-- A legal entity's list, newest first, walked backwards: all its requests or those of one status.
CREATE INDEX declaration_requests_entity_created
    ON declaration_requests (legal_entity_id, inserted_at, declaration_request_id);
CREATE INDEX declaration_requests_entity_status_created
    ON declaration_requests (legal_entity_id, status, inserted_at, declaration_request_id);
-- At most one open request per person and employee: a new request cancels the earlier one in its
-- transaction, and of two made at once the second fails instead of leaving both open.
CREATE UNIQUE INDEX declaration_requests_one_open
    ON declaration_requests (person_id, employee_id)
    WHERE status IN ('NEW', 'APPROVED');
-- A person's requests: the list by person (and employee).
CREATE INDEX declaration_requests_person_employee
    ON declaration_requests (person_id, employee_id, status);
-- The doctor's limit (approved requests) and the list by employee.
CREATE INDEX declaration_requests_employee_status ON declaration_requests (employee_id, status);
-- The expiry run: requests of the statuses that may expire, oldest first.
CREATE INDEX declaration_requests_status_inserted ON declaration_requests (status, inserted_at);

-- Verification codes sent by SMS. Only a salted SHA-256 digest of the code is kept.
CREATE TABLE verifications (
    verification_id TEXT PRIMARY KEY NOT NULL,
    phone_number TEXT NOT NULL,
    -- The request the code was sent for, for the record (no foreign key: a code may be sent first).
    declaration_request_id TEXT NULL,
    -- Hex: 16 bytes of salt, and SHA-256 over salt and code.
    code_salt TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts_count INTEGER NOT NULL DEFAULT 0,
    code_expired_at TEXT NOT NULL,
    inserted_at TEXT NOT NULL
);

-- A phone's latest code, and its codes still `new` that a new one cancels.
CREATE INDEX verifications_phone ON verifications (phone_number, inserted_at, verification_id);

-- The declarations chain: each block seals the declarations no earlier block holds, in id order,
-- with the previous block's hash (see the store's `chain` module for the exact bytes hashed).
CREATE TABLE declaration_blocks (
    block_number BIGINT PRIMARY KEY NOT NULL,
    -- SHA-512, 128 lowercase hex digits.
    hash TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    declaration_count BIGINT NOT NULL,
    first_declaration_id TEXT NOT NULL,
    last_declaration_id TEXT NOT NULL,
    closed_at TEXT NOT NULL
);
