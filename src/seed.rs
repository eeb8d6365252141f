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

/// `seed-demo`: `users` demo users, then `products` products and sales.
pub async fn seed_demo(
    pool: &AppPool,
    config: &AppConfig,
    users: u64,
    products: u64,
) -> Result<(), String> {
    let started = Instant::now();
    seed_users(pool, config, users).await?;
    seed_catalog(pool, products, users).await?;
    println!("Seeding took {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

async fn count_demo_users(pool: &AppPool) -> Result<i64, sqlx::Error> {
    on_pool!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users WHERE username = $1"
    )
    .bind("user0000001")
    .fetch_one(p)
    .await)
}

async fn seed_users(pool: &AppPool, config: &AppConfig, users: u64) -> Result<(), String> {
    if users == 0 {
        return Ok(());
    }
    if users > 9_999_999 {
        return Err("portero: at most 9,999,999 demo users (seven-digit names)".into());
    }
    if count_demo_users(pool).await.map_err(|e| e.to_string())? > 0 {
        println!("Demo users already exist (user0000001 is taken); skipping users.");
        return Ok(());
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
    let progress = ProgressBar::new(users);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} users ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
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
                    let i = n as usize;
                    let created = now - Duration::seconds(span - (span * n as i64) / users as i64);
                    let first = FIRST_NAMES[(i * 7) % FIRST_NAMES.len()];
                    let last = LAST_NAMES[(i * 13 + i / 7) % LAST_NAMES.len()];
                    let verified = (i % 10 < 7).then_some(created);
                    query = query
                        .bind(format!("user{n:07}"))
                        .bind(format!("user{n:07}@example.com"))
                        .bind(hash.clone())
                        .bind(first)
                        .bind(last)
                        .bind("user")
                        .bind(true)
                        .bind(verified)
                        .bind(created)
                        .bind(created)
                        .bind(search_key(first))
                        .bind(search_key(last));
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
    progress.finish_and_clear();
    println!(
        "Created {users} demo users in {:.1} s (password: {DEMO_PASSWORD}).",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A multi-row INSERT. SQLite gets plain `?` placeholders: it resolves
/// numbered ones (`$N`) with a linear search each, which makes a
/// 12,000-parameter statement quadratic (400 ms instead of 4 ms).
fn insert_sql(rows: u64, backend: Backend) -> String {
    const COLUMNS: usize = 12;
    let mut sql = String::from(
        "INSERT INTO users (username, email, password_hash, first_name, last_name, role, is_active, \
         email_verified_at, created_at, updated_at, first_name_key, last_name_key) VALUES ",
    );
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

/// Demo products (`DEMO-00001` …) and random sales by demo users. Sales are
/// generated first so that each product's stock is what remains after them.
pub async fn seed_catalog(pool: &AppPool, products: u64, users: u64) -> Result<(), String> {
    if products == 0 {
        return Ok(());
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
        return Ok(());
    }
    let started = Instant::now();
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
    let mut sold = vec![0i64; products as usize];
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
            sold[product] += quantity;
        }
        sales.push((user_number, at, merged));
    }
    sales.sort_by_key(|(_, at, _)| *at);

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
        }
        for (user_number, at, lines) in &sales {
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
        Ok::<(), String>(())
    })?;
    tx.commit().await.map_err(|e| e.to_string())?;
    let units: i64 = sold.iter().sum();
    println!(
        "Created {products} demo products and {} sales ({units} units) in {:.1} s.",
        sales.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn count_users_named_user(pool: &AppPool) -> Result<i64, sqlx::Error> {
    on_pool!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users WHERE username LIKE 'user%'"
    )
    .fetch_one(p)
    .await)
}
