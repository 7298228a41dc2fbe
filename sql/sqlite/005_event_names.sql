-- tally schema 5: the event names each rollup dimension has rows for. A
-- breakdown by event (or by a property without an event filter) reads one
-- range of rollup rows per name; finding the names by scanning the rollup
-- itself reads every day row of the project with its sketches.
CREATE TABLE event_names (
  project_id INTEGER NOT NULL,
  dim        TEXT NOT NULL,
  event      TEXT NOT NULL,
  PRIMARY KEY (project_id, dim, event)
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO event_names(project_id, dim, event)
  SELECT DISTINCT project_id, dim, event FROM event_rollup WHERE grain = 1 AND event <> '';
