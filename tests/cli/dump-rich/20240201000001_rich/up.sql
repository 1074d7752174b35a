-- A richer schema for the dump round trip: defaults, composite and unique
-- indexes, foreign keys with ON DELETE, a view, quoted names with spaces
-- and capitals, a reserved word as a column name.
CREATE TABLE "Order Items" (
    "ID" INTEGER NOT NULL PRIMARY KEY,
    "order" VARCHAR(20) NOT NULL DEFAULT 'new',
    qty INTEGER NOT NULL DEFAULT 1,
    price NUMERIC(10, 2) DEFAULT 0.5,
    note TEXT
);
CREATE TABLE accounts (
    id INTEGER NOT NULL PRIMARY KEY,
    region VARCHAR(10) NOT NULL,
    code VARCHAR(10) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX accounts_region_code ON accounts (region, code);
CREATE INDEX accounts_code_idx ON accounts (code);
CREATE TABLE memberships (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    item_id INTEGER REFERENCES "Order Items" ("ID") ON DELETE SET NULL,
    "user" VARCHAR(50) NOT NULL,
    PRIMARY KEY (account_id, "user")
);
CREATE INDEX "Memberships By Item" ON memberships (item_id, "user");
CREATE VIEW active_accounts AS SELECT id, region FROM accounts WHERE active;
