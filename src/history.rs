//! Undo and redo as two stacks of edits, each remembered with the document and
//! annotator it applied to. Unlimited within a session; never saved.

use crate::edit::Edit;

/// Where an edit applied: (annotator, document id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub annotator: String,
    pub doc: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub target: Target,
    pub edit: Edit,
}

#[derive(Default, Debug)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
}

impl History {
    /// Records an edit that has just been applied; a new edit clears the redo stack.
    pub fn push(&mut self, target: Target, edit: Edit) {
        self.undo.push(Entry { target, edit });
        self.redo.clear();
    }

    /// Pops the last edit and returns what to apply to undo it.
    pub fn undo(&mut self) -> Option<Entry> {
        let e = self.undo.pop()?;
        let inverse = Entry {
            target: e.target.clone(),
            edit: e.edit.inverse(),
        };
        self.redo.push(e);
        Some(inverse)
    }

    /// Pops the last undone edit and returns it to apply again.
    pub fn redo(&mut self) -> Option<Entry> {
        let e = self.redo.pop()?;
        self.undo.push(e.clone());
        Some(e)
    }

    /// Puts back an entry whose application failed, so the stacks stay truthful.
    pub fn revert_undo(&mut self) {
        if let Some(e) = self.redo.pop() {
            self.undo.push(e);
        }
    }

    pub fn revert_redo(&mut self) {
        if let Some(e) = self.undo.pop() {
            self.redo.push(e);
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}
