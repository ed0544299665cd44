//! The C ABI of steady.
