#include "dashboard/server_sent_events.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace wissel::dashboard {

std::string SseEvent(absl::string_view event, uint64_t id, absl::string_view data) {
  std::string out = absl::StrCat("id: ", id, "\nevent: ", event, "\n");
  for (absl::string_view line : absl::StrSplit(data, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    absl::StrAppend(&out, "data: ", line, "\n");
  }
  absl::StrAppend(&out, "\n");
  return out;
}

std::string SseRetry(absl::Duration retry) {
  return absl::StrCat("retry: ", absl::ToInt64Milliseconds(retry), "\n\n");
}

std::string SseComment(absl::string_view text) { return absl::StrCat(": ", text, "\n\n"); }

}  // namespace wissel::dashboard
