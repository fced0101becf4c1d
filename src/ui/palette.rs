//! The command palette (Ctrl+P): every command of the one Command list with its shortcut,
//! fuzzy-filtered as you type (nucleo-matcher, the matcher of the Helix editor). Arrow
//! keys choose, Enter runs, Escape closes.

use egui::{Context, Key, Modal, Modifiers, RichText};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use super::app::SpanbenchApp;
use super::commands::Command;
use super::dialogs::{modal_closed, modal_id};

const MODAL: &str = "spanbench_palette";

#[derive(Default)]
pub struct Palette {
    pub query: String,
    /// Index into the filtered list.
    pub selected: usize,
}

/// Every command once (Ctrl+Y is another key for Redo, not another command).
fn commands() -> impl Iterator<Item = Command> {
    Command::ALL
        .into_iter()
        .filter(|c| *c != Command::RedoAlt && *c != Command::CommandPalette)
}

/// The commands matching `query`, best first; all of them, in menu order, for no query.
pub fn filter(query: &str) -> Vec<Command> {
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let items: Vec<(Command, &str)> = commands().map(|c| (c, c.text())).collect();
    let texts: Vec<&str> = items.iter().map(|(_, t)| *t).collect();
    // match_list sorts stably by score, so equal scores keep menu order.
    pattern
        .match_list(texts, &mut matcher)
        .into_iter()
        .filter_map(|(t, _)| items.iter().find(|(_, x)| *x == t).map(|(c, _)| *c))
        .collect()
}

pub fn palette_ui(ctx: &Context, app: &mut SpanbenchApp) {
    let Some(palette) = &mut app.palette else {
        modal_closed(ctx, MODAL);
        return;
    };
    let (up, down, enter) = ctx.input_mut(|i| {
        (
            i.consume_key(Modifiers::NONE, Key::ArrowUp),
            i.consume_key(Modifiers::NONE, Key::ArrowDown),
            i.consume_key(Modifiers::NONE, Key::Enter),
        )
    });
    let shown = filter(&palette.query);
    if down {
        palette.selected = (palette.selected + 1).min(shown.len().saturating_sub(1));
    }
    if up {
        palette.selected = palette.selected.saturating_sub(1);
    }
    palette.selected = palette.selected.min(shown.len().saturating_sub(1));
    let mut run = enter
        .then(|| shown.get(palette.selected).copied())
        .flatten();
    let modal = Modal::new(modal_id(ctx, MODAL)).show(ctx, |ui| {
        ui.set_width(460.0);
        let field = ui.add(
            egui::TextEdit::singleline(&mut palette.query)
                .hint_text("Type a command…")
                .desired_width(f32::INFINITY),
        );
        field.request_focus();
        if field.changed() {
            palette.selected = 0;
        }
        ui.separator();
        egui::ScrollArea::vertical()
            .max_height(360.0)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if shown.is_empty() {
                    ui.weak("No command matches.");
                }
                for (i, c) in shown.iter().enumerate() {
                    let mut b = egui::Button::selectable(i == palette.selected, c.text());
                    if let Some(sc) = c.shortcut() {
                        b = b.shortcut_text(RichText::new(ui.ctx().format_shortcut(&sc)).weak());
                    }
                    let r = ui.add_sized([ui.available_width(), 22.0], b);
                    if i == palette.selected {
                        r.scroll_to_me(None);
                    }
                    if r.clicked() {
                        run = Some(*c);
                    }
                }
            });
        ui.weak("Up/Down choose · Enter runs · Esc closes · F1 lists every shortcut");
    });
    if let Some(c) = run {
        app.palette = None;
        modal_closed(ctx, MODAL);
        app.run(c);
    } else if modal.should_close() {
        app.palette = None;
        modal_closed(ctx, MODAL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_filter_finds_commands_by_parts_of_their_words() {
        assert_eq!(filter("").len(), Command::ALL.len() - 2);
        assert_eq!(filter("theme").first(), Some(&Command::ToggleTheme));
        assert_eq!(filter("fnd all").first(), Some(&Command::FindInCorpus));
        assert_eq!(filter("mark done").first(), Some(&Command::MarkDoneAndNext));
        assert!(filter("zzzqqq").is_empty());
        assert!(!filter("redo").contains(&Command::RedoAlt));
    }
}
