//! Numbers as a reader sees them, shared by the report and the charts:
//! thousands separators, a few significant digits, shares as percentages.
//!
//! Tables (CSV) keep every digit; these functions are for people. Three
//! significant digits is the default because quantiles of long runs come
//! from a sketch with 0.2% relative accuracy: more digits would be noise.

use crate::engine::Unit;

/// Insert `,` every three digits of the integer part of a plain decimal
/// number (`-1234567.89` becomes `-1,234,567.89`).
pub fn group_thousands(plain: &str) -> String {
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", plain),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(plain.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

/// Magnitudes from which numbers are written in exponent notation
/// (`1.23e15`): a quadrillion has 22 characters with separators.
const EXPONENT_FROM: f64 = 1e15;
/// Magnitudes below which numbers are written in exponent notation
/// (`1.23e-7`), rather than after a run of zeros.
const EXPONENT_BELOW: f64 = 1e-6;

/// Whether `v` reads better in exponent notation.
fn needs_exponent(v: f64) -> bool {
    let a = v.abs();
    a >= EXPONENT_FROM || (a > 0.0 && a < EXPONENT_BELOW)
}

/// `mantissa` of an exponent-notation number without trailing zeros
/// (`2.50e20` becomes `2.5e20`, `5.0e20` becomes `5e20`).
fn trim_mantissa(text: &str) -> String {
    match text.split_once('e') {
        Some((m, e)) if m.contains('.') => {
            format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
        }
        _ => text.to_string(),
    }
}

/// `v` rounded to `digits` significant digits, with thousands separators:
/// `significant(176142.0, 3)` is `176,000`, `significant(0.09713, 3)` is
/// `0.0971`; huge and tiny magnitudes in exponent notation
/// (`significant(5.15e123, 3)` is `5.15e123`). Non-finite values read `n/a`.
pub fn significant(v: f64, digits: u32) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    if needs_exponent(v) {
        return format!("{v:.prec$e}", prec = digits.max(1) as usize - 1);
    }
    let digits = digits.max(1) as i32;
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = digits - 1 - magnitude;
    let text = if decimals > 0 {
        format!("{v:.prec$}", prec = decimals as usize)
    } else {
        let unit = 10f64.powi(-decimals);
        format!("{:.0}", (v / unit).round() * unit)
    };
    // Rounding can carry into a new digit (999.7 -> "1000"), and a value
    // that rounds to zero must not print as "-0".
    let text = if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_string()
    } else {
        text
    };
    group_thousands(&text)
}

/// A probability as a percentage with one decimal: `0.0671` is `6.7%`.
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".into();
    }
    format!("{:.1}%", p * 100.0)
}

/// A value in its unit for a table cell: three significant digits, shares
/// as percentages (`0.9971` is `99.7%`).
pub fn value(v: f64, unit: Option<&Unit>) -> String {
    match unit {
        Some(&Unit::Share) if v.is_finite() => format!("{}%", significant(v * 100.0, 3)),
        _ => significant(v, 3),
    }
}

/// A value the user wrote (a target): every digit it has, up to six
/// decimals, thousands separators, shares as percentages (`0.95` is `95%`);
/// huge and tiny magnitudes in exponent notation, every digit kept.
pub fn exact(v: f64, unit: Option<&Unit>) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let (v, suffix) = match unit {
        Some(&Unit::Share) => (v * 100.0, "%"),
        _ => (v, ""),
    };
    if needs_exponent(v) {
        return format!("{v:e}{suffix}");
    }
    let text = format!("{v:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let text = if text == "-0" { "0" } else { text };
    format!("{}{suffix}", group_thousands(text))
}

/// An axis tick: as many decimals as the tick step needs, thousands
/// separators, shares as percentages.
pub fn tick(v: f64, step: f64, unit: Option<&Unit>) -> String {
    let (v, step, suffix) = match unit {
        Some(&Unit::Share) => (v * 100.0, step * 100.0, "%"),
        _ => (v, step, ""),
    };
    if step.is_finite() && step > 0.0 && needs_exponent(step) {
        return format!("{}{suffix}", exponent_tick(v, step));
    }
    let decimals = decimals_for_step(step);
    let text = format!("{v:.decimals$}");
    let text = if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_string()
    } else {
        text
    };
    format!("{}{suffix}", group_thousands(&text))
}

/// A tick in exponent notation with as many digits as the step needs to
/// tell ticks apart (`7.5e20` for a step of `2.5e20`; `0` for zero).
fn exponent_tick(v: f64, step: f64) -> String {
    if v == 0.0 || v.abs() < step * 1e-9 {
        return "0".into();
    }
    let step_exponent = step.log10().floor();
    let step_decimals = decimals_for_step(step / 10f64.powf(step_exponent)) as f64;
    let digits = (v.abs().log10().floor() - step_exponent + step_decimals).max(0.0);
    trim_mantissa(&format!("{v:.prec$e}", prec = digits as usize))
}

/// Decimals needed to tell ticks `step` apart (0 for 1, 2, 5, 10...; 1 for
/// 0.5; 2 for 0.25).
fn decimals_for_step(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 0;
    }
    for d in 0..10 {
        let scaled = step * 10f64.powi(d);
        if (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0) {
            return d as usize;
        }
    }
    10
}

/// The column name of quantile level `q`: `p05` for 0.05, `p50` for 0.5,
/// `p2.5` for 0.025, `p99.9` for 0.999.
pub fn quantile_label(q: f64) -> String {
    let percent = q * 100.0;
    let rounded = percent.round();
    if (percent - rounded).abs() < 1e-9 {
        format!("p{:02}", rounded as u32)
    } else {
        let text = format!("{percent:.3}");
        format!("p{}", text.trim_end_matches('0'))
    }
}

/// `v` with four significant digits in fixed notation, without
/// separators (`746.7`, `176966`, `-0.003757`); zero and non-finite values
/// as Rust writes them. For the terminal summaries and `compare.md`:
/// quantiles of long runs come from a sketch with 0.2% relative accuracy,
/// so more digits would be noise.
pub fn four_digits(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_digits_in_fixed_notation() {
        assert_eq!(four_digits(746.7234), "746.7");
        assert_eq!(four_digits(176966.4), "176966");
        assert_eq!(four_digits(-0.0037571), "-0.003757");
        assert_eq!(four_digits(1.0), "1.000");
        assert_eq!(four_digits(0.0), "0");
        assert_eq!(four_digits(f64::NAN), "NaN");
        assert_eq!(four_digits(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands("0"), "0");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("1000"), "1,000");
        assert_eq!(group_thousands("-1234567.891"), "-1,234,567.891");
        assert_eq!(group_thousands("123456"), "123,456");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(significant(176142.0, 3), "176,000");
        assert_eq!(significant(516.9000000000001, 3), "517");
        assert_eq!(significant(0.9971, 3), "0.997");
        assert_eq!(significant(0.0671, 3), "0.0671");
        assert_eq!(significant(-178.3, 3), "-178");
        assert_eq!(significant(999.7, 3), "1,000");
        assert_eq!(significant(10416.0, 3), "10,400");
        assert_eq!(significant(1.0, 3), "1.00");
        assert_eq!(significant(0.0, 3), "0");
        assert_eq!(significant(f64::NAN, 3), "n/a");
        assert_eq!(significant(-0.0004, 1), "-0.0004");
    }

    #[test]
    fn values_and_ticks() {
        assert_eq!(value(0.9971, Some(&Unit::Share)), "99.7%");
        assert_eq!(value(1.0, Some(&Unit::Share)), "100%");
        assert_eq!(value(213248.0, Some(&Unit::persons())), "213,000");
        assert_eq!(percent(0.0671), "6.7%");
        assert_eq!(tick(150000.0, 50000.0, None), "150,000");
        assert_eq!(tick(0.25, 0.25, None), "0.25");
        assert_eq!(tick(0.95, 0.05, Some(&Unit::Share)), "95%");
        assert_eq!(tick(0.975, 0.025, Some(&Unit::Share)), "97.5%");
        assert_eq!(tick(-0.0, 0.5, None), "0.0");
        assert_eq!(exact(1234.0, None), "1,234");
        assert_eq!(exact(0.95, Some(&Unit::Share)), "95%");
        assert_eq!(exact(2.5e-3, None), "0.0025");
    }

    #[test]
    fn huge_and_tiny_numbers_use_exponents() {
        assert_eq!(significant(5.1534e123, 3), "5.15e123");
        assert_eq!(significant(-2.0e15, 3), "-2.00e15");
        assert_eq!(significant(999e12, 3), "999,000,000,000,000");
        assert_eq!(significant(1.234e-7, 3), "1.23e-7");
        assert_eq!(value(1e300, Some(&Unit::usd_million())), "1.00e300");
        assert_eq!(exact(1.25e100, None), "1.25e100");
        assert_eq!(exact(3e-9, None), "3e-9");
        assert_eq!(tick(7.5e20, 2.5e20, None), "7.5e20");
        assert_eq!(tick(1e21, 2.5e20, None), "1e21");
        assert_eq!(tick(0.0, 5e99, None), "0");
        assert_eq!(tick(-1.5e100, 5e99, None), "-1.5e100");
        assert_eq!(tick(3e-7, 1e-7, None), "3e-7");
        // Every tick of an axis distinct.
        let labels: Vec<String> = (0..5)
            .map(|i| tick(1e30 + i as f64 * 2e15, 2e15, None))
            .collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(labels, unique, "{labels:?}");
    }

    #[test]
    fn quantile_labels() {
        assert_eq!(quantile_label(0.05), "p05");
        assert_eq!(quantile_label(0.5), "p50");
        assert_eq!(quantile_label(0.95), "p95");
        assert_eq!(quantile_label(0.025), "p2.5");
        assert_eq!(quantile_label(0.999), "p99.9");
        assert_eq!(quantile_label(0.01), "p01");
    }
}
