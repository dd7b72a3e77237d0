// A free TCP port on 127.0.0.1 for a server a test starts, e.g. a router that must come back on
// the same address after it was killed.
//
// The port is free when picked; another process could take it before the server binds it, which
// on a test machine is rare enough that the caller just fails loudly.
#pragma once

#include "absl/status/statusor.h"

namespace wissel::testing {

absl::StatusOr<int> PickFreeLoopbackPort();

}  // namespace wissel::testing
