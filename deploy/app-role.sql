-- The application's own database role: it reads and writes keywork's data but owns no
-- table, so it cannot alter or drop a table or a trigger, and on the audit trail (and the
-- lists of clients a row of it covers) it may only read and add rows. Migrations run as the owner role (keywork_owner), never as this
-- one. Run as the owner (or a superuser) after every `keywork migrate`:
--
--   psql "postgresql://keywork_owner@HOST/keywork" -v ON_ERROR_STOP=1 -f deploy/app-role.sql
--
-- The role itself is made once, by a superuser:
--   CREATE ROLE keywork_app LOGIN PASSWORD '...';
--   GRANT CONNECT ON DATABASE keywork TO keywork_app;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO keywork_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO keywork_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO keywork_app;
REVOKE UPDATE, DELETE, TRUNCATE ON access_auditevent, audit_clientlist, audit_listedclient
    FROM keywork_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM keywork_app;
