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
}

const CTRL: Modifiers = Modifiers::COMMAND;
const CTRL_SHIFT: Modifiers = Modifiers {
    shift: true,
    ..Modifiers::COMMAND
};

impl Command {
    /// In the order shortcuts are checked: Ctrl+Shift+Z before Ctrl+Z, because egui
    /// matches shortcuts ignoring an extra Shift.
    pub const ALL: [Command; 19] = [
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
        )
    }
}
