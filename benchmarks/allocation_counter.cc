#include "benchmarks/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<int64_t> g_allocations{0};
}  // namespace

namespace wissel::benchmarks {
int64_t AllocationCount() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace wissel::benchmarks

// Out of line, so that GCC does not inline malloc into one side and free into the other and
// then warn about a new/free mismatch (-Wmismatched-new-delete) it created itself.
#define WISSEL_NOINLINE __attribute__((noinline))

WISSEL_NOINLINE void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
WISSEL_NOINLINE void* operator new[](std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
WISSEL_NOINLINE void operator delete(void* p) noexcept { std::free(p); }
WISSEL_NOINLINE void operator delete[](void* p) noexcept { std::free(p); }
WISSEL_NOINLINE void operator delete(void* p, std::size_t) noexcept { std::free(p); }
WISSEL_NOINLINE void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
