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
    pub const ALL: [Command; 27] = [
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
        Command::ToggleInspector,
        Command::ToggleDocuments,
        Command::StartLeft,
        Command::StartRight,
        Command::EndRight,
        Command::EndLeft,
        Command::StartRelation,
        Command::EditLayer,
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
            Command::ToggleDocuments => "Show/hide the document list",
            Command::ToggleInspector => "Show/hide the inspector",
            Command::EndRight => "Grow the selected span at its end",
            Command::EndLeft => "Shrink the selected span at its end",
            Command::StartLeft => "Grow the selected span at its start",
            Command::StartRight => "Shrink the selected span at its start",
            Command::StartRelation => "Relate the selected span to another (then click it)",
            Command::EditLayer => "Edit this layer…",
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
            Command::ToggleDocuments => k(CTRL, Key::B),
            Command::ToggleInspector => k(CTRL_ALT, Key::B),
            Command::EndRight => k(Modifiers::SHIFT, Key::ArrowRight),
            Command::EndLeft => k(Modifiers::SHIFT, Key::ArrowLeft),
            Command::StartLeft => k(ALT_SHIFT, Key::ArrowLeft),
            Command::StartRight => k(ALT_SHIFT, Key::ArrowRight),
            Command::StartRelation => k(Modifiers::NONE, Key::R),
            Command::EditLayer => None,
        }
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
                | Command::EndRight
                | Command::EndLeft
                | Command::StartLeft
                | Command::StartRight
                | Command::StartRelation
        )
    }
}
