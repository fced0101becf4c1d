//! Importing text files: what is refused, and what normalisation is recorded.

use std::fs;
use std::path::{Path, PathBuf};

use spanbench::import::{ImportError, MAX_DOCUMENT_BYTES, import_text_file, read_text_file};
use spanbench::model::{Corpus, Document, ImportRecord, Project};
use spanbench::session::Session;
use spanbench::storage;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

fn corpus() -> Corpus {
    Corpus::new(Project::new("t"))
}

/// The message a person sees: one line that names the file.
fn assert_one_line_naming(err: &ImportError, path: &Path) {
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "{msg}");
    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
}

#[test]
fn non_utf8_is_refused_with_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    // Latin-1 "café": é is the single byte 0xE9.
    let p = write(dir.path(), "latin1.txt", b"caf\xe9 au lait\n");
    let err = import_text_file(&corpus(), &p).unwrap_err();
    match &err {
        ImportError::NotUtf8 { path, offset } => {
            assert_eq!(path, &p);
            assert_eq!(*offset, 3);
        }
        other => panic!("expected NotUtf8, got {other:?}"),
    }
    assert_one_line_naming(&err, &p);
    assert!(err.to_string().contains("iconv"), "{err}");
}

#[test]
fn truncated_multibyte_sequence_is_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "Հայաստան".as_bytes().to_vec();
    bytes.pop();
    let p = write(dir.path(), "cut.txt", &bytes);
    assert!(matches!(
        import_text_file(&corpus(), &p),
        Err(ImportError::NotUtf8 { offset: 14, .. })
    ));
}

#[test]
fn binary_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "archive.zip",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00plain looking tail",
    );
    let err = import_text_file(&corpus(), &p).unwrap_err();
    assert!(matches!(&err, ImportError::Binary(q) if q == &p), "{err:?}");
    assert_one_line_naming(&err, &p);

    // Valid UTF-8 with a NUL in it is still binary.
    let p = write(dir.path(), "nul.txt", "Карабах\0text".as_bytes());
    assert!(matches!(
        import_text_file(&corpus(), &p),
        Err(ImportError::Binary(_))
    ));
}

#[test]
fn empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "empty.txt", b"");
    let err = import_text_file(&corpus(), &p).unwrap_err();
    assert!(matches!(&err, ImportError::Empty(q) if q == &p), "{err:?}");
    assert_one_line_naming(&err, &p);
}

#[test]
fn whitespace_only_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("spaces.txt", &b"   \n\t\r\n  \r"[..]),
        ("bom.txt", "\u{feff}".as_bytes()),
        ("bom_space.txt", "\u{feff} \n \u{3000}\n".as_bytes()),
    ] {
        let p = write(dir.path(), name, bytes);
        let err = import_text_file(&corpus(), &p).unwrap_err();
        assert!(
            matches!(&err, ImportError::Blank(q) if q == &p),
            "{name}: {err:?}"
        );
        assert_one_line_naming(&err, &p);
    }
}

#[test]
fn file_over_the_size_limit_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.txt");
    // Sparse: no 32 MB are written or read.
    fs::File::create(&p)
        .unwrap()
        .set_len(MAX_DOCUMENT_BYTES + 1)
        .unwrap();
    let err = read_text_file(&p).unwrap_err();
    match &err {
        ImportError::TooLarge { path, size } => {
            assert_eq!(path, &p);
            assert_eq!(*size, MAX_DOCUMENT_BYTES + 1);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_one_line_naming(&err, &p);
    assert!(err.to_string().contains(" MiB"), "{err}");
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nope.txt");
    let err = import_text_file(&corpus(), &p).unwrap_err();
    assert!(matches!(&err, ImportError::Io { path, .. } if path == &p));
    assert_one_line_naming(&err, &p);
}

#[test]
fn crlf_and_bom_are_normalised_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let raw = "\u{feff}\r\n  Ереван, 10 ноября 👍🏽\r\nՀայաստան\rend\r\n";
    let p = write(dir.path(), "news 1.txt", raw.as_bytes());
    let doc = import_text_file(&corpus(), &p).unwrap();
    assert_eq!(doc.text, "\n  Ереван, 10 ноября 👍🏽\nՀայաստան\nend\n");
    assert_eq!(
        doc.import,
        ImportRecord {
            source_file: Some("news 1.txt".into()),
            bom_stripped: true,
            crlf_converted: 3,
            lone_cr_converted: 1,
        }
    );
    // The first non-empty line, trimmed, is the title; the id is a safe file stem.
    assert_eq!(doc.title, "Ереван, 10 ноября 👍🏽");
    assert_eq!(doc.id, "news_1");
}

#[test]
fn plain_lf_text_is_stored_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let raw = "Baku, 10 Nov.\n\tAn \"agreement\" #1 \\ signed.\n";
    let p = write(dir.path(), "plain.txt", raw.as_bytes());
    let doc = import_text_file(&corpus(), &p).unwrap();
    assert_eq!(doc.text, raw);
    assert_eq!(
        doc.import,
        ImportRecord {
            source_file: Some("plain.txt".into()),
            ..Default::default()
        }
    );
}

#[test]
fn ids_do_not_collide_with_existing_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = corpus();
    c.insert_document(Document::new("a", "a", "x".into()));
    c.insert_document(Document::new("a_2", "a", "x".into()));
    let p = write(dir.path(), "a.txt", b"text");
    assert_eq!(import_text_file(&c, &p).unwrap().id, "a_3");
}

#[test]
fn session_import_keeps_good_files_and_reports_each_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    storage::create(&root, "p").unwrap();
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    let files = vec![
        write(dir.path(), "same.txt", "Первый\r\n".as_bytes()),
        write(dir.path(), "bad.txt", b"\xff\xfe"),
        write(&sub, "same.txt", "Երկրորդ".as_bytes()),
        write(dir.path(), "blank.txt", b"\n\n"),
    ];
    let mut session = Session::open(&root, "gold").unwrap();
    let (added, errors, _notes) = session.import_files(&files);
    assert_eq!(added, ["same", "same_2"]);
    assert_eq!(errors.len(), 2);
    assert!(matches!(&errors[0], ImportError::NotUtf8 { path, .. } if path == &files[1]));
    assert!(matches!(&errors[1], ImportError::Blank(p) if p == &files[3]));
    session.save().unwrap();

    let corpus = storage::load(&root).unwrap();
    let texts: Vec<(&str, &str)> = corpus
        .documents
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    assert_eq!(texts, [("same", "Первый\n"), ("same_2", "Երկրորդ")]);
    assert_eq!(corpus.documents[0].import.crlf_converted, 1);
}
