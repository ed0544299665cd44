//! Rebalances and the events the application reads about them and about commits.

pub(crate) mod events;
pub(crate) mod rebalance;
