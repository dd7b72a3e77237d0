// Replays the fuzzer's seed corpus (and a few crafted inputs) through its entry point in every
// build, so the harness keeps compiling and its seeds keep passing without clang.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int Feed(const std::string& bytes) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(SipRequestFuzzerTest, SeedCorpusRuns) {
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(WISSEL_SIP_FUZZ_CORPUS)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(Feed(bytes.str()), 0) << entry.path();
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}

TEST(SipRequestFuzzerTest, EdgeInputs) {
  EXPECT_EQ(Feed(""), 0);
  EXPECT_EQ(Feed(std::string(1, '\0')), 0);
  EXPECT_EQ(Feed(std::string(70000, 'A')), 0);
  EXPECT_EQ(Feed("INVITE sip:x SIP/2.0\r\n" + std::string(5000, ':') + "\r\n\r\n"), 0);
}

}  // namespace
