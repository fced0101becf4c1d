//! Every user action as one typed list: menus, shortcuts and the help window read it.

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    NewProject,
    OpenProject,
    ImportFiles,
    Export,
    Save,
    Quit,
    Undo,
    Redo,
    RedoAlt,
    DeleteSpan,
    ClearSelection,
    NextDocument,
    PreviousDocument,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    ToggleTheme,
    ToggleSnap,
    Shortcuts,
    Find,
    FindInCorpus,
    FindNext,
    FindPrevious,
    AnnotateAll,
    CommandPalette,
    MarkDoneAndNext,
    EditLabels,
    ChangeAnnotator,
    ShowReport,
    ToggleDocuments,
    ToggleInspector,
    /// Boundary edits of the selected span: its end one word (or grapheme) right/left,
    /// its start left/right.
    EndRight,
    EndLeft,
    StartLeft,
    StartRight,
    StartRelation,
    EditLayer,
    ReviewSuggestions,
    Recommenders,
    /// Curation into the gold layer; the keys from `NextDisagreement` on act only while
    /// the curation view is open (see [`Command::curation_only`]).
    Curate,
    PreMerge,
    NextDisagreement,
    PreviousDisagreement,
    /// Take annotator n's version (1 to 9).
    TakeVersion(u8),
    RejectUnit,
    EditUnit,
    AcceptEdit,
    CurationUndo,
    Statistics,
    GoldFeedback,
}

const CTRL: Modifiers = Modifiers::COMMAND;
const CTRL_SHIFT: Modifiers = Modifiers {
    shift: true,
    ..Modifiers::COMMAND
};
const CTRL_ALT: Modifiers = Modifiers {
    alt: true,
    ..Modifiers::COMMAND
};
const ALT_SHIFT: Modifiers = Modifiers {
    alt: true,
    shift: true,
    ..Modifiers::NONE
};

impl Command {
    /// In the order shortcuts are checked: Ctrl+Shift+Z before Ctrl+Z and Alt+Shift+Left
    /// before Shift+Left, because egui matches shortcuts ignoring an extra Shift or Alt.
    pub const ALL: [Command; 58] = [
        Command::NewProject,
        Command::OpenProject,
        Command::ImportFiles,
        Command::Export,
        Command::Save,
        Command::Quit,
        Command::Redo,
        Command::RedoAlt,
        Command::Undo,
        Command::DeleteSpan,
        Command::ClearSelection,
        Command::NextDocument,
        Command::PreviousDocument,
        Command::ZoomIn,
        Command::ZoomOut,
        Command::ZoomReset,
        Command::ToggleTheme,
        Command::ToggleSnap,
        Command::Shortcuts,
        Command::FindInCorpus,
        Command::Find,
        Command::FindPrevious,
        Command::FindNext,
        Command::AnnotateAll,
        Command::CommandPalette,
        Command::MarkDoneAndNext,
        Command::EditLabels,
        Command::ChangeAnnotator,
        Command::ShowReport,
        Command::ToggleInspector,
        Command::ToggleDocuments,
        Command::StartLeft,
        Command::StartRight,
        Command::EndRight,
        Command::EndLeft,
        Command::StartRelation,
        Command::EditLayer,
        Command::ReviewSuggestions,
        Command::Recommenders,
        Command::Curate,
        Command::PreMerge,
        Command::NextDisagreement,
        Command::PreviousDisagreement,
        Command::TakeVersion(1),
        Command::TakeVersion(2),
        Command::TakeVersion(3),
        Command::TakeVersion(4),
        Command::TakeVersion(5),
        Command::TakeVersion(6),
        Command::TakeVersion(7),
        Command::TakeVersion(8),
        Command::TakeVersion(9),
        Command::RejectUnit,
        Command::EditUnit,
        Command::AcceptEdit,
        Command::CurationUndo,
        Command::Statistics,
        Command::GoldFeedback,
    ];

    pub fn text(self) -> &'static str {
        match self {
            Command::NewProject => "New project…",
            Command::OpenProject => "Open project…",
            Command::ImportFiles => "Import…",
            Command::Export => "Export…",
            Command::Save => "Save",
            Command::Quit => "Quit",
            Command::Undo => "Undo",
            Command::Redo | Command::RedoAlt => "Redo",
            Command::DeleteSpan => "Delete selected span",
            Command::ClearSelection => "Clear selection",
            Command::NextDocument => "Next document",
            Command::PreviousDocument => "Previous document",
            Command::ZoomIn => "Larger text",
            Command::ZoomOut => "Smaller text",
            Command::ZoomReset => "Default text size",
            Command::ToggleTheme => "Switch dark/light theme",
            Command::ToggleSnap => "Snap selections to words",
            Command::Shortcuts => "Keyboard shortcuts",
            Command::Find => "Find in document…",
            Command::FindInCorpus => "Find in all documents…",
            Command::FindNext => "Next search hit",
            Command::FindPrevious => "Previous search hit",
            Command::AnnotateAll => "Annotate all…",
            Command::CommandPalette => "Command palette…",
            Command::MarkDoneAndNext => "Mark done, open the next document not done",
            Command::EditLabels => "Labels…",
            Command::ChangeAnnotator => "Change annotator name…",
            Command::ShowReport => "Show the last report",
            Command::ToggleDocuments => "Show/hide the document list",
            Command::ToggleInspector => "Show/hide the inspector",
            Command::EndRight => "Grow the selected span at its end",
            Command::EndLeft => "Shrink the selected span at its end",
            Command::StartLeft => "Grow the selected span at its start",
            Command::StartRight => "Shrink the selected span at its start",
            Command::StartRelation => "Relate the selected span to another (then click it)",
            Command::EditLayer => "Edit this layer…",
            Command::ReviewSuggestions => "Review a model's suggestions",
            Command::Recommenders => "Recommenders…",
            Command::Curate => "Curation view (adjudicate into gold)…",
            Command::PreMerge => "Pre-merge into gold…",
            Command::NextDisagreement => "Curation: next unresolved disagreement",
            Command::PreviousDisagreement => "Curation: previous unresolved disagreement",
            Command::TakeVersion(n) => match n {
                1 => "Curation: take annotator 1's version",
                2 => "Curation: take annotator 2's version",
                3 => "Curation: take annotator 3's version",
                4 => "Curation: take annotator 4's version",
                5 => "Curation: take annotator 5's version",
                6 => "Curation: take annotator 6's version",
                7 => "Curation: take annotator 7's version",
                8 => "Curation: take annotator 8's version",
                _ => "Curation: take annotator 9's version",
            },
            Command::RejectUnit => "Curation: reject (resolve with no span)",
            Command::EditUnit => "Curation: edit the gold version (then Enter)",
            Command::AcceptEdit => "Curation: accept the edited version",
            Command::CurationUndo => "Curation: undo",
            Command::Statistics => "Statistics…",
            Command::GoldFeedback => "Show where gold differs from this layer",
        }
    }

    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let k = |m, key| Some(KeyboardShortcut::new(m, key));
        match self {
            Command::NewProject => k(CTRL, Key::N),
            Command::OpenProject => k(CTRL, Key::O),
            Command::ImportFiles => k(CTRL, Key::I),
            Command::Export => k(CTRL, Key::E),
            Command::Save => k(CTRL, Key::S),
            Command::Quit => k(CTRL, Key::Q),
            Command::Undo => k(CTRL, Key::Z),
            Command::Redo => k(CTRL_SHIFT, Key::Z),
            Command::RedoAlt => k(CTRL, Key::Y),
            Command::DeleteSpan => k(Modifiers::NONE, Key::Delete),
            Command::ClearSelection => k(Modifiers::NONE, Key::Escape),
            Command::NextDocument => k(Modifiers::ALT, Key::ArrowDown),
            Command::PreviousDocument => k(Modifiers::ALT, Key::ArrowUp),
            Command::ZoomIn => k(CTRL, Key::Plus),
            Command::ZoomOut => k(CTRL, Key::Minus),
            Command::ZoomReset => k(CTRL, Key::Num0),
            Command::ToggleTheme => None,
            Command::ToggleSnap => k(CTRL, Key::W),
            Command::Shortcuts => k(Modifiers::NONE, Key::F1),
            Command::Find => k(CTRL, Key::F),
            Command::FindInCorpus => k(CTRL_SHIFT, Key::F),
            Command::FindNext => k(Modifiers::NONE, Key::F3),
            Command::FindPrevious => k(Modifiers::SHIFT, Key::F3),
            Command::AnnotateAll => k(CTRL_SHIFT, Key::A),
            Command::CommandPalette => k(CTRL, Key::P),
            Command::MarkDoneAndNext => k(CTRL, Key::Enter),
            Command::EditLabels | Command::ChangeAnnotator | Command::ShowReport => None,
            Command::ToggleDocuments => k(CTRL, Key::B),
            Command::ToggleInspector => k(CTRL_ALT, Key::B),
            Command::EndRight => k(Modifiers::SHIFT, Key::ArrowRight),
            Command::EndLeft => k(Modifiers::SHIFT, Key::ArrowLeft),
            Command::StartLeft => k(ALT_SHIFT, Key::ArrowLeft),
            Command::StartRight => k(ALT_SHIFT, Key::ArrowRight),
            Command::StartRelation => k(Modifiers::NONE, Key::R),
            Command::EditLayer => None,
            Command::ReviewSuggestions => k(CTRL_SHIFT, Key::R),
            Command::Recommenders => None,
            Command::Curate | Command::PreMerge | Command::Statistics | Command::GoldFeedback => {
                None
            }
            Command::NextDisagreement => k(Modifiers::NONE, Key::N),
            Command::PreviousDisagreement => k(Modifiers::NONE, Key::P),
            Command::TakeVersion(n) => k(
                Modifiers::NONE,
                match n {
                    1 => Key::Num1,
                    2 => Key::Num2,
                    3 => Key::Num3,
                    4 => Key::Num4,
                    5 => Key::Num5,
                    6 => Key::Num6,
                    7 => Key::Num7,
                    8 => Key::Num8,
                    _ => Key::Num9,
                },
            ),
            Command::RejectUnit => k(Modifiers::NONE, Key::X),
            Command::EditUnit => k(Modifiers::NONE, Key::E),
            Command::AcceptEdit => k(Modifiers::NONE, Key::Enter),
            Command::CurationUndo => k(Modifiers::NONE, Key::U),
        }
    }

    /// Keys that act only while the curation view is open (they are plain letters and
    /// digits that mean something else, or nothing, elsewhere).
    pub fn curation_only(self) -> bool {
        matches!(
            self,
            Command::NextDisagreement
                | Command::PreviousDisagreement
                | Command::TakeVersion(_)
                | Command::RejectUnit
                | Command::EditUnit
                | Command::AcceptEdit
                | Command::CurationUndo
        )
    }

    /// Commands that read every document: on a project opened from its index they wait
    /// for a full load.
    pub fn needs_every_document(self) -> bool {
        matches!(
            self,
            Command::ImportFiles
                | Command::Export
                | Command::EditLabels
                | Command::ReviewSuggestions
                | Command::Recommenders
                | Command::Curate
                | Command::PreMerge
                | Command::GoldFeedback
        )
    }

    /// Shortcuts that must not fire while the user types in a text field.
    pub fn needs_free_keyboard(self) -> bool {
        matches!(
            self,
            Command::DeleteSpan
                | Command::ClearSelection
                | Command::Undo
                | Command::Redo
                | Command::RedoAlt
                | Command::MarkDoneAndNext
                | Command::EndRight
                | Command::EndLeft
                | Command::StartLeft
                | Command::StartRight
                | Command::StartRelation
        ) || self.curation_only()
    }
}

/// Keys that act only in one place (a field, a run, the list), for the shortcuts screen.
pub fn tool_keys() -> [(&'static str, &'static str); 8] {
    [
        (
            "A / X / Space / E",
            "Reviewing suggestions: accept / reject / skip / accept and edit (Enter confirms)",
        ),
        ("Backspace", "Reviewing suggestions: undo the last decision"),
        (
            "Shift+A",
            "Reviewing suggestions: accept the document's suggestions at or above the threshold",
        ),
        (
            "Enter, Shift+Enter",
            "In the search field: next, previous hit",
        ),
        ("Escape", "In the search field: close the search"),
        (
            "Enter / Space",
            "Annotating all: accept / skip the current proposal",
        ),
        ("A / Escape", "Annotating all: accept all the rest / stop"),
        (
            "Up, Down, Home, End",
            "In the document list, once clicked: move and open",
        ),
    ]
}
