// Thin C++ helpers over libosip2 (the Debian-packaged SIP parser): owning pointers, parsing,
// salvaging enough of a broken request to answer it with 400, and building responses per
// RFC 3261 §8.2.6. All SIP syntax is parsed by libosip2; this file only owns memory and picks
// headers.
//
// Thread-safety: every function may be called from any thread (libosip2's parser tables are
// initialised once, under std::call_once, by InitOsip(), which every function here calls).
#pragma once

#include <osipparser2/osip_parser.h>
// libosip2 defines WARNING (a header name), which would break glog's LOG(WARNING).
#undef WARNING

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wissel::adapters::sip {

struct OsipMessageDeleter {
  void operator()(osip_message_t* message) const;
};
using OsipMessagePtr = std::unique_ptr<osip_message_t, OsipMessageDeleter>;

// Initialises libosip2's parser and turns its stderr tracing off (its traces could quote
// message content, which holds personal data). Idempotent and thread-safe.
void InitOsip();

// Parses one complete SIP message (request or response). InvalidArgument when libosip2
// rejects it. Never reads past `bytes`; embedded NULs end the message.
absl::StatusOr<OsipMessagePtr> ParseSipMessage(absl::string_view bytes);

// For a request libosip2 rejects as a whole: parses its request line and, one by one, the
// headers a response needs (Via, From, To, Call-ID, CSeq, in long or compact form), skipping
// those that do not parse. `problem` (optional) gets a short description of what was wrong,
// free of message content. InvalidArgument when not even the request line parses, or when it
// is a response. Looks at most at the first `max_bytes` bytes.
absl::StatusOr<OsipMessagePtr> SalvageRequest(absl::string_view bytes, size_t max_bytes,
                                              std::string* problem);

// True when libosip2 parses `uri` as a URI.
bool ParsesAsUri(absl::string_view uri);

// The first header named `name` (case-insensitive) among the headers libosip2 does not parse
// into fields of its own (e.g. "X-IVR-Choice", "P-Asserted-Identity", "Require"), or empty.
absl::string_view GenericHeader(const osip_message_t& message, absl::string_view name);

// Every header named `name` (case-insensitive) among those generic headers, in order.
std::vector<absl::string_view> GenericHeaders(const osip_message_t& message,
                                              absl::string_view name);

// The user part of a sip:/sips: URI, or the number of a tel: URI (parameters cut off).
// Empty when neither.
std::string UriUser(const osip_uri_t* uri);

// A response to build.
struct ResponseSpec {
  int code = 200;
  std::string reason;  // empty: the standard reason phrase for `code`
  // Added to To when the request's To has no tag, except on 100 Trying.
  std::string to_tag;
  // Contact URI (without angle brackets) for 3xx responses; empty for none.
  std::string contact;
  // Further headers in order, e.g. {"Retry-After", "5"}.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The response to `request` as bytes: status line, every Via, From, To (with the tag),
// Call-ID and CSeq copied from the request (those it has), then the spec's Contact and headers,
// and Content-Length: 0. InvalidArgument when the contact does not parse or a header value
// contains CR/LF.
absl::StatusOr<std::string> BuildResponse(const osip_message_t& request, const ResponseSpec& spec);

}  // namespace wissel::adapters::sip
