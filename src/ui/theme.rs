//! Fonts and visuals.

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
use egui::{FontData, FontFamily};

static ARMENIAN: &[u8] = include_bytes!("../../assets/fonts/NotoSansArmenian-Regular.ttf");
static GEORGIAN: &[u8] = include_bytes!("../../assets/fonts/NotoSansGeorgian-Regular.ttf");

/// Adds fallbacks for the region's scripts that egui's default fonts lack. Latin,
/// Cyrillic and Greek come with egui's default font; emoji with its emoji font.
pub fn install_fonts(ctx: &egui::Context) {
    for (name, data) in [
        ("NotoSansArmenian", ARMENIAN),
        ("NotoSansGeorgian", GEORGIAN),
    ] {
        ctx.add_font(FontInsert::new(
            name,
            FontData::from_static(data),
            vec![
                InsertFontFamily {
                    family: FontFamily::Proportional,
                    priority: FontPriority::Lowest,
                },
                InsertFontFamily {
                    family: FontFamily::Monospace,
                    priority: FontPriority::Lowest,
                },
            ],
        ));
    }
}

pub fn apply_theme(ctx: &egui::Context, dark: bool) {
    ctx.set_visuals(if dark {
        egui::Visuals::dark()
    } else {
        egui::Visuals::light()
    });
}
