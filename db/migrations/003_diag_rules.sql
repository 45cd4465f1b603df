-- 003: diagnosis rules live in the database so that staff can add or
-- change them without a rebuild. Each row is one rule block in the text
-- format of db/seed/rules.txt (it starts with "id: ..."). Seeding adds
-- only the rules that are missing; staff edits survive upgrades.
CREATE TABLE diag_rules (
	id		TEXT PRIMARY KEY,
	body		TEXT NOT NULL,
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	source		TEXT NOT NULL DEFAULT 'seed'
			CHECK (source IN ('seed', 'staff')),
	position	INTEGER NOT NULL,		-- order of evaluation
	updated_at	INTEGER NOT NULL
) STRICT;
