-- The DBA's bootstrap: one role per duty, none a superuser, none with CREATEDB or CREATEROLE.
-- Passwords are set by 03-role-passwords.sh from secret files; tests/integration/
-- test_database_roles.py runs these statements under names of its own and proves what each role
-- may do.

-- registration_migrator owns the registration database and its schema: registration-migrate
-- (or registration-run with MIGRATIONS=apply) connects as it (MIGRATION_DATABASE_URL).
CREATE ROLE registration_migrator LOGIN;
-- registration_app is the running service (DATABASE_URL): rows of the tables, nothing else.
CREATE ROLE registration_app LOGIN;
CREATE DATABASE registration OWNER registration_migrator;
-- No CONNECT or TEMP for every role by default: only those named here reach it.
REVOKE ALL ON DATABASE registration FROM PUBLIC;
GRANT CONNECT ON DATABASE registration TO registration_app;

\connect registration
-- Before PostgreSQL 15 every role may create in schema public: nobody but its owner may here.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO registration_migrator;
GRANT USAGE ON SCHEMA public TO registration_app;
-- Every table and sequence the migrator's migrations create: the service reads and writes rows,
-- never changes, drops or empties a table.
ALTER DEFAULT PRIVILEGES FOR ROLE registration_migrator IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO registration_app;
ALTER DEFAULT PRIVILEGES FOR ROLE registration_migrator IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO registration_app;

\connect postgres
-- welcome owns the subscriber's small store: it creates its own tables when it starts.
CREATE ROLE welcome LOGIN;
CREATE DATABASE welcome OWNER welcome;
REVOKE ALL ON DATABASE welcome FROM PUBLIC;

\connect welcome
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO welcome;
