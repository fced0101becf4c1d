//! The bundled fonts draw every letter of the scripts the README promises: text is laid
//! out with the app's own font setup and egui's "panic on a missing glyph" policy, so a
//! letter that would show as a box ("tofu") fails the test and names the character.

use egui::{FontFamily, FontId, MissingGlyphPolicy};
use egui_kittest::Harness;

/// A pangram (or a sentence using most letters) per script, and the names of the
/// region's places as they are written.
const PANGRAMS: &[(&str, &str)] = &[
    ("English", "The quick brown fox jumps over the lazy dog"),
    (
        "Azerbaijani",
        "Zəfər, jaketini də papağını da götür, bu axşam hava çox soyuq olacaq. Azərbaycan, Xankəndi, Ağdərə, Şuşa, Gəncə",
    ),
    (
        "Turkish",
        "Pijamalı hasta yağız şoföre çabucak güvendi. İĞÜŞÖÇ ığüşöç",
    ),
    (
        "Romanian",
        "Înjurând pițigăiat, zoofobul comandă vexat whisky și tequila. Ș ș Ț ț Ă â Î",
    ),
    (
        "Vietnamese",
        "Tiếng Việt có dấu: Bỗng dưng trời đổ mưa rào, những ngọn đèn vàng phố cổ lung linh. Ỹ ỹ Ở ở Ự ự",
    ),
    ("Polish", "Pchnąć w tę łódź jeża lub ośm skrzyń fig"),
    (
        "German",
        "Falsches Üben von Xylophonmusik quält jeden größeren Zwerg. ẞ",
    ),
    (
        "Russian",
        "Съешь же ещё этих мягких французских булок, да выпей чаю",
    ),
    (
        "Ukrainian",
        "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!",
    ),
    (
        "Serbian",
        "Љубазни фењерџија чађавог лица хоће да ми покаже штос",
    ),
    (
        "Kazakh",
        "Қазақстан, Өскемен, Ұлытау, Үржар, Іле, Әлия, Һ ң ғ",
    ),
    (
        "Greek",
        "Γαζέες καὶ μυρτιὲς δὲν θὰ βρῶ πιὰ στὸ χρυσαφὶ ξέφωτο. ᾯ ῼ ἀΐδιος",
    ),
    (
        "Armenian",
        "Բել դղյակի ձախ ժամն օֆ ազգությանը ցպահանջ չճշտած վնաս էր եւ փառք։ Երևան, Ստեփանակերտ",
    ),
    (
        "Georgian",
        "სწრაფი ყავისფერი მელა ახტება ზარმაც ძაღლს. თბილისი ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ",
    ),
    (
        "Arabic",
        "نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر ومغلف بجلد أزرق",
    ),
    ("Hebrew", "דג סקרן שט בים מאוכזב ולפתע מצא חברה"),
    (
        "Devanagari",
        "ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले विष्णुवतार भगवान श्रीराम",
    ),
];

/// Every assigned letter (and combining mark) of a range.
fn letters(from: u32, to: u32) -> String {
    (from..=to)
        .filter_map(char::from_u32)
        .filter(|c| c.is_alphabetic())
        .collect()
}

/// The blocks the README promises in full: every letter in each.
fn alphabets() -> Vec<(&'static str, String)> {
    vec![
        ("Basic Latin and Latin-1", letters(0x41, 0xFF)),
        ("Latin Extended-A", letters(0x100, 0x17F)),
        ("Latin Extended-B", letters(0x180, 0x24F)),
        ("IPA Extensions (ə)", letters(0x250, 0x2AF)),
        ("Latin Extended Additional", letters(0x1E00, 0x1EFF)),
        ("Latin Extended-C", letters(0x2C60, 0x2C7F)),
        // Up to Unicode 12; the medieval letters added since are not covered.
        ("Latin Extended-D", letters(0xA720, 0xA7BF)),
        // The Coptic letters of this block (U+03E2..U+03EF) are not Greek.
        ("Greek", letters(0x370, 0x3E1) + &letters(0x3F0, 0x3FF)),
        ("Greek Extended", letters(0x1F00, 0x1FFF)),
        ("Cyrillic", letters(0x400, 0x4FF)),
        ("Cyrillic Supplement", letters(0x500, 0x52F)),
        (
            "Cyrillic Extended-A, -B, -C",
            letters(0x2DE0, 0x2DFF) + &letters(0xA640, 0xA69F) + &letters(0x1C80, 0x1C88),
        ),
        ("Armenian", letters(0x531, 0x58F)),
        ("Georgian", letters(0x10A0, 0x10FF)),
        ("Georgian Mtavruli", letters(0x1C90, 0x1CBF)),
        ("Georgian Supplement", letters(0x2D00, 0x2D2F)),
        ("Arabic letters", letters(0x621, 0x64A)),
        ("Hebrew letters", letters(0x5D0, 0x5EA)),
        ("Devanagari letters", letters(0x904, 0x939)),
    ]
}

#[test]
fn every_promised_letter_has_a_glyph() {
    let samples: Vec<(String, String)> = PANGRAMS
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .chain(alphabets().into_iter().map(|(n, t)| (n.to_string(), t)))
        .collect();
    assert!(samples.iter().all(|(_, t)| !t.is_empty()));
    let mut h = Harness::builder()
        .with_size(egui::vec2(800.0, 600.0))
        .build_ui(move |ui| {
            // The app's own fonts; a missing glyph panics, naming the character.
            ui.ctx().set_missing_glyph_policy(MissingGlyphPolicy::Panic);
            spanbench::ui::theme::install_fonts(ui.ctx());
            for (_, text) in &samples {
                for family in [FontFamily::Proportional, FontFamily::Monospace] {
                    let galley = ui.fonts_mut(|f| {
                        f.layout_no_wrap(
                            text.clone(),
                            FontId::new(14.0, family.clone()),
                            egui::Color32::WHITE,
                        )
                    });
                    ui.painter()
                        .galley(ui.min_rect().min, galley, egui::Color32::WHITE);
                }
                ui.label(text);
            }
        });
    // Fonts installed in one frame are used from the next.
    h.run_steps(3);
}

#[test]
fn a_missing_glyph_does_fail_this_check() {
    // The check above is only worth something if a letter no font has fails it.
    let result = std::panic::catch_unwind(|| {
        let mut h = Harness::builder().build_ui(|ui| {
            ui.ctx().set_missing_glyph_policy(MissingGlyphPolicy::Panic);
            spanbench::ui::theme::install_fonts(ui.ctx());
            // A Linear B syllable: no bundled font has it.
            ui.label("\u{10000}");
        });
        h.run_steps(3);
    });
    assert!(result.is_err(), "a glyph no font has went unnoticed");
}
