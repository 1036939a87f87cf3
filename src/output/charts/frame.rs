//! What surrounds a plot: title, subtitle, legend, footnote, laid out so
//! that nothing overlaps whatever the text lengths (a legend that does not
//! fit beside the subtitle goes on its own line; text too long for its
//! space is shortened with an ellipsis).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{Area, Drawn, TextOut, err, text_height, text_width};
use super::style::{self, FONT_FAMILY};

/// Outer margin of every chart, in pixels.
pub const MARGIN: i32 = 40;

/// A text style: the chart font at `size` in `color`, anchored at `pos`.
pub fn font(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: (FONT_FAMILY, size).into_font(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// Draw `text` at `(x, y)` of `area`.
pub fn text<B: TextOut>(
    area: &Area<B>,
    text: &str,
    (x, y): (i32, i32),
    size: f64,
    color: RGBColor,
    (h, v): (HPos, VPos),
) -> Drawn {
    area.draw(&Text::new(
        text.to_string(),
        (x, y),
        font(size, color, h, v),
    ))
    .map_err(err)
}

/// `text` shortened with an ellipsis to at most `max_width` pixels.
pub fn fit(text: &str, size: f64, max_width: f64) -> String {
    if text_width(text, size) <= max_width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (0..chars.len()).rev() {
        let candidate: String = chars[..keep]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if text_width(&candidate, size) <= max_width {
            return candidate;
        }
    }
    "…".into()
}

/// A legend entry's key.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// A filled box.
    Swatch(RGBAColor),
    /// A line of this colour and width.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor, u32),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct LegendItem {
    pub key: Key,
    pub label: String,
}

const KEY_WIDTH: f64 = 56.0;
const KEY_GAP: f64 = 14.0;
const ITEM_GAP: f64 = 44.0;

fn legend_width(items: &[LegendItem]) -> f64 {
    items
        .iter()
        .map(|i| KEY_WIDTH + KEY_GAP + text_width(&i.label, style::LEGEND_SIZE))
        .sum::<f64>()
        + ITEM_GAP * items.len().saturating_sub(1) as f64
}

/// Draw `items` in a row starting at `(x, y)` (vertical centre).
fn draw_legend<B: TextOut>(area: &Area<B>, items: &[LegendItem], (x, y): (i32, i32)) -> Drawn {
    let mut x = x as f64;
    let h = (text_height(style::LEGEND_SIZE) * 0.9) as i32;
    for item in items {
        let (x0, x1) = (x as i32, (x + KEY_WIDTH) as i32);
        match item.key {
            Key::Swatch(c) => area
                .draw(&Rectangle::new(
                    [(x0, y - h / 2), (x1, y + h / 2)],
                    c.filled(),
                ))
                .map_err(err)?,
            Key::Line(c, w) => area
                .draw(&PathElement::new(vec![(x0, y), (x1, y)], c.stroke_width(w)))
                .map_err(err)?,
            Key::Dashed(c, w) => area
                .draw(&PathElement::new(
                    vec![(x0, y), (x0 + 20, y)],
                    c.stroke_width(w),
                ))
                .and_then(|_| {
                    area.draw(&PathElement::new(
                        vec![(x1 - 20, y), (x1, y)],
                        c.stroke_width(w),
                    ))
                })
                .map_err(err)?,
        }
        x += KEY_WIDTH + KEY_GAP;
        text(
            area,
            &item.label,
            (x as i32, y),
            style::LEGEND_SIZE,
            style::TEXT,
            (HPos::Left, VPos::Center),
        )?;
        x += text_width(&item.label, style::LEGEND_SIZE) + ITEM_GAP;
    }
    Ok(())
}

/// The header of a chart: a title, a subtitle and a legend (beside the
/// subtitle if it fits, else on a line of its own, else one line per
/// entry), and an optional footnote at the bottom. Returns the area left
/// for the plot.
pub fn frame<B: TextOut>(
    root: &Area<B>,
    title: &str,
    subtitle: &str,
    legend: &[LegendItem],
    note: Option<&str>,
) -> Result<Area<B>, String> {
    let (w, h) = root.dim_in_pixel();
    let width = w as f64 - 2.0 * MARGIN as f64;
    let mut y = MARGIN as f64;
    let title_h = text_height(style::TITLE_SIZE);
    text(
        root,
        &fit(title, style::TITLE_SIZE, width),
        (MARGIN, y as i32),
        style::TITLE_SIZE,
        style::TEXT,
        (HPos::Left, VPos::Top),
    )?;
    y += title_h * 1.45;
    let line_h = text_height(style::SUBTITLE_SIZE).max(text_height(style::LEGEND_SIZE)) * 1.6;
    let sub_w = text_width(subtitle, style::SUBTITLE_SIZE);
    let leg_w = legend_width(legend);
    let centre = |y: f64| (y + line_h / 2.0) as i32;
    if !subtitle.is_empty() {
        text(
            root,
            &fit(subtitle, style::SUBTITLE_SIZE, width),
            (MARGIN, centre(y)),
            style::SUBTITLE_SIZE,
            style::MUTED,
            (HPos::Left, VPos::Center),
        )?;
    }
    if !legend.is_empty() {
        if sub_w + 60.0 + leg_w <= width {
            // Right-aligned beside the subtitle.
            let x = MARGIN as f64 + width - leg_w;
            draw_legend(root, legend, (x as i32, centre(y)))?;
        } else if leg_w <= width {
            y += line_h;
            draw_legend(root, legend, (MARGIN, centre(y)))?;
        } else {
            for item in legend {
                y += line_h;
                draw_legend(root, std::slice::from_ref(item), (MARGIN, centre(y)))?;
            }
        }
    }
    y += line_h + 16.0;
    let mut bottom = MARGIN as f64 * 0.6;
    if let Some(note) = note {
        let note_h = text_height(style::NOTE_SIZE);
        text(
            root,
            &fit(note, style::NOTE_SIZE, width),
            (MARGIN, h as i32 - (MARGIN as f64 * 0.6) as i32),
            style::NOTE_SIZE,
            style::MUTED,
            (HPos::Left, VPos::Bottom),
        )?;
        bottom += note_h * 1.8;
    }
    Ok(root.margin(y as i32, bottom as i32, MARGIN / 2, MARGIN))
}
