//! Built-in recommenders.
