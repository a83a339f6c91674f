//! What the screens draw with: the theme, the text field, the QR code, and text fitted to its
//! cells.

pub mod input;
pub mod qr;
pub mod theme;
pub mod wrap;
