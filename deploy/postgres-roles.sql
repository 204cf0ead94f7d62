-- Least-privilege roles for the payments database (PostgreSQL 15+).
--
-- payments_owner owns the schema and runs `payments migrate`; payments_app is what the
-- API and the workers connect as. After each migration, `payments migrate` run with
-- PAYMENTS_DATABASE_APP_ROLE=payments_app grants payments_app read and write on every
-- table EXCEPT the audit log, where it may only SELECT and INSERT (no UPDATE, DELETE or
-- TRUNCATE), and read-only on alembic_version; it then checks that, and
-- `payments check-config` (run as payments_app) checks it again.
--
-- Run once as a superuser; set the passwords from your secret store, not here.

CREATE ROLE payments_owner LOGIN;
CREATE ROLE payments_app LOGIN;
CREATE DATABASE payments OWNER payments_owner;
\connect payments
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO payments_owner;
GRANT USAGE ON SCHEMA public TO payments_app;
-- \password payments_owner
-- \password payments_app
