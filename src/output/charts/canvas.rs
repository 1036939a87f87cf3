//! The two drawing surfaces, PNG and SVG, behind one plotters backend
//! wrapper, [`Canvas`], so every chart is drawn by one generic function and
//! both files show the same layout.
//!
//! Why a wrapper: plotters' own ab_glyph text rendering places text about
//! 0.3 em above where its layout box (and the SVG backend) put it, and
//! renders it at a different size than the SVG's `font-size`. [`Canvas`]
//! measures text one way for both surfaces ([`text_width`]) and draws PNG
//! text with the embedded font at exactly the SVG's size and anchor rules,
//! so a tick label sits beside its tick in both files.

use ab_glyph::{Font, Glyph, PxScale, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, text_anchor,
};

use super::style::{self, X_HEIGHT_EM};

/// plotters text sizes are 1.24 x the SVG font size (plotters-svg writes
/// `font-size = size / 1.24`): the em of a text of plotters size `size`.
pub fn em(size: f64) -> f64 {
    size / 1.24
}

fn px_scale(em: f64) -> PxScale {
    let f = style::font();
    let units = f.units_per_em().unwrap_or(2048.0) as f64;
    PxScale::from((em * f.height_unscaled() as f64 / units) as f32)
}

/// Width in pixels of `text` at plotters size `size`, with kerning: the
/// advance of the PNG rendering, and the width SVG viewers give DejaVu Sans.
pub fn text_width(text: &str, size: f64) -> f64 {
    let f = style::font();
    let scaled = f.as_scaled(px_scale(em(size)));
    let mut x = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        x += scaled.h_advance(id);
        prev = Some(id);
    }
    x as f64
}

/// Height in pixels of a line of text at plotters size `size`.
pub fn text_height(size: f64) -> f64 {
    em(size)
}

/// A surface that can draw text: the bitmap rasterises glyphs itself, the
/// SVG writes `<text>`.
pub trait TextOut: DrawingBackend {
    /// Draw `text` with `style` anchored at `pos`.
    fn put_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>>;
}

impl TextOut for SVGBackend<'_> {
    fn put_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.draw_text(text, style, pos)
    }
}

impl TextOut for BitMapBackend<'_> {
    fn put_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        raster_text(self, text, style, pos)
    }
}

/// Rasterise `text` with the embedded font, anchored like plotters-svg's
/// `<text>`: horizontally start / middle / end of the advance width;
/// vertically the baseline at +0.76 em (top), +0.5 ex (centre) or -0.5 ex
/// (bottom) from the anchor; rotations about the anchor. Glyph coverage
/// becomes alpha, so the text is anti-aliased.
fn raster_text<B: DrawingBackend, S: BackendTextStyle>(
    backend: &mut B,
    text: &str,
    style: &S,
    pos: BackendCoord,
) -> Result<(), DrawingErrorKind<B::ErrorType>> {
    let color = style.color();
    if color.alpha == 0.0 {
        return Ok(());
    }
    let em = em(style.size());
    let f = style::font();
    let scale = px_scale(em);
    let scaled = f.as_scaled(scale);
    let mut glyphs = Vec::with_capacity(text.len());
    let mut x = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        glyphs.push((id, x));
        x += scaled.h_advance(id);
        prev = Some(id);
    }
    let width = x as f64;
    let anchor = style.anchor();
    let dx = match anchor.h_pos {
        text_anchor::HPos::Left => 0.0,
        text_anchor::HPos::Center => -width / 2.0,
        text_anchor::HPos::Right => -width,
    };
    let ex = X_HEIGHT_EM * em;
    let baseline = match anchor.v_pos {
        text_anchor::VPos::Top => 0.76 * em,
        text_anchor::VPos::Center => 0.5 * ex,
        text_anchor::VPos::Bottom => -0.5 * ex,
    };
    let transform = style.transform();
    let mut result = Ok(());
    for (id, gx) in glyphs {
        let glyph: Glyph =
            id.with_scale_and_position(scale, point((dx + gx as f64) as f32, baseline as f32));
        let Some(outline) = f.outline_glyph(glyph) else {
            continue; // a space
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            if result.is_err() {
                return;
            }
            let lx = bounds.min.x as i32 + gx as i32;
            let ly = bounds.min.y as i32 + gy as i32;
            let (tx, ty) = transform.transform(lx, ly);
            let alpha = color.alpha * f64::from(coverage.clamp(0.0, 1.0));
            if alpha > 0.0 {
                result = backend.draw_pixel(
                    (pos.0 + tx, pos.1 + ty),
                    BackendColor {
                        alpha,
                        rgb: color.rgb,
                    },
                );
            }
        });
    }
    result
}

/// A plotters backend that delegates drawing to `B` and measures and draws
/// text as described in the module docs.
pub struct Canvas<B>(pub B);

impl<B: TextOut> DrawingBackend for Canvas<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.put_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let size = style.size();
        Ok((
            text_width(text, size).ceil() as u32,
            text_height(size).ceil() as u32,
        ))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (w, h): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, (w, h), src)
    }
}

/// A drawing area of a [`Canvas`].
pub type Area<B> = DrawingArea<Canvas<B>, plotters::coord::Shift>;

/// What drawing functions return: plotters' error, as text.
pub type Drawn = Result<(), String>;

/// Turn any plotters error into text.
pub fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Draw with `draw` on a white `width x height` bitmap; return its RGB
/// pixels.
pub fn draw_rgb(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area<BitMapBackend<'_>>) -> Drawn,
) -> Result<Vec<u8>, String> {
    let mut rgb = vec![0xFFu8; (width * height * 3) as usize];
    {
        let backend = Canvas(BitMapBackend::with_buffer(&mut rgb, (width, height)));
        let root = backend.into_drawing_area();
        root.fill(&style::WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(rgb)
}

/// Draw with `draw` on a white `width x height` SVG; return its text.
pub fn draw_svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area<SVGBackend<'_>>) -> Drawn,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let backend = Canvas(SVGBackend::with_string(&mut svg, (width, height)));
        let root = backend.into_drawing_area();
        root.fill(&style::WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Encode RGB pixels as PNG: 8-bit RGB, the print resolution in a pHYs
/// chunk, no timestamp or other varying metadata, so the bytes depend only
/// on the pixels (and the png crate's version).
///
/// The png crate's fast setting (its fdeflate encoder, adaptive filters):
/// lossless like every level, and the default level spent about a second
/// of CPU on a run's charts for smaller files.
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: style::PIXELS_PER_METRE,
            yppu: style::PIXELS_PER_METRE,
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A picture with what charts hold: a filled band, lines, anti-aliased
    /// text at an angle, and white space.
    fn picture(width: u32, height: u32) -> Vec<u8> {
        draw_rgb(width, height, |root| {
            let band = RGBColor(0x9e, 0xc5, 0xe4).mix(0.6);
            root.draw(&Rectangle::new([(40, 60), (560, 300)], band.filled()))
                .map_err(err)?;
            root.draw(&PathElement::new(
                (0..50)
                    .map(|i: i32| (40 + 10 * i, 300 - i * i / 12))
                    .collect::<Vec<_>>(),
                Color::stroke_width(&RGBColor(0x1f, 0x4e, 0x79), 3),
            ))
            .map_err(err)?;
            let label = ("sans-serif", 28.0).into_font().color(&BLACK);
            root.draw_text("Exports, USD million (2025-2040)", &label, (60, 20))
                .map_err(err)?;
            let turned = ("sans-serif", 22.0)
                .into_font()
                .transform(FontTransform::Rotate270)
                .color(&BLACK);
            root.draw_text("p05 to p95", &turned, (20, 280))
                .map_err(err)
        })
        .unwrap()
    }

    #[test]
    fn the_png_decodes_to_exactly_the_drawn_pixels() {
        style::register_fonts();
        let (width, height) = (640, 360);
        let rgb = picture(width, height);
        assert!(rgb.iter().any(|&b| b != 0xFF), "the picture is not blank");
        let png_bytes = encode_png(&rgb, width, height).unwrap();

        let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (width, height));
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        let dims = info.pixel_dims.unwrap();
        assert_eq!(dims.xppu, style::PIXELS_PER_METRE);
        assert_eq!(dims.unit, png::Unit::Meter);
        let mut decoded = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut decoded).unwrap();
        assert_eq!(frame.buffer_size(), rgb.len());
        assert!(decoded[..frame.buffer_size()] == rgb[..], "pixels differ");
    }

    #[test]
    fn the_same_pixels_give_the_same_bytes() {
        style::register_fonts();
        let rgb = picture(320, 200);
        assert_eq!(
            encode_png(&rgb, 320, 200).unwrap(),
            encode_png(&rgb, 320, 200).unwrap()
        );
    }
}
