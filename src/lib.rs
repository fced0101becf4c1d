//! spanbench: a workbench for annotating text spans. The GUI and the CLI are two faces
//! of this library.

pub mod agreement;
pub mod blocks;
pub mod cli;
pub mod curation;
pub mod edit;
pub mod formats;
pub mod history;
pub mod import;
pub mod index;
pub mod merge;
pub mod model;
pub mod offsets;
pub mod recommend;
pub mod review;
pub mod search;
pub mod session;
pub mod stats;
pub mod storage;
pub mod ui;
pub mod watch;
