//! What leaves the database of each stored row: the API answers with these
//! projections, and the pages' views (`routes/pages/view`) are built from
//! them, adding only formatting. Built field by field from the models, so a
//! column added to a table (a password hash, say) is never shown by accident.

use schemars::JsonSchema;
use serde::Serialize;
use time::OffsetDateTime;

use crate::auth::scopes::{Scope, Scopes};
use crate::db::api_tokens::TokenRecord;
use crate::db::sessions::SessionRecord;
use crate::db::users::User;
use crate::domain::Role;

/// An account, without any secret.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "User")]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub is_active: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub email_verified_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub last_login_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub updated_at: OffsetDateTime,
    /// Whether logging in needs a second factor (two-factor sign-in).
    pub mfa_enabled: bool,
    /// The IANA time zone the pages show dates in for this user.
    pub time_zone: String,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        UserView {
            id: user.id,
            role: user.role(),
            username: user.username,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            address: user.address,
            phone: user.phone,
            is_active: user.is_active,
            email_verified_at: user.email_verified_at,
            last_login_at: user.last_login_at,
            created_at: user.created_at,
            updated_at: user.updated_at,
            mfa_enabled: user.mfa_enabled_at.is_some(),
            time_zone: user.time_zone,
        }
    }
}

/// One of the caller's sessions. `id` is a public handle for revoking it,
/// unrelated to the secret in the cookie.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Session")]
pub struct SessionView {
    pub id: i64,
    /// `browser` (the session cookie) or `api` (a bearer token from
    /// `POST /api/auth/token`).
    pub kind: String,
    /// True for the session that made this request.
    pub current: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub last_seen_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub expires_at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl SessionView {
    pub fn new(record: SessionRecord, current_id: Option<i64>) -> Self {
        SessionView {
            current: Some(record.id) == current_id,
            id: record.id,
            kind: record.kind,
            created_at: record.created_at,
            last_seen_at: record.last_seen_at,
            expires_at: record.expires_at,
            ip: record.ip,
            user_agent: record.user_agent,
        }
    }
}

/// A personal access token, without its secret.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Token")]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The prefix and the last four characters, to recognise the token.
    pub hint: String,
    pub scopes: Vec<Scope>,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub expires_at: Option<OffsetDateTime>,
}

impl From<TokenRecord> for TokenView {
    fn from(record: TokenRecord) -> Self {
        TokenView {
            id: record.id,
            name: record.name,
            hint: record.hint,
            scopes: Scopes::from_stored(&record.scopes).to_vec(),
            created_at: record.created_at,
            last_used_at: record.last_used_at,
            expires_at: record.expires_at,
        }
    }
}

/// A catalog product.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Product")]
pub struct ProductView {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub stock: i64,
    pub is_active: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub updated_at: OffsetDateTime,
}

impl From<crate::db::products::Product> for ProductView {
    fn from(p: crate::db::products::Product) -> Self {
        ProductView {
            id: p.id,
            sku: p.sku,
            name: p.name,
            description: p.description,
            price_cents: p.price_cents,
            stock: p.stock,
            is_active: p.is_active,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// One line of a sale, with the price paid at the time of sale.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "SaleItem")]
pub struct SaleItemView {
    pub product_id: i64,
    pub name: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
}

/// A sale and its items.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Sale")]
pub struct SaleView {
    pub id: i64,
    pub user_id: i64,
    pub items: Vec<SaleItemView>,
    pub total_cents: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
}

impl From<crate::db::sales::Sale> for SaleView {
    fn from(sale: crate::db::sales::Sale) -> Self {
        SaleView {
            id: sale.row.id,
            user_id: sale.row.user_id,
            total_cents: sale.row.total_cents,
            created_at: sale.row.created_at,
            items: sale
                .items
                .into_iter()
                .map(|item| SaleItemView {
                    product_id: item.product_id,
                    name: item.name,
                    quantity: item.quantity,
                    unit_price_cents: item.unit_price_cents,
                })
                .collect(),
        }
    }
}
