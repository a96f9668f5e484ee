-- Settings the daemon creates once and must keep across restarts (the Target Cloud's own UUID, sid, first of all).
-- Portable DDL: this file runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.
CREATE TABLE bridge_setting (
    name          VARCHAR(64)           NOT NULL PRIMARY KEY,
    setting_value VARCHAR(4096)          NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
