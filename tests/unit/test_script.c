/* A migration file: BOM, line endings, empty files, transaction control. */
#include <unistd.h>

#include "tap.h"
#include "internal.h"

#define SQLITE_FLAGS (STRATA_SPLIT_BEGIN_END | STRATA_SPLIT_BRACKET_IDENT)
#define PG_FLAGS                                                               \
	(STRATA_SPLIT_DOLLAR_QUOTES | STRATA_SPLIT_NESTED_COMMENTS |           \
	 STRATA_SPLIT_E_STRINGS)

static char dir[256];

static char *put(const char *name, const char *text)
{
	char *path = strata__printf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text as a file; returns the status, err filled in. */
static int load(strata__script *sc, const char *text, unsigned flags,
                strata_error *e)
{
	char *path = put("t.sql", text);
	int rc;

	memset(e, 0, sizeof(*e));
	rc = strata__script_load(sc, path, flags, e);
	free(path);
	return rc;
}

static void checksums(void)
{
	const char *lf = "-- x\nCREATE TABLE a (x INT);\nSELECT 1;\n";
	char want[STRATA__SHA256_HEX], got[STRATA__SHA256_HEX];
	strata__script sc;
	strata_error e;
	char *p;

	strata__sha256_hex(want, lf, strlen(lf));
	ok(load(&sc, lf, PG_FLAGS, &e) == 0, "LF file loads");
	is_str(sc.checksum, want, "LF without BOM: checksum of the bytes");
	strata__script_free(&sc);
	load(&sc, "-- x\r\nCREATE TABLE a (x INT);\r\nSELECT 1;\r\n", PG_FLAGS,
	     &e);
	is_str(sc.checksum, want, "CRLF: same checksum as LF");
	is_int(sc.stmts.count, 2, "CRLF: two statements");
	strata__script_free(&sc);
	load(&sc, "\xEF\xBB\xBF-- x\r\nCREATE TABLE a (x INT);\nSELECT 1;\n",
	     PG_FLAGS, &e);
	is_str(sc.checksum, want, "BOM and CRLF: same checksum as LF");
	strata__script_free(&sc);
	load(&sc, "-- x\rCREATE TABLE a (x INT);\nSELECT 1;\n", PG_FLAGS, &e);
	ok(strcmp(sc.checksum, want) != 0, "a lone CR is content");
	strata__script_free(&sc);

	p = put("c.sql", "\xEF\xBB\xBF-- x\r\nCREATE TABLE a (x INT);\r\n"
	                 "SELECT 1;\r\n");
	memset(&e, 0, sizeof(e));
	ok(strata__checksum_for(got, p, &e) == 0, "checksum_for reads");
	is_str(got, want, "checksum_for: same normalisation as loading");
	free(p);
	p = strata__printf("%s/none.sql", dir);
	is_int(strata__checksum_for(got, p, &e), STRATA_EUSAGE,
	       "checksum_for: unreadable file is a usage error");
	strata_error_clear(&e);
	free(p);
}

static void bom(void)
{
	strata__script sc;
	strata_error e;

	is_int(load(&sc, "\xEF\xBB\xBF-- strata:no-transaction\nSELECT 1;\n",
	            PG_FLAGS, &e),
	       0, "BOM file loads");
	ok(sc.no_transaction, "directive after a BOM is honoured");
	strata__script_free(&sc);
	load(&sc, "\xEF\xBB\xBFSELECT 1", PG_FLAGS, &e);
	is_str(sc.stmts.count ? sc.stmts.items[0].sql : NULL, "SELECT 1",
	       "BOM before a statement is stripped");
	strata__script_free(&sc);
}

static void empty_files(void)
{
	static const char *const none[] = {"",
	                                   "\n\n",
	                                   "-- only a comment\n",
	                                   "/* block */\n",
	                                   ";\n;\n",
	                                   "\xEF\xBB\xBF-- comment\r\n"};
	strata__script sc;
	strata_error e;
	size_t i;

	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		is_int(load(&sc, none[i], PG_FLAGS, &e), STRATA_EUSAGE,
		       "no statement (case %zu) is refused", i);
		ok(e.line == 1 && e.message &&
		           strstr(e.message, "strata:empty"),
		   "at line 1, pointing to -- strata:empty (%s)",
		   e.message ? e.message : "");
		strata__script_free(&sc);
		strata_error_clear(&e);
	}
	is_int(load(&sc, "-- nothing to do here\n-- strata:empty\n", PG_FLAGS,
	            &e),
	       0, "-- strata:empty: an intentional no-op loads");
	ok(sc.empty && sc.stmts.count == 0, "with no statements");
	strata__script_free(&sc);
	is_int(load(&sc, "\xEF\xBB\xBF-- strata:empty\r\n", PG_FLAGS, &e), 0,
	       "-- strata:empty after a BOM, with CRLF");
	strata__script_free(&sc);
	is_int(load(&sc, "-- strata:empty\nSELECT 1;\n", PG_FLAGS, &e),
	       STRATA_EUSAGE, "-- strata:empty with statements is refused");
	ok(e.message && strstr(e.message, "has statements"), "says why (%s)",
	   e.message ? e.message : "");
	strata__script_free(&sc);
	strata_error_clear(&e);
}

/* Loads text and runs the transaction-control check. */
static int tx(const char *text, unsigned flags, strata_error *e)
{
	strata__script sc;
	int rc = load(&sc, text, flags, e);

	if (!rc)
		rc = strata__script_check_tx(&sc, e);
	strata__script_free(&sc);
	return rc;
}

static void transaction_control(void)
{
	static const char *const refused[] = {
	        "COMMIT;",
	        "commit work;",
	        "COMMIT AND CHAIN;",
	        "END;",
	        "end transaction;",
	        "BEGIN;",
	        "begin transaction;",
	        "BEGIN IMMEDIATE;",
	        "START TRANSACTION;",
	        "ROLLBACK;",
	        "ROLLBACK WORK;",
	        "rollback and no chain;",
	        "ABORT;",
	        "PREPARE TRANSACTION 'x';",
	        "/* c */ -- c\n  COMMIT;",
	};
	static const char *const fine[] = {
	        "SAVEPOINT a;",
	        "RELEASE SAVEPOINT a;",
	        "ROLLBACK TO SAVEPOINT a;",
	        "ROLLBACK TO a;",
	        "rollback transaction to savepoint a;",
	        "PREPARE q AS SELECT 1;",
	        "CREATE TABLE commits (x INT);",
	        "SELECT 'COMMIT';",
	        "-- COMMIT\nSELECT 1;",
	        "DO $$ BEGIN PERFORM 1; END $$;",
	        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	        "BEGIN\n  RETURN NEW;\nEND;\n$$;",
	};
	strata_error e;
	size_t i;
	char *text;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		text = strata__printf("CREATE TABLE t (x INT);\n\n%s\n",
		                      refused[i]);
		is_int(tx(text, PG_FLAGS, &e), STRATA_EUSAGE,
		       "refused: case %zu", i);
		ok(e.line == (strchr(refused[i], '\n') ? 4 : 3) && e.message &&
		           strstr(e.message, "strata:no-transaction"),
		   "at its line, pointing to -- strata:no-transaction (%d: %s)",
		   e.line, e.message ? e.message : "");
		strata_error_clear(&e);
		free(text);
	}
	for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		is_int(tx(fine[i], PG_FLAGS, &e), 0, "allowed: case %zu (%s)",
		       i, e.message ? e.message : "");
		strata_error_clear(&e);
	}
	is_int(tx("CREATE TABLE a (x INT);\n"
	          "CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n"
	          "  UPDATE a SET x = 1;\nEND;\n",
	          SQLITE_FLAGS, &e),
	       0, "SQLite trigger body BEGIN ... END is not a statement");
	strata_error_clear(&e);
}

static void printable(void)
{
	strata_error e;
	char *p = strata__printable("0001_a\033[31mred\x7f\tz");

	is_str(p, "0001_a\\x1b[31mred\\x7f\\x09z",
	       "control characters escaped");
	free(p);
	p = strata__printable("caf\xc3\xa9_ok");
	is_str(p, "caf\xc3\xa9_ok", "UTF-8 kept");
	free(p);

	memset(&e, 0, sizeof(e));
	strata__err_at(&e, STRATA_EFAIL, "m/1_a\033[2J/up.sql", 3,
	               "applying 1_a\033[2J: failed");
	p = strata_error_format(&e);
	is_str(p, "m/1_a\\x1b[2J/up.sql:3: error: applying 1_a\\x1b[2J: failed",
	       "error messages escape the file and the message");
	free(p);
	strata_error_clear(&e);
}

int main(void)
{
	char cmd[300];

	snprintf(dir, sizeof(dir), "/tmp/strata-test-script-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	checksums();
	bom();
	empty_files();
	transaction_control();
	printable();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
