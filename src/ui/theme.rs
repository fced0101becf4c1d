//! Fonts and visuals.

use egui::{FontData, FontDefinitions, FontFamily};

/// Noto Sans covers Latin (with Vietnamese, Azerbaijani, Turkish, Romanian...), Greek
/// and Cyrillic in full; the others add one script each. All are the unmodified regular
/// weights from the Noto project (OFL, see `assets/fonts`).
static FONTS: [(&str, &[u8]); 6] = [
    (
        "NotoSans",
        include_bytes!("../../assets/fonts/NotoSans-Regular.ttf"),
    ),
    (
        "NotoSansArmenian",
        include_bytes!("../../assets/fonts/NotoSansArmenian-Regular.ttf"),
    ),
    (
        "NotoSansGeorgian",
        include_bytes!("../../assets/fonts/NotoSansGeorgian-Regular.ttf"),
    ),
    (
        "NotoSansHebrew",
        include_bytes!("../../assets/fonts/NotoSansHebrew-Regular.ttf"),
    ),
    (
        "NotoSansArabic",
        include_bytes!("../../assets/fonts/NotoSansArabic-Regular.ttf"),
    ),
    (
        "NotoSansDevanagari",
        include_bytes!("../../assets/fonts/NotoSansDevanagari-Regular.ttf"),
    ),
];

/// The fonts the app draws with: Noto Sans first, so one face draws every letter of a
/// Latin, Greek or Cyrillic word (a word never mixes two designs), then the other
/// scripts' Noto fonts, then egui's own fonts (icons, emoji) as the last resort.
pub fn font_definitions() -> FontDefinitions {
    let mut defs = FontDefinitions::default();
    let ours: Vec<String> = FONTS.iter().map(|(n, _)| n.to_string()).collect();
    for (name, data) in FONTS {
        defs.font_data
            .insert(name.to_string(), FontData::from_static(data).into());
    }
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let list = defs.families.entry(family.clone()).or_default();
        // Monospace keeps its own first face (Hack) for aligned columns.
        let at = usize::from(family == FontFamily::Monospace).min(list.len());
        for (i, n) in ours.iter().enumerate() {
            list.insert(at + i, n.clone());
        }
    }
    defs
}

pub fn install_fonts(ctx: &egui::Context) {
    ctx.set_fonts(font_definitions());
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
