//! An SMTP server inside the test process: it speaks enough of RFC 5321
//! (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) for
//! Portero's sender to deliver to it over a real TCP connection, keeps
//! what it receives, and can refuse the next transactions with a 4xx or
//! 5xx reply to prove retries and giving up.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message (headers and body), dots unstuffed, CRLF line ends.
    pub data: String,
}

#[derive(Default)]
struct SinkState {
    messages: Vec<Received>,
    /// Replies to give to the next MAIL commands instead of 250.
    refusals: Vec<String>,
    /// Every command line received, in order.
    commands: Vec<String>,
}

pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<SinkState>>,
    task: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// A server on a free loopback port.
    pub async fn start() -> SmtpSink {
        SmtpSink::start_on(0).await
    }

    /// A server on `port` (0: any free one).
    pub async fn start_on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the SMTP sink");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(Mutex::new(SinkState::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, shared.clone()));
            }
        });
        SmtpSink { port, state, task }
    }

    /// lettre's URL for this server (plain SMTP, no TLS).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The next `n` transactions are refused at MAIL with `reply`
    /// (e.g. "451 4.3.0 try again later").
    pub fn refuse_next(&self, n: usize, reply: &str) {
        let mut state = self.state.lock().expect("sink state");
        state
            .refusals
            .extend(std::iter::repeat_n(reply.to_owned(), n));
    }

    pub fn messages(&self) -> Vec<Received> {
        self.state.lock().expect("sink state").messages.clone()
    }

    pub fn commands(&self) -> Vec<String> {
        self.state.lock().expect("sink state").commands.clone()
    }

    /// Waits (up to 20 s) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} messages, got {}", self.messages().len());
    }
}

fn out(text: &str) -> String {
    format!("{text}\r\n")
}

async fn session(socket: tokio::net::TcpStream, state: Arc<Mutex<SinkState>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    if write
        .write_all(out("220 sink.test ESMTP test sink").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        state
            .lock()
            .expect("sink state")
            .commands
            .push(command.clone());
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING".to_owned(),
            "HELO" => "250 sink.test".to_owned(),
            "MAIL" => {
                let refusal = {
                    let mut state = state.lock().expect("sink state");
                    (!state.refusals.is_empty()).then(|| state.refusals.remove(0))
                };
                match refusal {
                    Some(refusal) => refusal,
                    None => {
                        mail_from = command[5..].trim().to_owned();
                        rcpt_to.clear();
                        "250 2.1.0 OK".to_owned()
                    }
                }
            }
            "RCPT" => {
                rcpt_to.push(command[5..].trim().to_owned());
                "250 2.1.5 OK".to_owned()
            }
            "DATA" => {
                if write
                    .write_all(out("354 go ahead").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
                let mut data = String::new();
                loop {
                    let mut line = String::new();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let line = line.strip_prefix('.').unwrap_or(&line);
                    data.push_str(line);
                }
                state.lock().expect("sink state").messages.push(Received {
                    mail_from: std::mem::take(&mut mail_from),
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data,
                });
                "250 2.0.0 queued".to_owned()
            }
            "RSET" => {
                mail_from.clear();
                rcpt_to.clear();
                "250 OK".to_owned()
            }
            "NOOP" => "250 OK".to_owned(),
            "QUIT" => {
                let _ = write.write_all(out("221 bye").as_bytes()).await;
                return;
            }
            _ => "502 5.5.2 command not recognised".to_owned(),
        };
        if write.write_all(out(&answer).as_bytes()).await.is_err() {
            return;
        }
    }
}

impl Received {
    /// A header's value (unfolded), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<String> {
        parse_header(&self.data, name)
    }

    /// The decoded text of the first part of `content_type`.
    pub fn part(&self, content_type: &str) -> Option<String> {
        part_of(&self.data, content_type)
    }

    /// The link token in the plain-text part.
    pub fn token(&self) -> String {
        token_in(&self.part("text/plain").expect("a text part"))
    }
}

/// A header of a message (`data`): unfolded value.
pub fn parse_header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\r\n\r\n").next().unwrap_or(data);
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// The decoded body of the first MIME part whose Content-Type starts with
/// `content_type`.
pub fn part_of(data: &str, content_type: &str) -> Option<String> {
    for chunk in data.split("\r\n--") {
        let Some((head, body)) = chunk.split_once("\r\n\r\n") else {
            continue;
        };
        let head = head.replace("\r\n ", " ");
        let ct = head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_ascii_lowercase())
        })?;
        if !ct.starts_with(content_type) {
            continue;
        }
        let encoding = head
            .lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.trim()
                    .eq_ignore_ascii_case("content-transfer-encoding")
                    .then(|| value.trim().to_ascii_lowercase())
            })
            .unwrap_or_default();
        // The part ends where the next boundary line starts.
        let body = body.trim_end_matches("\r\n").to_owned();
        return Some(match encoding.as_str() {
            "quoted-printable" => decode_quoted_printable(&body),
            "base64" => {
                use base64::Engine;
                let compact: String = body.split_whitespace().collect();
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(compact)
                        .expect("base64 part"),
                )
                .expect("UTF-8 part")
            }
            _ => body,
        });
    }
    None
}

fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        let hex = (first == b'=' && tail.len() >= 2)
            .then(|| u8::from_str_radix(&String::from_utf8_lossy(&tail[..2]), 16).ok())
            .flatten();
        if let Some(byte) = hex {
            bytes.push(byte);
            rest = &tail[2..];
            continue;
        }
        bytes.push(first);
        rest = tail;
    }
    String::from_utf8(bytes).expect("UTF-8 after quoted-printable")
}

/// The `token=` value of the first link in `text`.
pub fn token_in(text: &str) -> String {
    let start = text.find("?token=").expect("a link with a token") + "?token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The first link (`http…`) in `text`.
pub fn link_in(text: &str) -> String {
    let start = text.find("http").expect("a link");
    text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect()
}
