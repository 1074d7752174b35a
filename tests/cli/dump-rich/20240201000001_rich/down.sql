DROP VIEW active_accounts;
DROP TABLE memberships;
DROP TABLE accounts;
DROP TABLE "Order Items";
