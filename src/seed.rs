//! `portero seed-demo`: realistic demo and benchmark data, fast.
//!
//! Demo users are `user0000001` … with e-mails `user0000001@example.com`, so
//! searches match the same rows here and in the benchmark peer. All share
//! one password hash, computed once: hashing a million passwords would take
//! hours and prove nothing.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use time::{Duration, OffsetDateTime};

use crate::auth::password::hash_with;
use crate::config::AppConfig;
use crate::db::users::search_key;
use crate::db::{AppPool, Backend, on_conn, on_pool};

/// The password of every demo user (documented in the README).
pub const DEMO_PASSWORD: &str = "demo-password";

const FIRST_NAMES: &[&str] = &[
    "Ana", "Luis", "María", "Carlos", "Lucía", "Javier", "Elena", "Pablo", "Sofía", "Diego",
    "Laura", "Miguel", "Carmen", "Andrés", "Isabel", "Jorge", "Paula", "Raúl", "Marta", "Hugo",
    "Olivia", "Noah", "Emma", "Liam", "Mia", "Lucas", "Chloe", "Mateo", "Zoe", "Leo", "Amelia",
    "Ethan", "Grace", "Samuel", "Nora", "Daniel", "Alice", "Tomás", "Irene", "Adrián", "Sara",
    "Iván", "Julia", "Bruno", "Alba", "Omar", "Nuria", "Víctor",
];

const LAST_NAMES: &[&str] = &[
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Álvarez",
    "Romero",
    "Navarro",
    "Torres",
    "Domínguez",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Carter",
];

/// Rows per INSERT statement; 1,000 rows × 12 columns stays under both
/// backends' bind-parameter limits.
const BATCH: u64 = 1_000;
/// Statements per transaction.
const BATCHES_PER_TX: u64 = 20;

/// What one `seed-demo` run made (zero for a phase it skipped).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Made {
    pub users: u64,
    pub products: u64,
    pub sales: u64,
    pub units: i64,
}

impl Made {
    /// The closing line: what exists now that did not before.
    pub fn describe(&self, seconds: f64) -> String {
        if *self == Made::default() {
            return format!("Nothing new made ({seconds:.1} s).");
        }
        let mut line = format!(
            "Made {} demo users, {} products and {} sales ({} units sold) in {seconds:.1} s.",
            thousands(self.users),
            thousands(self.products),
            thousands(self.sales),
            thousands(self.units.max(0) as u64),
        );
        if self.users > 0 {
            line.push_str(&format!(
                " Demo users log in as user0000001 … with the password {DEMO_PASSWORD}."
            ));
        }
        line
    }
}

/// `seed-demo`: `users` demo users, then `products` products and sales.
pub async fn seed_demo(
    pool: &AppPool,
    config: &AppConfig,
    users: u64,
    products: u64,
) -> Result<Made, String> {
    let started = Instant::now();
    let made_users = seed_users(pool, config, users).await?;
    let (made_products, sales, units) = seed_catalog(pool, products, users).await?;
    let made = Made {
        users: made_users,
        products: made_products,
        sales,
        units,
    };
    println!("{}", made.describe(started.elapsed().as_secs_f64()));
    Ok(made)
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A rate in at most six characters: `950`, `12k`, `3M`.
fn compact(rate: f64) -> String {
    let rate = if rate.is_finite() && rate > 0.0 {
        rate.round() as u64
    } else {
        0
    };
    match rate {
        0..10_000 => rate.to_string(),
        10_000..10_000_000 => format!("{}k", rate / 1_000),
        _ => format!("{}M", (rate / 1_000_000).min(99_999)),
    }
}

/// A progress bar for one phase of the seeding, on standard error (hidden
/// when that is not a terminal). At most 79 columns whatever the counts
/// (up to 9,999,999): a label of 8, a bar of 30, counts with separators and
/// a short whole-number rate; indicatif's own `{per_sec}` prints four
/// decimals and wrapped on 80 columns.
pub fn phase_bar(len: u64, label: &'static str) -> ProgressBar {
    phase_bar_on(len, label, indicatif::ProgressDrawTarget::stderr())
}

fn phase_bar_on(
    len: u64,
    label: &'static str,
    target: indicatif::ProgressDrawTarget,
) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{prefix:>8} [{bar:30}] {human_pos:>9}/{human_len:<9} {rate:>8} {eta:>4}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key(
        "rate",
        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}/s", compact(state.per_sec()));
        },
    )
    .progress_chars("=> ");
    let bar = ProgressBar::with_draw_target(Some(len), target);
    bar.set_style(style);
    bar.set_prefix(label);
    bar
}

async fn count_demo_users(pool: &AppPool) -> Result<i64, sqlx::Error> {
    on_pool!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users WHERE username = $1"
    )
    .bind("user0000001")
    .fetch_one(p)
    .await)
}

/// Inserts the demo users; returns how many it made (0 when they exist).
async fn seed_users(pool: &AppPool, config: &AppConfig, users: u64) -> Result<u64, String> {
    if users == 0 {
        return Ok(0);
    }
    if users > 9_999_999 {
        return Err("portero: at most 9,999,999 demo users (seven-digit names)".into());
    }
    if count_demo_users(pool).await.map_err(|e| e.to_string())? > 0 {
        println!("Demo users already exist (user0000001 is taken); skipping users.");
        return Ok(0);
    }
    let params = argon2::Params::new(
        config.argon2_memory_kib,
        config.argon2_iterations,
        config.argon2_parallelism,
        None,
    )
    .map_err(|e| format!("portero: argon2 parameters: {e}"))?;
    let hash = hash_with(&params, DEMO_PASSWORD).map_err(|e| format!("portero: {e}"))?;
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc());
    // Sign-up dates spread over the last two years, oldest first.
    let span = Duration::days(730).whole_seconds();
    let rows = DemoUsers {
        hash,
        now,
        span,
        users,
    };
    let progress = phase_bar(users, "users");
    match pool.backend() {
        Backend::Postgres => copy_users(pool, &rows, &progress).await?,
        Backend::Sqlite => insert_users(pool, &rows, &progress).await?,
    }
    progress.finish_and_clear();
    Ok(users)
}

/// How the demo users are made: row `n` of `users`, all with one hash.
struct DemoUsers {
    hash: String,
    now: OffsetDateTime,
    /// Sign-up dates spread over this many seconds before `now`.
    span: i64,
    users: u64,
}

/// One demo user's values, in the column order of [`USER_COLUMNS`].
struct DemoUser<'a> {
    username: String,
    email: String,
    first: &'a str,
    last: &'a str,
    verified: Option<OffsetDateTime>,
    created: OffsetDateTime,
}

const USER_COLUMNS: &str = "username, email, password_hash, first_name, last_name, role, is_active, \
                            email_verified_at, created_at, updated_at, first_name_key, last_name_key";

impl DemoUsers {
    fn row(&self, n: u64) -> DemoUser<'static> {
        let i = n as usize;
        let created =
            self.now - Duration::seconds(self.span - (self.span * n as i64) / self.users as i64);
        DemoUser {
            username: format!("user{n:07}"),
            email: format!("user{n:07}@example.com"),
            first: FIRST_NAMES[(i * 7) % FIRST_NAMES.len()],
            last: LAST_NAMES[(i * 13 + i / 7) % LAST_NAMES.len()],
            verified: (i % 10 < 7).then_some(created),
            created,
        }
    }
}

/// SQLite: multi-row INSERTs, many per transaction.
async fn insert_users(
    pool: &AppPool,
    rows: &DemoUsers,
    progress: &ProgressBar,
) -> Result<(), String> {
    let users = rows.users;
    let mut next = 1;
    while next <= users {
        let tx_end = (next + BATCH * BATCHES_PER_TX - 1).min(users);
        let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
        let mut start = next;
        while start <= tx_end {
            let end = (start + BATCH - 1).min(tx_end);
            let sql = insert_sql(end - start + 1, pool.backend());
            on_conn!(&mut *tx, |c| {
                let mut query = sqlx::query(&sql);
                for n in start..=end {
                    let user = rows.row(n);
                    query = query
                        .bind(user.username)
                        .bind(user.email)
                        .bind(rows.hash.clone())
                        .bind(user.first)
                        .bind(user.last)
                        .bind("user")
                        .bind(true)
                        .bind(user.verified)
                        .bind(user.created)
                        .bind(user.created)
                        .bind(search_key(user.first))
                        .bind(search_key(user.last));
                }
                query
                    .execute(c)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })?;
            progress.inc(end - start + 1);
            start = end + 1;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
        next = tx_end + 1;
    }
    Ok(())
}

/// Rows per chunk sent to a PostgreSQL COPY.
const COPY_CHUNK: u64 = 20_000;

/// PostgreSQL: one `COPY … FROM STDIN` in one transaction, the rows sent as
/// CSV in chunks: no statement to parse or plan per row, no parameters.
async fn copy_users(
    pool: &AppPool,
    rows: &DemoUsers,
    progress: &ProgressBar,
) -> Result<(), String> {
    let AppPool::Postgres(pg) = pool else {
        return Err("portero: COPY needs PostgreSQL".into());
    };
    let mut conn = pg.begin().await.map_err(|e| e.to_string())?;
    let mut copy = conn
        .copy_in_raw(&format!(
            "COPY users ({USER_COLUMNS}) FROM STDIN WITH (FORMAT csv)"
        ))
        .await
        .map_err(|e| e.to_string())?;
    let mut start = 1;
    while start <= rows.users {
        let end = (start + COPY_CHUNK - 1).min(rows.users);
        let mut chunk = String::with_capacity(((end - start + 1) * 200) as usize);
        for n in start..=end {
            let user = rows.row(n);
            let created = timestamp(user.created)?;
            let verified = match user.verified {
                Some(at) => timestamp(at)?,
                None => String::new(),
            };
            // Every text value is quoted (the hash holds commas); an empty
            // unquoted field is NULL.
            chunk.push_str(&format!(
                "{},{},{},{},{},user,t,{verified},{created},{created},{},{}\n",
                csv(&user.username),
                csv(&user.email),
                csv(&rows.hash),
                csv(user.first),
                csv(user.last),
                csv(&search_key(user.first)),
                csv(&search_key(user.last)),
            ));
        }
        copy.send(chunk.into_bytes())
            .await
            .map_err(|e| e.to_string())?;
        progress.inc(end - start + 1);
        start = end + 1;
    }
    copy.finish().await.map_err(|e| e.to_string())?;
    conn.commit().await.map_err(|e| e.to_string())?;
    Ok(())
}

/// A CSV field, quoted.
fn csv(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A timestamp as PostgreSQL reads it in COPY (RFC 3339).
fn timestamp(at: OffsetDateTime) -> Result<String, String> {
    at.format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| e.to_string())
}

/// A multi-row INSERT. SQLite gets plain `?` placeholders: it resolves
/// numbered ones (`$N`) with a linear search each, which makes a
/// 12,000-parameter statement quadratic (400 ms instead of 4 ms).
fn insert_sql(rows: u64, backend: Backend) -> String {
    const COLUMNS: usize = 12;
    let mut sql = format!("INSERT INTO users ({USER_COLUMNS}) VALUES ");
    for row in 0..rows as usize {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for column in 0..COLUMNS {
            if column > 0 {
                sql.push(',');
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => sql.push_str(&format!("${}", row * COLUMNS + column + 1)),
            }
        }
        sql.push(')');
    }
    sql
}

/// A generated sale: buyer number, time, and (product index, quantity) lines.
type DemoSale = (i64, OffsetDateTime, Vec<(usize, i64)>);

const ADJECTIVES: &[&str] = &[
    "Classic",
    "Compact",
    "Deluxe",
    "Eco",
    "Ergonomic",
    "Handmade",
    "Light",
    "Modern",
    "Rustic",
    "Smart",
    "Sturdy",
    "Vintage",
    "Wireless",
    "Woollen",
    "Bamboo",
    "Ceramic",
    "Copper",
    "Linen",
    "Steel",
    "Velvet",
];

const NOUNS: &[&str] = &[
    "Backpack",
    "Bottle",
    "Chair",
    "Desk Lamp",
    "Headphones",
    "Jacket",
    "Kettle",
    "Keyboard",
    "Mug",
    "Notebook",
    "Pillow",
    "Plant Pot",
    "Scarf",
    "Speaker",
    "Sunglasses",
    "Teapot",
    "Throw Blanket",
    "Umbrella",
    "Wallet",
    "Watch",
];

/// Demo products (`DEMO-00001` …) and random sales by demo users.
/// Returns the products, sales and units made.
pub async fn seed_catalog(
    pool: &AppPool,
    products: u64,
    users: u64,
) -> Result<(u64, u64, i64), String> {
    if products == 0 {
        return Ok((0, 0, 0));
    }
    let existing = on_pool!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM products WHERE sku = $1"
    )
    .bind("DEMO-00001")
    .fetch_one(p)
    .await)
    .map_err(|e| e.to_string())?;
    if existing > 0 {
        println!("Demo products already exist (DEMO-00001 is taken); skipping products and sales.");
        return Ok((0, 0, 0));
    }
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc());
    let prices: Vec<i64> = (0..products)
        .map(|i| 199 + ((i * 7919) % 25_000) as i64)
        .collect();
    let names: Vec<String> = (0..products as usize)
        .map(|i| {
            format!(
                "{} {} {}",
                ADJECTIVES[i % ADJECTIVES.len()],
                NOUNS[(i / ADJECTIVES.len()) % NOUNS.len()],
                i + 1
            )
        })
        .collect();
    // One sale per ten demo users (at most 100,000), one to three lines each.
    let demo_users = count_users_named_user(pool)
        .await
        .map_err(|e| e.to_string())?
        .min(users as i64);
    let sale_count = (demo_users / 10).min(100_000);
    let mut sales: Vec<DemoSale> = Vec::with_capacity(sale_count as usize);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut random = move || {
        // xorshift: deterministic demo data without another dependency.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..sale_count {
        let user_number = 1 + (random() % demo_users.max(1) as u64) as i64;
        let at = now - Duration::minutes((random() % (60 * 24 * 60)) as i64);
        let lines: Vec<(usize, i64)> = (0..1 + random() % 3)
            .map(|_| ((random() % products) as usize, 1 + (random() % 3) as i64))
            .collect();
        let mut merged: Vec<(usize, i64)> = Vec::new();
        for (product, quantity) in lines {
            match merged.iter_mut().find(|(p, _)| *p == product) {
                Some(line) => line.1 += quantity,
                None => merged.push((product, quantity)),
            }
        }
        sales.push((user_number, at, merged));
    }
    sales.sort_by_key(|(_, at, _)| *at);

    let product_bar = phase_bar(products, "products");
    let mut made_sales = 0u64;
    let mut units = 0i64;
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    on_conn!(&mut *tx, |c| {
        let mut product_ids = Vec::with_capacity(products as usize);
        for i in 0..products as usize {
            let id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO products (sku, name, description, price_cents, stock, is_active, created_at, \
                 updated_at, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id",
            )
            .bind(format!("DEMO-{:05}", i + 1))
            .bind(&names[i])
            .bind(format!("A demo product for trying Portero: {}.", names[i].to_lowercase()))
            .bind(prices[i])
            .bind(50 + (i as i64 * 37) % 450)
            .bind(true)
            .bind(now - Duration::days(400))
            .bind(search_key(&names[i]))
            .fetch_one(&mut *c)
            .await
            .map_err(|e| e.to_string())?;
            product_ids.push(id);
            product_bar.inc(1);
        }
        product_bar.finish_and_clear();
        let sale_bar = phase_bar(sales.len() as u64, "sales");
        for (user_number, at, lines) in &sales {
            sale_bar.inc(1);
            let total: i64 = lines
                .iter()
                .map(|(product, quantity)| prices[*product] * quantity)
                .sum();
            let sale_id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO sales (user_id, total_cents, created_at) \
                 SELECT id, $2, $3 FROM users WHERE username = $1 RETURNING id",
            )
            .bind(format!("user{user_number:07}"))
            .bind(total)
            .bind(*at)
            .fetch_optional(&mut *c)
            .await
            .map_err(|e| e.to_string())?;
            let Some(sale_id) = sale_id else { continue };
            made_sales += 1;
            units += lines.iter().map(|(_, quantity)| quantity).sum::<i64>();
            for (product, quantity) in lines {
                sqlx::query(
                    "INSERT INTO sale_items (sale_id, product_id, name, quantity, unit_price_cents) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(sale_id)
                .bind(product_ids[*product])
                .bind(&names[*product])
                .bind(*quantity)
                .bind(prices[*product])
                .execute(&mut *c)
                .await
                .map_err(|e| e.to_string())?;
            }
        }
        sale_bar.finish_and_clear();
        Ok::<(), String>(())
    })?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok((products, made_sales, units))
}

async fn count_users_named_user(pool: &AppPool) -> Result<i64, sqlx::Error> {
    on_pool!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users WHERE username LIKE 'user%'"
    )
    .fetch_one(p)
    .await)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use indicatif::{ProgressDrawTarget, TermLike};

    use super::{Made, phase_bar_on, thousands};

    /// An 80-column terminal that keeps every line drawn on it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<Vec<String>>>);

    impl Screen {
        fn push(&self, text: &str) {
            if let Ok(mut lines) = self.0.lock() {
                lines.push(text.to_owned());
            }
        }
        fn lines(&self) -> Vec<String> {
            self.0.lock().map(|l| l.clone()).unwrap_or_default()
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, text: &str) -> std::io::Result<()> {
            self.push(text);
            Ok(())
        }
        fn write_str(&self, text: &str) -> std::io::Result<()> {
            self.push(text);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_phase_bar_fits_80_columns_with_the_largest_counts() {
        let screen = Screen::default();
        let bar = phase_bar_on(
            9_999_999,
            "products",
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        );
        bar.inc(1_234_567);
        bar.set_position(9_999_998);
        bar.tick();
        let lines = screen.lines();
        assert!(!lines.is_empty(), "nothing drawn");
        for line in &lines {
            assert!(
                line.chars().count() < 80,
                "{} columns: {line:?}",
                line.len()
            );
            assert!(!line.contains('.'), "a fractional rate: {line:?}");
        }
        assert!(
            lines
                .iter()
                .any(|l| l.contains("9,999,999") && l.contains("products"))
        );
    }

    #[test]
    fn counts_have_separators_and_the_summary_says_what_was_made() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        let made = Made {
            users: 2_000,
            products: 25,
            sales: 200,
            units: 812,
        };
        let line = made.describe(1.25);
        assert!(
            line.contains("2,000 demo users, 25 products and 200 sales (812 units"),
            "{line}"
        );
        assert!(line.contains(super::DEMO_PASSWORD), "{line}");
        let line = Made {
            products: 3,
            ..Made::default()
        }
        .describe(0.0);
        assert!(!line.contains(super::DEMO_PASSWORD), "{line}");
        assert!(Made::default().describe(0.0).starts_with("Nothing new"));
    }
}
