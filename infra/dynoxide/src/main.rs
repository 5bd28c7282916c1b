//! `local-dynamodb`: the DynamoDB of `make dev`, `make test` and `make bench`.
//!
//! It is Dynoxide (DynamoDB's JSON API on SQLite) and nothing more, built
//! from the version Cargo.lock pins. What it adds is a startup that tells the
//! scripts *why* it could not start, by exit code, so that `make dev` can
//! name the cause and the fix (and move a damaged data file aside):
//!
//! | exit | cause |
//! |---|---|
//! | 2 | bad arguments |
//! | 3 | the data file cannot be read as a database (damaged, or not ours) |
//! | 4 | the address cannot be bound (port in use) |
//!
//! ```text
//! local-dynamodb --port 4566 [--host 127.0.0.1] [--db-path .local/dynamodb/table.sqlite]
//! ```
//! Without `--db-path` the data lives in memory and ends with the process.

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: local-dynamodb --port PORT [--host HOST] [--db-path FILE]";

struct Args {
    host: String,
    port: u16,
    db_path: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut host = "127.0.0.1".to_owned();
    let mut port = None;
    let mut db_path = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => host = value()?,
            "--port" => {
                let text = value()?;
                port = Some(text.parse().map_err(|_| format!("bad port {text:?}"))?);
            }
            "--db-path" => db_path = Some(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        host,
        port: port.ok_or("--port is required")?,
        db_path,
    })
}

/// SQLite's own integrity check, before Dynoxide opens the file: a damaged
/// file must stop the start with a clear cause instead of serving half a
/// table (or failing on the first request that touches a bad page).
fn check_data_file(path: &Path) -> Result<(), String> {
    if !path.exists() {
        return Ok(()); // a new store
    }
    let connection = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let verdict: String = connection
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(|e| e.to_string())?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(verdict)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("local-dynamodb: {problem}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let database = match &args.db_path {
        Some(path) => check_data_file(Path::new(path))
            .and_then(|()| dynoxide::Database::new(path).map_err(|e| e.to_string()))
            .map_err(|problem| format!("data file {path} is unreadable: {problem}")),
        None => dynoxide::Database::memory().map_err(|e| e.to_string()),
    };
    let database = match database {
        Ok(database) => database,
        Err(problem) => {
            eprintln!("local-dynamodb: {problem}");
            return ExitCode::from(3);
        }
    };
    // Serves until SIGTERM or Ctrl-C, then lets running requests finish;
    // SQLite commits every write itself, so a crash loses nothing committed.
    match dynoxide::server::start(&args.host, args.port, database).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("local-dynamodb: {problem}");
            ExitCode::from(4)
        }
    }
}
