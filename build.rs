// sqlx::migrate! embeds the migration files at compile time; without this a
// new migration is missed until some source file changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    // The same for the Fluent files that `static_loader!` compiles in.
    println!("cargo:rerun-if-changed=locales");
}
