//! QR codes for terminals: two modules per character cell with half blocks, light modules drawn
//! in the foreground colour, inside the standard 4-module quiet zone.

use qrcode::{Color, EcLevel, QrCode};

/// The quiet zone the QR standard asks for, in modules.
pub const QUIET_ZONE: usize = 4;

/// The text lines of a QR code for `data`, at the lowest error-correction level (the smallest
/// code; a screen does not get dirty). `None` when `data` is too long for any QR code.
pub fn half_blocks(data: &str) -> Option<Vec<String>> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    // Light (true) where the quiet zone is or a module is light.
    let light = |x: usize, y: usize| -> bool {
        if x < QUIET_ZONE || y < QUIET_ZONE || x >= width + QUIET_ZONE || y >= width + QUIET_ZONE {
            return true;
        }
        colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == Color::Light
    };
    let lines = (0..size)
        .step_by(2)
        .map(|y| {
            (0..size)
                .map(|x| match (light(x, y), y + 1 >= size || light(x, y + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                })
                .collect()
        })
        .collect();
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_text_gives_a_version_1_code_in_a_quiet_zone() {
        let lines = half_blocks("tokendeck").unwrap();
        // Version 1 is 21 modules; with the quiet zone 29 wide and 15 lines tall.
        assert_eq!(lines.len(), 15);
        assert!(lines.iter().all(|l| l.chars().count() == 29));
        assert!(
            lines[0].chars().all(|c| c == '█'),
            "the quiet zone is light"
        );
        // Line 3 holds module rows 0 and 1 of the top-left finder pattern: a dark row of 7
        // over dark, 5 light, dark.
        let third: Vec<char> = lines[2].chars().collect();
        assert_eq!(&third[..4], ['█'; 4]);
        assert_eq!(&third[4..11], [' ', '▄', '▄', '▄', '▄', '▄', ' ']);
    }

    #[test]
    fn too_much_data_has_no_code() {
        assert!(half_blocks(&"x".repeat(8000)).is_none());
    }
}
