-- Run once by the postgres image on an empty data volume, as its superuser, in file-name order:
-- 01 this file, 02-roles.sql (each service's role and database), 03-role-passwords.sh.
-- `test`: what the test suite connects to by default (TEST_POSTGRES_URL) when `make test` starts
-- this container because no PostgreSQL answered on 127.0.0.1:5432.
CREATE DATABASE test;
