//! (stub — being written)
