//! Helpers the window tests share.

use egui_kittest::Harness;
use spanbench::ui::app::SpanbenchApp;

/// A click as a hand makes it: move there, press, release, each in its own frame.
pub fn click_at(h: &mut Harness<SpanbenchApp>, at: egui::Pos2) {
    h.hover_at(at);
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_steps(1);
    }
}
