// ParseJson: a response body as a proto message, for tests of the HTTP adapters (unit and
// end-to-end). A body that does not parse is a test failure, not a crash.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "adapters/common/json_body.h"
#include "gtest/gtest.h"

namespace wissel::adapters::testing {

// The message in `json`; on a parse error records a non-fatal failure and returns what was read.
template <typename Message>
Message ParseJson(const std::string& json) {
  Message m;
  const absl::Status s = ParseJsonBody(json, &m);
  EXPECT_TRUE(s.ok()) << s << " in " << json;
  return m;
}

}  // namespace wissel::adapters::testing
