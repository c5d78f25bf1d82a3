-- 0007: the enrollment allowance of each client address (see the hub's
-- enrollGate), shared by every hub process on the database so that an
-- address cannot try a process's allowance on each of them: tokens left,
-- and when they were counted (Unix milliseconds). A row whose bucket has
-- refilled is the same as no row, and is deleted when a new address comes.
-- The SQLite hub is one process and keeps the allowances in memory.
CREATE TABLE enroll_allowance (
	addr   text PRIMARY KEY,
	tokens double precision NOT NULL,
	at     bigint NOT NULL
);

CREATE INDEX enroll_allowance_by_at ON enroll_allowance (at);
