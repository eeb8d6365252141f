//! Bar charts drawn by the server: the geometry is computed here, so the
//! template only writes out SVG elements.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// A bar chart of one value per day.
#[derive(Debug, Clone, Serialize)]
pub struct BarChart {
    pub width: f64,
    pub height: f64,
    pub max: i64,
    /// The largest value, written out (the top grid line's label).
    pub max_label: String,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    /// "2026-11-27: 12", the bar's tooltip.
    pub label: String,
    /// The value written out ("12", or an amount of money).
    pub value: String,
    pub day: String,
    pub count: i64,
}

/// Bars for `(day, value)` pairs; `label` writes a value out.
pub fn bar_chart(days: &[(String, i64)], label: impl Fn(i64) -> String) -> BarChart {
    const WIDTH: f64 = 600.0;
    const HEIGHT: f64 = 160.0;
    let max = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let slot = WIDTH / days.len().max(1) as f64;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, (day, count))| {
            let height = (*count as f64 / max as f64) * (HEIGHT - 20.0);
            Bar {
                x: format!("{:.1}", i as f64 * slot + 1.0),
                y: format!("{:.1}", HEIGHT - height),
                width: format!("{:.1}", (slot - 2.0).max(1.0)),
                height: format!("{:.1}", height),
                label: format!("{day}: {}", label(*count)),
                value: label(*count),
                day: day.clone(),
                count: *count,
            }
        })
        .collect();
    BarChart {
        width: WIDTH,
        height: HEIGHT,
        max,
        max_label: label(max),
        bars,
    }
}

/// The last `n` UTC days ending today, each with its count (zeros filled in).
pub fn last_days(now: OffsetDateTime, n: i64, counts: &[(String, i64)]) -> Vec<(String, i64)> {
    (0..n)
        .rev()
        .map(|back| {
            let day = (now - Duration::days(back)).date().to_string();
            let count = counts
                .iter()
                .find(|(d, _)| *d == day)
                .map_or(0, |(_, c)| *c);
            (day, count)
        })
        .collect()
}
