//! `persistence/src/schema.rs` is written by hand: it must say what the migrations made, table
//! for table, column for column, with the same types and nullability, on both backends.

use crate::both_backends;
use crate::helpers::TestApp;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use std::collections::BTreeMap;

/// Column name → (type, nullable).
type Columns = BTreeMap<String, (String, bool)>;
/// Table name → its columns.
type Tables = BTreeMap<String, Columns>;

/// diesel's own bookkeeping table, not declared in schema.rs.
const DIESEL_MIGRATIONS: &str = "__diesel_schema_migrations";

/// The `diesel::table!` blocks of schema.rs, read as text: `(name) -> (diesel type, nullable)`.
fn declared() -> Tables {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../persistence/src/schema.rs");
    let text = std::fs::read_to_string(path).expect("persistence/src/schema.rs exists");
    let mut tables = Tables::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if !line.starts_with("diesel::table!") {
            continue;
        }
        // `name (key) {`, possibly `schema.name (key) {`.
        let header = lines
            .by_ref()
            .find(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#["))
            .expect("a table header");
        let name = header
            .split(|c: char| c.is_whitespace() || c == '(')
            .next()
            .and_then(|n| n.rsplit('.').next())
            .expect("a table name")
            .to_owned();
        let mut columns = Columns::new();
        let mut sql_name = None;
        for line in lines.by_ref() {
            if line == "}" {
                break;
            }
            if let Some(rest) = line.strip_prefix("#[sql_name") {
                sql_name = rest.split('"').nth(1).map(str::to_owned);
                continue;
            }
            let Some((column, ty)) = line.split_once("->") else {
                continue;
            };
            let column = sql_name
                .take()
                .unwrap_or_else(|| column.trim().trim_start_matches("r#").to_owned());
            let ty = ty.trim().trim_end_matches(',').replace(' ', "");
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>').to_owned(), true),
                None => (ty, false),
            };
            let ty = ty.rsplit("::").next().unwrap_or(&ty).to_owned();
            columns.insert(column, (ty, nullable));
        }
        assert!(
            !columns.is_empty(),
            "schema.rs: no columns parsed for {name}"
        );
        tables.insert(name, columns);
    }
    assert!(
        !tables.is_empty(),
        "schema.rs: no diesel::table! blocks parsed"
    );
    tables
}

#[derive(diesel::QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    data_type: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
}

#[derive(diesel::QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    data_type: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    notnull: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pk: i32,
}

/// What the migrated database says, as `(type as the database reports it, nullable)`.
fn migrated(app: &TestApp) -> Tables {
    let mut tables = Tables::new();
    let url = &app.database_url;
    if url.starts_with("postgres") {
        let mut conn = PgConnection::establish(url).expect("connect to the test database");
        let rows: Vec<PgColumn> = diesel::sql_query(
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                    c.data_type::text AS data_type, c.is_nullable = 'YES' AS nullable \
             FROM information_schema.columns c \
             JOIN information_schema.tables t \
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'",
        )
        .load(&mut conn)
        .expect("read information_schema");
        for r in rows {
            tables
                .entry(r.table_name)
                .or_default()
                .insert(r.column_name, (r.data_type, r.nullable));
        }
    } else {
        let mut conn = SqliteConnection::establish(url).expect("open the test database");
        let rows: Vec<SqliteColumn> = diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
                    p.\"notnull\" AS \"notnull\", p.pk AS pk \
             FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        )
        .load(&mut conn)
        .expect("read pragma_table_info");
        for r in rows {
            // SQLite lets a non-INTEGER primary key hold NULL unless NOT NULL is spelled out;
            // diesel (and our code) treat key columns as NOT NULL, as print-schema does.
            let nullable = r.notnull == 0 && r.pk == 0;
            tables
                .entry(r.table_name)
                .or_default()
                .insert(r.column_name, (r.data_type, nullable));
        }
    }
    tables.remove(DIESEL_MIGRATIONS);
    tables
}

/// The type names a database may report for a diesel SQL type.
fn accepted(diesel_type: &str, postgres: bool) -> &'static [&'static str] {
    match (diesel_type, postgres) {
        ("Text", true) => &["text", "character varying"],
        ("Text", false) => &["text", "varchar"],
        ("BigInt", true) => &["bigint"],
        ("BigInt", false) => &["bigint"],
        ("Integer", true) => &["integer"],
        ("Integer", false) => &["integer", "int"],
        ("Bool", true) => &["boolean"],
        ("Bool", false) => &["boolean", "bool"],
        ("Timestamp", true) => &["timestamp without time zone"],
        ("Timestamp", false) => &["timestamp", "datetime"],
        ("Date", true) => &["date"],
        ("Date", false) => &["date"],
        _ => &[],
    }
}

/// Every difference between schema.rs and the database, one line each.
fn differences(declared: &Tables, migrated: &Tables, postgres: bool) -> Vec<String> {
    let mut out = Vec::new();
    for table in migrated.keys().filter(|t| !declared.contains_key(*t)) {
        out.push(format!(
            "table {table} is in the database but not in schema.rs"
        ));
    }
    for (table, columns) in declared {
        let Some(actual) = migrated.get(table) else {
            out.push(format!(
                "table {table} is in schema.rs but not in the database"
            ));
            continue;
        };
        for column in actual.keys().filter(|c| !columns.contains_key(*c)) {
            out.push(format!(
                "{table}.{column} is in the database but not in schema.rs"
            ));
        }
        for (column, (ty, nullable)) in columns {
            let Some((db_type, db_nullable)) = actual.get(column) else {
                out.push(format!(
                    "{table}.{column} is in schema.rs but not in the database"
                ));
                continue;
            };
            if !accepted(ty, postgres).contains(&db_type.to_lowercase().as_str()) {
                out.push(format!(
                    "{table}.{column}: schema.rs says {ty}, the database says {db_type}"
                ));
            }
            if nullable != db_nullable {
                let say = |n: &bool| if *n { "nullable" } else { "NOT NULL" };
                out.push(format!(
                    "{table}.{column}: schema.rs says {}, the database says {}",
                    say(nullable),
                    say(db_nullable)
                ));
            }
        }
    }
    out
}

both_backends! {
    async fn schema_rs_matches_the_migrated_database(app) {
        let postgres = app.database_url.starts_with("postgres");
        let diffs = differences(&declared(), &migrated(&app), postgres);
        assert!(
            diffs.is_empty(),
            "persistence/src/schema.rs disagrees with the migrations ({}):\n  {}",
            if postgres { "PostgreSQL" } else { "SQLite" },
            diffs.join("\n  ")
        );
    }
}

#[test]
fn the_comparison_catches_each_kind_of_difference() {
    let table = |cols: &[(&str, &str, bool)]| -> Columns {
        cols.iter()
            .map(|(c, t, n)| ((*c).to_owned(), ((*t).to_owned(), *n)))
            .collect()
    };
    let declared: Tables = [(
        "users".to_owned(),
        table(&[
            ("id", "Text", false),
            ("age", "Integer", true),
            ("gone", "Bool", false),
        ]),
    )]
    .into_iter()
    .collect();
    let migrated: Tables = [
        (
            "users".to_owned(),
            table(&[
                ("id", "bigint", false),
                ("age", "integer", false),
                ("extra", "text", true),
            ]),
        ),
        ("orphans".to_owned(), table(&[("id", "text", false)])),
    ]
    .into_iter()
    .collect();
    let diffs = differences(&declared, &migrated, true);
    assert_eq!(diffs.len(), 5, "{diffs:#?}");
    assert!(differences(&declared, &declared_as_pg(&declared), true).is_empty());

    fn declared_as_pg(t: &Tables) -> Tables {
        t.iter()
            .map(|(name, cols)| {
                let cols = cols
                    .iter()
                    .map(|(c, (ty, n))| (c.clone(), (accepted(ty, true)[0].to_owned(), *n)))
                    .collect();
                (name.clone(), cols)
            })
            .collect()
    }
}

#[test]
fn schema_rs_parses() {
    let tables = declared();
    let users = tables.get("users").expect("users is declared");
    assert_eq!(users.get("id"), Some(&("Text".to_owned(), false)));
    assert!(tables.values().flat_map(|c| c.values()).any(|(_, n)| *n));
}
