//! The list of documents: progress of the active layer, filters by status and by text
//! (title or id), arrow keys once the list has been clicked, title, status and span count.
//!
//! Only the visible rows are built. The filtered list and the counts are computed when
//! the filter, the documents or the annotations change, never per frame, so a frame
//! costs the same for any corpus size.

use egui::{Key, Modifiers, RichText, Ui};

use super::app::SpanbenchApp;
use super::workflow::is_done;
use crate::model::{Corpus, DocStatus};
use crate::session::Session;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    All,
    NotDone,
    Only(DocStatus),
}

impl StatusFilter {
    const ALL: [StatusFilter; 6] = [
        StatusFilter::All,
        StatusFilter::NotDone,
        StatusFilter::Only(DocStatus::New),
        StatusFilter::Only(DocStatus::InProgress),
        StatusFilter::Only(DocStatus::Done),
        StatusFilter::Only(DocStatus::Reviewed),
    ];

    fn text(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::NotDone => "not done",
            StatusFilter::Only(s) => s.as_str(),
        }
    }

    fn keeps(self, s: DocStatus) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::NotDone => !is_done(s),
            StatusFilter::Only(x) => x == s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct FilterKey {
    text: String,
    status: StatusFilter,
    revision: u64,
    docs: usize,
    annotator: String,
}

/// The list's filter and what it selects.
#[derive(Default)]
pub struct DocFilter {
    pub text: String,
    pub status: StatusFilter,
    /// Indices of the documents shown; `None` when nothing is filtered out.
    shown: Option<Vec<usize>>,
    /// Documents done (or reviewed) for the active layer, of all documents.
    pub done: usize,
    pub total: usize,
    key: Option<FilterKey>,
    /// The list was clicked last (and nothing else since): arrow keys move in it.
    pub focused: bool,
    scroll_to_row: Option<usize>,
    /// The open document's index last frame: when it changes from elsewhere (a key, a
    /// restart, done-and-next), the list scrolls to it.
    last_current: Option<usize>,
}

impl DocFilter {
    /// Brings the filter up to date with the corpus; does work only when something changed.
    fn update(&mut self, session: &Session) {
        let n = session.doc_count();
        let key = FilterKey {
            text: self.text.trim().to_lowercase(),
            status: self.status,
            revision: session.revision,
            docs: n,
            annotator: session.annotator.clone(),
        };
        if self.key.as_ref() == Some(&key) {
            return;
        }
        // A partly loaded project answers from memory and the catalog, one lookup each.
        let statuses: Vec<DocStatus> = if session.is_partial() {
            (0..n).map(|i| session.status_at(i)).collect()
        } else {
            statuses(&session.corpus, &session.annotator)
        };
        self.total = n;
        self.done = statuses.iter().filter(|s| is_done(**s)).count();
        self.shown = if key.text.is_empty() && key.status == StatusFilter::All {
            None
        } else {
            Some(
                (0..n)
                    .filter(|&i| {
                        let id = session.doc_id_at(i).unwrap_or_default();
                        let title = session.doc_title_at(i).unwrap_or_default();
                        key.status.keeps(statuses[i])
                            && (key.text.is_empty()
                                || title.to_lowercase().contains(&key.text)
                                || id.to_lowercase().contains(&key.text))
                    })
                    .collect(),
            )
        };
        self.key = Some(key);
    }

    fn len(&self) -> usize {
        self.shown.as_ref().map_or(self.total, Vec::len)
    }

    /// The document index of row `r`.
    fn doc_at(&self, r: usize) -> Option<usize> {
        match &self.shown {
            Some(v) => v.get(r).copied(),
            None => (r < self.total).then_some(r),
        }
    }

    /// The row of document index `d`, if shown.
    fn row_of(&self, d: usize) -> Option<usize> {
        match &self.shown {
            Some(v) => v.binary_search(&d).ok(),
            None => (d < self.total).then_some(d),
        }
    }
}

/// Each document's status for `annotator`, in document order: one merge of two lists
/// sorted by id rather than a lookup per document.
fn statuses(corpus: &Corpus, annotator: &str) -> Vec<DocStatus> {
    let mut sets = corpus
        .annotations
        .get(annotator)
        .into_iter()
        .flat_map(|m| m.iter())
        .peekable();
    corpus
        .documents
        .iter()
        .map(|d| {
            while sets
                .next_if(|(id, _)| id.as_str() < d.id.as_str())
                .is_some()
            {}
            match sets.peek() {
                Some((id, set)) if **id == d.id => set.status,
                // Out of order (should not happen): look it up.
                _ => corpus
                    .set(annotator, &d.id)
                    .map_or(DocStatus::New, |s| s.status),
            }
        })
        .collect()
}

pub fn doc_list_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    ui.heading("Documents");
    let Some(session) = &app.session else {
        ui.weak("No project open");
        return;
    };
    let modal = app.modal_open();
    let f = &mut app.doc_filter;
    f.update(session);
    ui.label(format!("{} of {} done", f.done, f.total))
        .on_hover_text("Done or reviewed for the active layer. Ctrl+Enter marks the open document done and opens the next one not done.");
    let mut open = None;
    let mut field_down = false;
    let field = ui.add(
        egui::TextEdit::singleline(&mut f.text)
            .hint_text("Filter by title or id")
            .desired_width(f32::INFINITY),
    );
    if field.has_focus() && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowDown)) {
        field_down = true;
        field.surrender_focus();
    }
    let field_enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
    ui.horizontal(|ui| {
        let label = ui.label("Status");
        egui::ComboBox::from_id_salt("doc_status_filter")
            .selected_text(f.status.text())
            .show_ui(ui, |ui| {
                for s in StatusFilter::ALL {
                    ui.selectable_value(&mut f.status, s, s.text());
                }
            })
            .response
            .labelled_by(label.id);
        f.update(session);
        if f.len() != f.total {
            ui.weak(format!("{} shown", f.len()));
        }
    });
    ui.separator();

    let current = app
        .current_doc
        .as_deref()
        .and_then(|id| session.doc_index(id));
    let current_row = current.and_then(|d| f.row_of(d));
    if current != f.last_current {
        f.last_current = current;
        if f.scroll_to_row.is_none() {
            f.scroll_to_row = current_row;
        }
    }
    // Arrow keys move in the list once it was clicked, unless a text field has the keys.
    if field_down || field_enter {
        f.focused = true;
        let row = if field_enter {
            0
        } else {
            current_row.map_or(0, |r| r + 1)
        };
        if let Some(d) = f.doc_at(row.min(f.len().saturating_sub(1))) {
            open = Some(d);
        }
    } else if f.focused && !ui.ctx().egui_wants_keyboard_input() && !modal && f.len() > 0 {
        let (up, down, home, end) = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::NONE, Key::Home),
                i.consume_key(Modifiers::NONE, Key::End),
            )
        });
        let last = f.len() - 1;
        let target = match (current_row, up, down, home, end) {
            (_, _, _, true, _) => Some(0),
            (_, _, _, _, true) => Some(last),
            (Some(r), true, _, _, _) => Some(r.saturating_sub(1)),
            (Some(r), _, true, _, _) => Some((r + 1).min(last)),
            (None, true, _, _, _) | (None, _, true, _, _) => Some(0),
            _ => None,
        };
        if let Some(d) = target.and_then(|r| f.doc_at(r)) {
            open = Some(d);
        }
    }

    // Two text rows per document, and only the visible documents are built.
    let row_height =
        2.0 * ui.text_style_height(&egui::TextStyle::Body) + 3.0 * ui.spacing().item_spacing.y;
    let list_rect = ui.available_rect_before_wrap();
    let mut area = egui::ScrollArea::vertical()
        .id_salt("doc_list")
        .auto_shrink(false);
    if let Some(r) = f.scroll_to_row.take() {
        // Keep the moved-to row in view: scroll only if it is outside.
        let y = r as f32 * (row_height + ui.spacing().item_spacing.y);
        let state = egui::scroll_area::State::load(ui.ctx(), ui.make_persistent_id("doc_list"));
        let top = state.map_or(0.0, |s| s.clamped_offset().y);
        let h = list_rect.height();
        if y < top {
            area = area.vertical_scroll_offset(y);
        } else if y + row_height > top + h {
            area = area.vertical_scroll_offset(y + row_height - h);
        }
    }
    let shown_len = f.len();
    let out = area.show_rows(ui, row_height, shown_len, |ui, rows| {
        for r in rows {
            let Some(i) = f.doc_at(r) else { continue };
            let (Some(id), Some(title)) = (session.doc_id_at(i), session.doc_title_at(i)) else {
                continue;
            };
            let status = session.status(id);
            let spans = session.span_count(id);
            let selected = current == Some(i);
            let status_color = match status {
                DocStatus::New => ui.visuals().weak_text_color(),
                DocStatus::InProgress => ui.visuals().warn_fg_color,
                DocStatus::Done | DocStatus::Reviewed => egui::Color32::from_rgb(80, 180, 90),
            };
            let resp = ui
                .add(egui::Button::selectable(selected, RichText::new(title).strong()).truncate())
                .on_hover_text(format!("{title}\n{id}"));
            ui.horizontal(|ui| {
                ui.colored_label(status_color, status.as_str());
                ui.weak(format!("· {spans} spans"));
            });
            if resp.clicked() {
                open = Some(i);
            }
        }
    });
    if shown_len == 0 {
        ui.weak("No document matches the filter.");
    }
    // The list has the arrow keys after a click in it, until a click elsewhere.
    // (A press on a menu or popup over the list is not a press in it.)
    if ui.input(|i| i.pointer.any_pressed()) {
        f.focused = ui.rect_contains_pointer(out.inner_rect);
    }
    if f.focused {
        ui.painter().rect_stroke(
            out.inner_rect,
            2.0,
            ui.visuals().selection.stroke,
            egui::StrokeKind::Inside,
        );
    }
    if let Some(i) = open {
        if let Some(r) = f.row_of(i) {
            f.scroll_to_row = Some(r);
        }
        if let Some(id) = session.doc_id_at(i).map(str::to_string) {
            app.open_document(id);
        }
    }
}
