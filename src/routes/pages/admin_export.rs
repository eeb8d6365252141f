//! "Download as CSV" for the admin lists: the list's own filters, every
//! matching row, streamed (see [`crate::services::export`]).

use rocket::http::{ContentType, Header};
use rocket::request::Request;
use rocket::response::stream::ByteStream;
use rocket::response::{self, Redirect, Responder, Response};
use rocket::tokio::sync::mpsc;
use rocket::{Route, get, routes};

use super::PageError;
use super::admin_filters::{AuditParams, SaleParams, UserParams};
use crate::auth::{Admin, ClientMeta};
use crate::i18n::Lang;
use crate::services::export::{self, Export};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![users_csv, sales_csv, audit_csv]
}

/// A CSV file, sent as it is made.
pub struct CsvFile {
    name: String,
    chunks: mpsc::Receiver<Vec<u8>>,
}

impl<'r> Responder<'r, 'r> for CsvFile {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'r> {
        let chunks = rocket::futures::stream::unfold(self.chunks, |mut chunks| async move {
            chunks.recv().await.map(|chunk| (chunk, chunks))
        });
        let mut response: Response<'r> =
            <ByteStream<_> as Responder<'r, 'r>>::respond_to(ByteStream(chunks), request)?;
        response.set_header(ContentType::new("text", "csv").with_params(("charset", "utf-8")));
        response.set_header(Header::new(
            "Content-Disposition",
            format!("attachment; filename=\"{}\"", self.name),
        ));
        Ok(response)
    }
}

pub enum Download {
    File(CsvFile),
    /// Filters that cannot be used: back to the list (this address),
    /// which says why.
    Back(String),
}

impl<'r> Responder<'r, 'r> for Download {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'r> {
        match self {
            Download::File(file) => file.respond_to(request),
            Download::Back(list) => Redirect::to(list).respond_to(request),
        }
    }
}

type DownloadResult = Result<Download, PageError>;

async fn download(
    app: &App<'_>,
    admin: &Admin,
    client: &ClientMeta,
    export: Export,
    described: String,
) -> DownloadResult {
    let name = format!("{}-{}.csv", export.name(), app.now().date());
    let chunks = export::start(app, &admin.0.actor(client), export, &described).await?;
    Ok(Download::File(CsvFile { name, chunks }))
}

fn back(list: &str, query: &str) -> DownloadResult {
    let separator = if query.is_empty() { "" } else { "?" };
    Ok(Download::Back(format!("{list}{separator}{query}")))
}

#[get("/admin/users.csv?<q>&<role>&<active>&<verified>&<sort>")]
#[allow(clippy::too_many_arguments)] // one argument per query parameter the list accepts
async fn users_csv(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    q: Option<String>,
    role: Option<String>,
    active: Option<String>,
    verified: Option<String>,
    sort: Option<String>,
) -> DownloadResult {
    let params = UserParams::new(q, role, active, verified, sort);
    // The messages are not shown here: a bad filter goes back to the list,
    // which names the problem in the page's language.
    match params.parse(Lang::En) {
        Ok((filter, sort)) => {
            download(
                &app,
                &admin,
                &client,
                Export::Users(filter, sort),
                params.query(),
            )
            .await
        }
        Err(_) => back("/admin/users", &params.query()),
    }
}

#[get("/admin/sales.csv?<user>&<from>&<to>&<sort>")]
async fn sales_csv(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    user: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
) -> DownloadResult {
    let params = SaleParams::new(user, from, to, sort);
    match params.parse(&app, Lang::En).await? {
        Ok(filter) => download(&app, &admin, &client, Export::Sales(filter), params.query()).await,
        Err(_) => back("/admin/sales", &params.query()),
    }
}

#[get("/admin/audit.csv?<actor>&<action>&<from>&<to>")]
async fn audit_csv(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> DownloadResult {
    let params = AuditParams::new(actor, action, from, to);
    match params.parse(Lang::En) {
        Ok(filter) => download(&app, &admin, &client, Export::Audit(filter), params.query()).await,
        Err(_) => back("/admin/audit", &params.query()),
    }
}
