//! One integration test binary: every test runs the built tools on a fresh temp dir shaped like
//! a real town, and asserts on exact output, exit codes and files.

mod fake_api;
mod transcript_fixture;
mod util;
mod world;

mod agent;
mod cli;
mod client;
mod crash;
mod docs;
mod doctor;
mod empty;
mod events;
mod filter;
mod fmt;
mod gc;
mod hostile;
mod kinds;
mod layers;
mod lock;
mod model;
mod output;
mod pick;
mod pick_live;
mod readme;
mod search;
mod shared;
mod show;
mod special;
mod stage;
mod stress;
mod tab;
mod talk;
mod trail;
mod trust;
mod widget;
mod wrapper;
