pub mod chain_ladder;
