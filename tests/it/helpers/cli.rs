//! The real `portero` binary, run against a test's database.

use std::process::{Command, Output, Stdio};

/// `portero <args>` with `DATABASE_URL` set, run off the async workers.
pub async fn portero(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portero"));
    command
        .args(args)
        .env("DATABASE_URL", url)
        .env("ROCKET_LOG_LEVEL", "off")
        .env_remove("ROCKET_PROFILE")
        .env_remove("ROCKET_DATABASES")
        .env_remove("PORTERO_ADMIN_PASSWORD")
        .stdin(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    rocket::tokio::task::spawn_blocking(move || command.output().expect("run portero"))
        .await
        .expect("join")
}

/// A command's standard output and error, as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
