//! The `table` format: each table drawn with comfy-table under a heading with its name and
//! row count. On a terminal, wide tables wrap inside their cells to fit the screen; anywhere
//! else nothing is wrapped or cut.

use comfy_table::{presets, ContentArrangement, Table as Drawn};

use super::Table;

/// How NULL is shown, so it is never mistaken for the empty string.
pub const NULL: &str = "NULL";

/// Draw `table` with `rows` (text values, NULL as `None`).
pub fn render(table: &Table, rows: &[Vec<Option<String>>], terminal_width: Option<u16>) -> String {
    let mut drawn = Drawn::new();
    drawn.load_preset(presets::UTF8_FULL_CONDENSED);
    match terminal_width {
        Some(width) => {
            drawn.set_content_arrangement(ContentArrangement::Dynamic);
            drawn.set_width(width);
        }
        None => {
            drawn.force_no_tty();
            drawn.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    drawn.set_header(table.columns.iter().map(|c| c.name.as_str()));
    for row in rows {
        drawn.add_row(row.iter().map(|v| v.as_deref().unwrap_or(NULL)));
    }
    format!(
        "{} ({})\n{drawn}\n",
        table.name,
        super::rows_label(rows.len() as u64)
    )
}
