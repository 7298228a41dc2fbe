/* sq_sql: every fixed SQL statement of the SQLite backend, in one place. */
#include "sq.h"

const char *const sq_sql[SQ__COUNT] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_SAVEPOINT] = "SAVEPOINT job",
	[SQ_RELEASE] = "RELEASE job",
	[SQ_ROLLBACK_TO] = "ROLLBACK TO job",
	[SQ_PING] = "SELECT count(*) FROM projects",

	[SQ_PROJECT_INSERT] =
	    "INSERT INTO projects(slug, name, created_at) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT(slug) DO NOTHING",
	[SQ_PROJECT_BY_SLUG] =
	    "SELECT id, slug, name, created_at FROM projects WHERE slug = ?1",
	[SQ_PROJECT_LIST] =
	    "SELECT id, slug, name, created_at FROM projects ORDER BY id",

	[SQ_KEY_INSERT] =
	    "INSERT INTO api_keys(project_id, kind, name, prefix, hash, created_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQ_KEY_LIST] =
	    "SELECT k.id, k.project_id, k.kind, k.prefix, k.name, k.created_at, "
	    "k.last_used_at, k.revoked_at, p.slug FROM api_keys k "
	    "JOIN projects p ON p.id = k.project_id WHERE k.project_id = ?1 ORDER BY k.id",
	[SQ_KEY_LIST_ALL] =
	    "SELECT k.id, k.project_id, k.kind, k.prefix, k.name, k.created_at, "
	    "k.last_used_at, k.revoked_at, p.slug FROM api_keys k "
	    "JOIN projects p ON p.id = k.project_id ORDER BY k.id",
	[SQ_KEY_REVOKE] =
	    "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	[SQ_KEY_AUTH] =
	    "SELECT k.id, k.project_id, k.kind, k.last_used_at, p.slug, p.ip_anonymize FROM api_keys k "
	    "JOIN projects p ON p.id = k.project_id "
	    "WHERE k.hash = ?1 AND k.revoked_at IS NULL",
	[SQ_KEY_TOUCH] =
	    "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1",

	[SQ_EVENT_DEDUP] =
	    "SELECT message_id, received_at FROM events "
	    "WHERE project_id = ?1 AND mid_hash = ?2",
	[SQ_EVENT_INSERT] =
	    "INSERT INTO events(project_id, type, event, user_id, anonymous_id, session_id, "
	    "ts, received_at, message_id, mid_hash, properties, context, traits, group_id, "
	    "previous_id, conversation_id, turn_id, shop_id, request_id, ip) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
	    "?17, ?18, ?19, ?20)",

	[SQ_PROFILE_MERGE] =
	    "INSERT INTO profiles(project_id, user_id, traits, created_at, updated_at) "
	    "VALUES (?1, ?2, coalesce(?3, '{}'), ?4, ?4) "
	    "ON CONFLICT(project_id, user_id) DO UPDATE SET "
	    "traits = json_patch(traits, excluded.traits), updated_at = excluded.updated_at",
	[SQ_ALIAS_LINK] =
	    "INSERT INTO aliases(project_id, alias, user_id, created_at) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT(project_id, alias) DO NOTHING",

	[SQ_USER_ALIASES] =
	    "SELECT alias FROM aliases WHERE project_id = ?1 AND user_id = ?2 ORDER BY created_at, alias",
	[SQ_USER_PROFILE] =
	    "SELECT traits FROM profiles WHERE project_id = ?1 AND user_id = ?2",
	/* a user's events: under its id or any linked id, as userId or anonymousId */
	[SQ_USER_EVENT_STATS] =
	    "WITH ids(id) AS (SELECT ?2 UNION SELECT alias FROM aliases "
	    "WHERE project_id = ?1 AND user_id = ?2) "
	    "SELECT count(*), min(ts), max(ts) FROM events WHERE project_id = ?1 "
	    "AND (user_id IN ids OR anonymous_id IN ids)",
	[SQ_USER_DEL_EVENTS] =
	    "WITH ids(id) AS (SELECT ?2 UNION SELECT alias FROM aliases "
	    "WHERE project_id = ?1 AND user_id = ?2) "
	    "DELETE FROM events WHERE project_id = ?1 "
	    "AND (user_id IN ids OR anonymous_id IN ids)",
	[SQ_USER_DEL_PROFILE] =
	    "WITH ids(id) AS (SELECT ?2 UNION SELECT alias FROM aliases "
	    "WHERE project_id = ?1 AND user_id = ?2) "
	    "DELETE FROM profiles WHERE project_id = ?1 AND user_id IN ids",
	[SQ_USER_DEL_ALIASES] =
	    "DELETE FROM aliases WHERE project_id = ?1 AND (user_id = ?2 OR alias = ?2)",
};
