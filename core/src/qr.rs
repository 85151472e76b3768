//! QR codes for authenticator enrolment, as a plain module matrix: the desktop draws it
//! on a canvas, the terminal prints it with block characters.

use crate::error::{CoreError, Result};
use qrcodegen::{QrCode, QrCodeEcc};
use serde::Serialize;

/// A square QR code: `size` × `size` modules, row by row, `'1'` dark and `'0'` light.
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QrMatrix {
    pub size: u32,
    pub modules: String,
}

impl std::fmt::Debug for QrMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "QrMatrix({0}x{0}, <redacted>)", self.size)
    }
}

impl QrMatrix {
    pub fn encode(text: &str) -> Result<Self> {
        let code = QrCode::encode_text(text, QrCodeEcc::Medium)
            .map_err(|_| CoreError::invalid("qr", "the text is too long for a QR code"))?;
        let size = code.size();
        let mut modules = String::with_capacity((size * size) as usize);
        for y in 0..size {
            for x in 0..size {
                modules.push(if code.get_module(x, y) { '1' } else { '0' });
            }
        }
        Ok(Self {
            size: size as u32,
            modules,
        })
    }

    pub fn dark(&self, x: u32, y: u32) -> bool {
        x < self.size
            && y < self.size
            && self.modules.as_bytes()[(y * self.size + x) as usize] == b'1'
    }

    /// Two module rows per text line with half blocks, dark on light, 2-module quiet zone.
    pub fn to_terminal(&self) -> String {
        let quiet = 2i64;
        let size = i64::from(self.size);
        let is_dark = |x: i64, y: i64| {
            x >= 0 && y >= 0 && x < size && y < size && self.dark(x as u32, y as u32)
        };
        let mut out = String::new();
        let mut y = -quiet;
        while y < size + quiet {
            for x in -quiet..size + quiet {
                out.push(match (is_dark(x, y), is_dark(x, y + 1)) {
                    (false, false) => '█',
                    (true, false) => '▄',
                    (false, true) => '▀',
                    (true, true) => ' ',
                });
            }
            out.push('\n');
            y += 2;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_square_matrix_with_finder_patterns() -> Result<()> {
        let qr = QrMatrix::encode("otpauth://totp/Appcare%20Inbox:maria?secret=ABC")?;
        assert_eq!(qr.modules.len(), (qr.size * qr.size) as usize);
        // The top-left finder pattern: a dark 7x7 ring.
        assert!(qr.dark(0, 0) && qr.dark(6, 0) && qr.dark(0, 6) && !qr.dark(1, 1));
        assert!(qr.to_terminal().lines().count() > 10);
        Ok(())
    }
}
