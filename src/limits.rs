//! Process limits raised at start. Each open connection is a file
//! descriptor; the usual soft limit of 1,024 lets a thousand idle or slow
//! clients starve everyone else (every request, `/healthz` included, then
//! timed out). The hard limit is what the operator allows: take all of it.

/// Raises the open-file soft limit to the hard limit; returns `(before,
/// after)` or why it could not.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn raise_open_files() -> Result<(u64, u64), String> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    let before = limit.rlim_cur;
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(std::io::Error::last_os_error().to_string());
        }
    }
    Ok((before, limit.rlim_cur))
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn raise_open_files() -> Result<(u64, u64), String> {
    Err("not supported on this platform".to_owned())
}

/// Descriptors kept back from client connections: the database pool (a
/// SQLite connection holds three files), the mail sender, templates, logs.
const RESERVED_FILES: u64 = 128;

/// The cap on open client connections: `configured`, or for 0 the current
/// open-file soft limit less a reserve, so that `accept()` never meets
/// EMFILE (which left every client, health checks included, waiting).
pub fn connection_limit(configured: u64) -> u64 {
    if configured > 0 {
        return configured;
    }
    let open_files = open_files_limit().unwrap_or(1024);
    connection_limit_for(open_files)
}

fn connection_limit_for(open_files: u64) -> u64 {
    open_files
        .saturating_sub(RESERVED_FILES)
        .max(open_files / 2)
        .max(1)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn open_files_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct passed.
    (unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0).then_some(limit.rlim_cur)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn open_files_limit() -> Option<u64> {
    None
}

/// [`raise_open_files`], logged.
pub fn raise_open_files_logged() {
    match raise_open_files() {
        Ok((before, after)) if before != after => {
            tracing::info!("open-file limit raised from {before} to {after} (the hard limit)");
        }
        Ok((_, after)) => tracing::info!("open-file limit: {after} (already the hard limit)"),
        Err(error) => tracing::warn!("cannot raise the open-file limit: {error}"),
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let (before, after) = raise_open_files().expect("raise");
        assert!(after >= before);
        let (again, same) = raise_open_files().expect("raise again");
        assert_eq!((again, same), (after, after));
        raise_open_files_logged();
    }

    #[test]
    fn the_connection_cap_leaves_room_for_the_database_and_files() {
        assert_eq!(connection_limit(300), 300);
        assert_eq!(connection_limit_for(1024), 896);
        assert_eq!(connection_limit_for(200), 100);
        assert_eq!(connection_limit_for(0), 1);
        let (_, soft) = raise_open_files().expect("raise");
        assert_eq!(connection_limit(0), connection_limit_for(soft));
    }
}
