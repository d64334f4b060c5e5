//! Databases move by logical dump and restore, then a per-table row count (keys per database
//! for Redis) on both sides. Each step is a POSIX shell script run inside the database's
//! container (`docker exec` on the Compose side, `kubectl exec` in the cluster); credentials
//! come from the container's own environment (`$POSTGRES_USER`, `$MYSQL_ROOT_PASSWORD`, ...),
//! so no secret value appears in a plan, a runbook or a shell history.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    MySql,
    Mongo,
    Redis,
}

/// The engine of an image knowledge-base family (`postgres`, `bitnami mariadb/mysql`, ...).
pub fn engine(family: &str) -> Option<Engine> {
    let f = family.to_ascii_lowercase();
    if f.contains("postgres") {
        Some(Engine::Postgres)
    } else if f.contains("mysql") || f.contains("mariadb") {
        Some(Engine::MySql)
    } else if f.contains("mongo") {
        Some(Engine::Mongo)
    } else if f.contains("redis") {
        Some(Engine::Redis)
    } else {
        None
    }
}

const PG_USER: &str = r#"U="${POSTGRES_USER:-${POSTGRESQL_USERNAME:-postgres}}"
export PGPASSWORD="${POSTGRES_PASSWORD:-${POSTGRESQL_PASSWORD:-$PGPASSWORD}}"
"#;

const MY_CLIENT: &str = r#"export MYSQL_PWD="${MYSQL_ROOT_PASSWORD:-${MARIADB_ROOT_PASSWORD:-$MYSQL_PWD}}"
c=$(command -v mariadb || command -v mysql)
"#;

const MY_SYSTEM: &str = "'mysql','information_schema','performance_schema','sys'";

const MONGO_AUTH: &str = r#"set --
if [ -n "$MONGO_INITDB_ROOT_USERNAME" ]; then
  set -- --authenticationDatabase admin -u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD"
fi
"#;

const REDIS_AUTH: &str = r#"export REDISCLI_AUTH="${REDIS_PASSWORD:-$REDISCLI_AUTH}"
"#;

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Postgres => "PostgreSQL",
            Engine::MySql => "MySQL/MariaDB",
            Engine::Mongo => "MongoDB",
            Engine::Redis => "Redis",
        }
    }

    /// The dump file's name for `service`.
    pub fn dump_file(self, service: &str) -> String {
        match self {
            Engine::Postgres | Engine::MySql => format!("{service}.sql"),
            Engine::Mongo => format!("{service}.archive"),
            Engine::Redis => format!("{service}.rdb"),
        }
    }

    /// Writes a logical dump of every database to stdout. Redis has none: `SAVE` writes its
    /// RDB file, which moves with the data directory.
    pub fn dump_script(self) -> String {
        match self {
            Engine::Postgres => format!(
                "{PG_USER}pg_dumpall -U \"$U\" --clean --if-exists\n"
            ),
            Engine::MySql => format!(
                "{MY_CLIENT}d=$(command -v mariadb-dump || command -v mysqldump)\n\
                 dbs=$(\"$c\" -uroot -N -B -e \"select schema_name from information_schema.schemata where schema_name not in ({MY_SYSTEM})\")\n\
                 \"$d\" -uroot --single-transaction --routines --events --triggers --databases $dbs\n"
            ),
            Engine::Mongo => format!("{MONGO_AUTH}mongodump --archive --quiet \"$@\"\n"),
            Engine::Redis => format!("{REDIS_AUTH}redis-cli SAVE\n"),
        }
    }

    /// Reads the dump on stdin into the cluster's (running, freshly initialised) database.
    /// PostgreSQL reports that the role it is connected as cannot be dropped or exists
    /// already: expected, the row counts tell whether the data arrived.
    pub fn restore_script(self) -> Option<String> {
        match self {
            Engine::Postgres => Some(format!("{PG_USER}psql -X -q -U \"$U\" -d postgres\n")),
            Engine::MySql => Some(format!("{MY_CLIENT}\"$c\" -uroot\n")),
            Engine::Mongo => Some(format!(
                "{MONGO_AUTH}mongorestore --archive --drop --quiet \"$@\"\n"
            )),
            Engine::Redis => None,
        }
    }

    /// Prints `database.schema.table count` (keys per database for Redis), sorted, so both
    /// sides can be compared with `diff`.
    pub fn counts_script(self) -> String {
        match self {
            Engine::Postgres => format!(
                "{PG_USER}psql -X -At -U \"$U\" -d postgres -c \"select datname from pg_database where datallowconn and not datistemplate order by 1\" | while IFS= read -r db; do\n\
                 \x20 psql -X -At -F ' ' -U \"$U\" -d \"$db\" -c \"select '$db.' || table_schema || '.' || table_name, (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', table_schema, table_name), false, true, '')))[1]::text from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1\" </dev/null\n\
                 done\n"
            ),
            Engine::MySql => format!(
                "{MY_CLIENT}\"$c\" -uroot -N -B -e \"select concat('\\`', table_schema, '\\`.\\`', table_name, '\\`') from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ({MY_SYSTEM}) order by 1\" | while IFS= read -r t; do\n\
                 \x20 echo \"$t $(\"$c\" -uroot -N -B -e \"select count(*) from $t\" </dev/null)\"\n\
                 done\n"
            ),
            Engine::Mongo => format!(
                "{MONGO_AUTH}$(command -v mongosh || command -v mongo) --quiet \"$@\" --eval 'db.adminCommand({{listDatabases: 1}}).databases.map(d => d.name).sort().forEach(n => {{ const x = db.getSiblingDB(n); x.getCollectionNames().sort().forEach(c => print(n + \".\" + c + \" \" + x.getCollection(c).countDocuments({{}}))) }})'\n"
            ),
            Engine::Redis => format!("{REDIS_AUTH}redis-cli INFO keyspace | grep '^db' | cut -d, -f1 | sort\n"),
        }
    }
}

/// A script as one line (for a command line): lines joined with `; `, or a space after
/// `do`/`then`.
pub fn one_line(script: &str) -> String {
    let mut out = String::new();
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str(if out.ends_with(" do") || out.ends_with(" then") {
                " "
            } else {
                "; "
            });
        }
        out.push_str(line);
    }
    out
}

/// `s` quoted for a POSIX shell (single quotes).
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_of_the_knowledge_base_map_to_engines() {
        assert_eq!(engine("postgres (alpine)"), Some(Engine::Postgres));
        assert_eq!(engine("bitnami postgresql"), Some(Engine::Postgres));
        assert_eq!(engine("mysql/mariadb"), Some(Engine::MySql));
        assert_eq!(engine("linuxserver mariadb"), Some(Engine::MySql));
        assert_eq!(engine("mongo"), Some(Engine::Mongo));
        assert_eq!(engine("bitnami redis"), Some(Engine::Redis));
        assert_eq!(engine("nginx"), None);
    }

    #[test]
    fn scripts_are_valid_posix_shell() {
        for e in [
            Engine::Postgres,
            Engine::MySql,
            Engine::Mongo,
            Engine::Redis,
        ] {
            let mut scripts = vec![e.dump_script(), e.counts_script()];
            scripts.extend(e.restore_script());
            for s in scripts {
                let s = one_line(&s);
                assert!(!s.contains('\n'));
                let ok = std::process::Command::new("sh")
                    .args(["-n", "-c", &s])
                    .status()
                    .is_ok_and(|st| st.success());
                assert!(ok, "{} script does not parse:\n{s}", e.name());
            }
        }
    }

    #[test]
    fn quoting_survives_single_quotes() {
        let out = std::process::Command::new("sh")
            .args(["-c", &format!("printf %s {}", sh_quote("it's 'x'"))])
            .output()
            .unwrap();
        assert_eq!(out.stdout, b"it's 'x'");
    }
}
