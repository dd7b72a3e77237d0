// jemalloc's options for wisseld, read by jemalloc when it starts (MALLOC_CONF in the environment
// still overrides them).
//
// A Redis stall of a second or two (an AOF rewrite's fork, a failover) backs calls up in the
// router, and its heap jumps by tens of MB for that moment. By default jemalloc gives freed pages
// back only while the process keeps allocating, after dirty_decay_ms (10 s): measured with a 2 s
// stall at 2 000 contacts/s, RSS peaked at 119-127 MiB, against 63-73 MiB with a background
// thread purging after 1 s, at no measurable CPU per call (benchmarks/RESULTS.md).
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000";
}
