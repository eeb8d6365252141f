//! The `portero` command line. Each subcommand calls the same services as
//! the HTTP handlers.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rocket_db_pools::Database;

use crate::clock::Clock;
use crate::config::{self, AppConfig};
use crate::db::{AppPool, PoolSettings};
use crate::state::{App, AppState};

/// Shown under every command's `--help`: which database it works on.
const DATABASE_HELP: &str = "Database: DATABASE_URL (e.g. sqlite://data/portero.db or \
postgres://user@host/db), else databases.portero.url in Rocket.toml; \
default sqlite://data/portero.db. A .env file in the working directory is read first.";

#[derive(Debug, Parser)]
#[command(
    name = "portero",
    version,
    about = "Portero: accounts, sessions, catalog and sales, as web pages and a JSON API",
    after_help = DATABASE_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web application (the default). Configuration: Rocket.toml,
    /// ROCKET_* variables, DATABASE_URL and PORT.
    #[command(after_help = DATABASE_HELP)]
    Serve,
    /// Apply the database migrations and exit; with --status, list the
    /// applied and pending migrations (version, description, applied at)
    /// and change nothing.
    #[command(after_help = DATABASE_HELP)]
    Migrate {
        /// List applied and pending migrations instead of applying them.
        #[arg(long)]
        status: bool,
    },
    /// Copy the SQLite database to FILE while the server keeps running
    /// (a consistent snapshot; restore by copying FILE back while Portero
    /// is stopped). For PostgreSQL use pg_dump.
    #[command(after_help = DATABASE_HELP)]
    Backup {
        /// Where to write the copy; must not exist yet.
        file: std::path::PathBuf,
    },
    /// Create an administrator; for an existing user of that name, make it
    /// an active administrator and apply the e-mail and password given.
    /// Nothing changes (and nothing is logged) when it already is all that.
    #[command(after_help = DATABASE_HELP)]
    CreateAdmin {
        /// The username (3-32 of a-z 0-9 _ . -); an existing user of this
        /// name is promoted.
        #[arg(long)]
        username: String,
        /// The e-mail address: required for a new administrator; for an
        /// existing user, their address becomes this one.
        #[arg(long)]
        email: Option<String>,
        /// The password (visible to other local users in `ps`: prefer
        /// PORTERO_ADMIN_PASSWORD or the prompt). A new administrator
        /// without one is asked for it; an existing user keeps theirs
        /// unless this or PORTERO_ADMIN_PASSWORD gives one.
        #[arg(long)]
        password: Option<String>,
    },
    /// Print a one-time password-reset link for a user (valid for
    /// password_reset_ttl seconds; older links of the account stop working).
    /// For an operator locked out of the only admin account, with no mail set up.
    ResetLink {
        #[arg(long)]
        username: String,
    },
    /// Fill the database with demo data: users, products and sales by those
    /// users (one sale per ten users), then print what it made. Runs again
    /// skip what exists.
    #[command(after_help = DATABASE_HELP)]
    SeedDemo {
        /// How many demo users (user0000001 …, password demo-password).
        #[arg(long, default_value_t = 100)]
        users: u64,
        /// How many demo products (DEMO-00001 …); 0 makes no products and
        /// no sales.
        #[arg(long, default_value_t = 25)]
        products: u64,
    },
}

pub fn run() -> ExitCode {
    return_large_blocks_to_the_system();
    let cli = Cli::parse();
    // Before logging starts and before any thread exists: `.env` may set
    // RUST_LOG, and it writes the process environment.
    let dotenv = config::load_dotenv();
    crate::telemetry::init();
    let result = dotenv.and_then(|path| {
        if let Some(path) = path {
            tracing::info!("settings read from {}", path.display());
        }
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(),
            Command::Migrate { status: false } => block_on(migrate()),
            Command::Backup { file } => block_on(backup(file)),
            Command::Migrate { status: true } => block_on(migration_status()),
            Command::CreateAdmin {
                username,
                email,
                password,
            } => block_on(create_admin(username, email, password)),
            Command::SeedDemo { users, products } => block_on(seed_demo(users, products)),
            Command::ResetLink { username } => block_on(reset_link(username)),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Each argon2 hash allocates one 19 MiB block on a short-lived blocking
/// thread. glibc's adaptive mmap threshold then keeps freed blocks in
/// per-thread arenas, and a burst of logins left the process near 1 GiB
/// resident. A fixed threshold sends every block of 1 MiB or more straight
/// back to the system when it is freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only tunes the allocator, and this runs first thing in
    // `main`, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}

fn block_on<F: std::future::Future<Output = Result<(), String>>>(future: F) -> Result<(), String> {
    rocket::tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("portero: cannot start the runtime: {e}"))?
        .block_on(future)
}

/// Serves until shut down, then closes the pool: only after the last
/// in-flight request has finished (rocket_db_pools would close it when the
/// grace period starts, failing those requests; see `db::AppPool`).
///
/// While a database that is down is awaited at start, a standby server
/// answers the probes (see `standby`).
fn serve() -> Result<(), String> {
    crate::limits::raise_open_files_logged();
    let rocket = crate::rocket()?;
    rocket::execute(async move {
        let standby = if database_is_down(rocket.figment()).await {
            Some(crate::standby::Standby::start(rocket.figment()).await?)
        } else {
            None
        };
        let ignited = rocket.ignite().await;
        if let Some(standby) = standby {
            standby.stop().await;
        }
        let rocket = ignited.map_err(|error| format!("portero: {error}"))?;
        let pool = crate::db::Db::fetch(&rocket).map(|db| (**db).clone());
        let served = rocket.launch().await;
        if let Some(pool) = pool {
            pool.shutdown().await;
        }
        served
            .map(|_| ())
            .map_err(|error| format!("portero: {error}"))
    })
}

/// One try at the database server: down (or busy) now, so that the start
/// will wait for it? A file (SQLite) is never down; a wrong setting is
/// reported by the start itself.
async fn database_is_down(figment: &rocket::figment::Figment) -> bool {
    let Ok(settings) = config::database_settings(figment) else {
        return false;
    };
    if !matches!(
        crate::db::Backend::from_url(&settings.url),
        Ok(crate::db::Backend::Postgres)
    ) {
        return false;
    }
    match AppPool::connect(&PoolSettings::from(settings)).await {
        Ok(pool) => {
            pool.shutdown().await;
            false
        }
        Err(error) => error.is_transient(),
    }
}

/// Opens the configured database and applies migrations.
pub async fn open_database() -> Result<(AppPool, AppConfig), String> {
    let figment = config::figment();
    let pool = connect(&figment).await?;
    pool.migrate().await.map_err(|e| format!("portero: {e}"))?;
    let app_config = AppConfig::from_figment(&figment).map_err(|e| config::describe(&e))?;
    Ok((pool, app_config))
}

async fn connect(figment: &rocket::figment::Figment) -> Result<AppPool, String> {
    let settings = config::database_settings(figment)?;
    AppPool::connect(&PoolSettings::from(settings))
        .await
        .map_err(|e| format!("portero: cannot open the database: {e}"))
}

async fn migration_status() -> Result<(), String> {
    let pool = connect(&config::figment()).await?;
    let listed = crate::db::migrations::status(&pool).await;
    pool.shutdown().await;
    let listed = listed.map_err(|e| format!("portero: cannot read the migrations: {e}"))?;
    print!("{}", crate::db::migrations::table(&listed));
    Ok(())
}

async fn backup(file: std::path::PathBuf) -> Result<(), String> {
    let pool = connect(&config::figment()).await?;
    let done = crate::db::backup::backup(&pool, &file).await;
    pool.shutdown().await;
    done.map_err(|e| format!("portero: {e}"))?;
    println!("Backed up to {}.", file.display());
    Ok(())
}

async fn migrate() -> Result<(), String> {
    let (pool, _) = open_database().await?;
    println!("Migrations applied ({:?}).", pool.backend());
    pool.shutdown().await;
    Ok(())
}

async fn seed_demo(users: u64, products: u64) -> Result<(), String> {
    let (pool, config) = open_database().await?;
    let result = crate::seed::seed_demo(&pool, &config, users, products).await;
    pool.shutdown().await;
    result.map(|_| ())
}

/// The password given without asking: `--password`, else
/// `PORTERO_ADMIN_PASSWORD`.
fn given_password(flag: Option<String>) -> Option<String> {
    flag.or_else(|| {
        std::env::var("PORTERO_ADMIN_PASSWORD")
            .ok()
            .filter(|password| !password.is_empty())
    })
}

/// Prompts twice, without echo.
fn prompt_password() -> Result<String, String> {
    let first = rpassword::prompt_password("Password for the administrator: ").map_err(|e| {
        format!("portero: cannot read the password (use --password or PORTERO_ADMIN_PASSWORD): {e}")
    })?;
    let second =
        rpassword::prompt_password("Repeat the password: ").map_err(|e| format!("portero: {e}"))?;
    if first != second {
        return Err("portero: the passwords differ".into());
    }
    Ok(first)
}

async fn create_admin(
    username: String,
    email: Option<String>,
    password: Option<String>,
) -> Result<(), String> {
    let (pool, app_config) = open_database().await?;
    let state = AppState::new(app_config, Clock::default())?;
    let app = App {
        db: &pool,
        state: &state,
    };
    let request = crate::services::create_admin::AdminRequest {
        username: &username,
        email: email.as_deref(),
        password: given_password(password),
    };
    let result =
        crate::services::create_admin::create_admin_from_cli(&app, request, prompt_password).await;
    pool.shutdown().await;
    result.map(|message| println!("{message}"))
}

async fn reset_link(username: String) -> Result<(), String> {
    let (pool, app_config) = open_database().await?;
    let state = AppState::new(app_config, Clock::default())?;
    let app = App {
        db: &pool,
        state: &state,
    };
    let result = crate::services::recovery::reset_link_for(&app, username.trim()).await;
    pool.shutdown().await;
    match result {
        Ok(link) => {
            println!("{link}");
            Ok(())
        }
        Err(crate::error::AppError::NotFound) => {
            Err(format!("portero: no user is named {:?}", username.trim()))
        }
        Err(error) => Err(format!("portero: {error}")),
    }
}
