//! The look shared by every chart: size, the embedded font, the palette and
//! text sizes. One place, so the same thing has the same colour everywhere.
//!
//! Colours are the Okabe-Ito palette (Okabe & Ito 2008), which stays
//! distinguishable under the common colour-vision deficiencies:
//!
//! | colour | means, in every chart |
//! |---|---|
//! | blue | the simulated outcome: fan bands and median, histogram bars, CDF; a positive rank correlation |
//! | orange | a negative rank correlation |
//! | vermillion | a target set in `[outputs].targets` |
//! | greys | text, axes, grid |

use std::sync::OnceLock;

use ab_glyph::FontRef;
use plotters::style::{FontStyle, RGBAColor, RGBColor};
use serde::{Deserialize, Serialize};

/// Chart width in pixels at the default size ([`ChartSize::Slide`]):
/// 1600 x 1000 prints at 6.4 x 4 inches at 250 dpi (the resolution written
/// into every PNG) and fills a slide.
pub const WIDTH: u32 = 1600;
/// Chart height in pixels at the default size.
pub const HEIGHT: u32 = 1000;

/// The size charts are drawn at, for where they go (`[outputs].chart_size`,
/// `--chart-size`). Every size is drawn at 250 dpi with the same text sizes
/// in pixels, so text prints at the same point size (tick labels about
/// 8 pt) whatever the chart's size: a smaller chart has less room, never
/// smaller text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartSize {
    /// 1600 x 1000 pixels, 6.4 x 4 inches: a slide, or a page's width.
    #[default]
    Slide,
    /// 1575 x 1083 pixels, 16 x 11 cm: the text width of an A4 page with
    /// 2.5 cm margins.
    A4,
    /// 1161 x 787 pixels, 11.8 x 8 cm: the text width of an A5 page with
    /// 1.5 cm margins.
    A5,
}

impl ChartSize {
    /// Every size, in the order the docs list them.
    pub const ALL: [ChartSize; 3] = [ChartSize::Slide, ChartSize::A4, ChartSize::A5];

    /// Width and height in pixels.
    pub fn pixels(self) -> (u32, u32) {
        match self {
            ChartSize::Slide => (WIDTH, HEIGHT),
            // 16 cm and 11 cm at 250 dpi.
            ChartSize::A4 => (1575, 1083),
            // 11.8 cm and 8 cm at 250 dpi.
            ChartSize::A5 => (1161, 787),
        }
    }

    /// Its name in scenarios and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ChartSize::Slide => "slide",
            ChartSize::A4 => "a4",
            ChartSize::A5 => "a5",
        }
    }

    /// The size called `name` (`slide`, `a4`, `a5`).
    pub fn from_name(name: &str) -> Option<ChartSize> {
        ChartSize::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether it is the default size (which manifests leave out, so
    /// folders written before sizes existed keep their bytes).
    pub fn is_default(&self) -> bool {
        *self == ChartSize::default()
    }
}

impl std::fmt::Display for ChartSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
/// Pixels per metre written into PNGs: 250 dots per inch.
pub const PIXELS_PER_METRE: u32 = 9843;

/// DejaVu Sans 2.37 (Bitstream Vera licence with public-domain DejaVu
/// changes: assets/fonts/DejaVuSans-LICENSE.txt), compiled into the binary
/// so charts never depend on the fonts of the machine.
pub static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The font family name used for every text. PNG text is drawn with the
/// embedded font whatever this says; in SVG it becomes the `font-family`
/// attribute, so a viewer without DejaVu Sans falls back to a similar sans
/// serif (DejaVu is wider than these, so labels cannot start to overlap).
pub const FONT_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

/// x-height of DejaVu Sans in em (OS/2 sxHeight 1120 / 2048 units per em):
/// SVG viewers centre text vertically with it (`dy="0.5ex"`), and the PNG
/// text follows the same rule.
pub const X_HEIGHT_EM: f64 = 1120.0 / 2048.0;

/// The embedded font, parsed once.
pub fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        FontRef::try_from_slice(FONT_BYTES).expect("the embedded DejaVu Sans parses")
    })
}

/// Register the embedded font with plotters (its ab_glyph font backend
/// measures text for axis layout). Idempotent; every drawing entry point
/// calls it, so a library user never has to.
pub fn register_fonts() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        for name in [FONT_FAMILY, "sans-serif"] {
            // The bytes are a valid TTF (a unit test parses them), so this
            // cannot fail; a failure would only mean unmeasured text.
            let _ = plotters::style::register_font(name, FontStyle::Normal, FONT_BYTES);
        }
    });
}

/// Okabe-Ito blue.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe-Ito orange.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Okabe-Ito vermillion.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe-Ito bluish green.
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe-Ito reddish purple.
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Okabe-Ito sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);

/// One colour per scenario of a comparison, in the order the scenarios are
/// given (the base is blue, as a single run's fan is). Okabe-Ito, ordered
/// so neighbours differ in lightness as well as hue; yellow is left out
/// (it vanishes on white). More scenarios than colours reuse them.
pub const SCENARIO_COLOURS: [RGBColor; 6] = [
    BLUE,
    VERMILLION,
    BLUISH_GREEN,
    REDDISH_PURPLE,
    SKY_BLUE,
    ORANGE,
];

/// The colour of scenario `i` (0 = the base) in every comparison chart.
pub fn scenario_colour(i: usize) -> RGBColor {
    SCENARIO_COLOURS[i % SCENARIO_COLOURS.len()]
}

/// The sequential colour scale of heatmaps: viridis (van der Walt & Smith),
/// which is ordered in lightness, readable in greyscale and by colour-blind
/// readers. Nine anchors, linearly interpolated.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2D, 0x7B),
    (0x3B, 0x52, 0x8B),
    (0x2C, 0x72, 0x8E),
    (0x21, 0x90, 0x8C),
    (0x27, 0xAD, 0x81),
    (0x5D, 0xC8, 0x63),
    (0xAA, 0xDC, 0x32),
    (0xFD, 0xE7, 0x25),
];

/// The heatmap colour of `t` in [0, 1] (clamped; NaN is light grey).
pub fn sequential(t: f64) -> RGBColor {
    if t.is_nan() {
        return GRID;
    }
    let x = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on [`sequential`]`(t)` should be white (the dark end) rather
/// than [`TEXT`].
pub fn light_text_on(t: f64) -> bool {
    t < 0.55
}

/// Body text.
pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text: subtitles, notes.
pub const MUTED: RGBColor = RGBColor(0x5A, 0x5A, 0x5A);
/// Axis lines and tick marks.
pub const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
/// Background.
pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// The P5-P95 band (outside the P25-P75 band): blue, light.
pub const BAND_OUTER: RGBAColor = RGBAColor(0x00, 0x72, 0xB2, 0.18);
/// The P25-P75 band: blue, darker.
pub const BAND_INNER: RGBAColor = RGBAColor(0x00, 0x72, 0xB2, 0.42);
/// Histogram bars.
pub const BARS: RGBAColor = RGBAColor(0x00, 0x72, 0xB2, 0.55);

// Text sizes are in plotters units: the SVG font size, and the em of the
// PNG text, is the size / 1.24. At 250 dpi a tick label is about 8 pt.

/// Chart title.
pub const TITLE_SIZE: f64 = 50.0;
/// Subtitle (scenario title, replications).
pub const SUBTITLE_SIZE: f64 = 34.0;
/// Axis titles.
pub const LABEL_SIZE: f64 = 36.0;
/// Tick labels.
pub const TICK_SIZE: f64 = 33.0;
/// Legend entries and target labels.
pub const LEGEND_SIZE: f64 = 33.0;
/// Footnotes.
pub const NOTE_SIZE: f64 = 29.0;
/// Titles of the panels of small multiples.
pub const PANEL_TITLE_SIZE: f64 = 34.0;

/// Width of lines that carry data (the median, target lines).
pub const DATA_LINE: u32 = 5;

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::{Font, PxScale, ScaleFont};

    #[test]
    fn the_embedded_font_parses_and_has_the_stated_x_height() {
        let f = font();
        let units = f.units_per_em().unwrap() as f64;
        assert_eq!(units, 2048.0);
        // Bounds of the glyph 'x' at 1000 units per em.
        let scale = PxScale::from((1000.0 * f.height_unscaled() as f64 / units) as f32);
        let glyph = f.glyph_id('x').with_scale(scale);
        let outline = f.outline_glyph(glyph).unwrap();
        let height = -outline.px_bounds().min.y as f64;
        assert!((height / 1000.0 - X_HEIGHT_EM).abs() < 0.01, "{height}");
        assert!(f.as_scaled(scale).h_advance(f.glyph_id('0')) > 0.0);
    }
}
