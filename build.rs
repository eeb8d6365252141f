//! Build-time work: migrations are watched, and static files compressed.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Files smaller than this are sent as they are: compression would save
/// less than a packet.
const MIN_SIZE: usize = 1024;

/// Extensions of the text formats worth compressing (fonts and images are
/// compressed already, or tiny).
const COMPRESSIBLE: &[&str] = &["css", "js", "svg", "html", "json", "txt", "map"];

fn main() {
    // sqlx::migrate! embeds the migration files at compile time; without this a
    // new migration is missed until some source file changes.
    println!("cargo:rerun-if-changed=migrations");
    // The same for the Fluent files that `static_loader!` compiles in.
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=static");
    if let Err(error) = precompress(Path::new("static")) {
        panic!("cannot precompress the static files: {error}");
    }
}

/// Writes a gzip and a brotli copy of every compressible static file into
/// OUT_DIR (each at its best, slowest setting: done once per build, served
/// many times), and `precompressed.rs`, the table `src/assets.rs` includes.
/// A copy that would not be smaller is left out.
fn precompress(root: &Path) -> std::io::Result<()> {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    walk(root, &mut files)?;
    files.sort();
    let mut table = String::from("&[\n");
    for file in files {
        let name = file
            .strip_prefix(root)
            .expect("walked under the root")
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let compressible = file
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| COMPRESSIBLE.contains(&ext));
        println!("cargo:rerun-if-changed={}", file.display());
        let data = std::fs::read(&file)?;
        if !compressible || data.len() < MIN_SIZE {
            continue;
        }
        let gzip = smaller(gzip(&data)?, &data);
        let brotli = smaller(brotli(&data)?, &data);
        let variant = |suffix: &str, bytes: Option<Vec<u8>>| -> std::io::Result<String> {
            let Some(bytes) = bytes else {
                return Ok("None".into());
            };
            let path = out.join("precompressed").join(format!("{name}.{suffix}"));
            std::fs::create_dir_all(path.parent().expect("a file has a folder"))?;
            std::fs::write(&path, bytes)?;
            Ok(format!(
                "Some(include_bytes!({:?}))",
                path.display().to_string()
            ))
        };
        let gzip = variant("gz", gzip)?;
        let brotli = variant("br", brotli)?;
        writeln!(
            table,
            "    Precompressed {{ name: {name:?}, gzip: {gzip}, brotli: {brotli} }},"
        )
        .expect("writing to a String");
    }
    table.push(']');
    std::fs::write(out.join("precompressed.rs"), table)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn smaller(compressed: Vec<u8>, original: &[u8]) -> Option<Vec<u8>> {
    (compressed.len() < original.len()).then_some(compressed)
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}

fn brotli(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}
