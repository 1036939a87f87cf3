//! Streaming statistics (placeholder).
