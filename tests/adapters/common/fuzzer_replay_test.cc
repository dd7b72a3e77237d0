// Replays a fuzzer's seed corpus (WISSEL_FUZZ_CORPUS) through its LLVMFuzzerTestOneInput in an
// ordinary build, so that the harness compiles and its properties hold on every build, not only
// in the clang fuzzing build.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(FuzzerReplayTest, SeedCorpusPasses) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(WISSEL_FUZZ_CORPUS)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
              0);
    ++files;
  }
  EXPECT_GT(files, 0);
  // Edge cases every harness must survive.
  EXPECT_EQ(LLVMFuzzerTestOneInput(nullptr, 0), 0);
  const uint8_t one = 'f';
  EXPECT_EQ(LLVMFuzzerTestOneInput(&one, 1), 0);
}

}  // namespace
