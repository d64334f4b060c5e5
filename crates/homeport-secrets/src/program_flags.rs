//! Secret flags that belong to one program: short flags mean a password only there
//! (`redis-cli -a pw`, but `ls -a`), and MySQL's client takes its password glued to `-p`
//! (`mysql -psecret`; `-p db` with a space prompts and names a database).

/// Clients whose `-pVALUE` is the password (the MySQL and MariaDB command-line tools).
pub const GLUED_PASSWORD_PROGRAMS: &[&str] = &[
    "mysql",
    "mysqladmin",
    "mysqldump",
    "mysqlcheck",
    "mysqlimport",
    "mysqlshow",
    "mysqlpump",
    "mysqlslap",
    "mariadb",
    "mariadb-admin",
    "mariadb-dump",
    "mariadb-check",
    "mariadb-import",
    "mariadb-show",
    "mariadb-slap",
];

/// Clients whose `-a VALUE` is the password (Redis and its forks).
pub const AUTH_FLAG_PROGRAMS: &[&str] = &["redis-cli", "valkey-cli", "keydb-cli"];

/// The program a command word runs (`/usr/bin/mysql` → `mysql`), when it is one whose
/// flags this module knows.
pub fn program_of(word: &str) -> Option<&'static str> {
    let word = word.trim_matches(['"', '\'']);
    let base = word.rsplit('/').next().unwrap_or(word);
    GLUED_PASSWORD_PROGRAMS
        .iter()
        .chain(AUTH_FLAG_PROGRAMS)
        .find(|p| **p == base)
        .copied()
}

/// Whether `flag` (a word followed by its value) takes a secret in `program`: `-a` of
/// `redis-cli`.
pub fn program_flag_takes_secret(program: Option<&str>, flag: &str) -> bool {
    program.is_some_and(|p| AUTH_FLAG_PROGRAMS.contains(&p)) && flag == "-a"
}

/// The password glued to `-p` in `word` for a MySQL client (`secret` of `-psecret`, with
/// quotes around it stripped); `None` for other programs, `-p` alone and references.
pub fn glued_password<'w>(program: Option<&str>, word: &'w str) -> Option<&'w str> {
    if !program.is_some_and(|p| GLUED_PASSWORD_PROGRAMS.contains(&p)) {
        return None;
    }
    let value = word.strip_prefix("-p")?;
    let value = match value.as_bytes().first() {
        Some(q @ (b'"' | b'\'')) if value.len() >= 2 && value.as_bytes()[value.len() - 1] == *q => {
            &value[1..value.len() - 1]
        }
        _ => value,
    };
    (!value.is_empty() && !value.contains('$')).then_some(value)
}

/// The name a moved value gets in the Secret environment for `program`'s password.
pub fn password_key(program: &str) -> &'static str {
    if AUTH_FLAG_PROGRAMS.contains(&program) {
        "REDIS_PASSWORD"
    } else {
        "MYSQL_PASSWORD"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_and_their_flags() {
        assert_eq!(program_of("/usr/bin/mysql"), Some("mysql"));
        assert_eq!(program_of("'mariadb-dump'"), Some("mariadb-dump"));
        assert_eq!(program_of("ls"), None);
        assert_eq!(glued_password(Some("mysql"), "-psecret"), Some("secret"));
        assert_eq!(
            glued_password(Some("mysql"), "-p'se cret'"),
            Some("se cret")
        );
        assert_eq!(glued_password(Some("mysql"), "-p"), None);
        assert_eq!(glued_password(Some("mysql"), "-p$(MYSQL_PASSWORD)"), None);
        assert_eq!(glued_password(Some("redis-cli"), "-psecret"), None);
        assert_eq!(glued_password(None, "-psecret"), None);
        assert!(program_flag_takes_secret(Some("redis-cli"), "-a"));
        assert!(!program_flag_takes_secret(None, "-a"));
        assert!(!program_flag_takes_secret(Some("mysql"), "-a"));
    }
}
