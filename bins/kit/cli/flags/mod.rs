//! Every flag, defined once, grouped by the concern it belongs to. Tools list the flags they
//! take in their `Tool` tables (bins/kit/tool/).

pub mod common;
pub mod filter;
pub mod gc;
pub mod log;
pub mod render;
pub mod show;
pub mod stage;
pub mod talk;
