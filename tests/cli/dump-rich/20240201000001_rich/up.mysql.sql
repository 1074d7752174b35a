CREATE TABLE `Order Items` (
    `ID` INTEGER NOT NULL PRIMARY KEY,
    `order` VARCHAR(20) NOT NULL DEFAULT 'new',
    qty INTEGER NOT NULL DEFAULT 1,
    price NUMERIC(10, 2) DEFAULT 0.5,
    note TEXT
) ENGINE=InnoDB;
CREATE TABLE accounts (
    id INTEGER NOT NULL PRIMARY KEY,
    region VARCHAR(10) NOT NULL,
    code VARCHAR(10) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
) ENGINE=InnoDB;
CREATE UNIQUE INDEX accounts_region_code ON accounts (region, code);
CREATE INDEX accounts_code_idx ON accounts (code);
CREATE TABLE memberships (
    account_id INTEGER NOT NULL,
    item_id INTEGER,
    `user` VARCHAR(50) NOT NULL,
    PRIMARY KEY (account_id, `user`),
    CONSTRAINT memberships_account FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE,
    CONSTRAINT memberships_item FOREIGN KEY (item_id)
        REFERENCES `Order Items` (`ID`) ON DELETE SET NULL
) ENGINE=InnoDB;
CREATE INDEX `Memberships By Item` ON memberships (item_id, `user`);
CREATE VIEW active_accounts AS SELECT id, region FROM accounts WHERE active = 1;
