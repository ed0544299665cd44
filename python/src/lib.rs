//! Python bindings of steady.
