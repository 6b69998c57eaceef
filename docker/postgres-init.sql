-- Roles for ePEP, run once by the postgres image when it initialises an empty volume
-- (mounted into /docker-entrypoint-initdb.d/; psql runs it as POSTGRES_USER, connected to
-- POSTGRES_DB=epep). Same layout as scripts/services.sh sets up for `make run`/`make test`:
--   epep_owner  owns the database and the tables, runs migrations; CREATEDB for test DBs
--   epep_app    the application's runtime login: no superuser, no BYPASSRLS, owns nothing,
--               NOT a member of epep_owner (membership would bypass row-level security)
-- Passwords come from the container's environment (docker-compose.yml); psql 15+ \getenv.

\set ON_ERROR_STOP on
\getenv owner_pw POSTGRES_OWNER_PASSWORD
\getenv app_pw POSTGRES_APP_PASSWORD

\if :{?owner_pw}
\else
DO $$ BEGIN RAISE EXCEPTION 'POSTGRES_OWNER_PASSWORD is not set'; END $$;
\endif
\if :{?app_pw}
\else
DO $$ BEGIN RAISE EXCEPTION 'POSTGRES_APP_PASSWORD is not set'; END $$;
\endif

CREATE ROLE epep_owner WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'owner_pw';
CREATE ROLE epep_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'app_pw';

ALTER DATABASE epep OWNER TO epep_owner;

\connect epep
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO epep_app;

-- Databases created later from template1 (e.g. Django's test database) get the same rights.
\connect template1
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO epep_app;
