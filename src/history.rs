//! Undo and redo as two stacks of edits, each remembered with the document and
//! annotator it applied to. Unlimited within a session; never saved.

use crate::edit::Edit;
use crate::model::SpanId;

/// Where an edit applied: (annotator, document id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub annotator: String,
    pub doc: String,
}

/// One undo step. Most change one set; a review decision changes two (the reviewer's
/// layer and the model's) and is still one step: `also` holds the edits of the other
/// sets. The parts of an entry change different sets, so the order they apply in does
/// not matter.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub target: Target,
    pub edit: Edit,
    pub also: Vec<(Target, Edit)>,
    /// Undone and redone together with the entry below it: one step made of edits to
    /// several sets (a pre-merge over many documents, a curator's edit of a unit).
    pub linked: bool,
}

impl Entry {
    /// Every (target, edit) of the step.
    pub fn parts(&self) -> impl Iterator<Item = (&Target, &Edit)> {
        std::iter::once((&self.target, &self.edit)).chain(self.also.iter().map(|(t, e)| (t, e)))
    }

    fn inverse(&self) -> Entry {
        Entry {
            target: self.target.clone(),
            edit: self.edit.inverse(),
            also: self
                .also
                .iter()
                .rev()
                .map(|(t, e)| (t.clone(), e.inverse()))
                .collect(),
            linked: self.linked,
        }
    }
}

#[derive(Default, Debug)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
    /// The span whose consecutive updates merge into the last entry (a note being
    /// typed), until [`History::seal`] or any other entry.
    merging: Option<(Target, SpanId)>,
    /// A span the last entry added whose updates fold into that entry (a suggestion
    /// accepted to be edited: its new boundaries and label are part of the decision),
    /// until [`History::seal`] or any other entry.
    absorbing: Option<(Target, SpanId)>,
}

impl History {
    /// Records an edit that has just been applied; a new edit clears the redo stack.
    pub fn push(&mut self, target: Target, edit: Edit) {
        if let Edit::UpdateSpan { before, after } = &edit
            && self.absorbing.as_ref() == Some(&(target.clone(), after.id))
            && before.id == after.id
            && let Some(last) = self.undo.last_mut()
            && last.target == target
            && last.edit.fold_update(after)
        {
            self.redo.clear();
            return;
        }
        self.push_compound(target, edit, Vec::new());
    }

    /// Records a step of several edits on different sets, all just applied.
    pub fn push_compound(&mut self, target: Target, edit: Edit, also: Vec<(Target, Edit)>) {
        debug_assert!(also.iter().all(|(t, _)| *t != target));
        self.undo.push(Entry {
            target,
            edit,
            also,
            linked: false,
        });
        self.redo.clear();
        self.merging = None;
        self.absorbing = None;
    }

    /// From now on, updates of span `id` of `target` (which the last entry added) fold
    /// into the last entry instead of becoming steps of their own, until [`History::seal`].
    pub fn absorb_updates(&mut self, target: Target, id: SpanId) {
        self.absorbing = Some((target, id));
    }

    /// The entry the next undo would revert.
    pub fn peek_undo(&self) -> Option<&Entry> {
        self.undo.last()
    }

    /// Records an edit that is undone and redone together with the one before it.
    pub fn push_linked(&mut self, target: Target, edit: Edit) {
        self.push(target, edit);
        if self.undo.len() > 1
            && let Some(e) = self.undo.last_mut()
        {
            e.linked = true;
        }
    }

    /// How many steps can be undone now (a mark for [`History::link_since`]).
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Makes every entry pushed since `mark` (an earlier [`History::undo_len`]) one
    /// step with the first of them.
    pub fn link_since(&mut self, mark: usize) {
        for e in self.undo.iter_mut().skip(mark + 1) {
            e.linked = true;
        }
        self.merging = None;
    }

    /// True when the next undo belongs to the same step as the one just undone.
    pub fn undo_continues(&self, undone: &Entry) -> bool {
        undone.linked && !self.undo.is_empty()
    }

    /// True when the next redo belongs to the same step as the one just redone.
    pub fn redo_continues(&self) -> bool {
        self.redo.last().is_some_and(|e| e.linked)
    }

    /// Records a span update that has just been applied, merging it into the last entry
    /// when that was an update of the same span since the last [`History::seal`]: the
    /// keystrokes of one note are one undo step. An update that brings the span back to
    /// where the entry started removes the entry.
    pub fn push_merging(&mut self, target: Target, edit: Edit) {
        let Edit::UpdateSpan { after, .. } = &edit else {
            return self.push(target, edit);
        };
        let key = (target.clone(), after.id);
        if self.merging.as_ref() == Some(&key)
            && let Some(last) = self.undo.last_mut()
            && last.target == target
            && let Edit::UpdateSpan {
                before: b0,
                after: a0,
            } = &mut last.edit
            && a0.id == after.id
        {
            *a0 = after.clone();
            self.redo.clear();
            if b0 == a0 {
                self.undo.pop();
                self.merging = None;
            }
            return;
        }
        self.push(target, edit);
        self.merging = Some(key);
    }

    /// Ends merging: the next update is a step of its own.
    pub fn seal(&mut self) {
        self.merging = None;
        self.absorbing = None;
    }

    /// Where the next undo would apply.
    pub fn next_undo(&self) -> Option<&Target> {
        self.undo.last().map(|e| &e.target)
    }

    /// Where the next redo would apply.
    pub fn next_redo(&self) -> Option<&Target> {
        self.redo.last().map(|e| &e.target)
    }

    /// Pops the last edit and returns what to apply to undo it.
    pub fn undo(&mut self) -> Option<Entry> {
        self.merging = None;
        self.absorbing = None;
        let e = self.undo.pop()?;
        let inverse = e.inverse();
        self.redo.push(e);
        Some(inverse)
    }

    /// Pops the last undone edit and returns it to apply again.
    pub fn redo(&mut self) -> Option<Entry> {
        self.merging = None;
        self.absorbing = None;
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
        self.merging = None;
        self.absorbing = None;
    }
}
