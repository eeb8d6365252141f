//! Server-side sessions. The browser holds a random id inside a private
//! (encrypted, authenticated) cookie; the database holds only its SHA-256,
//! so a stolen database dump yields no usable cookie. Ending a session is a
//! row delete, which takes effect on the next request on every process.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rocket::http::{Cookie, CookieJar, SameSite};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::ClientMeta;
use crate::clock::Clock;
use crate::config::AppConfig;
use crate::db::sessions::{self, NewSession, SessionKind, SessionWithUser};
use crate::db::{AppConn, AppPool};
use crate::error::AppResult;

/// Session policy and cookie handling, kept in Rocket's managed state.
#[derive(Clone)]
pub struct Sessions {
    config: AppConfig,
    clock: Clock,
}

/// A session written but not yet handed to the browser. It holds the
/// secret token, so it has no `Debug` and is never logged.
pub struct IssuedSession {
    id: i64,
    token: String,
}

impl IssuedSession {
    /// The secret of a committed API session, for its client's bearer token.
    pub fn into_secret(self) -> String {
        self.token
    }
}

/// A new random secret: 256 bits, base64url.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores in place of the browser's session id.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl Sessions {
    pub fn new(config: AppConfig, clock: Clock) -> Self {
        Sessions { config, clock }
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Sessions last used before this instant have expired from idleness.
    pub fn idle_cutoff(&self, now: OffsetDateTime) -> OffsetDateTime {
        now - Duration::seconds(self.config.session_idle_timeout)
    }

    /// Writes a new session for `user_id` in the caller's transaction,
    /// after deleting the one the browser presented, so an id planted
    /// before login can never become an authenticated one (no fixation).
    /// The cookie is set by [`Sessions::set_cookie`] once the transaction
    /// has committed.
    pub async fn issue(
        &self,
        conn: &mut AppConn,
        cookies: &CookieJar<'_>,
        user_id: i64,
        client: &ClientMeta,
        now: OffsetDateTime,
    ) -> AppResult<IssuedSession> {
        self.delete_presented(conn, cookies).await?;
        self.insert(conn, SessionKind::Browser, user_id, client, now)
            .await
    }

    /// Writes a new API session for `user_id` in the caller's transaction;
    /// its secret goes to the client as a bearer token once it commits.
    pub async fn issue_api(
        &self,
        conn: &mut AppConn,
        user_id: i64,
        client: &ClientMeta,
        now: OffsetDateTime,
    ) -> AppResult<IssuedSession> {
        self.insert(conn, SessionKind::Api, user_id, client, now)
            .await
    }

    async fn insert(
        &self,
        conn: &mut AppConn,
        kind: SessionKind,
        user_id: i64,
        client: &ClientMeta,
        now: OffsetDateTime,
    ) -> AppResult<IssuedSession> {
        let token = random_token();
        let csrf_token = random_token();
        let id = sessions::insert(
            conn,
            &NewSession {
                kind,
                token_hash: &token_hash(&token),
                user_id,
                csrf_token: &csrf_token,
                now,
                expires_at: now + Duration::seconds(self.config.session_absolute_timeout),
                ip: client.ip.as_deref(),
                user_agent: client.user_agent.as_deref(),
            },
        )
        .await?;
        Ok(IssuedSession { id, token })
    }

    /// Seconds an API session lives at most (it also ends when idle).
    pub fn lifetime(&self) -> i64 {
        self.config.session_absolute_timeout
    }

    /// Hands the browser the cookie of a committed session.
    pub fn set_cookie(&self, cookies: &CookieJar<'_>, issued: IssuedSession) -> i64 {
        cookies.add_private(self.cookie(issued.token));
        issued.id
    }

    /// Deletes the browser's session row, if any, in the caller's
    /// transaction; [`Sessions::clear_cookie`] removes the cookie after it
    /// commits.
    pub async fn delete_presented(
        &self,
        conn: &mut AppConn,
        cookies: &CookieJar<'_>,
    ) -> AppResult<bool> {
        match cookies.get_private(self.config.session_cookie_name()) {
            Some(cookie) => sessions::delete_by_hash(conn, &token_hash(cookie.value())).await,
            None => Ok(false),
        }
    }

    /// Tells the browser to drop its session cookie.
    pub fn clear_cookie(&self, cookies: &CookieJar<'_>) {
        cookies.remove_private(self.removal_cookie());
    }

    /// The live session behind the request's cookie, with its user; records
    /// use at most once per `session_touch_interval` to spare writes.
    pub async fn load(
        &self,
        pool: &AppPool,
        cookies: &CookieJar<'_>,
    ) -> AppResult<Option<SessionWithUser>> {
        let Some(cookie) = cookies.get_private(self.config.session_cookie_name()) else {
            return Ok(None);
        };
        let found = self
            .find(pool, SessionKind::Browser, cookie.value())
            .await?;
        if found.is_none() {
            // Dead or revoked: drop the cookie so the browser stops sending it.
            cookies.remove_private(self.removal_cookie());
        }
        Ok(found)
    }

    /// The live API session whose secret a client sent as a bearer token.
    pub async fn load_bearer(
        &self,
        pool: &AppPool,
        token: &str,
    ) -> AppResult<Option<SessionWithUser>> {
        self.find(pool, SessionKind::Api, token).await
    }

    async fn find(
        &self,
        pool: &AppPool,
        kind: SessionKind,
        token: &str,
    ) -> AppResult<Option<SessionWithUser>> {
        let now = self.clock.now();
        let mut conn = pool.acquire().await?;
        let found = sessions::find_live(
            &mut conn,
            kind,
            &token_hash(token),
            now,
            self.idle_cutoff(now),
        )
        .await?;
        if let Some(session) = &found
            && now - session.last_seen_at >= Duration::seconds(self.config.session_touch_interval)
        {
            sessions::touch(&mut conn, session.session_id, now).await?;
        }
        Ok(found)
    }

    fn cookie(&self, token: String) -> Cookie<'static> {
        Cookie::build((self.config.session_cookie_name(), token))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.config.https)
            .max_age(rocket::time::Duration::seconds(
                self.config.session_absolute_timeout,
            ))
            .build()
    }

    fn removal_cookie(&self) -> Cookie<'static> {
        Cookie::build(self.config.session_cookie_name())
            .path("/")
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_eq!(token_hash(&a).len(), 32);
        assert_ne!(token_hash(&a), a.as_bytes());
    }
}
