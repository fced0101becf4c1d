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

/// A small filled square in a label's colour, drawn rather than typed so it never
/// depends on a font having the glyph.
pub fn color_chip(ui: &mut egui::Ui, color: egui::Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
}
