//! A big project opened from its index: the session lists every document from a
//! [`Catalog`] and holds in memory only the documents in use, each loaded with its sets
//! on a worker thread when first wanted. A document's files are validated again only if
//! their content hash differs from what the index validated. Documents not wanted for a
//! while are dropped from memory once the loaded ones pass a budget, unless they have
//! unsaved or undoable edits. Features that need the whole corpus (corpus search,
//! review, curation, statistics, export) ask for a full load, read on a worker thread
//! and merged under what is in memory.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use super::{Session, read_current, rel_doc, rel_set};
use crate::index::{Catalog, CatalogDoc, schema_hash};
use crate::model::{AnnotationSet, Corpus, DocStatus, Document, Project, validate_set};
use crate::offsets::OffsetMap;
use crate::storage::{self, Stamps, StorageError, confine};

/// Projects with more documents than this open from the index.
pub const LAZY_ABOVE: usize = 2_000;

/// Bytes of loaded documents and sets kept in memory before the least recently wanted
/// are dropped.
pub const DEFAULT_BUDGET: usize = 64 << 20;

/// What a worker read for one document.
pub(super) struct LoadedDoc {
    doc: Document,
    sets: Vec<AnnotationSet>,
    stamps: Vec<(String, u64)>,
}

struct Request {
    id: String,
    /// Hashes the index validated (document, then set per annotator); a file read with
    /// the same hash is not validated again.
    doc_hash: u64,
    set_hashes: BTreeMap<String, u64>,
    /// The project to validate against when a hash differs.
    project: Project,
    /// The schema is the one the index validated under.
    trust: bool,
}

type Answer = (String, Result<LoadedDoc, StorageError>);
type FullAnswer = Result<(Corpus, Stamps), StorageError>;

pub(super) struct Lazy {
    pub(super) catalog: Catalog,
    /// Loaded documents, least recently wanted first.
    order: VecDeque<String>,
    /// Estimated bytes held per loaded document.
    sizes: HashMap<String, usize>,
    held: usize,
    pub(super) budget: usize,
    /// Documents edited in this session: kept so undo finds them.
    pinned: BTreeSet<String>,
    loading: BTreeSet<String>,
    /// Documents that could not be loaded, with why.
    failed: BTreeMap<String, String>,
    requests: Sender<Request>,
    answers: Receiver<Answer>,
    full: Option<Receiver<FullAnswer>>,
}

impl Lazy {
    pub(super) fn new(root: &Path, catalog: Catalog) -> Self {
        let (requests, rx) = channel::<Request>();
        let (tx, answers) = channel::<Answer>();
        let root = root.to_path_buf();
        // Ends when the session (the sender) is dropped.
        std::thread::Builder::new()
            .name("spanbench-loader".into())
            .spawn(move || {
                for req in rx {
                    let r = read_one(&root, &req);
                    if tx.send((req.id, r)).is_err() {
                        break;
                    }
                }
            })
            .ok();
        Self {
            catalog,
            order: VecDeque::new(),
            sizes: HashMap::new(),
            held: 0,
            budget: DEFAULT_BUDGET,
            pinned: BTreeSet::new(),
            loading: BTreeSet::new(),
            failed: BTreeMap::new(),
            requests,
            answers,
            full: None,
        }
    }

    fn touch(&mut self, id: &str) {
        if let Some(i) = self.order.iter().rposition(|d| d == id) {
            if i + 1 != self.order.len()
                && let Some(d) = self.order.remove(i)
            {
                self.order.push_back(d);
            }
        } else {
            self.order.push_back(id.to_string());
        }
    }
}

/// Reads a document and every layer's set on it; validates them unless every hash is
/// the one the index validated under the same schema.
fn read_one(root: &Path, req: &Request) -> Result<LoadedDoc, StorageError> {
    let dpath = storage::document_file(root, &req.id);
    let (doc, dh) = storage::read_document(&dpath)?;
    let mut trusted = req.trust && req.doc_hash == dh;
    let mut stamps = vec![(rel_doc(&req.id), dh)];
    let mut sets = Vec::new();
    for a in annotator_folders(root)? {
        let path = storage::set_file(root, &a, &req.id);
        let (bytes, _) = read_current(&path)?;
        if bytes.is_none() {
            if req.set_hashes.contains_key(&a) {
                trusted = false;
            }
            continue;
        }
        let (set, h) = storage::read_set(&path, &a)?;
        trusted &= req.set_hashes.get(&a) == Some(&h);
        stamps.push((rel_set(&a, &req.id), h));
        sets.push(set);
    }
    if !trusted {
        validate_one(root, &req.project, &doc, &sets)?;
    }
    Ok(LoadedDoc { doc, sets, stamps })
}

/// Every problem of one document's sets, as `storage::validate` names them.
fn validate_one(
    root: &Path,
    project: &Project,
    doc: &Document,
    sets: &[AnnotationSet],
) -> Result<(), StorageError> {
    let map = OffsetMap::new(&doc.text);
    let mut problems = storage::project_problems(project);
    for set in sets {
        let file = format!(
            "{}/{}/{}.ron",
            storage::ANNOTATIONS_DIR,
            set.annotator,
            doc.id
        );
        problems.extend(validate_set(project, doc, &map, set, &file));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Invalid {
            root: root.to_path_buf(),
            problems,
        })
    }
}

/// The annotator folders as storage lists them (plain names, no links).
fn annotator_folders(root: &Path) -> Result<Vec<String>, StorageError> {
    let adir = root.join(storage::ANNOTATIONS_DIR);
    confine::refuse_link(&adir)?;
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(&adir) else {
        return Ok(out);
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || confine::name_problem(&name).is_some() {
            continue;
        }
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

fn size_of_doc(doc: &Document, sets: &[&AnnotationSet]) -> usize {
    let spans: usize = sets
        .iter()
        .map(|s| {
            s.spans
                .iter()
                .map(|sp| 128 + sp.label.len() + sp.text.len() + sp.note.len())
                .sum::<usize>()
                + 64 * s.relations.len()
        })
        .sum();
    256 + doc.text.len() + doc.title.len() + spans
}

impl Session {
    /// Opens a big project from its index: nothing but project.ron and the index is
    /// read; documents load when wanted ([`Session::want`]). Locking and recovery are
    /// as in [`Session::open`].
    pub fn open_lazy(root: &Path, annotator: &str) -> Result<Self, StorageError> {
        Self::open_lazy_counting(root, annotator, &AtomicUsize::new(0))
    }

    /// [`Session::open_lazy`], counting documents checked into `done` as it goes.
    pub fn open_lazy_counting(
        root: &Path,
        annotator: &str,
        done: &AtomicUsize,
    ) -> Result<Self, StorageError> {
        let read_only = Self::lock_at_open(root, annotator)?;
        let opened = crate::index::open_counting(root, done)?;
        let catalog = Catalog::from_index(&opened.index);
        drop(opened);
        let (project, h) = storage::read_project_file(root)?;
        let mut s = Self::new(root.to_path_buf(), Corpus::new(project), annotator);
        s.stamps.insert(storage::PROJECT_FILE.into(), h);
        s.read_only = read_only;
        s.lazy = Some(Lazy::new(root, catalog));
        Ok(s)
    }

    /// How many documents `root` holds when it is big enough to open from its index
    /// (more than [`LAZY_ABOVE`]); `None` for a project read whole.
    pub fn lazy_size(root: &Path) -> Option<usize> {
        let ddir = root.join(storage::DOCUMENTS_DIR);
        let n = std::fs::read_dir(ddir).ok()?.count();
        (n > LAZY_ABOVE).then_some(n)
    }

    /// Whether the GUI opens `root` from its index.
    pub fn opens_lazily(root: &Path) -> bool {
        Self::lazy_size(root).is_some()
    }

    /// True while only part of the project is in memory.
    pub fn is_partial(&self) -> bool {
        self.lazy.is_some()
    }

    /// Sets how many bytes of loaded documents may stay in memory.
    pub fn set_memory_budget(&mut self, bytes: usize) {
        if let Some(l) = &mut self.lazy {
            l.budget = bytes;
        }
        self.evict();
    }

    /// Documents in memory (all of them unless partial).
    pub fn loaded_count(&self) -> usize {
        self.corpus.documents.len()
    }

    /// Every document of the project, loaded or not.
    pub fn doc_count(&self) -> usize {
        match &self.lazy {
            Some(l) => l.catalog.len(),
            None => self.corpus.documents.len(),
        }
    }

    /// The id of the `i`th document in id order.
    pub fn doc_id_at(&self, i: usize) -> Option<&str> {
        match &self.lazy {
            Some(l) => l.catalog.docs.get(i).map(|d| d.id.as_str()),
            None => self.corpus.documents.get(i).map(|d| d.id.as_str()),
        }
    }

    pub fn doc_title_at(&self, i: usize) -> Option<&str> {
        match &self.lazy {
            Some(l) => l.catalog.docs.get(i).map(|d| d.title.as_str()),
            None => self.corpus.documents.get(i).map(|d| d.title.as_str()),
        }
    }

    /// The position of a document in id order.
    pub fn doc_index(&self, id: &str) -> Option<usize> {
        match &self.lazy {
            Some(l) => l.catalog.position(id),
            None => self
                .corpus
                .documents
                .binary_search_by(|d| d.id.as_str().cmp(id))
                .ok(),
        }
    }

    /// The active layer's status on the `i`th document: from memory if it is loaded,
    /// else from the catalog by position (no search by id).
    pub fn status_at(&self, i: usize) -> DocStatus {
        let Some(l) = &self.lazy else {
            return self
                .doc_id_at(i)
                .map_or(DocStatus::New, |id| self.status(id));
        };
        let Some(d) = l.catalog.docs.get(i) else {
            return DocStatus::New;
        };
        if self.corpus.document(&d.id).is_some() {
            return self.status(&d.id);
        }
        l.catalog
            .set_at(&self.annotator, i)
            .map_or(DocStatus::New, |s| s.status)
    }

    /// Spans of the active layer on a document, from memory or the catalog.
    pub fn span_count(&self, doc: &str) -> usize {
        match self.corpus.set(&self.annotator, doc) {
            Some(s) => s.spans.len(),
            None if self.corpus.document(doc).is_some() => 0,
            None => self
                .lazy
                .as_ref()
                .and_then(|l| l.catalog.set(&self.annotator, doc))
                .map_or(0, |s| s.spans as usize),
        }
    }

    /// Layers known from the catalog but maybe not loaded yet.
    pub fn catalog_annotators(&self) -> Vec<String> {
        self.lazy
            .as_ref()
            .map(|l| l.catalog.annotators().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// Whether `doc` is in memory; if not, asks the worker to load it (once). The most
    /// recently wanted documents are the last to be dropped.
    pub fn want(&mut self, doc: &str) -> bool {
        let Some(l) = self.lazy.as_mut() else {
            return self.corpus.document(doc).is_some();
        };
        if self.corpus.document(doc).is_some() {
            l.touch(doc);
            return true;
        }
        if l.loading.contains(doc) || l.failed.contains_key(doc) {
            return false;
        }
        let Some(i) = l.catalog.position(doc) else {
            return false;
        };
        let trust = schema_hash(&self.corpus.project) == l.catalog.schema;
        let set_hashes = l
            .catalog
            .annotators()
            .filter_map(|a| l.catalog.set(a, doc).map(|s| (a.to_string(), s.hash)))
            .collect();
        let req = Request {
            id: doc.to_string(),
            doc_hash: l.catalog.docs[i].hash,
            set_hashes,
            project: self.corpus.project.clone(),
            trust,
        };
        if l.requests.send(req).is_ok() {
            l.loading.insert(doc.to_string());
        }
        false
    }

    /// Why `doc` could not be loaded, if it could not.
    pub fn load_error(&self, doc: &str) -> Option<&str> {
        self.lazy.as_ref()?.failed.get(doc).map(String::as_str)
    }

    /// True while the whole project is being read.
    pub fn loading_everything(&self) -> bool {
        self.lazy.as_ref().is_some_and(|l| l.full.is_some())
    }

    /// True while documents are being read.
    pub fn loading(&self) -> bool {
        self.lazy
            .as_ref()
            .is_some_and(|l| !l.loading.is_empty() || l.full.is_some())
    }

    /// Takes in what the worker read; returns one message per document that could not
    /// be loaded (it stays unloaded and is never written).
    pub fn poll_loads(&mut self) -> Vec<String> {
        let mut errors = Vec::new();
        while let Some(answer) = self.lazy.as_ref().and_then(|l| l.answers.try_recv().ok()) {
            errors.extend(self.take_answer(answer));
        }
        self.evict();
        errors
    }

    /// Loads `doc` now, on this thread (tests and tools that need it at once).
    pub fn load_now(&mut self, doc: &str) -> Result<(), String> {
        if self.want(doc) {
            return Ok(());
        }
        while self.corpus.document(doc).is_none() {
            if let Some(e) = self.load_error(doc) {
                return Err(e.to_string());
            }
            let Some(l) = self.lazy.as_ref().filter(|l| l.loading.contains(doc)) else {
                return Err(format!("no document {doc:?}"));
            };
            let answer = l
                .answers
                .recv()
                .map_err(|_| "the loader stopped".to_string())?;
            self.take_answer(answer);
        }
        self.evict();
        Ok(())
    }

    /// Takes in one document the loader read, or records why it could not.
    fn take_answer(&mut self, (id, r): Answer) -> Option<String> {
        let l = self.lazy.as_mut()?;
        l.loading.remove(&id);
        match r {
            Ok(loaded) => {
                self.insert_loaded(loaded);
                None
            }
            Err(e) => {
                let msg = e.to_string();
                l.failed.insert(id, msg.clone());
                Some(msg)
            }
        }
    }

    fn insert_loaded(&mut self, loaded: LoadedDoc) {
        let LoadedDoc { doc, sets, stamps } = loaded;
        let id = doc.id.clone();
        if self.corpus.document(&id).is_some() {
            return;
        }
        let Some(l) = self.lazy.as_mut() else { return };
        let size = size_of_doc(&doc, &sets.iter().collect::<Vec<_>>());
        l.sizes.insert(id.clone(), size);
        l.held += size;
        l.touch(&id);
        self.corpus.insert_document(doc);
        for set in sets {
            self.corpus
                .annotations
                .entry(set.annotator.clone())
                .or_default()
                .insert(set.document.clone(), set);
        }
        self.stamps.extend(stamps);
    }

    /// Drops the least recently wanted documents while over the budget. The two most
    /// recently wanted stay, and so does anything edited in this session.
    fn evict(&mut self) {
        let Some(l) = self.lazy.as_mut() else { return };
        let mut keep = Vec::new();
        while l.held > l.budget && l.order.len() > 2 {
            let Some(id) = l.order.pop_front() else { break };
            let dirty =
                self.dirty_docs.contains(&id) || self.dirty_sets.iter().any(|(_, d)| *d == id);
            if dirty || l.pinned.contains(&id) {
                keep.push(id);
                continue;
            }
            l.held = l.held.saturating_sub(l.sizes.remove(&id).unwrap_or(0));
            if let Ok(i) = self.corpus.documents.binary_search_by(|d| d.id.cmp(&id)) {
                self.corpus.documents.remove(i);
            }
            self.stamps.remove(&rel_doc(&id));
            for (a, sets) in self.corpus.annotations.iter_mut() {
                let rel = rel_set(a, &id);
                let hash = self.stamps.remove(&rel);
                let summary = sets
                    .remove(&id)
                    .map(|s| l.catalog.summarize(&s, hash.unwrap_or(0)));
                if summary.is_some() || l.catalog.set(a, &id).is_some() {
                    l.catalog.update_set(a, &id, summary);
                }
            }
        }
        for id in keep.into_iter().rev() {
            l.order.push_front(id);
        }
    }

    /// Keeps `doc` in memory for the rest of the session (it was edited).
    pub(super) fn pin(&mut self, doc: &str) {
        if let Some(l) = self.lazy.as_mut() {
            l.pinned.insert(doc.to_string());
        }
    }

    /// Starts reading the whole project on a worker thread (once); see
    /// [`Session::poll_full_load`].
    pub fn start_full_load(&mut self) {
        let Some(l) = self.lazy.as_mut() else { return };
        if l.full.is_some() {
            return;
        }
        let (tx, rx) = channel();
        let root: PathBuf = self.root.clone();
        std::thread::Builder::new()
            .name("spanbench-full-load".into())
            .spawn(move || {
                let r = storage::read_stamped(&root).and_then(|(c, st)| {
                    let problems = storage::validate(&c);
                    if problems.is_empty() {
                        Ok((c, st))
                    } else {
                        Err(StorageError::Invalid { root, problems })
                    }
                });
                let _ = tx.send(r);
            })
            .ok();
        l.full = Some(rx);
    }

    /// `Some(Ok)` once the whole project is in memory (the session is no longer
    /// partial), `Some(Err)` if it could not be read (the session stays partial and
    /// nothing is written), `None` while reading.
    pub fn poll_full_load(&mut self) -> Option<Result<(), String>> {
        let l = self.lazy.as_mut()?;
        let r = match l.full.as_ref()?.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Err(StorageError::NotAProject(self.root.clone())),
        };
        l.full = None;
        match r {
            Ok((corpus, stamps)) => {
                self.take_full(corpus, stamps);
                Some(Ok(()))
            }
            Err(e) => Some(Err(e.to_string())),
        }
    }

    /// Loads the whole project on this thread.
    pub fn load_everything(&mut self) -> Result<(), String> {
        self.start_full_load();
        let Some(rx) = self.lazy.as_mut().and_then(|l| l.full.take()) else {
            return Ok(());
        };
        let r = rx
            .recv()
            .unwrap_or_else(|_| Err(StorageError::NotAProject(self.root.clone())));
        match r {
            Ok((c, st)) => {
                self.take_full(c, st);
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Merges a full read under what is in memory: loaded documents keep their
    /// in-memory sets (edited or not), the rest come from disk.
    fn take_full(&mut self, full: Corpus, stamps: Stamps) {
        // Loads still running are no longer needed.
        self.lazy = None;
        let mine: BTreeSet<String> = self.corpus.documents.iter().map(|d| d.id.clone()).collect();
        let mut my_docs: HashMap<String, Document> = std::mem::take(&mut self.corpus.documents)
            .into_iter()
            .map(|d| (d.id.clone(), d))
            .collect();
        let mut my_sets = std::mem::take(&mut self.corpus.annotations);
        let Corpus {
            documents,
            mut annotations,
            ..
        } = full;
        self.corpus.documents = documents
            .into_iter()
            .map(|d| my_docs.remove(&d.id).unwrap_or(d))
            .collect();
        // Documents this session added or loaded that the read did not find stay.
        for (_, d) in my_docs {
            self.corpus.insert_document(d);
        }
        for sets in annotations.values_mut() {
            sets.retain(|d, _| !mine.contains(d));
        }
        for (a, sets) in std::mem::take(&mut my_sets) {
            annotations.entry(a).or_default().extend(sets);
        }
        self.corpus.annotations = annotations;
        for (rel, h) in stamps {
            let loaded_here = storage::Target::parse(&rel).is_some_and(|t| match t {
                storage::Target::Document(d) | storage::Target::Set { doc: d, .. } => {
                    mine.contains(&d)
                }
                storage::Target::Project => true,
            });
            if !loaded_here {
                self.stamps.insert(rel, h);
            }
        }
        self.revision += 1;
    }

    /// [`Session::refresh`] for a file of a document not in memory: only the catalog
    /// learns of it (title, status and span count); its hash is forgotten, so the next
    /// load validates it. Returns `None` when the file belongs to a loaded document.
    pub(super) fn refresh_unloaded(
        &mut self,
        target: &storage::Target,
        path: &Path,
        exists: bool,
    ) -> Option<Result<bool, String>> {
        let l = self.lazy.as_mut()?;
        match target {
            storage::Target::Document(id) => {
                if self.corpus.document(id).is_some() {
                    return None;
                }
                l.failed.remove(id);
                if !exists {
                    l.catalog.remove_doc(id);
                    return Some(Ok(true));
                }
                Some(match storage::read_document(path) {
                    Ok((d, _)) => {
                        l.catalog.upsert_doc(CatalogDoc {
                            id: d.id.clone(),
                            title: d.title.clone(),
                            chars: d.text.chars().count(),
                            hash: 0,
                        });
                        Ok(true)
                    }
                    Err(e) => Err(e.to_string()),
                })
            }
            storage::Target::Set { annotator, doc } => {
                if self.corpus.document(doc).is_some() {
                    return None;
                }
                l.failed.remove(doc);
                if !exists {
                    l.catalog.update_set(annotator, doc, None);
                    return Some(Ok(true));
                }
                Some(match storage::read_set(path, annotator) {
                    Ok((s, _)) => {
                        // Hash 0: the next load validates it.
                        let summary = l.catalog.summarize(&s, 0);
                        l.catalog.update_set(annotator, doc, Some(summary));
                        Ok(true)
                    }
                    Err(e) => Err(e.to_string()),
                })
            }
            storage::Target::Project => None,
        }
    }
}
