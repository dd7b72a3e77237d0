// Counts heap allocations in a benchmark program: linking allocation_counter.cc replaces the
// global operator new/delete with ones that count. Benchmarks report allocations per operation
// as a counter, so "no allocation in steady state" is a printed figure, not a belief.
#pragma once

#include <cstdint>

namespace wissel::benchmarks {

// Allocations (operator new and new[]) since the program started. Thread-safe.
int64_t AllocationCount();

}  // namespace wissel::benchmarks
