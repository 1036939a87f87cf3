//! Outputs: files written from results. The only module that writes.
//!
//! Every file is written atomically: to a temporary name beside the target,
//! renamed into place when complete, so an interrupted command never leaves
//! a half-written file and never destroys the previous one. What may be
//! replaced at all, and how, is [`target`]'s rule: never what sezsim did not
//! write.

pub mod atomic;
pub mod charts;
pub mod format;
pub mod html;
pub mod intervals;
pub mod manifest;
pub mod precision;
pub mod report;
pub mod reservoir;
pub mod run_dir;
pub mod sample;
pub mod sensitivity;
pub mod tables;
pub mod target;
pub mod xlsx;
