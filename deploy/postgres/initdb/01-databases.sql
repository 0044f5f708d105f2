-- Run once by the postgres image on an empty data volume (POSTGRES_DB already made `registration`).
-- `welcome`: the welcome subscriber's own store (handled event ids, delivery attempts).
-- `test`: what the test suite connects to by default (TEST_POSTGRES_URL) when `make test` starts
-- this container because no PostgreSQL answered on 127.0.0.1:5432.
CREATE DATABASE welcome;
CREATE DATABASE test;
