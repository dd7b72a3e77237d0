#include "router/state/event_stream_reader.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "router/state/redis_keys.h"
#include "router/state/stored_names.h"

namespace wissel::state {
namespace {

constexpr absl::string_view kNoEvent = "0-0";

absl::Status Unexpected(absl::string_view what, const RedisReply& reply) {
  return absl::InternalError(
      absl::StrCat("event stream: unexpected ", what, " reply",
                   reply.is_error() ? absl::StrCat(": ", reply.str) : std::string()));
}

// What XINFO STREAM says: the newest id ever added, the oldest still there, and how many
// entries were added and are left (the difference was trimmed by retention).
struct StreamIds {
  std::string last_generated = std::string(kNoEvent);
  std::string first_retained = std::string(kNoEvent);
  int64_t added = 0;
  int64_t length = 0;
};

absl::StatusOr<StreamIds> ReadStreamIds(RedisConnection& connection, const std::string& key) {
  absl::StatusOr<RedisReply> reply = connection.Command({"XINFO", "STREAM", key});
  if (!reply.ok()) return reply.status();
  StreamIds ids;
  // No stream: no event yet, or none for a whole retention (the key expired with them).
  if (reply->is_error() && absl::StrContains(reply->str, "no such key")) return ids;
  if (reply->type != RedisReply::Type::kArray) return Unexpected("XINFO STREAM", *reply);
  const std::vector<RedisReply>& items = reply->elements;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    const std::string& name = items[i].str;
    const RedisReply& value = items[i + 1];
    if (name == "last-generated-id") ids.last_generated = value.str;
    if (name == "recorded-first-entry-id") ids.first_retained = value.str;
    if (name == "entries-added") ids.added = value.integer;
    if (name == "length") ids.length = value.integer;
  }
  return ids;
}

}  // namespace

EventStreamReader::EventStreamReader(RedisEndpoint endpoint) : connection_(std::move(endpoint)) {}

absl::StatusOr<EventStreamReader::StartPoint> EventStreamReader::Start(const std::string& tenant,
                                                                       absl::string_view after) {
  if (absl::Status s = CheckTenant(tenant); !s.ok()) return s;
  std::optional<StreamId> asked;
  if (!after.empty() && after != "0") {
    asked = ParseStreamId(after);
    if (!asked) {
      return absl::InvalidArgumentError(absl::StrCat(
          "after: '", after, "' is not an event offset (\"<ms>-<seq>\", \"0\" or empty)"));
    }
  }
  absl::StatusOr<StreamIds> ids = ReadStreamIds(connection_, keys::Events(tenant));
  if (!ids.ok()) return ids.status();
  if (after.empty()) return StartPoint{ids->last_generated, ids->last_generated};
  if (!asked) return StartPoint{std::string(kNoEvent), ids->last_generated};
  const std::optional<StreamId> last = ParseStreamId(ids->last_generated);
  const std::optional<StreamId> first = ParseStreamId(ids->first_retained);
  if (!last || !first) return absl::InternalError("event stream: malformed XINFO STREAM ids");
  if (*last < *asked) {
    return absl::OutOfRangeError(absl::StrCat("after: '", after,
                                              "' is beyond the newest event of the stream (",
                                              ids->last_generated, ")"));
  }
  // Events were trimmed (older than event_retention), and the offset is older than the oldest
  // left: what came after it may be gone. Redis does not keep the ids it trimmed, so an offset
  // whose very next event is the oldest left is refused too; the client resumes from "0".
  if (ids->added > ids->length && *asked < *first) {
    return absl::OutOfRangeError(absl::StrCat(
        "after: '", after, "' is older than the oldest event retained (", ids->first_retained,
        "; event_retention): events after it are no longer retained; resume with \"0\" to "
        "accept the gap"));
  }
  return StartPoint{std::string(after), ids->last_generated};
}

absl::StatusOr<EventStreamReader::Batch> EventStreamReader::ReadAfter(const std::string& tenant,
                                                                      const std::string& offset,
                                                                      size_t max,
                                                                      absl::Duration wait) {
  if (absl::Status s = CheckTenant(tenant); !s.ok()) return s;
  const absl::Duration longest = connection_.endpoint().command_timeout / 2;
  const int64_t block_ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(std::min(wait, longest)));
  absl::StatusOr<RedisReply> reply =
      connection_.Command({"XREAD", "COUNT", absl::StrCat(std::max<size_t>(1, max)), "BLOCK",
                           absl::StrCat(block_ms), "STREAMS", keys::Events(tenant), offset});
  if (!reply.ok()) return reply.status();
  Batch batch;
  batch.last_offset = offset;
  if (reply->type == RedisReply::Type::kNil) return batch;  // nothing came
  // [[key, [[id, [field, value, ...]], ...]]]
  if (reply->type != RedisReply::Type::kArray || reply->elements.size() != 1 ||
      reply->elements[0].elements.size() != 2) {
    return Unexpected("XREAD", *reply);
  }
  for (const RedisReply& entry : reply->elements[0].elements[1].elements) {
    if (entry.elements.size() != 2) return Unexpected("XREAD entry", entry);
    batch.last_offset = entry.elements[0].str;
    std::vector<std::string> fields;
    fields.reserve(entry.elements[1].elements.size());
    for (const RedisReply& f : entry.elements[1].elements) fields.push_back(f.str);
    absl::StatusOr<StoredEvent> event = DecodeEvent(entry.elements[0].str, fields);
    if (!event.ok()) {
      LOG(WARNING) << "tenant " << tenant << ": event " << entry.elements[0].str
                   << " skipped: " << event.status().message();
      continue;
    }
    batch.events.push_back(*std::move(event));
  }
  return batch;
}

}  // namespace wissel::state
