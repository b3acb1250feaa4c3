//! Number formatting for human explanations: figures to about three significant
//! digits with grouped thousands, p-values to two significant digits.

/// A figure as a reader wants it: whole numbers with thousands grouped by spaces from
/// 1000 up ("41 200"), three significant digits below ("12.3", "0.0456").
pub(crate) fn figure(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1000.0 {
        let rounded = format!("{:.0}", magnitude);
        let mut grouped = String::with_capacity(rounded.len() + rounded.len() / 3 + 1);
        if value < 0.0 {
            grouped.push('-');
        }
        for (index, digit) in rounded.chars().enumerate() {
            if index > 0 && (rounded.len() - index) % 3 == 0 {
                grouped.push(' ');
            }
            grouped.push(digit);
        }
        grouped
    } else {
        significant(value, 3)
    }
}

/// A p-value: two significant digits ("0.0081", "0.31"), scientific below 0.001
/// ("2.1e-5"), exactly "1" for 1.
pub(crate) fn p_value(p: f64) -> String {
    if p >= 0.001 || p == 0.0 {
        significant(p, 2)
    } else {
        format!("{p:.1e}")
    }
}

/// A fraction as a percentage with one decimal ("0.8%").
pub(crate) fn percent(fraction: f64) -> String {
    trim_zeros(format!("{:.1}", fraction * 100.0)) + "%"
}

/// `value` rounded to `digits` significant digits, trailing zeros removed.
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let exponent = value.abs().log10().floor() as i32;
    // Clamped so that tiny values (which never occur as figures in practice) still
    // print in bounded space.
    let decimals = (digits - 1 - exponent).clamp(0, 12) as usize;
    trim_zeros(format!("{value:.decimals$}"))
}

fn trim_zeros(text: String) -> String {
    if text.contains('.') {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        trimmed.to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures() {
        assert_eq!(figure(41_200.4), "41 200");
        assert_eq!(figure(1_234_567.0), "1 234 567");
        assert_eq!(figure(-9_800.0), "-9 800");
        assert_eq!(figure(999.6), "1000");
        assert_eq!(figure(123.4), "123");
        assert_eq!(figure(12.34), "12.3");
        assert_eq!(figure(1.5), "1.5");
        assert_eq!(figure(0.045_61), "0.0456");
        assert_eq!(figure(0.0), "0");
    }

    #[test]
    fn p_values() {
        assert_eq!(p_value(0.008_13), "0.0081");
        assert_eq!(p_value(0.31), "0.31");
        assert_eq!(p_value(1.0), "1");
        assert_eq!(p_value(0.000_021), "2.1e-5");
        assert_eq!(p_value(0.0), "0");
    }

    #[test]
    fn percents() {
        assert_eq!(percent(0.008), "0.8%");
        assert_eq!(percent(0.02), "2%");
        assert_eq!(percent(0.125), "12.5%");
    }
}
